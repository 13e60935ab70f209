"""Delivery receipts and STOP replies over the providers' webhooks, signatures checked; the opt-out link."""

import json
import re

import time_machine

from services.notifications.sending.clients.twilio import twilio_signature
from services.notifications.sending.clients.whatsapp import hub_signature
from shared.messaging.names import EventNames
from tests.integration.notifications.conftest import publish_event, register, rows, run_beat, wita
from tests.integration.notifications.test_delivery import START, TWILIO, WHATSAPP, ZENZIVA, outbox_types

NOW = wita(2026, 3, 13, 10, 0)
STATUS_URL = "http://127.0.0.1:8002/webhooks/twilio/status"


def sent_by_twilio(app, gateway, **person):
    gateway.expect_request(ZENZIVA).respond_with_data("down", status=500)
    gateway.expect_request(TWILIO).respond_with_json({"sid": "SM77", "status": "queued"}, 201)
    with time_machine.travel(NOW):
        event = publish_event(app, START)
        register(app, event, preferred_channel="sms", **person)
        run_beat(app)
    return rows(app, purpose="confirmation")[0]


def twilio_post(client, path: str, params: dict, token: str = "dev-twilio-auth-token"):
    signature = twilio_signature(token, f"http://127.0.0.1:8002{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def test_a_signed_twilio_receipt_marks_the_sms_delivered_once(app, gateway):
    assert sent_by_twilio(app, gateway).status == "sent"
    client = app.test_client()
    for _ in range(2):
        response = twilio_post(client, "/webhooks/twilio/status", {"MessageSid": "SM77", "MessageStatus": "delivered"})
        assert response.status_code == 204
    assert rows(app, purpose="confirmation")[0].status == "delivered"
    assert outbox_types(app) == [EventNames.NOTIFICATION_DELIVERED]
    late_failure = {"MessageSid": "SM77", "MessageStatus": "undelivered"}
    assert twilio_post(client, "/webhooks/twilio/status", late_failure).status_code == 204
    assert rows(app, purpose="confirmation")[0].status == "delivered"  # receipts never go backwards


def test_a_forged_twilio_receipt_is_refused_and_changes_nothing(app, gateway):
    sent_by_twilio(app, gateway)
    params = {"MessageSid": "SM77", "MessageStatus": "delivered"}
    response = twilio_post(app.test_client(), "/webhooks/twilio/status", params, token="not-the-token")
    assert response.status_code == 403
    assert rows(app, purpose="confirmation")[0].status == "sent"
    assert outbox_types(app) == []


def whatsapp_sent(app, gateway):
    gateway.expect_request(WHATSAPP).respond_with_json({"messages": [{"id": "wamid.Z9"}]})
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        register(app, event, preferred_channel="whatsapp")
        run_beat(app)


def whatsapp_body(statuses=(), messages=()) -> bytes:
    value = {"messaging_product": "whatsapp", "statuses": list(statuses), "messages": list(messages)}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}).encode()


def test_whatsapp_receipts_need_the_app_secret_signature(app, gateway):
    whatsapp_sent(app, gateway)
    client, body = app.test_client(), whatsapp_body(statuses=[{"id": "wamid.Z9", "status": "read"}])
    forged = client.post("/webhooks/whatsapp", data=body, headers={"X-Hub-Signature-256": hub_signature("x", body)})
    assert forged.status_code == 403 and rows(app)[0].status == "sent"
    signed = {"X-Hub-Signature-256": hub_signature("dev-whatsapp-app-secret", body), "Content-Type": "application/json"}
    assert client.post("/webhooks/whatsapp", data=body, headers=signed).status_code == 200
    assert rows(app)[0].status == "delivered"


def test_whatsapp_subscription_check_echoes_the_challenge_only_with_the_verify_token(app):
    client = app.test_client()
    query = {"hub.mode": "subscribe", "hub.verify_token": "dev-whatsapp-verify-token", "hub.challenge": "1158201444"}
    assert client.get("/webhooks/whatsapp", query_string=query).text == "1158201444"
    assert client.get("/webhooks/whatsapp", query_string={**query, "hub.verify_token": "x"}).status_code == 403


def test_replying_berhenti_stops_reminders_but_not_essential_notices(app, gateway):
    whatsapp_sent(app, gateway)
    with time_machine.travel(NOW):
        event = publish_event(app, START)
        register(app, event, preferred_channel="whatsapp", phone="+6281234567890")
    body = whatsapp_body(messages=[{"from": "6281234567890", "type": "text", "text": {"body": "Berhenti"}}])
    headers = {"X-Hub-Signature-256": hub_signature("dev-whatsapp-app-secret", body)}
    assert app.test_client().post("/webhooks/whatsapp", data=body, headers=headers).status_code == 200
    with time_machine.travel(wita(2026, 3, 14, 8, 30)):
        assert run_beat(app) == ["sent", "cancelled"]  # the new confirmation still goes; the H-3 reminder does not
    reminder = rows(app, purpose="reminder")[0]
    assert reminder.status == "cancelled" and "berhenti" in reminder.last_error


def test_stop_by_sms_to_twilio_opts_the_number_out(app, gateway):
    sent_by_twilio(app, gateway, phone="+6281234567890")
    params = {"From": "+6281234567890", "Body": "STOP", "MessageSid": "SM9"}
    response = twilio_post(app.test_client(), "/webhooks/twilio/inbound", params)
    assert response.status_code == 200 and "<Response>" in response.text
    with time_machine.travel(wita(2026, 3, 14, 8, 30)):
        assert run_beat(app) == ["cancelled"]


def test_the_signed_link_in_a_message_opts_out_after_a_confirming_click(app, gateway, smtp_server):
    with time_machine.travel(NOW):
        event = publish_event(app, START)
        register(app, event, preferred_channel="email", email="cukup@contoh.id")
        run_beat(app)
    link = re.search(r"http://127.0.0.1:8002(/berhenti/\S+)", smtp_server.mails_to("cukup@contoh.id")[0].text())[1]
    client = app.test_client()
    page = client.get(link)
    assert page.status_code == 200 and "cu***@contoh.id" in page.text
    assert rows(app, purpose="reminder")[0].status == "pending"  # opening the link alone changes nothing
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    assert "tidak akan mengirim pengingat" in client.post(link, data={"csrf_token": token}).text
    with time_machine.travel(wita(2026, 3, 14, 8, 30)):
        assert run_beat(app) == ["cancelled"]
    assert client.get(link[:-3] + "xyz").status_code == 404
