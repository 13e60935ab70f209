"""GET /metrics of every service: its Prometheus counters plus what an operator watches, read at scrape time.

Counters a request increments live in the process (under gunicorn, with PROMETHEUS_MULTIPROC_DIR set, in files every
worker writes, summed by whichever worker answers). What lives elsewhere is read when Prometheus asks, never
counted in advance: the depth of the service's Celery queue (one LLEN), its outbox backlog and the age of its oldest
undelivered row (one query), and whatever the service adds (`extra`). Every metric is a count or an age: no name,
phone, email, code or link is ever a label.

With METRICS_TOKEN set, only a caller sending `Authorization: Bearer <METRICS_TOKEN>` reads the page (others: 401);
unset, the page is open and must be kept off the public network by the proxy (docs/operations.md).
"""

import hmac
import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric

from shared import broker

#: Returns the service's own scrape-time metric families (called inside the request, with the app context).
Extra = Callable[[], Iterable[Metric]]


def make_metrics_blueprint(db, outbox_model: type, extra: Extra | None = None) -> Blueprint:
    """Return a blueprint serving /metrics for the service whose store is `db` and outbox table `outbox_model`."""
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def export():
        """Every metric of the service (plain GET, outside the OpenAPI spec and the form's CSRF)."""
        _check_token()
        service = current_app.config["SERVICE"]
        families = [*queue_depth(service), *outbox_backlog(db, outbox_model, service)]
        if extra is not None:
            families.extend(extra())
        db.session.rollback()  # the reads hold no transaction open between scrapes
        scraped = CollectorRegistry(auto_describe=False)
        scraped.register(_Fixed(families))
        body = generate_latest(process_registry()) + generate_latest(scraped)
        return body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}

    return bp


def _check_token() -> None:
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        abort(401)


def process_registry():
    """The counters of this process, or of every gunicorn worker when PROMETHEUS_MULTIPROC_DIR is set."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


class _Fixed:
    """A collector handing over families already read."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self):
        return iter(self.families)


def queue_depth(service: str) -> list[Metric]:
    """Tasks waiting in the service's Celery queue (a Redis list named after it), and whether Redis answered."""
    up = GaugeMetricFamily(
        "pelita_broker_up", "1 when the broker (Redis) answered this scrape, else 0", labels=["service"]
    )
    depth = GaugeMetricFamily(
        "pelita_queue_depth", "Celery tasks waiting in the queue, not yet taken by a worker", labels=["queue"]
    )
    try:
        depth.add_metric([service], broker.queue_length(current_app.config["CELERY"]["broker_url"], service))
        up.add_metric([service], 1)
    except broker.BrokerDown:
        up.add_metric([service], 0)
    return [up, depth]


def outbox_backlog(db, model: type, service: str) -> list[Metric]:
    """Outbox rows not yet acknowledged by every subscriber, and how long the oldest has waited."""
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(model.created_at)).where(model.delivered_at.is_(None))
    ).one()
    backlog = GaugeMetricFamily(
        "pelita_outbox_backlog", "Outbox messages not yet acknowledged by every subscriber", labels=["service"]
    )
    backlog.add_metric([service], count or 0)
    age = GaugeMetricFamily(
        "pelita_outbox_oldest_age_seconds",
        "Age of the oldest outbox message not yet acknowledged by every subscriber (0 when none waits)",
        labels=["service"],
    )
    age.add_metric([service], age_seconds(oldest))
    return [backlog, age]


def age_seconds(since: datetime | None) -> float:
    """Seconds from `since` to now (0 for None); a naive datetime is UTC, as SQLite returns it."""
    if since is None:
        return 0.0
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return max(0.0, (datetime.now(UTC) - since).total_seconds())
