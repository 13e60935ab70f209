"""A participant's reply, as notifications reports it (reply.received): "no" cancels exactly as the cancel link does
and promotes the next person once; "yes" shows "will attend" to organisers and is counted."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from services.registration import service
from services.registration.extensions import db
from services.registration.models import OutboxMessage, Registration
from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_staff_pages import sign_in


def reply(registration, person: dict, event: dict, intent: str, message_id: str = "twilio:SM1") -> str:
    payload = {
        "registration_id": person["id"],
        "event_id": event["id"],
        "intent": intent,
        "channel": "sms",
        "message_id": message_id,
        "received_at": datetime(2026, 3, 16, 2, 0, tzinfo=UTC).isoformat(),
    }
    envelope = make_envelope(EventNames.REPLY_RECEIVED, payload, source="notifications", message_id=str(uuid.uuid4()))
    with registration.app_context():
        return service.handle_event(envelope)


def emitted(registration, event_type: str) -> int:
    with registration.app_context():
        query = sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.type == event_type)
        return db.session.scalar(query)


def status(registration, person: dict) -> str:
    with registration.app_context():
        return db.session.get(Registration, person["id"]).status


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_no_cancels_and_promotes_the_next_once_even_when_said_twice(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(capacity=1), headers=auth).json
    first, second = (
        client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body()).json for _ in range(2)
    )
    assert reply(registration, first, event, "no") == "processed"
    assert reply(registration, first, event, "no", message_id="twilio:SM2") == "processed"  # "batal" again
    assert (status(registration, first), status(registration, second)) == ("cancelled", "confirmed")
    assert emitted(registration, EventNames.REGISTRATION_CANCELLED) == 1
    assert emitted(registration, EventNames.REGISTRATION_PROMOTED) == 1


def test_yes_shows_will_attend_in_the_participant_list_and_counts_it(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(capacity=5), headers=auth).json
    people = [
        client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body(full_name=name)).json
        for name in ("Aminah", "Rusdi")
    ]
    assert reply(registration, people[0], event, "yes") == "processed"
    sign_in(client)
    page = client.get(f"/staf/acara/{event['id']}").text
    assert "Menjawab akan hadir</dt><dd>1 / 2" in page
    assert page.count("Akan hadir") == 1
    assert status(registration, people[0]) == "confirmed"
