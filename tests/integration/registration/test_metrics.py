"""Registration's GET /metrics after people register: its outbox backlog and how long it has waited, no one's data."""

import time

import time_machine

from services.registration.extensions import db
from services.registration.models import OutboxMessage
from shared.outbox import record_ack
from tests.factories import make_event_body, make_registration_body
from tests.support import read_metrics

BACKLOG = ("pelita_outbox_backlog", ("service", "registration"))
OLDEST = ("pelita_outbox_oldest_age_seconds", ("service", "registration"))


def test_the_outbox_backlog_grows_with_registrations_and_its_age_shows_a_stuck_relay(registration, auth):
    client = registration.test_client()
    before = read_metrics(client)[BACKLOG]
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    person = make_registration_body(full_name="Siti Aminah Rahmawati", email="siti.aminah@contoh.id")
    assert client.post(f"/api/v1/events/{event['id']}/registrations", json=person).status_code == 201
    metrics = read_metrics(client)
    assert metrics[BACKLOG] == before + 2  # event.published, registration.created: no relay ran
    with time_machine.travel(time.time() + 600, tick=False):
        assert read_metrics(client)[OLDEST] >= 600  # nothing relays: the alert's 5 minutes are long past

    page = client.get("/metrics").get_data(as_text=True)
    for personal in ("Siti", "siti.aminah", person["phone"], person["phone"].replace("-", "")[1:], event["id"]):
        assert personal not in page


def test_once_every_subscriber_acknowledged_the_backlog_is_empty_and_its_age_zero(registration):
    with registration.app_context():
        for row in db.session.scalars(db.select(OutboxMessage)).all():
            for subscriber in list(row.awaiting):
                record_ack(db.session, OutboxMessage, row.message_id, subscriber)
    metrics = read_metrics(registration.test_client())
    assert metrics[BACKLOG] == 0 and metrics[OLDEST] == 0
