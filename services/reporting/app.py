"""The reporting service's app factory."""

from pathlib import Path

from flask import Flask, jsonify, render_template, request
from werkzeug.http import HTTP_STATUS_CODES

import shared.db  # noqa: F401 - SQLite pragmas for every engine
from services.reporting import cli
from services.reporting.api import register_blueprints
from services.reporting.config import CONFIGS
from services.reporting.extensions import api, celery, db, migrate
from services.reporting.models import StaffAccess
from services.reporting.service import ReportingError
from shared.api import api_settings
from shared.appfactory import install_request_ids, install_store_unavailable_handler, load_config, trust_proxies
from shared.celery import init_celery
from shared.staffauth import access_check, install_staff_check
from shared.web import init_web

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(config: str | None = None, **overrides) -> Flask:
    """Build the reporting service: config -> extensions -> blueprints -> Celery."""
    app = Flask(__name__)
    app.config.update(api_settings("Pelita reporting API"))
    load_config(app, CONFIGS, config, overrides)
    trust_proxies(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    init_web(app, translations=Path(__file__).resolve().parent / "translations")
    api.init_app(app)
    register_blueprints(app)
    init_celery(celery, app)
    install_request_ids(app)
    install_staff_check(app, access_check(lambda: db.session, StaffAccess))
    install_store_unavailable_handler(app, db)
    cli.register(app)
    app.register_error_handler(ReportingError, _refused)
    from services.reporting import tasks  # noqa: F401 - registers the tasks on this service's Celery app

    return app


def _refused(error: ReportingError):
    if not request.path.startswith("/api/"):
        return render_template("reporting/refused.html", error=error), error.status
    body = {"code": error.status, "status": HTTP_STATUS_CODES.get(error.status), "message": error.message}
    return jsonify(body), error.status
