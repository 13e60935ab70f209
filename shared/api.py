"""flask-smorest glue shared by the services' REST APIs."""

from pathlib import Path

import flask
import flask_swagger_ui
from flask import render_template_string, send_from_directory
from flask_smorest import Api
from flask_smorest.error_handler import ErrorSchema
from marshmallow import fields
from werkzeug.exceptions import MethodNotAllowed


class PelitaErrorSchema(ErrorSchema):
    """Every JSON error: code, status, message, field errors, and a stable `reason` for refusals."""

    reason = fields.String(metadata={"description": "Stable machine-readable reason, e.g. full, closed"})


#: Swagger UI's files, from the pinned flask-swagger-ui package (its blueprint is not used, only its files).
SWAGGER_UI_FILES = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
SWAGGER_UI_URL = "/api/swagger-ui/"
SWAGGER_UI_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link href="{{ swagger_ui_url }}swagger-ui.css" rel="stylesheet" type="text/css"></head>
<body><div id="swagger-ui-container" data-spec-url="{{ spec_url }}"></div>
<script src="{{ swagger_ui_url }}swagger-ui-bundle.js"></script>
<script src="{{ url_for('pelita_static', filename='swagger-init.js') }}"></script>
</body></html>
"""


class PelitaApi(Api):
    """flask-smorest's Api, keeping the `Allow` header on 405 answers (its JSON error handler drops it), and serving
    Swagger UI's files itself: the staff's browsers fetch nothing from a CDN, and the version is the lock's."""

    ERROR_SCHEMA = PelitaErrorSchema

    def init_app(self, app, *, spec_kwargs=None):
        super().init_app(app, spec_kwargs=spec_kwargs)
        app.add_url_rule(f"{SWAGGER_UI_URL}<path:filename>", "swagger_ui_file", _swagger_ui_file, methods=["GET"])

    def _openapi_swagger_ui(self):
        """Swagger UI started by a script file of ours rather than flask-smorest's inline script (the CSP)."""
        return render_template_string(
            SWAGGER_UI_PAGE,
            title=self.spec.title,
            swagger_ui_url=self._swagger_ui_url,
            spec_url=flask.url_for("api-docs.openapi_json"),
        )

    def handle_http_exception(self, error):
        body, code, headers = super().handle_http_exception(error)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers = dict(headers or {})
            headers["Allow"] = ", ".join(error.valid_methods)
        return body, code, headers


def api_settings(title: str) -> dict:
    """Return the flask-smorest settings: OpenAPI at /api/openapi.json, Swagger UI at /api/docs (served here)."""
    return {
        "API_TITLE": title,
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": SWAGGER_UI_URL,
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    }


def _swagger_ui_file(filename: str):
    return send_from_directory(SWAGGER_UI_FILES, filename, max_age=24 * 3600)
