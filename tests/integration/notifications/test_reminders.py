"""Reminders planned from events and sent by beat at the right WITA times, with the clock driven, never slept."""

import pytest
import time_machine

from shared.messaging.names import EventNames
from tests.integration.notifications.conftest import deliver, publish_event, register, rows, run_beat, wita

START = wita(2026, 3, 17, 8, 30)  # Selasa, 17 Maret 2026 pukul 08.30 WITA


def test_a_registration_four_days_ahead_gets_one_confirmation_then_three_reminders_on_time(app, smtp_server):
    with time_machine.travel(wita(2026, 3, 13, 10, 0)):
        event = publish_event(app, START)
        register(app, event, email="siti@contoh.id", preferred_channel="email")
        assert run_beat(app) == ["delivered"]
    mails = smtp_server.mails_to("siti@contoh.id")
    assert [mail.subject for mail in mails] == [f"Pendaftaran terkonfirmasi: {event['title']}"]
    assert "Selasa, 17 Maret 2026 pukul 08.30 WITA" in mails[0].text()

    expected = [
        (wita(2026, 3, 14, 8, 30), "3 hari lagi"),
        (wita(2026, 3, 16, 8, 30), "besok"),
        (wita(2026, 3, 17, 6, 30), "2 jam lagi"),
    ]
    for due, lead in expected:
        with time_machine.travel(due.replace(minute=due.minute - 1)):
            assert run_beat(app) == []  # a minute early: nothing goes
        with time_machine.travel(due):
            assert run_beat(app) == ["delivered"]
        newest = smtp_server.mails_to("siti@contoh.id")[0]
        assert newest.subject == f"Pengingat: {event['title']} {lead}"
        assert "Selasa, 17 Maret 2026 pukul 08.30 WITA" in newest.text()

    with time_machine.travel(wita(2026, 3, 20, 9, 0)):
        assert run_beat(app) == []
    assert len(smtp_server.mails_to("siti@contoh.id")) == 4
    assert [row.purpose for row in rows(app)] == ["confirmation", "reminder", "reminder", "reminder"]


def test_a_reminder_whose_time_has_passed_at_registration_is_skipped_not_sent_late(app, smtp_server):
    with time_machine.travel(wita(2026, 3, 16, 20, 0)):  # H-1 passed at 08.30 this morning
        event = publish_event(app, START)
        register(app, event, email="telat@contoh.id", preferred_channel="email")
        run_beat(app)
    assert [(row.purpose, row.reminder_offset) for row in rows(app)] == [("confirmation", None), ("reminder", 120)]


@pytest.mark.parametrize(
    ("channel", "path"), [("sms", "/reguler/api/sendsms/"), ("whatsapp", "/v21.0/100000000000001/messages")]
)
def test_a_registration_at_night_is_answered_at_once_while_its_reminder_waits_for_seven(app, gateway, channel, path):
    gateway.expect_request(path, method="POST").respond_with_json(
        {"messageId": "41", "to": "081234567890", "status": "1", "messages": [{"id": "wamid.N1"}]}
    )
    with time_machine.travel(wita(2026, 3, 13, 2, 15), tick=False):  # 18.15 UTC the day before
        event = publish_event(app, wita(2026, 3, 14, 8, 30), reminder_offsets_minutes=[120])
        register(app, event, preferred_channel=channel, phone="+6281234567890")
        assert run_beat(app) == ["sent"]  # the confirmation: not held by the quiet hours
    confirmation, reminder = rows(app)
    assert (confirmation.purpose, confirmation.status, confirmation.sent_at) == (
        "confirmation",
        "sent",
        wita(2026, 3, 13, 2, 15),
    )
    assert (reminder.purpose, reminder.status) == ("reminder", "pending")
    assert reminder.due_at == wita(2026, 3, 14, 7, 0)  # 06.30 is quiet: moved to 07.00, still before 08.30
    with time_machine.travel(wita(2026, 3, 14, 6, 59)):
        assert run_beat(app) == []
    with time_machine.travel(wita(2026, 3, 14, 7, 0)):
        assert run_beat(app) == ["sent"]
    assert len(gateway.log) == 2


def test_moving_the_event_by_a_day_moves_the_pending_reminders_and_tells_the_person(app, smtp_server):
    with time_machine.travel(wita(2026, 3, 13, 10, 0)):
        event = publish_event(app, START)
        register(app, event, email="pindah@contoh.id", preferred_channel="email")
        run_beat(app)
        moved = {**event, "starts_at": wita(2026, 3, 18, 8, 30).isoformat(), "changed": ["starts_at"]}
        deliver(app, EventNames.EVENT_UPDATED, moved)
        assert run_beat(app) == ["delivered"]
    notice = smtp_server.mails_to("pindah@contoh.id")[0]
    assert notice.subject.startswith("Perubahan jadwal") and "Rabu, 18 Maret 2026 pukul 08.30 WITA" in notice.text()
    reminders = rows(app, purpose="reminder")
    assert [row.due_at for row in reminders] == [
        wita(2026, 3, 15, 8, 30),
        wita(2026, 3, 17, 8, 30),
        wita(2026, 3, 18, 6, 30),
    ]
    assert all("Rabu, 18 Maret 2026" in row.body for row in reminders)


def test_cancelling_the_registration_cancels_its_reminders_and_sends_a_notice(app, smtp_server):
    with time_machine.travel(wita(2026, 3, 13, 10, 0)):
        event = publish_event(app, START)
        person = register(app, event, email="batal@contoh.id", preferred_channel="email")
        run_beat(app)
        cancelled = {
            "registration_id": person["registration_id"],
            "event_id": event["event_id"],
            "was_confirmed": True,
            "cancelled_at": wita(2026, 3, 13, 11, 0).isoformat(),
        }
        deliver(app, EventNames.REGISTRATION_CANCELLED, cancelled)
        assert run_beat(app) == ["delivered"]
    assert smtp_server.mails_to("batal@contoh.id")[0].subject.startswith("Pendaftaran dibatalkan")
    assert {row.status for row in rows(app, purpose="reminder")} == {"cancelled"}
    with time_machine.travel(wita(2026, 3, 17, 8, 0)):
        assert run_beat(app) == []
    assert len(smtp_server.mails_to("batal@contoh.id")) == 2
