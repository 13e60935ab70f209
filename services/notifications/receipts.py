"""What comes back from the providers and the people: delivery receipts, replies (yes, no, STOP) and opt-outs."""

import hashlib
import hmac
import logging

from flask import current_app
from itsdangerous import BadSignature

from services.notifications import planning, replies, store
from services.notifications.bus import bus
from services.notifications.content.messages import LOCALES
from services.notifications.content.sms import gsm_safe
from services.notifications.extensions import db
from services.notifications.sending.phones import BadNumber, to_e164
from services.notifications.sending.steps import emit_outcome, enqueue, give_up, local_day
from shared.messaging.names import EventNames
from shared.states import Channel, MessageStatus, Purpose
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)


#: What each provider's receipt says, in our statuses (anything else is an intermediate step we ignore).
RECEIPT_STATUSES = {
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
}


def record_receipt(provider: str, reference: str, status: str, error: str | None = None) -> str:
    """Apply a delivery receipt: sent -> delivered or failed, never backwards (safe to run twice)."""
    new_status = RECEIPT_STATUSES.get(status.lower())
    notification = store.get_by_reference(provider, reference) if new_status else None
    if (
        notification is None or notification.status != MessageStatus.SENT
    ):  # unknown, or already final: receipts only go forward
        db.session.rollback()
        return "ignored"
    if new_status == MessageStatus.FAILED:
        return give_up(notification, f"{provider} receipt: {status} {error or ''}".strip())
    notification.status, notification.delivered_at = MessageStatus.DELIVERED, utcnow()
    emit_outcome(notification, EventNames.NOTIFICATION_DELIVERED, delivered_at=notification.delivered_at)
    db.session.commit()
    bus.nudge()
    return "delivered"


#: What a reply that opts out says, whatever else it says (replies.parse reads it).
STOP_WORDS = tuple(sorted(word.upper() for word in replies.STOP_WORDS))


def receive_reply(
    sender: str, text: str, channel: str, *, provider: str, message_id: str = "", payload: str = ""
) -> str:
    """Act once on a participant's reply (docs/messages-to-participants.md, "Replies"); return what was done.

    STOP/BERHENTI opts the number out. "1"/"ya" and "2"/"batal" go to registration as reply.received for the one
    registration of this number still ahead ("1A"/"2B" or a WhatsApp button's payload names one of several). A
    number with several gets asked which one; anything else gets one short answer. Each automatic answer goes at
    most once per number and kind per day, so two machines answering each other cannot loop.
    """
    try:
        address = to_e164(sender.removeprefix("whatsapp:"))
    except BadNumber:
        return "ignored"
    key = f"{provider}:{message_id[:150]}" if message_id else f"{provider}:h:{_fingerprint(address, text, payload)}"
    if store.reply_seen(key):
        return "duplicate"
    reply = replies.from_button(payload) or replies.parse(text)
    if reply.kind == "stop":
        outcome, registration_id, answer = "stop", None, None
        store.upsert_opt_out(address, active=True, source=channel)
    else:
        outcome, registration_id, answer = _act_on_reply(reply, address, channel, key)
    if not store.add_reply(key, channel, outcome, registration_id):
        db.session.rollback()  # the same message, taken by a concurrent webhook: it had its effect there
        return "duplicate"
    db.session.commit()
    if answer is not None and answer.due_at <= utcnow():
        enqueue(answer.id)
    bus.nudge()
    logger.info("reply %s on %s: %s", key.split(":", 1)[0], channel, outcome)
    return outcome


def _fingerprint(address: str, text: str, payload: str) -> str:
    """A stand-in for a provider message id (a provider that sends none): the same delivery, the same value."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{address}|{text}|{payload}".encode(), hashlib.sha256).hexdigest()[:40]


def _act_on_reply(reply, address: str, channel: str, key: str):
    """Return (outcome, registration id, answer to send) for a yes, no or unknown reply from `address`."""
    ahead = store.recipients_ahead(address)
    if not ahead or reply.kind == "courtesy":  # nothing ahead: not answered (and learns nothing); thanks: nothing to do
        return "ignored", None, None
    if reply.kind == "unknown":
        return "help", None, _answer(ahead, address, channel, "help")
    chosen = _chosen(reply, ahead)
    if chosen is None and reply.registration_id is not None:  # a button of a registration not this number's
        return "help", None, _answer(ahead, address, channel, "help")
    if chosen is None:
        return "ask", None, _answer(ahead, address, channel, "ask")
    bus.emit(
        EventNames.REPLY_RECEIVED,
        {
            "registration_id": chosen.registration_id,
            "event_id": chosen.event_id,
            "intent": reply.kind,
            "channel": channel,
            "message_id": key,
            "received_at": utcnow(),
        },
    )
    return reply.kind, chosen.registration_id, None


def _chosen(reply, ahead):
    """The registration a yes/no is for: named by id (a button), by letter, or the only one; else None."""
    if reply.registration_id is not None:
        return next((row for row in ahead if row.registration_id == reply.registration_id), None)
    if reply.letter is not None:
        index = ord(reply.letter) - ord("A")
        return ahead[index] if 0 <= index < len(ahead) else None
    return ahead[0] if len(ahead) == 1 else None


#: The purpose each short answer is sent under.
ANSWER_PURPOSES = {"help": Purpose.REPLY_HELP, "ask": Purpose.REPLY_ASK}


def _answer(ahead, address: str, channel: str, kind: str):
    """Stage the short answer of `kind` ("help" or "ask"), once per number, kind and local day."""
    first = ahead[0]
    locale = first.locale if first.locale in LOCALES else "id"
    events = [(row, store.get_event(row.event_id)) for row in ahead]
    body = replies.answer_text(kind, locale, [(event.title, event.starts_at) for _row, event in events])
    secret = current_app.config["SECRET_KEY"].encode()
    number = hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:24]
    # Filed under the soonest registration: its event's message log shows it, and erasing that person erases it.
    return store.add_notification_once(
        {
            "idempotency_key": f"reply-{kind}:{number}:{local_day().isoformat()}:{channel}",
            "registration_id": first.registration_id,
            "event_id": first.event_id,
            "purpose": ANSWER_PURPOSES[kind],
            "channel": channel,
            "to": address,
            "locale": locale,
            "body": gsm_safe(body) if channel == Channel.SMS else body,
        }
    )


def opt_out_by_token(token: str) -> str | None:
    """Opt out the address a signed link names; return the address, or None for a forged or broken link."""
    try:
        address = planning.opt_out_signer().loads(token)
    except BadSignature:
        return None
    set_opt_out(address, active=True, source="link")
    return address


def set_opt_out(address: str, *, active: bool, source: str, changed_by: str | None = None) -> bool:
    """Stop (or, for staff, resume) reminders to `address` (safe to run twice)."""
    store.upsert_opt_out(address, active=active, source=source, changed_by=changed_by)
    db.session.commit()
    return True
