"""Blueprints of the notifications service."""

from flask import Flask

from services.notifications.api import health, notifications
from services.notifications.extensions import api


def register_blueprints(app: Flask) -> None:
    api.register_blueprint(notifications.bp)
    app.register_blueprint(health.bp)
