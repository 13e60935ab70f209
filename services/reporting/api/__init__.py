"""Blueprints of the reporting service."""

from flask import Flask

from services.reporting.api import health, summary
from services.reporting.extensions import api


def register_blueprints(app: Flask) -> None:
    api.register_blueprint(summary.bp)
    app.register_blueprint(health.bp)
