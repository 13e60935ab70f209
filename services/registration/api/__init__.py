"""Blueprints of the registration service."""

from flask import Flask

from services.registration.api import auth, events, health, registrations
from services.registration.extensions import api


def register_blueprints(app: Flask) -> None:
    api.register_blueprint(auth.bp)
    api.register_blueprint(events.bp)
    api.register_blueprint(registrations.bp)
    app.register_blueprint(health.bp)
