"""GET /healthz of the registration service."""

from services.registration.extensions import db
from shared.health import make_health_blueprint

bp = make_health_blueprint(db)
