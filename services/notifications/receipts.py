"""What comes back from the providers and the people: delivery receipts, STOP replies and opt-outs."""

import logging

from itsdangerous import BadSignature

from services.notifications import planning, store
from services.notifications.bus import bus
from services.notifications.extensions import db
from services.notifications.sending.phones import BadNumber, to_e164
from services.notifications.sending.steps import (
    emit_outcome,
    give_up,
)
from shared.messaging.names import EventNames
from shared.states import MessageStatus
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


STOP_WORDS = ("STOP", "BERHENTI", "UNSUBSCRIBE")


def receive_reply(sender: str, text: str, channel: str) -> bool:
    """Opt a number out when its reply is STOP or BERHENTI; return whether it did."""
    if text.strip().upper().rstrip(".!") not in STOP_WORDS:
        return False
    try:
        address = to_e164(sender.removeprefix("whatsapp:"))
    except BadNumber:
        return False
    return set_opt_out(address, active=True, source=channel)


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
