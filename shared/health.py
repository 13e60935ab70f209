"""The health checks every web serves: /livez (the process answers), /readyz (it can take traffic), /healthz (all).

Readiness is the store alone. A service whose Redis is down keeps working: registration keeps taking registrations,
notifications keeps its opt-out pages, webhooks and staff pages, reporting its dashboard and downloads; each writes
to its own store and outbox, which is relayed once Redis is back. Every replica shares the one Redis, so taking webs
out of rotation for it would only turn a degraded service into an outage. /readyz therefore answers 200 with
`"status": "degraded", "redis": "down"` then, and 503 only when the store does not answer.
"""

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from shared import broker


def broker_status(url: str) -> str:
    """Return "ok" when the broker (Redis or RabbitMQ) answers within a second, else a short reason."""
    return broker.ping(url)


def store_status(db) -> str:
    """Return "ok" when the service's store answers a SELECT 1, else a short reason."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        return "ok"
    except sa.exc.SQLAlchemyError as error:
        return f"unreachable: {type(error).__name__}"
    finally:
        db.session.rollback()


def make_health_blueprint(db) -> Blueprint:
    """Return a blueprint serving /livez, /readyz and /healthz for the service whose store is `db`."""
    bp = Blueprint("health", __name__)

    @bp.get("/livez")
    def livez():
        """The process answers requests (no I/O: a slow store must not get a healthy process restarted)."""
        return jsonify({"status": "ok", "service": current_app.config["SERVICE"]}), 200

    @bp.get("/readyz")
    def readyz():
        """Whether to send this web traffic: 503 without its store; Redis down is "degraded", still 200."""
        store = store_status(db)
        broker = broker_status(current_app.config["CELERY"]["broker_url"])
        body = {"service": current_app.config["SERVICE"], "store": "ok" if store == "ok" else "down"}
        body["redis"] = "ok" if broker == "ok" else "down"
        if store != "ok":
            return jsonify({"status": "unready", **body}), 503
        return jsonify({"status": "ok" if broker == "ok" else "degraded", **body}), 200

    @bp.get("/healthz")
    def healthz():
        """Report store and broker reachability (503 when either is down), for a person looking."""
        checks = {"store": store_status(db), "broker": broker_status(current_app.config["CELERY"]["broker_url"])}
        healthy = all(value == "ok" for value in checks.values())
        body = {"status": "ok" if healthy else "degraded", "service": current_app.config["SERVICE"], **checks}
        return jsonify(body), 200 if healthy else 503

    return bp
