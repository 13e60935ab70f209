"""Blueprints of the reporting service."""

from flask import Flask

from services.reporting.api import dashboard, downloads, health, summary
from services.reporting.extensions import api
from shared.web import csrf


def register_blueprints(app: Flask) -> None:
    for blueprint in (summary.bp,):
        csrf.exempt(blueprint)  # bearer-token JSON API: no cookies, so no CSRF
        api.register_blueprint(blueprint)
    app.register_blueprint(health.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(downloads.bp)
