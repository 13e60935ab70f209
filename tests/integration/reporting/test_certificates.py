"""Reporting counts certificates from certificate.issued and certificate.revoked: a reissue is the same certificate,
a revoked one no longer stands, and a replay changes nothing."""

import uuid
from datetime import UTC, datetime

from services.reporting import store
from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope
from tests.factories import make_event_published, make_registration_created, pseudonym_of
from tests.integration.reporting.conftest import feed

AT = "2026-12-17T09:00:00+00:00"


def envelope(event_type: str, payload: dict) -> dict:
    return make_envelope(event_type, payload, source="registration")


def issued(person: dict, version: int) -> dict:
    """certificate.issued (its links are dropped for reporting at relay time: routing.WITHHELD)."""
    return {
        "certificate_id": str(uuid.uuid5(uuid.NAMESPACE_URL, person["registration_id"])),
        "registration_id": person["registration_id"],
        "event_id": person["event_id"],
        "number": f"00{version}/DISPERSIP-KS/XII/2026",
        "version": version,
        "issued_at": AT,
        "download_url": "http://127.0.0.1:8001/s/Q4M7XK2B9P",
        "verify_url": "http://127.0.0.1:8001/sertifikat/001-DISPERSIP-KS-XII-2026?c=ABCDEFGHJK&v=1",
    }


def certificates(app, event_id: str) -> int:
    with app.app_context():
        return store.summary({"event_id": event_id})["certificates"]


def test_certificates_are_counted_once_and_a_revoked_one_no_longer_stands(reporting):
    event = make_event_published()
    people = [make_registration_created(event_id=event["event_id"]) for _ in range(3)]
    feed(reporting, [envelope(EventNames.EVENT_PUBLISHED, event)])
    feed(reporting, [envelope(EventNames.REGISTRATION_CREATED, person) for person in people])
    messages = [envelope(EventNames.CERTIFICATE_ISSUED, issued(person, 1)) for person in people[:2]]
    messages.append(envelope(EventNames.CERTIFICATE_ISSUED, issued(people[0], 2)))  # a corrected name
    assert feed(reporting, messages) == ["processed"] * 3
    assert certificates(reporting, event["event_id"]) == 2
    revoked = envelope(
        EventNames.CERTIFICATE_REVOKED,
        {**{k: issued(people[1], 1)[k] for k in ("certificate_id", "registration_id", "event_id")}, "revoked_at": AT},
    )
    assert feed(reporting, [revoked, *messages, revoked]) == ["processed"] + ["duplicate"] * 4
    assert certificates(reporting, event["event_id"]) == 1
    with reporting.app_context():
        fact = store.get_registration(pseudonym_of(people[0]["registration_id"]))
        assert fact.certificate_issued_at == datetime(2026, 12, 17, 9, 0, tzinfo=UTC)
