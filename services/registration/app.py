"""The registration service's app factory."""

from pathlib import Path

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.middleware.proxy_fix import ProxyFix

import shared.db  # noqa: F401 - SQLite pragmas for every engine
from services.registration import accounts, cli
from services.registration.api import public, public_group, register_blueprints
from services.registration.config import CONFIGS
from services.registration.extensions import api, celery, db, migrate
from services.registration.service import RegistrationError
from shared.api import api_settings
from shared.appfactory import install_request_ids, install_store_unavailable_handler, load_config
from shared.celery import init_celery
from shared.staffauth import install_staff_check
from shared.web import init_web
from shared.web.errors import error_page
from shared.web.security import bad_request, too_large

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: How partner systems send the key a provincial admin gave them (either header).
API_KEY_SCHEMES = {
    "apiKeyAuth": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "`ApiKey <key>`"},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


def create_app(config: str | None = None, **overrides) -> Flask:
    """Build the registration service: config -> extensions -> blueprints -> Celery -> error handlers."""
    app = Flask(__name__)
    app.config.update(api_settings("Pelita registration API"))
    app.config["API_SPEC_OPTIONS"]["components"]["securitySchemes"].update(API_KEY_SCHEMES)
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
    app.register_error_handler(413, _too_large)
    for code in (400, 404, 405):
        app.register_error_handler(code, _page_error)
    from services.registration import tasks  # noqa: F401 - registers the tasks on this service's Celery app

    return app


def _too_many(error):
    headers = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else {}
    if request.path.startswith("/api/"):
        body = {"code": 429, "status": "Too Many Requests", "message": str(error.description)}
        return jsonify(body), 429, headers
    return render_template("public/too_many.html"), 429, headers


def _page_error(error):
    """A bad request or a missing page: the shared page in the reader's language (the API keeps its JSON).

    The registration form whose CSRF check failed (its session cookie was lost: the browser was closed, say) comes
    back as it was typed with a fresh token, to send again: nobody types it all twice.
    """
    forms = {"public.register": public.form_again, "public.register_group": public_group.group_form_again}
    if isinstance(error, CSRFError) and request.endpoint in forms and request.view_args:
        try:
            return forms[request.endpoint](request.view_args["event_id"]), 400
        except RegistrationError as refused:  # the event closed meanwhile: said as on the form itself
            return _refused(refused)
    return bad_request(error) if error.code == 400 else error_page(error)


def _too_large(error):
    """A poster far over its limit is said as such; any other request too large gets the shared answer."""
    if request.endpoint in current_app.config["LARGE_REQUEST_ENDPOINTS"]:
        return _refused(RegistrationError("too_large", _("Berkas terlalu besar: paling besar 5 MB."), 413))
    return too_large(error)


def _refused(error: RegistrationError):
    headers = error.headers
    if request.path.startswith("/staf/") and g.get("staff"):
        return render_template("staff/refused.html", error=error), error.status, headers
    if not request.path.startswith("/api/"):
        return render_template("public/refused.html", error=error), error.status, headers
    body = {"code": error.status, "status": HTTP_STATUS_CODES.get(error.status), "message": error.message}
    return jsonify(body | {"reason": error.code}), error.status, headers
