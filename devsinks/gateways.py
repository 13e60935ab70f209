"""HTTP stand-ins for the SMS/WhatsApp gateways (Zenziva, Twilio, WhatsApp Cloud API), keeping what they receive.

They answer in each provider's own format and, like the real ones, report delivery a moment later to the
service's webhooks (signed as each provider signs), so `make run` shows messages reaching "delivered".
"""

import base64
import hashlib
import hmac
import itertools
import json
import logging
import queue
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import requests
from flask import Blueprint, jsonify, request

logger = logging.getLogger(__name__)


@dataclass
class TextMessage:
    id: int
    received_at: datetime
    gateway: str
    channel: str
    to: str
    text: str
    reference: str
    #: A WhatsApp template message as sent: its name, language, numbered body parameters and button suffixes.
    template: dict | None = None

    def summary(self) -> dict:
        return {**asdict(self), "received_at": self.received_at.isoformat()}


class TextBox:
    """Every SMS and WhatsApp message the stand-ins accepted, in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[TextMessage] = []
        self._ids = itertools.count(1)

    def add(self, gateway: str, channel: str, to: str, text: str, template: dict | None = None) -> TextMessage:
        with self._lock:
            number = next(self._ids)
            reference = {"twilio": f"SM{number:032d}", "whatsapp_cloud": f"wamid.DEV{number}"}.get(gateway, str(number))
            message = TextMessage(number, datetime.now(UTC), gateway, channel, to, text, reference, template)
            self._messages.append(message)
            return message

    def messages(self) -> list[TextMessage]:
        """Every message received, newest first."""
        with self._lock:
            return list(reversed(self._messages))

    def get(self, message_id: int) -> TextMessage | None:
        with self._lock:
            return next((message for message in self._messages if message.id == message_id), None)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


@dataclass
class Receipts:
    """Where and how the stand-ins report delivery (None: they do not)."""

    whatsapp_url: str | None = None
    whatsapp_secret: str = ""
    zenziva_url: str | None = None
    delay: float = 1.0
    #: False: no receipts at all (a benchmark that runs no service to take them).
    enabled: bool = True
    #: Receipts go out from these few threads, each over its own kept-alive connection, as a gateway's do.
    senders: int = 4
    _due: queue.Queue = field(default_factory=queue.Queue, init=False, repr=False)
    _started: list = field(default_factory=list, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def later(self, send, *args) -> None:
        # After a pause, as real gateways do: the service records the reference once the send returns.
        if not self.enabled:
            return
        with self._lock:
            if not self._started:
                self._started.extend(self._start_sender() for _ in range(self.senders))
        self._due.put((time.monotonic() + self.delay, send, args))

    def _start_sender(self) -> threading.Thread:
        thread = threading.Thread(target=self._send_when_due, name="receipts", daemon=True)
        thread.start()
        return thread

    def _send_when_due(self) -> None:
        session = requests.Session()
        while True:
            due, send, args = self._due.get()  # every receipt waits the same delay: first in, first due
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                send(session, *args)
            except requests.RequestException:
                logger.info("delivery receipt not taken by %s", args[0])


def twilio_signature(auth_token: str, url: str, params: dict) -> str:
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def _post_twilio(session: requests.Session, url: str, token: str, params: dict) -> None:
    headers = {"X-Twilio-Signature": twilio_signature(token, url, params)}
    session.post(url, data=params, headers=headers, timeout=5)


def _post_whatsapp(session: requests.Session, url: str, secret: str, body: bytes) -> None:
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}
    session.post(url, data=body, headers=headers, timeout=5)


def _post_zenziva(session: requests.Session, url: str, params: dict) -> None:
    session.post(url, data=params, timeout=5)


def template_summary(template: dict | None) -> dict | None:
    """What a WhatsApp template message says: its name and language, the body parameters numbered as the approved
    template numbers them ({{1}}, {{2}}, …), and each URL button's suffix; `text` puts it on one line."""
    if not isinstance(template, dict):
        return None
    components = [part for part in template.get("components") or [] if isinstance(part, dict)]
    body = [p.get("text", "") for c in components if c.get("type") == "body" for p in c.get("parameters") or []]
    buttons = [
        {
            "index": str(c.get("index", "")),
            "sub_type": c.get("sub_type", ""),
            "text": p.get("text") or p.get("payload", ""),
        }
        for c in components
        if c.get("type") == "button"
        for p in c.get("parameters") or []
    ]
    language = (template.get("language") or {}).get("code", "")
    parts = [f"{{{{{n}}}}} {value}" for n, value in enumerate(body, 1)]
    parts += [f"tombol {button['index']} ({button['sub_type']}): {button['text']}" for button in buttons]
    text = f"[{template.get('name')} · {language}] " + " | ".join(parts)
    return {"name": template.get("name"), "language": language, "parameters": body, "buttons": buttons, "text": text}


def make_blueprint(box: TextBox, receipts: Receipts) -> Blueprint:
    bp = Blueprint("gateways", __name__)

    @bp.post("/reguler/api/sendsms/")
    @bp.post("/masking/api/sendsms/")
    def zenziva_sms():
        values = request.values if request.values else (request.get_json(silent=True) or {})
        if not values.get("userkey") or not values.get("passkey"):
            return jsonify({"status": "0", "text": "userkey atau passkey salah"})
        message = box.add("zenziva", "sms", values.get("to", ""), values.get("message", ""))
        if receipts.zenziva_url:
            receipts.later(_post_zenziva, receipts.zenziva_url, {"messageId": message.reference, "status": "delivered"})
        return jsonify({"messageId": message.reference, "to": message.to, "status": "1", "text": "Success"})

    @bp.post("/2010-04-01/Accounts/<account_sid>/Messages.json")
    def twilio_messages(account_sid: str):
        auth = request.authorization
        if auth is None or auth.username != account_sid:
            return jsonify({"code": 20003, "message": "Authenticate", "status": 401}), 401
        form = request.form
        channel = "whatsapp" if form.get("To", "").startswith("whatsapp:") else "sms"
        message = box.add("twilio", channel, form.get("To", ""), form.get("Body", ""))
        if form.get("StatusCallback"):
            params = {"MessageSid": message.reference, "MessageStatus": "delivered", "AccountSid": account_sid}
            receipts.later(_post_twilio, form["StatusCallback"], auth.password or "", params)
        body = {"sid": message.reference, "status": "queued", "to": message.to, "error_code": None}
        return jsonify({**body, "account_sid": account_sid, "body": message.text}), 201

    @bp.post("/<version>/<phone_number_id>/messages")
    def whatsapp_messages(version: str, phone_number_id: str):
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return jsonify({"error": {"message": "Invalid OAuth access token", "code": 190}}), 401
        body = request.get_json(silent=True) or {}
        template = template_summary(body.get("template"))
        text = template["text"] if template else (body.get("text") or {}).get("body", "")
        message = box.add("whatsapp_cloud", "whatsapp", body.get("to", ""), text, template)
        if receipts.whatsapp_url:
            status = {"id": message.reference, "status": "delivered", "recipient_id": message.to}
            change = {"value": {"messaging_product": "whatsapp", "statuses": [status]}, "field": "messages"}
            payload = json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [change]}]}).encode()
            receipts.later(_post_whatsapp, receipts.whatsapp_url, receipts.whatsapp_secret, payload)
        return jsonify(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": message.to, "wa_id": message.to}],
                "messages": [{"id": message.reference}],
            }
        )

    @bp.get("/api/messages")
    def messages_json():
        return jsonify([message.summary() for message in box.messages()])

    return bp
