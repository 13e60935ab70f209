"""The steps of sending one message: whether it may still go, its hand-over to a provider, and what happens after
(sent, retried later, given up, failed); shared by every send (a single send is a batch of one).
"""

import logging
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from services.notifications import planning, store
from services.notifications.bus import bus
from services.notifications.content import mail
from services.notifications.extensions import celery, db
from services.notifications.models import (
    Notification,
)
from services.notifications.sending.clients import providers_for
from services.notifications.sending.clients.base import PermanentSendError, TextMessage, TransientSendError
from services.notifications.sending.clients.email import SmtpEmailClient
from services.notifications.sending.phones import BadNumber, mobile, refusal
from shared.messaging.names import EventNames, TaskNames
from shared.states import Channel, MessageStatus
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)


def local_day() -> date:
    return utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


#: When messages held back by the daily cap go out: the next local day at this time (the end of quiet hours).
CAP_RESUMES_AT = time(7, 0)


def cap_resumes(day: date) -> datetime:
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day + timedelta(days=1), CAP_RESUMES_AT, tzinfo=tz).astimezone(UTC)


OPTED_OUT = "penerima berhenti berlangganan pengingat"


def fall_back_from_opt_outs(reasons: dict[str, str]) -> list[str]:
    """Stage by email the reminders whose phone opted out, when the person gave an email; return the new ids.

    The opt-out is the phone's: the person still gets the reminder where they did not say stop.
    """
    staged = []
    for notification_id, reason in reasons.items():
        notification = store.get_notification(notification_id) if reason == OPTED_OUT else None
        if notification is not None and notification.channel != Channel.EMAIL:
            fallback = planning.plan_fallback(notification, number_refused=True)
            staged += [fallback.id] if fallback is not None else []
    return staged


def reasons_not_to_send(rows, now: datetime) -> dict[str, str]:
    """Why some of the claimed `rows` must not go out after all: {id: reason} (two queries for the lot)."""
    optional = [row for row in rows if row.purpose in planning.NON_ESSENTIAL]
    if not optional:
        return {}
    opted_out = store.active_opt_outs({row.to for row in optional})
    starts = store.event_starts({row.event_id for row in optional if row.event_id})
    reasons = {}
    for row in optional:
        if row.to in opted_out:
            reasons[row.id] = OPTED_OUT
        elif row.purpose in planning.NOT_AFTER_START and row.event_id in starts and starts[row.event_id] <= now:
            reasons[row.id] = "acara sudah dimulai"
    return reasons


def prepare_hand_over(notification: Notification) -> Callable[[], tuple[str, str]]:
    """Build the message of `notification` (this reads the store); return the call that hands it to the channel's
    providers in priority order and returns (provider, reference). That call does not touch the store, so the
    transaction can end before it.
    """
    if notification.channel == Channel.EMAIL:
        client, email = SmtpEmailClient.from_config(current_app.config), mail.compose(notification)
        return lambda: ("smtp", client.send(email))
    channel, clients = notification.channel, providers_for(notification.channel, current_app)
    try:
        message = TextMessage(
            to=mobile(notification.to, current_app.config["ALLOWED_PHONE_REGIONS"]),
            body=notification.body,
            reference=notification.id,
            template=current_app.config["WHATSAPP_TEMPLATE_PREFIX"] + notification.purpose,
            **_whatsapp_parts(notification.params),
            locale=notification.locale,
            free_text=notification.purpose in planning.REPLY_ANSWERS,
        )
    except BadNumber as error:  # a landline or a region texts may not go to: the next channel down, or failed
        reason = refusal(error)

        def refuse() -> tuple[str, str]:
            raise PermanentSendError(reason)

        return refuse
    priorities = current_app.extensions["provider_priorities"]
    return lambda: _send_text(channel, priorities.order(channel, clients), message, priorities)


def _whatsapp_parts(params) -> dict[str, list[str]]:
    """A WhatsApp message's body parameters, button suffixes and quick-reply payloads, stored as {"body": [...],
    "buttons": [...], "quick_replies": [...]} (a bare list of body parameters before buttons existed)."""
    if isinstance(params, dict):
        return {
            "params": list(params.get("body", [])),
            "buttons": list(params.get("buttons", [])),
            "quick_replies": list(params.get("quick_replies", [])),
        }
    return {"params": list(params or []), "buttons": []}


def _send_text(channel: str, clients, message: TextMessage, priorities) -> tuple[str, str]:
    """Hand `message` to the first of `clients` that takes it; count a provider's own trouble against its priority."""
    errors: list[Exception] = []
    for client in clients:
        try:
            return client.name, client.send(message)
        except (TransientSendError, PermanentSendError) as error:  # the next provider may take it
            logger.warning("provider %s failed: %s", client.name, error)
            errors.append(error)
            if isinstance(error, TransientSendError):  # down, throttling or slow: not the message's fault
                priorities.failed(channel, client.name)
    reason = "; ".join(str(error) for error in errors) or f"no provider for {channel}"
    transient = [error for error in errors if isinstance(error, TransientSendError)]
    if transient:
        # Wait as a provider asked only when every provider that may take it later asked: the soonest of them.
        waits = [error.retry_after for error in transient]
        raise TransientSendError(reason, retry_after=None if None in waits else min(waits))
    raise PermanentSendError(reason)


def _retry_later(notification: Notification, reason: str, retry_after: float | None = None) -> str:
    """Put `notification` back to wait in the store, or give up after the last attempt (commits).

    Exponential backoff with full jitter, never sooner than the providers' Retry-After; the row waits in the store,
    never in a Celery countdown.
    """
    if notification.attempts >= current_app.config["MAX_ATTEMPTS"]:
        return give_up(notification, f"gave up after {notification.attempts} attempts: {reason}")
    delay = random.uniform(0, min(3600, current_app.config["RETRY_BASE_SECONDS"] * 2**notification.attempts))
    delay = max(delay, retry_after or 0.0)
    notification.status, notification.last_error = MessageStatus.PENDING, reason[:2000]
    notification.due_at = planning.send_time(
        utcnow() + timedelta(seconds=delay), notification.channel, notification.purpose
    )
    db.session.commit()
    return "retrying"


def give_up(notification: Notification, reason: str) -> str:
    """End `notification` failed; hand the message to the next channel down when the person has one."""
    fallback = planning.plan_fallback(notification)
    if fallback is None:
        return _fail(notification, reason)
    notification.status = MessageStatus.FAILED
    notification.last_error = f"{reason[:1900]} -> dialihkan ke {fallback.channel}"
    db.session.commit()
    enqueue(fallback.id)
    return "fell_back"


def _fail(notification: Notification, reason: str) -> str:
    notification.status, notification.last_error = MessageStatus.FAILED, reason[:2000]
    emit_outcome(notification, EventNames.NOTIFICATION_FAILED, reason=reason[:500], failed_at=utcnow())
    db.session.commit()
    bus.nudge()
    return "failed"


def emit_outcome(notification: Notification, event_type: str, **extra) -> None:
    payload = {
        "notification_id": notification.id,
        "registration_id": notification.registration_id,
        "event_id": notification.event_id,
        "purpose": notification.purpose,
        "channel": notification.channel,
        **extra,
    }
    bus.emit(event_type, payload)


def failed_attempt(row, error: Exception, day: date, *, budgeted: bool) -> str:
    """The providers did not take a claimed message: give its send back, then retry later or give up (commits)."""
    notification = store.get_notification(row.id)
    if budgeted:
        store.release_send(notification.channel, day)
    if isinstance(error, TransientSendError):
        return _retry_later(notification, str(error), error.retry_after)
    return give_up(notification, str(error))


def enqueue(notification_id: str) -> None:
    """Hand a committed notification to a worker by id (a lost enqueue only waits for the next dispatch)."""
    if not current_app.config["ENQUEUE_AFTER_COMMIT"]:
        return
    try:
        celery.send_task(TaskNames.NOTIFICATIONS_SEND_MESSAGE, args=[notification_id], queue="notifications")
    except Exception:
        logger.warning("could not enqueue notification %s; dispatcher will", notification_id)
