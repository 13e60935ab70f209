"""The health check every service serves at GET /healthz: can it reach its store and the broker?"""

import redis
import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify


def broker_status(url: str) -> str:
    """Return "ok" when the broker answers a PING within a second, else a short reason."""
    try:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        client.ping()
        return "ok"
    except redis.RedisError as error:
        return f"unreachable: {type(error).__name__}"


def make_health_blueprint(db) -> Blueprint:
    """Return a blueprint serving /healthz for the service whose store is `db`."""
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz():
        """Report store and broker reachability (503 when either is down)."""
        try:
            db.session.execute(sa.text("SELECT 1"))
            store = "ok"
        except sa.exc.SQLAlchemyError as error:
            store = f"unreachable: {type(error).__name__}"
        finally:
            db.session.rollback()
        broker_url = current_app.config["CELERY"]["broker_url"]
        checks = {"store": store, "broker": broker_status(broker_url)}
        healthy = all(value == "ok" for value in checks.values())
        body = {"status": "ok" if healthy else "degraded", "service": current_app.config["SERVICE"], **checks}
        return jsonify(body), 200 if healthy else 503

    return bp
