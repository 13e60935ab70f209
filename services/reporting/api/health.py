"""GET /healthz of the reporting service."""

from services.reporting.extensions import db
from shared.health import make_health_blueprint

bp = make_health_blueprint(db)
