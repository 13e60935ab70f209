"""Handing on what a handler planned: the recipient a message refers to (or wait for it), and what is due now to a
sender after the commit. Shared by the handlers of the bus's messages (handlers.py, rights.py)."""

import logging

from flask import current_app

from services.notifications import store
from services.notifications.extensions import db
from services.notifications.sending.send import send
from services.notifications.sending.steps import enqueue
from shared.states import MessageStatus
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)


class NotYetKnown(LookupError):
    """A message refers to a registration whose registration.created has not arrived yet: try again later."""


def after_commit(rows, *, send_here=None):
    """Hand what is due now to a worker after the commit; later reminders wait for the dispatcher (no ETA tasks).

    `send_here` (the confirmation a person is waiting for) is sent by this worker right away instead of through
    the queue: the same claim-then-send as the send task, so it still goes once (docs/reliability.md: when it dies).
    """
    now = utcnow()
    ids = [row.id for row in rows if row is not None and row.status == MessageStatus.PENDING and row.due_at <= now]
    here = send_here.id if send_here is not None and send_here.id in ids else None

    def hand_over() -> None:
        for notification_id in ids:
            if notification_id == here:
                send_here_now(notification_id)
            else:
                enqueue(notification_id)

    return hand_over if ids else None


def send_here_now(notification_id: str) -> None:
    """Send a message just committed in this worker; on an unexpected error leave it to the send task."""
    if not current_app.config["ENQUEUE_AFTER_COMMIT"]:  # tests that send due messages themselves
        return
    try:
        send(notification_id)
    except Exception:  # claimed and stuck: released as orphaned; not claimed: the send task takes it
        logger.exception("could not send notification %s here; handing it to the send task", notification_id)
        db.session.rollback()
        enqueue(notification_id)


def known_recipient(payload: dict):
    recipient = store.get_recipient(str(payload["registration_id"]))
    if recipient is None:  # not acknowledged, so the producer's outbox sends it again after registration.created
        raise NotYetKnown(f"registration {payload['registration_id']} not known yet")
    return recipient
