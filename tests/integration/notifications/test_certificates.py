"""certificate.issued reaches the person by their channel, once per version: email and SMS carry the short link to
the PDF, WhatsApp its template with the download button."""

import uuid

import time_machine

from shared.messaging.names import EventNames
from tests.integration.notifications.conftest import deliver, publish_event, register, rows, run_beat, wita

START = wita(2026, 12, 15, 8, 0)
AFTER = wita(2026, 12, 17, 17, 0)


def issued(person: dict, version: int = 1, code: str = "Q4M7XK2B9P") -> dict:
    return {
        "certificate_id": str(uuid.uuid5(uuid.NAMESPACE_URL, person["registration_id"])),
        "registration_id": person["registration_id"],
        "event_id": person["event_id"],
        "number": "045/DISPERSIP-KS/XII/2026",
        "version": version,
        "issued_at": AFTER.isoformat(),
        "download_url": f"http://127.0.0.1:8001/s/{code}",
        "verify_url": f"http://127.0.0.1:8001/sertifikat/045-DISPERSIP-KS-XII-2026?c=ABCDEFGHJK&v={version}",
    }


def test_the_certificate_mail_carries_the_download_link_once_per_version(app, smtp_server):
    with time_machine.travel(START.replace(day=10)):
        event = publish_event(app, START)
        person = register(app, event, email="sertifikat@contoh.id", full_name="Siti Aminah")
    with time_machine.travel(AFTER):
        payload = issued(person)
        message_id = str(uuid.uuid4())
        assert [deliver(app, EventNames.CERTIFICATE_ISSUED, payload, message_id) for _ in range(2)] == [
            "processed",
            "duplicate",
        ]
        deliver(app, EventNames.CERTIFICATE_ISSUED, payload)  # resent under a new envelope: still one message
        run_beat(app)
        deliver(app, EventNames.CERTIFICATE_ISSUED, issued(person, version=2))  # a corrected name: sent again
        run_beat(app)
    mails = [m for m in smtp_server.mails_to("sertifikat@contoh.id") if m.subject.startswith("Sertifikat Anda")]
    assert len(mails) == 2
    body = mails[0].text()
    assert "Halo Siti Aminah" in body and "045/DISPERSIP-KS/XII/2026" in body
    assert "http://127.0.0.1:8001/s/Q4M7XK2B9P" in body and not mails[0].attachments()


def test_whatsapp_sends_the_certificate_template_with_the_download_button(app):
    with time_machine.travel(START.replace(day=10)):
        event = publish_event(app, START)
        person = register(app, event, preferred_channel="whatsapp", phone="+6281234567890", full_name="Siti Aminah")
    with time_machine.travel(AFTER):
        deliver(app, EventNames.CERTIFICATE_ISSUED, issued(person))
    [row] = rows(app, purpose="certificate")
    assert row.channel == "whatsapp"
    assert row.params == {
        "body": ["Siti Aminah", event["title"], "045/DISPERSIP-KS/XII/2026"],
        "buttons": ["Q4M7XK2B9P"],
    }
    assert "/s/Q4M7XK2B9P" in row.body  # the SMS text beside it (and the SMS fallback) has the short link
