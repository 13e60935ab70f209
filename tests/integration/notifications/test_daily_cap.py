"""A daily budget per channel: over it, messages wait for 07.00 WITA the next day, and staff see why."""

from datetime import timedelta

import time_machine
from bs4 import BeautifulSoup

from services.notifications import store
from shared.timeutil import utcnow
from tests.integration.notifications.conftest import publish_event, register, rows, run_beat, wita
from tests.integration.notifications.test_delivery import TWILIO, ZENZIVA, ZENZIVA_OK
from tests.integration.notifications.test_staff_log import log_rows, signed_in

START = wita(2026, 3, 17, 8, 30)
NOW = wita(2026, 3, 13, 10, 0)


def three_sms_confirmations(app):
    event = publish_event(app, START, reminder_offsets_minutes=[])
    for n in range(3):
        register(
            app, event, preferred_channel="sms", phone=f"+62812345670{n:02d}", email=None, full_name=f"Peserta {n}"
        )
    return event


def test_over_the_daily_sms_cap_messages_wait_for_seven_the_next_morning_and_staff_see_why(app, gateway):
    app.config["DAILY_CAPS"] = {"sms": 2, "email": 0, "whatsapp": 0}
    gateway.expect_request(ZENZIVA).respond_with_json(ZENZIVA_OK)
    with time_machine.travel(NOW, tick=False):
        three_sms_confirmations(app)
        assert sorted(run_beat(app)) == ["held", "sent", "sent"]
        [waiting] = rows(app, status="pending")
        assert (waiting.due_at, waiting.attempts, waiting.hold_reason) == (wita(2026, 3, 14, 7, 0), 0, "daily_cap")
        assert run_beat(app) == []  # the held message is not due again today
        client = signed_in(app)
        log = client.get("/staf")
        held = client.get("/staf", query_string={"status": "held"})
    assert len(gateway.log) == 2
    budget = BeautifulSoup(log.text, "html.parser").find("section", attrs={"aria-labelledby": "budget-title"})
    assert "SMS: 2 dari 2 pesan" in budget.get_text() and "1 pesan menunggu kuota besok" in budget.get_text()
    [row] = log_rows(held)
    assert "Tertahan batas harian" in row[4] and "kuota SMS hari ini (2 pesan) sudah habis" in row[4]
    assert "Sabtu, 14 Maret 2026 pukul 07.00 WITA" in row[4]

    with time_machine.travel(wita(2026, 3, 14, 6, 59)):
        assert run_beat(app) == []
    with time_machine.travel(wita(2026, 3, 14, 7, 0)):
        assert run_beat(app) == ["sent"]
    sent = rows(app, id=waiting.id)[0]
    assert (sent.status, sent.attempts, sent.hold_reason) == ("sent", 1, None)
    assert len(gateway.log) == 3


def test_a_send_the_gateways_refused_does_not_use_up_the_budget(app, gateway):
    app.config["DAILY_CAPS"] = {"sms": 1, "email": 0, "whatsapp": 0}
    gateway.expect_ordered_request(ZENZIVA).respond_with_data("busy", status=503)
    gateway.expect_ordered_request(TWILIO).respond_with_data("busy", status=503)
    gateway.expect_ordered_request(ZENZIVA).respond_with_json(ZENZIVA_OK)
    with time_machine.travel(NOW, tick=False) as clock:
        event = publish_event(app, START, reminder_offsets_minutes=[])
        register(app, event, preferred_channel="sms", email=None)
        assert run_beat(app) == ["retrying"]
        with app.app_context():
            assert store.sends_on(NOW.date()).get("sms", 0) == 0
        clock.move_to(rows(app)[0].due_at + timedelta(seconds=1))
        assert run_beat(app) == ["sent"]
        register(app, event, preferred_channel="sms", phone="+6281299990000", email=None)
        assert run_beat(app) == ["held"]
        with app.app_context():
            assert store.sends_on(utcnow().astimezone(NOW.tzinfo).date()) == {"sms": 1}


def test_channels_without_a_cap_are_not_held(app, gateway, smtp_server):
    app.config["DAILY_CAPS"] = {"sms": 1, "email": 0, "whatsapp": 0}
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        for n in range(3):
            register(app, event, email=f"tanpa-batas{n}@contoh.id")
        assert run_beat(app) == ["delivered"] * 3


def test_the_last_send_of_the_day_goes_to_one_taker_only(app):
    with app.app_context():
        day = NOW.date()
        assert [store.reserve_send("sms", day, 2) for _ in range(3)] == [True, True, False]
        assert store.reserve_send("sms", day + timedelta(days=1), 2) is True  # a new day, a new budget
        store.release_send("sms", day)
        assert store.reserve_send("sms", day, 2) is True
