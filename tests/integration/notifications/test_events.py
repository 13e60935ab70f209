"""Each incoming event's effect, once: duplicates, promotion, event cancellation, report mails."""

import base64
import uuid
from datetime import date

import time_machine

from services.notifications import service, store
from services.notifications.extensions import db
from shared.messaging.names import EventNames
from shared.timeutil import utcnow
from tests.factories import make_registration_created
from tests.integration.notifications.conftest import deliver, publish_event, register, rows, run_beat, wita

START = wita(2026, 3, 17, 8, 30)
NOW = wita(2026, 3, 13, 10, 0)


def test_the_same_registration_delivered_five_times_and_two_beats_send_one_of_each(app, smtp_server):
    with time_machine.travel(NOW):
        event = publish_event(app, START)
        payload = make_registration_created(event_id=event["event_id"], email="sekali@contoh.id")
        message_id = str(uuid.uuid4())
        outcomes = [deliver(app, EventNames.REGISTRATION_CREATED, payload, message_id=message_id) for _ in range(5)]
        deliver(app, EventNames.REGISTRATION_CREATED, payload)  # a resend under a new envelope id, too
    assert outcomes == ["processed"] + ["duplicate"] * 4
    for moment in (
        wita(2026, 3, 13, 10, 1),
        wita(2026, 3, 14, 8, 30),
        wita(2026, 3, 16, 8, 30),
        wita(2026, 3, 17, 6, 30),
    ):
        with time_machine.travel(moment), app.app_context():
            ids = store.due_ids(utcnow(), 500) * 2  # two beats each enqueued every due message
            db.session.commit()
            assert sorted(service.send(i) for i in ids) == ["delivered", "skipped"]
    subjects = [mail.subject.split(":")[0] for mail in smtp_server.mails_to("sekali@contoh.id")]
    assert sorted(subjects) == ["Pendaftaran terkonfirmasi", "Pengingat", "Pengingat", "Pengingat"]


def test_a_waitlisted_person_promoted_gets_the_seat_message_and_reminders(app, smtp_server):
    with time_machine.travel(NOW):
        event = publish_event(app, START)
        person = register(app, event, status="waitlisted", waitlist_position=1, email="tunggu@contoh.id")
        assert [row.purpose for row in rows(app)] == ["waitlisted"]  # no reminders while waiting
        run_beat(app)
        promoted = {**{k: person[k] for k in ("registration_id", "event_id")}, "promoted_at": utcnow().isoformat()}
        deliver(app, EventNames.REGISTRATION_PROMOTED, promoted)
        assert run_beat(app) == ["delivered"]
    subjects = [mail.subject for mail in smtp_server.mails_to("tunggu@contoh.id")]
    assert subjects[0] == f"Anda mendapat kursi: {event['title']}" and subjects[1].startswith("Daftar tunggu")
    assert [row.purpose for row in rows(app, status="pending")] == ["reminder"] * 3


def test_a_promotion_before_its_registration_is_known_is_not_acknowledged(app):
    payload = {"registration_id": str(uuid.uuid4()), "event_id": str(uuid.uuid4()), "promoted_at": NOW.isoformat()}
    try:
        deliver(app, EventNames.REGISTRATION_PROMOTED, payload)
    except service.NotYetKnown:
        pass
    else:
        raise AssertionError("a promotion of an unknown registration must fail, so the producer sends it again")


def test_cancelling_the_event_cancels_every_reminder_and_tells_everyone_once(app, smtp_server):
    with time_machine.travel(NOW):
        event = publish_event(app, START)
        for email in ("a@contoh.id", "b@contoh.id"):
            register(app, event, email=email)
        run_beat(app)
        cancelled = {"event_id": event["event_id"], "title": event["title"], "reason": "Banjir di lokasi"}
        deliver(app, EventNames.EVENT_CANCELLED, cancelled)
        deliver(app, EventNames.EVENT_CANCELLED, cancelled)
        assert run_beat(app) == ["delivered", "delivered"]
    for email in ("a@contoh.id", "b@contoh.id"):
        notice = smtp_server.mails_to(email)[0]
        assert notice.subject.startswith("Dibatalkan") and "Banjir di lokasi" in notice.text()
    assert {row.status for row in rows(app, purpose="reminder")} == {"cancelled"}


def report(**overrides) -> dict:
    payload = {
        "report_id": str(uuid.uuid4()),
        "recipients": ["kabid@dispersip.kalselprov.go.id", "staf@dispersip.kalselprov.go.id"],
        "subject": "Laporan mingguan Pelita 9–15 Maret 2026",
        "body_text": "Terlampir laporan mingguan.",
        "download_url": "http://127.0.0.1:8003/laporan/abc",
        "period_start": date(2026, 3, 9).isoformat(),
        "period_end": date(2026, 3, 15).isoformat(),
        "attachments": [
            {
                "filename": "laporan.csv",
                "content_type": "text/csv",
                "content_base64": base64.b64encode(b"kabupaten,jumlah\nBanjar,12\n").decode(),
            }
        ],
    }
    payload.update(overrides)
    return payload


def test_a_report_is_mailed_once_to_each_recipient_with_its_link_and_attachment(app, smtp_server):
    payload = report()
    deliver(app, EventNames.REPORT_GENERATED, payload)
    deliver(app, EventNames.REPORT_GENERATED, payload)  # resent under a new envelope id
    assert run_beat(app) == ["delivered", "delivered"]
    assert run_beat(app) == []
    for address in payload["recipients"]:
        [mail] = smtp_server.mails_to(address)
        assert mail.subject == payload["subject"] and payload["download_url"] in mail.text()
        assert mail.attachments() == [{"filename": "laporan.csv", "content_type": "text/csv", "size": 27}]


def test_the_worker_that_applies_a_registration_sends_its_confirmation_at_once_and_only_once(app, smtp_server):
    app.config["ENQUEUE_AFTER_COMMIT"] = True  # as in production: what is due now goes out after the commit
    with time_machine.travel(NOW):
        event = publish_event(app, START)
        payload = make_registration_created(event_id=event["event_id"], email="segera@contoh.id")
        message_id = str(uuid.uuid4())
        outcomes = [deliver(app, EventNames.REGISTRATION_CREATED, payload, message_id=message_id) for _ in range(3)]
        assert [mail.subject.split(":")[0] for mail in smtp_server.mails_to("segera@contoh.id")] == [
            "Pendaftaran terkonfirmasi"
        ]  # sent while applying the message, before any send task or dispatcher ran
        assert run_beat(app) == []  # nothing left due: the reminders wait for their days
    assert outcomes == ["processed", "duplicate", "duplicate"]
    assert sorted(row.status for row in rows(app)) == ["delivered", "pending", "pending", "pending"]
