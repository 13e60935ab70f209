"""The steps every service's create_app shares: config, logging, store, Celery."""

import os
import uuid

from flask import Flask, g, request
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from shared.config import BaseConfig
from shared.logging import configure_logging, request_id_var


class CompiledTemplates(BytecodeCache):
    """The compiled code of a service's templates, kept for the life of the process and shared by every app of that
    service it creates: a test suite creates hundreds and would otherwise parse and compile each template again
    for each. A template whose source changes is compiled again (the bucket checks the source's checksum)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


#: One per service: the services' Jinja environments may be set up differently, so they never share code.
_COMPILED: dict[str, CompiledTemplates] = {}


def load_config(app: Flask, configs: dict[str, type[BaseConfig]], config: str | None, overrides: dict) -> BaseConfig:
    """Build the config named `config` (default $APP_ENV, else production), apply overrides, check, load; the app's
    templates then compile once per process (CompiledTemplates)."""
    name = config or os.environ.get("APP_ENV", "production")
    settings = configs[name]().apply(overrides)
    settings.check()
    app.config.from_object(settings)
    app.config["SERVICE"] = settings.SERVICE
    app.config["CELERY"] = settings.CELERY
    configure_logging(settings.SERVICE, settings.LOG_LEVEL)
    app.jinja_env.bytecode_cache = _COMPILED.setdefault(settings.SERVICE, CompiledTemplates())
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


def install_store_unavailable_handler(app: Flask, db) -> None:
    """Answer 503 with "try again" (JSON under /api/, a page elsewhere) when the store cannot be reached.

    A restarting database must not show people a crash page: nothing was saved, and they can simply try again.
    """
    from flask import jsonify, render_template_string
    from flask_babel import gettext
    from sqlalchemy.exc import DBAPIError, OperationalError

    def unavailable(error):
        if (
            isinstance(error, DBAPIError)
            and not error.connection_invalidated
            and not isinstance(error, OperationalError)
        ):
            raise error
        db.session.rollback()
        message = gettext("Layanan sedang sibuk. Data Anda belum tersimpan; coba lagi sebentar lagi.")
        headers = {"Retry-After": "5"}
        if request.path.startswith("/api/"):
            body = {"code": 503, "status": "Service Unavailable", "message": message, "reason": "store_unavailable"}
            return jsonify(body), 503, headers
        page = '{% extends "pelita/base.html" %}{% block main %}<h1>{{ message }}</h1>{% endblock %}'
        return render_template_string(page, message=message), 503, headers

    app.register_error_handler(OperationalError, unavailable)


def trust_proxies(app: Flask) -> None:
    """Take the client's address from X-Forwarded-For, as set by TRUSTED_PROXY_HOPS trusted proxies (if any)."""
    if app.config.get("TRUSTED_PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXY_HOPS"])
