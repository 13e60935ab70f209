"""GET /healthz of the notifications service."""

from services.notifications.extensions import db
from shared.health import make_health_blueprint

bp = make_health_blueprint(db)
