"""Sending through the gateways' real wire formats, failover, retries with backoff, and the final failure."""

import json
import random
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa
import time_machine
from werkzeug import Response

from services.notifications import service
from services.notifications.extensions import db
from services.notifications.models import OutboxMessage
from shared.messaging.names import EventNames
from shared.timeutil import utcnow
from tests.integration.notifications.conftest import publish_event, register, rows, run_beat, wita
from tests.support import most_within

START = wita(2026, 3, 17, 8, 30)
NOW = wita(2026, 3, 13, 10, 0)
ZENZIVA = "/reguler/api/sendsms/"
TWILIO = "/2010-04-01/Accounts/ACdev0000000000000000000000000000/Messages.json"
WHATSAPP = "/v21.0/100000000000001/messages"
ZENZIVA_OK = {"messageId": "41", "to": "081234567890", "status": "1", "text": "Success"}


def outbox_types(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(OutboxMessage.type).order_by(OutboxMessage.seq)))


def confirm_only(app, **person):
    """Register someone for an event with no reminders, so only the confirmation is planned."""
    event = publish_event(app, START, reminder_offsets_minutes=[])
    return register(app, event, **person)


def test_each_gateway_gets_the_number_in_its_own_format(app, gateway):
    gateway.expect_ordered_request(ZENZIVA, method="POST").respond_with_data("oops", status=500)
    gateway.expect_ordered_request(TWILIO, method="POST").respond_with_json({"sid": "SM1", "status": "queued"}, 201)
    gateway.expect_ordered_request(WHATSAPP, method="POST").respond_with_json(
        {"messaging_product": "whatsapp", "messages": [{"id": "wamid.A1"}]}
    )
    with time_machine.travel(NOW):
        confirm_only(app, preferred_channel="sms", phone="+6281234567890")
        assert run_beat(app) == ["sent"]
        confirm_only(app, preferred_channel="whatsapp", phone="+6281234567890")
        assert run_beat(app) == ["sent"]
    zenziva, twilio, whatsapp = (request for request, _ in gateway.log)
    assert zenziva.form["to"] == "081234567890" and zenziva.form["userkey"] == "dev-userkey"
    assert twilio.form["To"] == "+6281234567890" and twilio.authorization.type == "basic"
    assert twilio.form["StatusCallback"] == "http://127.0.0.1:8002/webhooks/twilio/status"
    assert "kursi Anda" in twilio.form["Body"] and "08.30 WITA" in twilio.form["Body"]
    body = whatsapp.get_json()
    assert body["to"] == "6281234567890" and body["type"] == "template"
    assert body["template"]["name"] == "pelita_confirmation" and body["template"]["language"] == {"code": "id"}
    assert body["template"]["components"][0]["parameters"][2]["text"] == "Selasa, 17 Maret 2026 pukul 08.30 WITA"
    assert whatsapp.headers["Authorization"] == "Bearer dev-whatsapp-access-token"
    assert [(row.provider, row.provider_ref) for row in rows(app)] == [
        ("twilio", "SM1"),
        ("whatsapp_cloud", "wamid.A1"),
    ]


def test_zenziva_saying_no_in_a_200_body_moves_on_to_twilio(app, gateway):
    gateway.expect_request(ZENZIVA).respond_with_json({"status": "0", "text": "Saldo tidak cukup"})
    gateway.expect_request(TWILIO).respond_with_json({"sid": "SM2", "status": "queued"}, 201)
    with time_machine.travel(NOW):
        confirm_only(app, preferred_channel="sms")
        assert run_beat(app) == ["sent"]
    assert rows(app)[0].provider == "twilio"


def test_whatsapp_refused_falls_back_to_sms_then_sms_refused_falls_back_to_email(app, gateway, smtp_server):
    gateway.expect_request(WHATSAPP).respond_with_json({"error": {"code": 131026, "message": "undeliverable"}}, 400)
    gateway.expect_request(ZENZIVA).respond_with_json({"status": "0", "text": "Nomor tidak valid"})
    gateway.expect_request(TWILIO).respond_with_json({"code": 21211, "message": "invalid To"}, 400)
    with time_machine.travel(NOW):
        confirm_only(app, preferred_channel="whatsapp", email="cadangan@contoh.id")
        assert run_beat(app) == ["fell_back"]
        assert run_beat(app) == ["fell_back"]
        assert run_beat(app) == ["delivered"]
    assert [(row.channel, row.status) for row in rows(app)] == [
        ("whatsapp", "failed"),
        ("sms", "failed"),
        ("email", "delivered"),
    ]
    assert smtp_server.mails_to("cadangan@contoh.id")[0].subject.startswith("Pendaftaran terkonfirmasi")
    assert outbox_types(app) == [EventNames.NOTIFICATION_DELIVERED]  # the failed legs were not the last word


def test_a_transient_failure_waits_with_backoff_in_the_store_and_ends_failed_after_the_limit(app, gateway):
    gateway.expect_request(ZENZIVA).respond_with_data("busy", status=503)
    gateway.expect_request(TWILIO).respond_with_data("busy", status=502)
    with time_machine.travel(NOW) as clock:
        confirm_only(app, preferred_channel="sms", email=None)
        outcomes, waits = [], []
        for _ in range(20):
            outcomes += run_beat(app)
            row = rows(app)[0]
            if row.status == "failed":
                break
            waits.append(((row.due_at - utcnow()).total_seconds(), 15 * 2**row.attempts))
            clock.move_to(row.due_at + timedelta(seconds=1))
    assert outcomes == ["retrying"] * 5 + ["failed"]
    assert all(0 <= wait <= cap for wait, cap in waits)  # full jitter under an exponentially growing cap
    row = rows(app)[0]
    assert row.attempts == 6 and "gave up after 6 attempts" in row.last_error and "HTTP 503" in row.last_error
    assert outbox_types(app) == [EventNames.NOTIFICATION_FAILED]


def test_when_every_gateway_asks_to_wait_the_message_waits_at_least_that_long(app, gateway):
    gateway.expect_request(ZENZIVA).respond_with_data("slow down", status=429, headers={"Retry-After": "600"})
    gateway.expect_request(TWILIO).respond_with_data("busy", status=503, headers={"Retry-After": "120"})
    with time_machine.travel(NOW):
        confirm_only(app, preferred_channel="sms", email=None)
        assert run_beat(app) == ["retrying"]
        row = rows(app)[0]
    wait = (row.due_at - NOW).total_seconds()  # NOW: when the clock started, just before the attempt
    assert 120 <= wait <= 125  # the sooner of the two, though its own backoff would have been under 30 s
    assert "Retry-After 600 s" in row.last_error and "Retry-After 120 s" in row.last_error


def test_a_gateway_asking_to_wait_does_not_hold_back_a_retry_the_other_could_take_sooner(app, gateway):
    gateway.expect_request(ZENZIVA).respond_with_data("slow down", status=429, headers={"Retry-After": "600"})
    gateway.expect_request(TWILIO).respond_with_data("busy", status=502)
    with time_machine.travel(NOW):
        confirm_only(app, preferred_channel="sms", email=None)
        assert run_beat(app) == ["retrying"]
        row = rows(app)[0]
        assert (row.due_at - utcnow()).total_seconds() <= 15 * 2**row.attempts  # the usual backoff


def test_a_paced_channel_never_goes_faster_than_its_rate_across_the_batchs_senders(make_app, gateway):
    app = make_app(SENDS_PER_SECOND={"sms": 5, "whatsapp": 0}, REDIS_KEY_PREFIX=uuid.uuid4().hex)
    moments = []

    def accept(request):
        moments.append(time.monotonic())
        return Response(json.dumps(ZENZIVA_OK), status=200, content_type="application/json")

    gateway.expect_request(ZENZIVA).respond_with_handler(accept)
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        for n in range(15):
            register(app, event, preferred_channel="sms", phone=f"+62812345671{n:02d}", email=None)
        started = time.monotonic()
        assert run_beat(app) == ["sent"] * 15  # eight senders at once, five a second between them
    assert most_within(moments, 0.8) <= 5 and max(moments) - started >= 1.9


def test_a_paced_mail_relay_gets_no_more_mails_a_second_than_its_rate(make_app, smtp_server, monkeypatch):
    monkeypatch.setenv("NOTIFICATIONS_SENDS_PER_SECOND_EMAIL", "4")  # as an operator sets it
    app = make_app(REDIS_KEY_PREFIX=uuid.uuid4().hex)
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        for n in range(10):
            register(app, event, preferred_channel="email", phone=None, email=f"peserta{n}@contoh.id")
        assert run_beat(app) == ["delivered"] * 10  # SMTP acceptance is all the receipt an email gets
    moments = sorted(mail.received_at.timestamp() for mail in smtp_server.mailbox.mails())
    assert len(moments) == 10
    assert most_within(moments, 0.75) <= 4 and moments[-1] - moments[0] >= 2.0  # ten at four a second: 2.25 s


def test_a_message_the_rate_cannot_fit_before_its_claim_runs_out_waits_for_the_next_dispatch_uncounted(
    make_app, gateway
):
    app = make_app(
        SENDS_PER_SECOND={"sms": 1, "whatsapp": 0}, REDIS_KEY_PREFIX=uuid.uuid4().hex, STUCK_AFTER_SECONDS=0.4
    )
    gateway.expect_request(ZENZIVA).respond_with_json(ZENZIVA_OK)
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        for n in range(2):
            register(app, event, preferred_channel="sms", phone=f"+62812345672{n:02d}", email=None)
        first, second = (row.id for row in rows(app))
        with app.app_context():
            assert service.send(first) == "sent"
            assert service.send(second) == "deferred"  # its slot is a second away; its claim, 0.2 s
    waiting = rows(app, id=second)[0]
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 0, None)
    assert len(gateway.log) == 1


def test_a_flaky_gateway_still_gets_every_message_exactly_once(app, gateway):
    """30 % of requests answer 500 and 10 % time out; retries and failover deliver each message once."""
    chance, accepted = random.Random(4), []

    def flaky(request):
        roll = chance.random()
        if roll < 0.3:
            return Response("error", status=500)
        if roll < 0.4:
            time.sleep(0.7)  # past the client's 0.5 s read timeout: the gateway never took it
            return Response("late", status=504)
        number = request.form.get("to") or request.form.get("To")
        accepted.append(number)
        return Response(json.dumps({"messageId": "1", "sid": f"SM{len(accepted)}", "status": "1"}), status=201)

    gateway.expect_request(ZENZIVA).respond_with_handler(flaky)
    gateway.expect_request(TWILIO).respond_with_handler(flaky)
    phones = [f"+62812345670{n:02d}" for n in range(12)]
    with time_machine.travel(NOW) as clock:
        for phone in phones:
            confirm_only(app, preferred_channel="sms", phone=phone, email=None)
        for _ in range(30):
            run_beat(app)
            if all(row.status == "sent" for row in rows(app)):
                break
            clock.shift(timedelta(hours=1))
    assert sorted(row.status for row in rows(app)) == ["sent"] * len(phones)
    national = sorted(number if number.startswith("0") else "0" + number[3:] for number in accepted)
    assert national == sorted("0" + phone[3:] for phone in phones)
