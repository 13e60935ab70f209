"""Blueprints of the reporting service."""

from flask import Flask

from services.reporting.api import audit, dashboard, downloads, health, metrics, reports, schedules, summary
from services.reporting.extensions import api
from services.reporting.labels import area_label
from shared.web import csrf


def register_blueprints(app: Flask) -> None:
    for blueprint in (summary.bp, reports.bp):
        csrf.exempt(blueprint)  # bearer-token JSON API: no cookies, so no CSRF
        api.register_blueprint(blueprint)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(schedules.bp)
    app.register_blueprint(audit.bp)

    @app.context_processor
    def _areas():
        return {"area_name": area_label}
