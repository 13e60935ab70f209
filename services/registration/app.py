"""The registration service's app factory."""

from pathlib import Path

from flask import Flask, jsonify, render_template, request
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.middleware.proxy_fix import ProxyFix

import shared.db  # noqa: F401 - SQLite pragmas for every engine
from services.registration import accounts, cli
from services.registration.api import register_blueprints
from services.registration.config import CONFIGS
from services.registration.extensions import api, celery, db, migrate
from services.registration.service import RegistrationError
from shared.api import api_settings
from shared.appfactory import install_request_ids, install_store_unavailable_handler, load_config
from shared.celery import init_celery
from shared.staffauth import install_staff_check
from shared.web import init_web

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(config: str | None = None, **overrides) -> Flask:
    """Build the registration service: config -> extensions -> blueprints -> Celery -> error handlers."""
    app = Flask(__name__)
    app.config.update(api_settings("Pelita registration API"))
    load_config(app, CONFIGS, config, overrides)
    if app.config["TRUSTED_PROXY_HOPS"]:  # the form's rate limit counts visitors, not the proxy (ratelimit.py)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXY_HOPS"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    init_web(app)
    api.init_app(app)
    register_blueprints(app)
    init_celery(celery, app)
    install_request_ids(app)
    install_staff_check(app, accounts.staff_check)
    install_store_unavailable_handler(app, db)
    cli.register(app)
    app.register_error_handler(RegistrationError, _refused)
    app.register_error_handler(429, _too_many)
    from services.registration import tasks  # noqa: F401 - registers the tasks on this service's Celery app

    return app


def _too_many(error):
    headers = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else {}
    if request.path.startswith("/api/"):
        body = {"code": 429, "status": "Too Many Requests", "message": str(error.description)}
        return jsonify(body), 429, headers
    return render_template("public/too_many.html"), 429, headers


def _refused(error: RegistrationError):
    if not request.path.startswith("/api/"):
        return render_template("public/refused.html", error=error), error.status
    body = {"code": error.status, "status": HTTP_STATUS_CODES.get(error.status), "message": error.message}
    return jsonify(body | {"reason": error.code}), error.status
