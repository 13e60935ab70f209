"""Use cases of the notifications service, in one place for the entrypoints: plan messages from events
(handlers.py), send each once (sending/), track receipts and opt-outs (receipts.py), staff's actions (staff.py),
organisers' announcements (announcements.py)."""

from services.notifications import announcements
from services.notifications.bus import bus
from services.notifications.extensions import celery
from services.notifications.handing import NotYetKnown
from services.notifications.handlers import HANDLERS, NOTICEABLE_CHANGES, handle_event
from services.notifications.receipts import (
    RECEIPT_STATUSES,
    STOP_WORDS,
    opt_out_by_token,
    receive_reply,
    record_receipt,
    set_opt_out,
)
from services.notifications.sending.send import (
    BATCH_SECONDS,
    BATCH_SIZE,
    CLAIM_SIZE,
    DISPATCH_LIMIT,
    SEND_THREADS,
    dispatch_pending,
    enqueue,
    release_orphans,
    send,
    send_batch,
    tend_provider_priorities,
)
from services.notifications.staff import (
    StaffError,
    audit,
    audit_log_view,
    resend,
    resendable,
    staff_event,
    staff_notification,
)

__all__ = [
    "BATCH_SECONDS",
    "BATCH_SIZE",
    "CLAIM_SIZE",
    "DISPATCH_LIMIT",
    "HANDLERS",
    "NOTICEABLE_CHANGES",
    "RECEIPT_STATUSES",
    "SEND_THREADS",
    "STOP_WORDS",
    "NotYetKnown",
    "StaffError",
    "announcements",
    "audit",
    "audit_log_view",
    "bus",
    "celery",
    "dispatch_pending",
    "enqueue",
    "handle_event",
    "opt_out_by_token",
    "receive_reply",
    "record_receipt",
    "release_orphans",
    "resend",
    "resendable",
    "send",
    "send_batch",
    "set_opt_out",
    "staff_event",
    "staff_notification",
    "tend_provider_priorities",
]
