"""Notifications on a real migrated store, the real SMTP sink and pytest-httpserver as every gateway."""

from datetime import datetime

import pytest
import sqlalchemy as sa
from pytest_httpserver import HTTPServer

from services.notifications import service, store
from services.notifications.app import create_app
from services.notifications.extensions import db
from services.notifications.models import Notification
from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope
from shared.timeutil import WITA, utcnow
from tests.factories import make_event_published, make_registration_created
from tests.integration.conftest import build


@pytest.fixture
def gateway():
    """Every gateway's base URL points here; tests add the responses they need.

    It answers requests at once, as a real gateway does: a worker has several messages in flight, and a serial
    server would keep some waiting past the client's timeout and then take them.
    """
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def make_app(new_store, redis_url, smtp_server, gateway):
    """Build notifications services on fresh stores, every gateway pointing at `gateway`; `overrides` on top."""
    apps = []

    def make(**overrides):
        base = gateway.url_for("").rstrip("/")
        settings = {
            "SMTP_HOST": smtp_server.host,
            "SMTP_PORT": smtp_server.port,
            "ENQUEUE_AFTER_COMMIT": False,
            "PUBLIC_BASE_URL": "http://127.0.0.1:8002",
            "ZENZIVA_BASE_URL": base,
            "TWILIO_BASE_URL": base,
            "WHATSAPP_BASE_URL": base,
            "PROVIDER_READ_TIMEOUT": 0.5,
        }
        apps.append(build(create_app, new_store(f"notifications{len(apps)}"), redis_url, **settings | overrides))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


def wita(*args) -> datetime:
    return datetime(*args, tzinfo=WITA)


def deliver(app, event_type: str, payload: dict, message_id: str | None = None) -> str:
    """Hand one message to the notifications service, as its handle_event task would."""
    envelope = make_envelope(event_type, payload, source="registration", message_id=message_id)
    with app.app_context():
        return service.handle_event(envelope)


def publish_event(app, starts_at: datetime, **overrides) -> dict:
    payload = make_event_published(starts_at=starts_at.isoformat(), ends_at=starts_at.isoformat(), **overrides)
    deliver(app, EventNames.EVENT_PUBLISHED, payload)
    return payload


def register(app, event: dict, **overrides) -> dict:
    payload = make_registration_created(event_id=event["event_id"], registered_at=utcnow().isoformat(), **overrides)
    deliver(app, EventNames.REGISTRATION_CREATED, payload)
    return payload


def run_beat(app) -> list[str]:
    """Do what beat's dispatch and the send tasks do for every message due now; return the outcomes."""
    with app.app_context():
        service.release_orphans()
        ids = store.due_ids(utcnow(), 500)
        db.session.commit()
        outcomes = []
        for start in range(0, len(ids), service.BATCH_SIZE):  # as the dispatcher hands them out
            batch = ids[start : start + service.BATCH_SIZE]
            outcomes += service.send_batch(batch)
        return outcomes


def rows(app, **where) -> list[Notification]:
    with app.app_context():
        query = sa.select(Notification).filter_by(**where).order_by(Notification.due_at)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found
