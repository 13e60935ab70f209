"""Provider webhooks: delivery receipts and inbound replies, each refused unless its signature checks out."""

import hmac

from flask import Blueprint, abort, current_app, request

from services.notifications import service
from services.notifications.sending.clients.twilio import twilio_signature
from services.notifications.sending.clients.whatsapp import hub_signature
from shared.states import Channel, MessageStatus

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
EMPTY_TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', 200, {"Content-Type": "text/xml"})


def _same(given: str, expected: str | None) -> bool:
    """Compare a caller's token or signature with ours in constant time; any text (non-ASCII too) is simply wrong."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), (expected or "").encode("utf-8"))


def _check_twilio() -> dict:
    params = request.form.to_dict()
    # Twilio signs the URL it was given (our public address), not the one this process sees behind a proxy.
    url = current_app.config["PUBLIC_BASE_URL"] + request.full_path.rstrip("?")
    expected = twilio_signature(current_app.config["TWILIO_AUTH_TOKEN"], url, params)
    if not _same(request.headers.get("X-Twilio-Signature", ""), expected):
        abort(403)
    return params


@bp.post("/twilio/status")
def twilio_status():
    """Apply a Twilio status callback (MessageSid, MessageStatus)."""
    params = _check_twilio()
    service.record_receipt(
        "twilio", params.get("MessageSid", ""), params.get("MessageStatus", ""), params.get("ErrorCode")
    )
    return "", 204


@bp.post("/twilio/inbound")
def twilio_inbound():
    """Take an SMS reply (1/ya, 2/batal, STOP/BERHENTI, ...); any answer goes through Pelita's own send path."""
    params = _check_twilio()
    service.receive_reply(
        _limited(params.get("From")),
        _limited(params.get("Body"), MAX_TEXT),
        Channel.SMS,
        provider="twilio",
        message_id=_limited(params.get("MessageSid")),
    )
    return EMPTY_TWIML


#: What a webhook's sender, id and text are cut to (a reply to "Balas 1 atau 2" is short; the rest is not read).
MAX_FIELD = 200
MAX_TEXT = 1000


def _limited(value, limit: int = MAX_FIELD) -> str:
    return str(value or "")[:limit]


@bp.get("/whatsapp")
def whatsapp_verify():
    """Answer Meta's subscription check by echoing the challenge when the verify token matches."""
    token = request.args.get("hub.verify_token", "")
    if request.args.get("hub.mode") != "subscribe" or not _same(token, current_app.config["WHATSAPP_VERIFY_TOKEN"]):
        abort(403)
    return request.args.get("hub.challenge", ""), 200, {"Content-Type": "text/plain"}


@bp.post("/whatsapp")
def whatsapp_events():
    """Apply WhatsApp statuses (sent, delivered, read, failed) and inbound STOP/BERHENTI replies."""
    expected = hub_signature(current_app.config["WHATSAPP_APP_SECRET"], request.get_data())
    if not _same(request.headers.get("X-Hub-Signature-256", ""), expected):
        abort(403)
    for value in _changes(request.get_json(force=True, silent=True) or {}):
        for status in value.get("statuses", []):
            errors = "; ".join(str(error.get("title") or error.get("code")) for error in status.get("errors", []))
            service.record_receipt("whatsapp_cloud", str(status.get("id", "")), str(status.get("status", "")), errors)
        for message in value.get("messages", []):
            if isinstance(message, dict):
                _whatsapp_reply(message)
    return "", 200


def _whatsapp_reply(message: dict) -> None:
    """A typed reply (text), a tap on a template's quick-reply button (button) or on an interactive one."""
    text, payload = _dict(message.get("text")).get("body", ""), ""
    if message.get("type") == "button":
        button = _dict(message.get("button"))
        text, payload = button.get("text", ""), button.get("payload", "")
    elif message.get("type") == "interactive":
        reply = _dict(_dict(message.get("interactive")).get("button_reply"))
        text, payload = reply.get("title", ""), reply.get("id", "")
    service.receive_reply(
        _limited(message.get("from")),
        _limited(text, MAX_TEXT),
        Channel.WHATSAPP,
        provider="whatsapp_cloud",
        message_id=_limited(message.get("id")),
        payload=_limited(payload),
    )


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _changes(body) -> list[dict]:
    """The `value` of every change in a webhook body; anything not shaped as Meta sends it is skipped."""
    entries = _dict(body).get("entry")
    return [
        _dict(change).get("value") or {}
        for entry in (entries if isinstance(entries, list) else [])
        for change in (_dict(entry).get("changes") or [])
        if isinstance(_dict(change).get("value"), dict)
    ]


@bp.route("/zenziva/<token>", methods=["GET", "POST"])
def zenziva_report(token: str):
    """Apply a Zenziva delivery report; its URL carries our secret, as Zenziva signs nothing."""
    if not _same(token, current_app.config["ZENZIVA_CALLBACK_TOKEN"]):
        abort(403)
    values = request.values
    status = {
        "delivered": MessageStatus.DELIVERED,
        "1": MessageStatus.DELIVERED,
        "failed": MessageStatus.FAILED,
        "0": MessageStatus.FAILED,
    }.get(str(values.get("status", "")).lower(), "")
    service.record_receipt("zenziva", str(values.get("messageId", "")), status, values.get("text"))
    return {"status": "ok"}


@bp.route("/zenziva/<token>/masuk", methods=["GET", "POST"])
def zenziva_inbound(token: str):
    """Take an SMS reply forwarded by Zenziva (two-way SMS); its URL carries our secret, as Zenziva signs nothing.

    Zenziva's inbox forward names its fields differently by product; the ones read here are documented in
    docs/messages-to-participants.md.
    """
    if not _same(token, current_app.config["ZENZIVA_CALLBACK_TOKEN"]):
        abort(403)
    values = request.values
    sender = values.get("from") or values.get("nohp") or values.get("sender") or ""
    text = values.get("message") or values.get("pesan") or values.get("text") or ""
    message_id = values.get("id") or values.get("messageId") or ""
    service.receive_reply(
        _limited(sender), _limited(text, MAX_TEXT), Channel.SMS, provider="zenziva", message_id=_limited(message_id)
    )
    return {"status": "ok"}
