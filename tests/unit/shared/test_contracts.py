"""Every contract round-trips; producers are strict, consumers tolerant, unknown versions refused."""

import uuid

import pytest
from marshmallow import ValidationError

from shared.messaging.contracts import CONTRACTS, consume
from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope
from tests.factories import make_event_published, make_registration_created

SAMPLES = {
    EventNames.EVENT_PUBLISHED: make_event_published(),
    EventNames.EVENT_UPDATED: {**make_event_published(), "changed": ["starts_at"]},
    EventNames.EVENT_CANCELLED: {"event_id": str(uuid.uuid4()), "title": "Pelatihan", "reason": "Banjir"},
    EventNames.REGISTRATION_CREATED: make_registration_created(),
    EventNames.REGISTRATION_PROMOTED: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "promoted_at": "2026-03-17T00:30:00+00:00",
    },
    EventNames.REGISTRATION_CANCELLED: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "was_confirmed": True,
        "cancelled_at": "2026-03-17T00:30:00+00:00",
    },
    EventNames.REGISTRATION_CONFIRMATION_REQUESTED: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "requested_at": "2026-03-17T00:40:00+00:00",
    },
    EventNames.REGISTRATION_ACCESS_CODE_REQUESTED: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "code": "042917",
        "requested_at": "2026-03-17T00:40:00+00:00",
        "expires_at": "2026-03-17T00:50:00+00:00",
    },
    EventNames.REGISTRATION_CORRECTED: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "full_name": "Ahmad Fauzi",
        "phone": "+6281234567890",
        "email": None,
        "preferred_channel": "sms",
        "gender": "male",
        "age_group": "26_35",
        "disability": "none",
        "corrected_at": "2026-03-17T00:40:00+00:00",
    },
    EventNames.REGISTRATION_ERASED: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "erased_at": "2026-03-17T00:40:00+00:00",
    },
    EventNames.REGISTRATION_REQUEST_ANSWERED: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "request_id": 3,
        "kind": "erasure",
        "outcome": "refused",
        "answer": "Daftar hadir pelatihan wajib kami simpan sampai laporan kegiatan selesai.",
        "answered_at": "2026-03-18T00:45:00+00:00",
    },
    EventNames.REGISTRATION_CONSENT_WITHDRAWN: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "purpose": "statistics",
        "channel": "whatsapp",
        "disability": "prefer_not_to_say",
        "withdrawn_at": "2026-03-17T00:45:00+00:00",
    },
    EventNames.ATTENDANCE_CHECKED_IN: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "checked_in_at": "2026-03-17T00:30:00+00:00",
    },
    EventNames.ATTENDANCE_CHECK_IN_UNDONE: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "checked_in_at": "2026-03-17T00:30:00+00:00",
        "undone_at": "2026-03-17T00:32:00+00:00",
    },
    EventNames.CERTIFICATE_ISSUED: {
        "certificate_id": str(uuid.uuid4()),
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "number": "045/DISPERSIP-KS/XII/2026",
        "version": 1,
        "issued_at": "2026-12-17T09:00:00+00:00",
        "download_url": "http://localhost:8001/s/B7QW2MXK4N",
        "verify_url": "http://localhost:8001/sertifikat/045-DISPERSIP-KS-XII-2026?c=ABCDEFGHJK&v=1",
    },
    EventNames.CERTIFICATE_REVOKED: {
        "certificate_id": str(uuid.uuid4()),
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "revoked_at": "2026-12-18T09:00:00+00:00",
    },
    EventNames.NOTIFICATION_DELIVERED: {
        "notification_id": str(uuid.uuid4()),
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "purpose": "confirmation",
        "channel": "email",
        "delivered_at": "2026-03-17T00:30:00+00:00",
    },
    EventNames.NOTIFICATION_FAILED: {
        "notification_id": str(uuid.uuid4()),
        "purpose": "reminder",
        "channel": "sms",
        "reason": "nomor tidak aktif",
        "failed_at": "2026-03-17T00:30:00+00:00",
    },
    EventNames.REPORT_GENERATED: {
        "report_id": str(uuid.uuid4()),
        "recipients": ["staf@dispersip.kalselprov.go.id"],
        "subject": "Laporan mingguan",
        "body_text": "Terlampir.",
        "download_url": "http://127.0.0.1:8003/laporan/x",
        "period_start": "2026-03-09",
        "period_end": "2026-03-15",
    },
    EventNames.STAFF_CHANGED: {"staff_id": 7, "token_version": 3, "active": False},
    EventNames.STAFF_INVITED: {
        "invitation_id": str(uuid.uuid4()),
        "email": "rina@banjarkab.go.id",
        "name": "Rina Wulandari",
        "link": "http://127.0.0.1:8001/staf/atur-sandi/x",
        "expires_at": "2026-03-20T00:30:00+00:00",
        "locale": "id",
    },
    EventNames.REPLY_RECEIVED: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "intent": "no",
        "channel": "sms",
        "message_id": "twilio:SM0123456789",
        "received_at": "2026-03-16T02:00:00+00:00",
    },
    EventNames.EVALUATION_REQUESTED: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "evaluation_url": "http://localhost:8001/e/ABCD2345",
        "requested_at": "2026-12-18T09:00:00+00:00",
    },
    EventNames.EVALUATION_SUBMITTED: {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "material": 5,
        "trainer": 4,
        "venue": 3,
        "questions": 5,
        "pre_score": 2,
        "post_score": 4,
        "submitted_at": "2026-12-19T02:00:00+00:00",
    },
}


def test_every_event_type_has_a_sample_here():
    assert set(SAMPLES) == set(EventNames.all())


@pytest.mark.parametrize("event_type", EventNames.all())
def test_contract_round_trips_through_an_envelope(event_type):
    envelope = make_envelope(event_type, SAMPLES[event_type], source="registration")
    received, payload = consume(envelope)
    assert received["type"] == event_type
    assert received["version"] == 1
    schema = CONTRACTS[(event_type, 1)]()
    assert schema.dump(payload) == envelope["payload"]


@pytest.mark.parametrize("event_type", EventNames.all())
def test_producer_refuses_unknown_fields(event_type):
    with pytest.raises(ValidationError):
        make_envelope(event_type, {**SAMPLES[event_type], "surprise": 1}, source="registration")


def test_producer_refuses_a_missing_required_field():
    payload = make_registration_created()
    del payload["event_id"]
    with pytest.raises(ValidationError) as error:
        make_envelope(EventNames.REGISTRATION_CREATED, payload, source="registration")
    assert "event_id" in error.value.messages


def test_consumer_ignores_a_field_added_by_a_newer_producer():
    envelope = make_envelope(EventNames.REGISTRATION_CREATED, make_registration_created(), source="registration")
    envelope["payload"]["shoe_size"] = 42
    envelope["trace"] = "extra envelope field"
    _, payload = consume(envelope)
    assert "shoe_size" not in payload


def test_consumer_refuses_an_unknown_version():
    envelope = make_envelope(EventNames.REGISTRATION_CREATED, make_registration_created(), source="registration")
    envelope["version"] = 99
    with pytest.raises(ValidationError, match="unknown message type/version"):
        consume(envelope)


def test_consumer_refuses_a_payload_that_breaks_its_contract():
    envelope = make_envelope(EventNames.REGISTRATION_CREATED, make_registration_created(), source="registration")
    envelope["payload"]["status"] = "maybe"
    with pytest.raises(ValidationError):
        consume(envelope)


def test_producer_refuses_naive_times():
    with pytest.raises(ValidationError):
        make_envelope(
            EventNames.REGISTRATION_PROMOTED,
            {**SAMPLES[EventNames.REGISTRATION_PROMOTED], "promoted_at": "2026-03-17T08:30:00"},
            source="registration",
        )


def test_contact_name_is_optional_on_registration_created_and_kept_when_given():
    """Registering someone else: older producers leave contact_name out; a newer one's value reaches the consumer."""
    plain = make_envelope(EventNames.REGISTRATION_CREATED, make_registration_created(), source="registration")
    _, without = consume(plain)
    assert without["contact_name"] is None
    given = make_registration_created(contact_name="Rina Kader PKK", email=None)
    _, payload = consume(make_envelope(EventNames.REGISTRATION_CREATED, given, source="registration"))
    assert payload["contact_name"] == "Rina Kader PKK"
    with pytest.raises(ValidationError):
        make_envelope(EventNames.REGISTRATION_CREATED, given | {"contact_name": "x" * 201}, source="registration")
