"""GET /metrics of the registration service: its Prometheus metrics as text, for a scraper.

Under gunicorn each worker process counts its own; with PROMETHEUS_MULTIPROC_DIR set (an empty folder, cleared at
each start) the workers write their counts there and any worker answers with the sum of all of them.
"""

import os

from flask import Blueprint
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from services.registration import metrics  # noqa: F401 - defines the counters this page shows

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def export():
    """Every metric of the service (plain GET, outside the OpenAPI spec and the form's CSRF)."""
    return generate_latest(_registry()), 200, {"Content-Type": CONTENT_TYPE_LATEST}


def _registry():
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
