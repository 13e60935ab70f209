"""GET /metrics of the registration service: the form's counters, its queue and its outbox (shared/metrics.py)."""

from services.registration import metrics  # noqa: F401 - defines the counters this page shows
from services.registration.extensions import db
from services.registration.models import OutboxMessage
from shared.metrics import make_metrics_blueprint

bp = make_metrics_blueprint(db, OutboxMessage)
