"""The notifications service's app factory."""

from pathlib import Path

from flask import Flask

import shared.db  # noqa: F401 - SQLite pragmas for every engine
from services.notifications import cli
from services.notifications.api import register_blueprints
from services.notifications.config import CONFIGS
from services.notifications.extensions import api, celery, db, migrate
from services.notifications.models import StaffAccess
from services.notifications.sending.pacing import SendPace
from services.notifications.sending.priorities import ProviderPriorities
from shared.api import api_settings
from shared.appfactory import install_request_ids, install_store_unavailable_handler, load_config, trust_proxies
from shared.celery import init_celery
from shared.staffauth import access_check, install_staff_check
from shared.states import Channel
from shared.web import init_web

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(config: str | None = None, **overrides) -> Flask:
    """Build the notifications service: config -> extensions -> blueprints -> Celery."""
    app = Flask(__name__)
    app.config.update(api_settings("Pelita notifications API"))
    load_config(app, CONFIGS, config, overrides)
    trust_proxies(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    init_web(app)
    api.init_app(app)
    register_blueprints(app)
    init_celery(celery, app)
    install_request_ids(app)
    install_staff_check(app, access_check(lambda: db.session, StaffAccess))
    install_store_unavailable_handler(app, db)
    redis_url, key_prefix = app.config["REDIS_URL"], app.config["REDIS_KEY_PREFIX"]
    app.extensions["send_pace"] = SendPace(redis_url, app.config["SENDS_PER_SECOND"], key_prefix)
    app.extensions["provider_priorities"] = ProviderPriorities(
        redis_url,
        {Channel.SMS: app.config["SMS_PROVIDERS"], Channel.WHATSAPP: app.config["WHATSAPP_PROVIDERS"]},
        app.config["PROVIDER_PRIORITIES"],
        key_prefix=key_prefix,
        error_threshold=app.config["PROVIDER_ERROR_THRESHOLD"],
        error_window=app.config["PROVIDER_ERROR_WINDOW_SECONDS"],
        step=app.config["PROVIDER_PRIORITY_STEP"],
    )
    cli.register(app)
    from services.notifications import tasks  # noqa: F401 - registers the tasks on this service's Celery app

    return app
