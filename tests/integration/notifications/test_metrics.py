"""Notifications' GET /metrics after messages go out: by channel, provider and status; the reminders' lag; a
failing provider's priority. Real SMTP sink and gateway stand-ins, the clock driven."""

from datetime import timedelta

import time_machine

from tests.integration.notifications.conftest import publish_event, register, run_beat, wita
from tests.support import read_metrics

START = wita(2026, 3, 17, 8, 30)
NOW = wita(2026, 3, 13, 10, 0)
LAG = ("pelita_notifications_reminder_lag_seconds",)
ZENZIVA = "/reguler/api/sendsms/"
TWILIO = "/2010-04-01/Accounts/ACdev0000000000000000000000000000/Messages.json"


def messages(metrics, channel: str, provider: str, status: str) -> float:
    return metrics.get(
        ("pelita_notifications_messages", ("channel", channel), ("provider", provider), ("status", status)), 0
    )


def test_a_reminder_not_sent_on_time_shows_as_lag_until_it_goes(app, smtp_server):
    client = app.test_client()
    with time_machine.travel(NOW, tick=False):
        event = publish_event(app, START, reminder_offsets_minutes=[120])
        register(app, event, email="siti@contoh.id", preferred_channel="email", full_name="Siti Aminah")
        assert run_beat(app) == ["delivered"]  # the confirmation
        metrics = read_metrics(client)
    assert messages(metrics, "email", "smtp", "delivered") == 1
    assert messages(metrics, "email", "", "pending") == 1  # the reminder, due two hours before the start
    assert metrics[LAG] == 0

    due = START - timedelta(hours=2)
    with time_machine.travel(due + timedelta(minutes=12), tick=False):  # the beat stopped: nothing sends it
        assert read_metrics(client)[LAG] == 12 * 60
        assert run_beat(app) == ["delivered"]
        metrics = read_metrics(client)
    assert metrics[LAG] == 0
    assert messages(metrics, "email", "smtp", "delivered") == 2
    page = client.get("/metrics").get_data(as_text=True)
    assert "siti" not in page.lower() and "contoh.id" not in page and event["event_id"] not in page


def test_a_failing_provider_shows_below_its_resting_priority_while_its_messages_fail_over(make_app, gateway):
    app = make_app(PROVIDER_ERROR_THRESHOLD=2)  # Zenziva the primary (100), Twilio its failover (0)
    gateway.expect_request(ZENZIVA).respond_with_data("down", status=500)
    gateway.expect_request(TWILIO).respond_with_json({"sid": "SM9", "status": "queued"}, 201)
    client = app.test_client()
    at_rest = read_metrics(client)
    zenziva = ("channel", "sms"), ("provider", "zenziva")
    assert at_rest[("pelita_notifications_provider_priority", *zenziva)] == 100
    assert at_rest[("pelita_notifications_provider_resting_priority", *zenziva)] == 100
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        for n in range(3):
            register(app, event, preferred_channel="sms", phone=f"+62812345678{n:02d}", email=None)
        run_beat(app)
        metrics = read_metrics(client)
    assert metrics[("pelita_notifications_provider_priority", *zenziva)] < 100
    assert metrics[("pelita_notifications_provider_resting_priority", *zenziva)] == 100
    assert messages(metrics, "sms", "twilio", "sent") == 3
    assert "62812345678" not in client.get("/metrics").get_data(as_text=True)


def test_messages_every_provider_refused_are_counted_failed_by_channel(make_app, gateway):
    app = make_app()
    gateway.expect_request(ZENZIVA).respond_with_data("nomor salah", status=400)
    gateway.expect_request(TWILIO).respond_with_json({"code": 21211, "message": "invalid"}, 400)
    client = app.test_client()
    assert read_metrics(client)[("pelita_notifications_failed_messages", ("channel", "sms"))] == 0
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        register(app, event, preferred_channel="sms", phone="+6281234567800", email=None)
        assert run_beat(app) == ["failed"]
        metrics = read_metrics(client)
    assert metrics[("pelita_notifications_failed_messages", ("channel", "sms"))] == 1
    assert metrics[("pelita_notifications_failed_messages", ("channel", "email"))] == 0
    assert messages(metrics, "sms", "", "failed") == 1
