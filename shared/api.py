"""flask-smorest glue shared by the services' REST APIs."""

from flask_smorest import Api
from flask_smorest.error_handler import ErrorSchema
from marshmallow import fields
from werkzeug.exceptions import MethodNotAllowed


class PelitaErrorSchema(ErrorSchema):
    """Every JSON error: code, status, message, field errors, and a stable `reason` for refusals."""

    reason = fields.String(metadata={"description": "Stable machine-readable reason, e.g. full, closed"})


class PelitaApi(Api):
    """flask-smorest's Api, keeping the `Allow` header on 405 answers (its JSON error handler drops it)."""

    ERROR_SCHEMA = PelitaErrorSchema

    def handle_http_exception(self, error):
        body, code, headers = super().handle_http_exception(error)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers = dict(headers or {})
            headers["Allow"] = ", ".join(error.valid_methods)
        return body, code, headers


def api_settings(title: str) -> dict:
    """Return the flask-smorest settings: OpenAPI at /api/openapi.json, Swagger UI at /api/docs (bundled)."""
    return {
        "API_TITLE": title,
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    }
