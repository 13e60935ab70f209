"""The steps every service's create_app shares: config, logging, store, Celery."""

import os
import uuid

from flask import Flask, g, request

from shared.config import BaseConfig
from shared.logging import configure_logging, request_id_var


def load_config(app: Flask, configs: dict[str, type[BaseConfig]], config: str | None, overrides: dict) -> BaseConfig:
    """Build the config named `config` (default $APP_ENV, else production), apply overrides, check, load."""
    name = config or os.environ.get("APP_ENV", "production")
    settings = configs[name]().apply(overrides)
    settings.check()
    app.config.from_object(settings)
    app.config["SERVICE"] = settings.SERVICE
    app.config["CELERY"] = settings.CELERY
    configure_logging(settings.SERVICE, settings.LOG_LEVEL)
    return settings


def install_request_ids(app: Flask) -> None:
    """Give each request an id (or keep the caller's X-Request-ID) for the JSON logs and the response."""

    @app.before_request
    def _start():
        g.request_id = request.headers.get("X-Request-ID") or str(uuid.uuid4())
        g._request_id_token = request_id_var.set(g.request_id)

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    @app.teardown_request
    def _reset(exc):
        token = g.pop("_request_id_token", None)
        if token is not None:
            request_id_var.reset(token)
