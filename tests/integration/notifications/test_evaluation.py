"""evaluation.requested reaches the attendee by their channel, once: email and SMS carry the form's short link,
WhatsApp its template with the "Isi evaluasi" button (docs/evaluation.md)."""

import uuid

import time_machine

from shared.messaging.names import EventNames
from tests.integration.notifications.conftest import deliver, publish_event, register, rows, run_beat, wita

START = wita(2026, 12, 15, 8, 0)
AFTER = wita(2026, 12, 15, 16, 0)


def requested(person: dict, code: str = "H7M2QX9KPA") -> dict:
    return {
        "registration_id": person["registration_id"],
        "event_id": person["event_id"],
        "evaluation_url": f"http://127.0.0.1:8001/e/{code}",
        "requested_at": AFTER.isoformat(),
    }


def test_the_evaluation_mail_carries_the_forms_link_once(app, smtp_server):
    with time_machine.travel(START.replace(day=10)):
        event = publish_event(app, START)
        person = register(app, event, email="evaluasi@contoh.id", full_name="Siti Aminah")
    with time_machine.travel(AFTER):
        payload, message_id = requested(person), str(uuid.uuid4())
        assert [deliver(app, EventNames.EVALUATION_REQUESTED, payload, message_id) for _ in range(2)] == [
            "processed",
            "duplicate",
        ]
        deliver(app, EventNames.EVALUATION_REQUESTED, payload)  # resent under a new envelope: still one message
        run_beat(app)
    mails = [m for m in smtp_server.mails_to("evaluasi@contoh.id") if m.subject.startswith("Mohon isi evaluasi")]
    assert len(mails) == 1
    body = mails[0].text()
    assert "Halo Siti Aminah" in body and event["title"] in body and "http://127.0.0.1:8001/e/H7M2QX9KPA" in body


def test_sms_carries_the_short_link_and_whatsapp_the_template_with_its_button(app):
    with time_machine.travel(START.replace(day=10)):
        event = publish_event(app, START)
        texted = register(app, event, preferred_channel="sms", phone="+6281234567891", full_name="Budi")
        chatted = register(app, event, preferred_channel="whatsapp", phone="+6281234567890", full_name="Siti Aminah")
    with time_machine.travel(AFTER):
        deliver(app, EventNames.EVALUATION_REQUESTED, requested(texted, "SMS2345678"))
        deliver(app, EventNames.EVALUATION_REQUESTED, requested(chatted))
    sms, whatsapp = sorted(rows(app, purpose="evaluation"), key=lambda row: row.channel)
    assert sms.channel == "sms" and "http://127.0.0.1:8001/e/SMS2345678" in sms.body and len(sms.body) <= 320
    assert whatsapp.channel == "whatsapp"
    assert whatsapp.params == {"body": ["Siti Aminah", event["title"]], "buttons": ["H7M2QX9KPA"]}


def test_an_erased_person_is_not_asked(app):
    with time_machine.travel(START.replace(day=10)):
        event = publish_event(app, START)
        person = register(app, event, email="hapus@contoh.id")
        erased = {"registration_id": person["registration_id"], "event_id": person["event_id"],
                  "erased_at": START.replace(day=11).isoformat()}  # fmt: skip
        assert deliver(app, EventNames.REGISTRATION_ERASED, erased) == "processed"
    with time_machine.travel(AFTER):
        deliver(app, EventNames.EVALUATION_REQUESTED, requested(person))
    assert rows(app, purpose="evaluation") == []
