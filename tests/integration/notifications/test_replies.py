"""Replies to the reminder over the providers' webhooks (Zenziva, Twilio, WhatsApp): who they are for, the question
to a number with several registrations, WhatsApp's quick-reply buttons, and the day-before SMS that asks."""

import json

import pytest
import sqlalchemy as sa
import time_machine

from services.notifications.extensions import db
from services.notifications.models import OutboxMessage
from services.notifications.sending.clients.whatsapp import hub_signature
from shared.messaging.names import EventNames
from tests.integration.notifications.conftest import publish_event, register, rows, run_beat, wita
from tests.integration.notifications.test_delivery import START, WHATSAPP, ZENZIVA, ZENZIVA_OK
from tests.integration.notifications.test_webhooks import twilio_post, whatsapp_body

NOW = wita(2026, 3, 13, 10, 0)
PHONE = "+6281234567890"
INBOUND = "/webhooks/zenziva/dev-zenziva-callback-token/masuk"


def replies_sent(app) -> list[dict]:
    """The reply.received payloads notifications published, oldest first."""
    with app.app_context():
        query = sa.select(OutboxMessage).where(OutboxMessage.type == EventNames.REPLY_RECEIVED)
        return [row.envelope["payload"] for row in db.session.scalars(query.order_by(OutboxMessage.seq))]


def post_whatsapp(app, *messages):
    body = whatsapp_body(messages=messages)
    headers = {"X-Hub-Signature-256": hub_signature("dev-whatsapp-app-secret", body)}
    return app.test_client().post("/webhooks/whatsapp", data=body, headers=headers)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_zenziva_reply_needs_the_secret_in_its_address_and_goes_to_registration_once(app, gateway):
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        person = register(app, event, phone=PHONE, preferred_channel="sms")
        client = app.test_client()
        forged = client.post("/webhooks/zenziva/wrong/masuk", data={"from": "081234567890", "message": "2", "id": "9"})
        assert forged.status_code == 403 and replies_sent(app) == []
        for _ in range(2):
            answer = client.post(INBOUND, data={"from": "081234567890", "message": "Ya, hadir!", "id": "9"})
            assert answer.status_code == 200
    [payload] = replies_sent(app)
    assert payload["registration_id"] == person["registration_id"] and payload["intent"] == "yes"
    assert payload["channel"] == "sms" and payload["message_id"] == "zenziva:9"


def test_a_number_with_two_registrations_is_asked_which_one_once_a_day_and_1b_answers_for_the_second(app, gateway):
    gateway.expect_request(ZENZIVA).respond_with_json(ZENZIVA_OK)
    with time_machine.travel(NOW):
        later = publish_event(app, wita(2026, 3, 20, 8, 30), title="Kelas Menulis", reminder_offsets_minutes=[])
        sooner = publish_event(app, START, title="Pelatihan Literasi Digital", reminder_offsets_minutes=[])
        second = register(app, later, phone=PHONE, preferred_channel="email")
        register(app, sooner, phone=PHONE, preferred_channel="email")
        for sid, text in (("SM1", "1"), ("SM2", "ya")):
            twilio_post(app.test_client(), "/webhooks/twilio/inbound", {"From": PHONE, "Body": text, "MessageSid": sid})
        [question] = rows(app, purpose="reply_ask")
        assert question.channel == "sms" and question.to == PHONE
        assert "A) Pelatihan Literasi Digital" in question.body and "B) Kelas Menulis" in question.body
        assert replies_sent(app) == []
        params = {"From": PHONE, "Body": "1B", "MessageSid": "SM3"}
        twilio_post(app.test_client(), "/webhooks/twilio/inbound", params)
    [payload] = replies_sent(app)
    assert payload["registration_id"] == second["registration_id"] and payload["intent"] == "yes"


def test_a_reminder_on_whatsapp_carries_hadir_and_batal_buttons_whose_tap_names_the_registration(app, gateway):
    gateway.expect_request(WHATSAPP).respond_with_json({"messages": [{"id": "wamid.X"}]})
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[24 * 60])
        person = register(app, event, phone=PHONE, preferred_channel="whatsapp", cancel_url="http://x/k/B7QW2MXK4N")
    with time_machine.travel(wita(2026, 3, 16, 9, 0)):
        assert set(run_beat(app)) == {"sent"}  # the reminder (and the confirmation, when not sent before)
    [reminder] = [
        body["template"]
        for body in (json.loads(request.data) for request, _ in gateway.log)
        if body["template"]["name"] == "pelita_reminder"
    ]
    buttons = [c for c in reminder["components"] if c["type"] == "button"]
    assert [(b["sub_type"], b["index"]) for b in buttons] == [("url", "0"), ("quick_reply", "1"), ("quick_reply", "2")]
    batal = buttons[2]["parameters"][0]["payload"]
    assert batal == f"batal:{person['registration_id']}"
    with time_machine.travel(wita(2026, 3, 16, 9, 5)):
        tap = {"from": PHONE[1:], "id": "wamid.T1", "type": "button", "button": {"text": "Batal", "payload": batal}}
        assert post_whatsapp(app, tap).status_code == 200
        someone_else = {**tap, "id": "wamid.T2", "button": {"text": "Batal", "payload": "batal:" + "0" * 36}}
        assert post_whatsapp(app, someone_else).status_code == 200
    [payload] = replies_sent(app)  # a button naming another registration cancels nothing
    assert payload == {**payload, "registration_id": person["registration_id"], "intent": "no", "channel": "whatsapp"}


def test_the_day_before_sms_reminder_asks_for_a_reply_and_the_earlier_one_does_not(app, gateway):
    gateway.expect_request(ZENZIVA).respond_with_json(ZENZIVA_OK)
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[3 * 24 * 60, 24 * 60])
        register(app, event, phone=PHONE, preferred_channel="sms")
    three_days, day_before = rows(app, purpose="reminder")
    assert "Balas 1" not in three_days.body
    assert "Balas 1 jika hadir, 2 jika batal." in day_before.body


def test_malformed_whatsapp_bodies_are_answered_200_and_change_nothing(app):
    client = app.test_client()
    for body in (b"[]", b'{"entry": "x"}', b'{"entry": [{"changes": [{"value": {"messages": ["x", 3]}}]}]}', b"\xff"):
        headers = {"X-Hub-Signature-256": hub_signature("dev-whatsapp-app-secret", body)}
        assert client.post("/webhooks/whatsapp", data=body, headers=headers).status_code == 200
    assert replies_sent(app) == []


def test_an_interactive_button_reply_and_a_typed_text_are_read_as_well(app, gateway):
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        person = register(app, event, phone=PHONE, preferred_channel="email")
        reply_id = f"hadir:{person['registration_id']}"
        tap = {"from": PHONE[1:], "id": "wamid.I1", "type": "interactive",
               "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": "Hadir"}}}  # fmt: skip
        typed = {"from": PHONE[1:], "id": "wamid.I2", "type": "text", "text": {"body": "Tdk bisa hadir, maaf"}}
        assert post_whatsapp(app, tap, typed).status_code == 200
    assert [(p["intent"], p["message_id"]) for p in replies_sent(app)] == [
        ("yes", "whatsapp_cloud:wamid.I1"),
        ("no", "whatsapp_cloud:wamid.I2"),
    ]


def test_a_whatsapp_text_nobody_understands_is_answered_once_as_free_text_within_the_window(app, gateway):
    gateway.expect_request(WHATSAPP).respond_with_json({"messages": [{"id": "wamid.A"}]})
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        register(app, event, phone=PHONE, preferred_channel="email")
        for n in range(3):
            post_whatsapp(
                app, {"from": PHONE[1:], "id": f"wamid.Q{n}", "type": "text", "text": {"body": "jam berapa?"}}
            )
        run_beat(app)
    sent = [json.loads(request.data) for request, _ in gateway.log]
    assert len(sent) == 1 and sent[0]["type"] == "text" and "template" not in sent[0]
    assert sent[0]["text"]["body"].startswith("Maaf, balasan Anda belum kami pahami. Balas 1 jika hadir, 2 jika batal")
    assert replies_sent(app) == []
