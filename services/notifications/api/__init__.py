"""Blueprints of the notifications service."""

from flask import Flask

from services.notifications.api import (
    announcements,
    audit,
    health,
    metrics,
    notifications,
    optout,
    staff,
    templates_editor,
    webhooks,
)
from services.notifications.extensions import api
from shared.timeutil import format_when
from shared.web import csrf


def register_blueprints(app: Flask) -> None:
    csrf.exempt(notifications.bp)  # bearer-token JSON API (its POST refuses the session cookie)
    api.register_blueprint(notifications.bp)
    app.add_template_filter(format_when, "format_when")
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(optout.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(announcements.bp)
    app.register_blueprint(templates_editor.bp)
    app.register_blueprint(audit.bp)
    # Providers cannot send our CSRF token; their signatures are checked instead.
    csrf.exempt(webhooks.bp)
    app.register_blueprint(webhooks.bp)
