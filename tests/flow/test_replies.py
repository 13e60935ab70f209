"""Replies to the reminder over real webhooks, Redis and workers: "batal" cancels and promotes the next person
once, "1" records "will attend", a webhook delivered twice has one effect, and a text nobody understands gets
exactly one short answer (docs/messages-to-participants.md, "Replies")."""

import json

import sqlalchemy as sa

from services.notifications.models import InboundReply, Notification, Recipient
from services.notifications.sending.clients.twilio import twilio_signature
from services.notifications.sending.clients.whatsapp import hub_signature
from services.registration.models import OutboxMessage, Registration
from shared.messaging.names import EventNames
from tests.flow.conftest import wait_for
from tests.flow.test_thin_slice import publish_event, register, stays_true
from tests.support import msisdn


def twilio_sms(stack, sender: str, body: str, sid: str) -> int:
    app = stack.app("notifications")
    params = {"From": sender, "To": "+15005550006", "Body": body, "MessageSid": sid}
    url = app.config["PUBLIC_BASE_URL"] + "/webhooks/twilio/inbound"
    signature = twilio_signature(app.config["TWILIO_AUTH_TOKEN"], url, params)
    response = app.test_client().post(
        "/webhooks/twilio/inbound", data=params, headers={"X-Twilio-Signature": signature}
    )
    return response.status_code


def whatsapp_message(stack, message: dict) -> int:
    app = stack.app("notifications")
    value = {"messaging_product": "whatsapp", "messages": [message]}
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}).encode()
    headers = {"X-Hub-Signature-256": hub_signature(app.config["WHATSAPP_APP_SECRET"], body)}
    return app.test_client().post("/webhooks/whatsapp", data=body, headers=headers).status_code


def status_of(stack, registration: dict) -> str:
    return stack.scalar("registration", sa.select(Registration.status).where(Registration.id == registration["id"]))


def known_to_notifications(stack, *registrations: dict) -> bool:
    ids = [r["id"] for r in registrations]
    query = sa.select(Recipient.registration_id).where(Recipient.registration_id.in_(ids))
    return len(stack.rows("notifications", query)) == len(ids)


def emitted(stack, event_type: str) -> int:
    return stack.count("registration", OutboxMessage, OutboxMessage.type == event_type)


def test_batal_cancels_and_promotes_once_and_1_records_will_attend(stack):
    event = publish_event(stack, capacity=1)
    aminah = register(stack, event["id"], full_name="Aminah", phone="0812-7700-0001", preferred_channel="sms")
    rusdi = register(stack, event["id"], full_name="Rusdi", phone="0812-7700-0002", preferred_channel="sms")
    assert (aminah["status"], rusdi["status"]) == ("confirmed", "waitlisted")
    wait_for(lambda: known_to_notifications(stack, aminah, rusdi), message="notifications to know both")

    for _ in range(2):  # Twilio delivers the same reply twice
        assert twilio_sms(stack, "+6281277000001", "Batal.", "SM" + "1" * 32) == 200

    wait_for(lambda: status_of(stack, rusdi) == "confirmed", message="Rusdi promoted to the freed seat")
    assert status_of(stack, aminah) == "cancelled"
    assert stays_true(lambda: emitted(stack, EventNames.REGISTRATION_PROMOTED) == 1, 3)
    assert emitted(stack, EventNames.REGISTRATION_CANCELLED) == 1
    assert stack.count("notifications", InboundReply) == 1

    # Rusdi answers "1" on WhatsApp (a typed text); delivered twice, recorded once.
    message = {"from": "6281277000002", "id": "wamid.R1", "type": "text", "text": {"body": " 1 "}}
    assert whatsapp_message(stack, message) == 200 and whatsapp_message(stack, message) == 200
    query = sa.select(Registration.will_attend_at).where(Registration.id == rusdi["id"])
    wait_for(lambda: stack.scalar("registration", query) is not None, message="Rusdi's 'will attend' recorded")
    assert status_of(stack, rusdi) == "confirmed"
    assert stack.count("notifications", InboundReply) == 2


def answers_to(stack, number: str) -> list:
    return [m for m in stack.gateways.accepted() if msisdn(m.to) == number and "pahami" in m.text]


def test_a_text_nobody_understands_gets_exactly_one_answer(stack):
    event = publish_event(stack)
    register(stack, event["id"], full_name="Siti", phone="0812-7700-0003", preferred_channel="sms")
    registration = register(stack, event["id"], full_name="Ahmad", phone="0812-7700-0004", preferred_channel="sms")
    wait_for(lambda: known_to_notifications(stack, registration), message="notifications to know Ahmad")

    for n, text in enumerate(["Halo, acaranya di mana ya?", "Halo??", "Terima kasih infonya"]):
        assert twilio_sms(stack, "+6281277000004", text, f"SM{n:032d}") == 200

    wait_for(lambda: answers_to(stack, "6281277000004"), message="the one short answer")
    assert stays_true(lambda: len(answers_to(stack, "6281277000004")) == 1, 3)
    answer = answers_to(stack, "6281277000004")[0]
    assert "Balas 1 jika hadir, 2 jika batal" in answer.text
    assert status_of(stack, registration) == "confirmed"
    query = sa.select(Notification.id).where(Notification.purpose == "reply_help")
    assert len(stack.rows("notifications", query)) == 1
