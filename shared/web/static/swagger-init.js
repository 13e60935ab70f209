// Starts Swagger UI on /api/docs. A file of our own, not an inline script: the pages' Content-Security-Policy
// runs no inline script.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  window.ui = SwaggerUIBundle({url: container.getAttribute("data-spec-url"), dom_id: "#swagger-ui-container"});
});
