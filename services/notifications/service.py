"""Use cases of the notifications service: plan messages from events, send each once, track receipts and opt-outs."""

import logging
import os
import random
import time as clock
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature

from services.notifications import mail, messages, planning, retention, store
from services.notifications.clients import providers_for
from services.notifications.clients.base import PermanentSendError, TextMessage, TransientSendError
from services.notifications.clients.email import SmtpEmailClient
from services.notifications.extensions import celery, db
from services.notifications.models import (
    AuditEntry,
    DeadLetter,
    Notification,
    OutboxMessage,
    ProcessedMessage,
    StaffAccess,
)
from services.notifications.phones import BadNumber, mobile, refusal, to_e164
from shared import audit as trail
from shared.bus import ServiceBus
from shared.faults import fault_point
from shared.messaging.names import EventNames, TaskNames
from shared.staffauth import apply_staff_changed
from shared.timeutil import format_when, utcnow

logger = logging.getLogger(__name__)
bus = ServiceBus("notifications", db, celery, OutboxMessage, ProcessedMessage, DeadLetter)
#: Changes to an event that the people registered must hear about.
NOTICEABLE_CHANGES = {"starts_at", "ends_at", "venue"}


class NotYetKnown(LookupError):
    """A message refers to a registration whose registration.created has not arrived yet: try again later."""


def handle_event(message: dict) -> str:
    """Apply one incoming message once (safe to run twice)."""
    return bus.handle(message, HANDLERS)


def _after_commit(rows, *, send_here=None):
    """Hand what is due now to a worker after the commit; later reminders wait for the dispatcher (no ETA tasks).

    `send_here` (the confirmation a person is waiting for) is sent by this worker right away instead of through
    the queue: the same claim-then-send as the send task, so it still goes once (docs/reliability.md: when it dies).
    """
    now = utcnow()
    ids = [row.id for row in rows if row is not None and row.status == "pending" and row.due_at <= now]
    here = send_here.id if send_here is not None and send_here.id in ids else None

    def hand_over() -> None:
        for notification_id in ids:
            if notification_id == here:
                _send_here(notification_id)
            else:
                enqueue(notification_id)

    return hand_over if ids else None


def _send_here(notification_id: str) -> None:
    """Send a message just committed in this worker; on an unexpected error leave it to the send task."""
    if not current_app.config["ENQUEUE_AFTER_COMMIT"]:  # tests that send due messages themselves
        return
    try:
        send(notification_id)
    except Exception:  # claimed and stuck: released as orphaned; not claimed: the send task takes it
        logger.exception("could not send notification %s here; handing it to the send task", notification_id)
        db.session.rollback()
        enqueue(notification_id)


def _on_event_snapshot(envelope: dict, payload: dict):
    event = store.upsert_event(
        {
            "event_id": str(payload["event_id"]),
            **{key: payload[key] for key in ("title", "venue", "kabupaten_name", "starts_at", "ends_at", "url")},
            "kabupaten_code": payload.get("kabupaten_code"),
            "reminder_offsets": payload["reminder_offsets_minutes"],
        }
    )
    db.session.flush()
    noticeable = NOTICEABLE_CHANGES & set(payload.get("changed", ()))
    rows = []
    # A registration may have arrived before its event (the event's message was resent late): plan it now.
    for recipient in store.list_active_recipients(event.event_id):
        rows += [_plan_first_message(recipient), *planning.replan_reminders(recipient)]
        if noticeable:
            rows.append(planning.plan(recipient, "event_changed", tag=str(envelope["id"])[:8]))
    return _after_commit(rows)


def _on_event_cancelled(envelope: dict, payload: dict):
    event = store.get_event(str(payload["event_id"]))
    if event is None or event.status == "cancelled":
        return None
    event.status, event.cancel_reason = "cancelled", (payload.get("reason") or "")[:500]
    rows = []
    for recipient in store.list_active_recipients(event.event_id):
        planning.cancel_pending(recipient.registration_id, "acara dibatalkan")
        rows.append(planning.plan(recipient, "event_cancelled", reason=payload.get("reason", "")))
    return _after_commit(rows)


def _on_registration_created(envelope: dict, payload: dict):
    recipient = store.upsert_recipient(
        {
            "registration_id": str(payload["registration_id"]),
            "event_id": str(payload["event_id"]),
            **{key: payload[key] for key in ("full_name", "phone", "email", "preferred_channel", "locale")},
            **{key: payload[key] for key in ("status", "waitlist_position", "checkin_code", "cancel_url")},
            "checkin_url": payload.get("checkin_url"),
        }
    )
    db.session.flush()
    fault_point("handle_event_before_commit", current_app.config["REDIS_URL"])
    first = _plan_first_message(recipient)
    return _after_commit([first, *planning.plan_reminders(recipient)], send_here=first)


def _on_registration_promoted(envelope: dict, payload: dict):
    recipient = _known_recipient(payload)
    recipient.status, recipient.waitlist_position = "confirmed", None
    planning.cancel_pending(recipient.registration_id, "sudah mendapat kursi")
    promoted = planning.plan(recipient, "promoted")
    return _after_commit([promoted, *planning.plan_reminders(recipient)], send_here=promoted)


def _on_registration_cancelled(envelope: dict, payload: dict):
    recipient = _known_recipient(payload)
    if recipient.status == "cancelled":
        return None
    recipient.status = "cancelled"
    planning.cancel_pending(recipient.registration_id, "pendaftaran dibatalkan")
    if payload.get("erasure"):  # the person asked to be erased: registration.erased follows; no notice
        return None
    return _after_commit([planning.plan(recipient, "registration_cancelled")])


def _on_access_code_requested(envelope: dict, payload: dict):
    """Send the one-time "Data saya" code to the contact stored with the registration, by SMS or email (WhatsApp
    sends approved templates only). A code already expired is not sent; a redelivered request sends nothing more."""
    recipient = _known_recipient(payload)
    if recipient.full_name is None or payload["expires_at"] <= utcnow():
        return None
    channel = "email" if recipient.preferred_channel == "email" else "sms"
    row = planning.plan(recipient, "access_code", channel=channel, tag=str(envelope["id"])[:8], code=payload["code"])
    return _after_commit([row], send_here=row)


def _on_registration_corrected(envelope: dict, payload: dict) -> None:
    """Reach the person where they now say: the recipient takes the corrections, and messages still waiting go to
    the new address with the new name (or are cancelled when that channel has no address any more)."""
    recipient = _known_recipient(payload)
    if recipient.full_name is None:  # erased, or past the retention period
        return
    for key in ("full_name", "phone", "email", "preferred_channel"):
        setattr(recipient, key, payload[key])
    event = store.get_event(recipient.event_id)
    for row in store.list_pending(recipient.registration_id):
        address = planning.address_for(recipient, row.channel)
        if not address:
            row.status, row.last_error = "cancelled", "kontak diubah peserta"
            continue
        row.to = address
        if event is not None and row.purpose != "access_code":
            extra = {"reason": planning.event_reason(event)} if row.purpose == "event_cancelled" else {}
            for key, value in planning.content(recipient, event, row.purpose, row.channel, row.reminder_offset,
                                               **extra).items():  # fmt: skip
                setattr(row, key, value)


def _on_registration_erased(envelope: dict, payload: dict) -> None:
    """Forget the person (retention.erase_registration). Before their registration.created is known here, wait:
    it would otherwise bring their name back after the erasure."""
    _known_recipient(payload)
    retention.erase_registration(str(payload["registration_id"]))


def _on_confirmation_requested(envelope: dict, payload: dict):
    """Send a registration's first message again (its confirmation, or its waitlist place) to the stored contact.

    Someone registered again with this registration's phone or email; registration let the request through (at
    most one per registration every 10 minutes). The message is planned as the first one was, on the person's own
    channel and address, keyed by the request so a redelivered request sends nothing more.
    """
    recipient = _known_recipient(payload)
    if recipient.status == "cancelled":
        return None
    again = _plan_first_message(recipient, tag=f"again{str(envelope['id'])[:8]}")
    return _after_commit([again], send_here=again)


def _on_certificate_issued(envelope: dict, payload: dict):
    """Send the person their certificate by their channel: the short link to the PDF (docs/certificates.md says why
    email carries the link too, not an attachment). One message per version: a corrected certificate goes again."""
    recipient = _known_recipient(payload)
    if recipient.full_name is None:  # erased: nobody to send it to
        return None
    context = {"certificate_url": payload["download_url"], "certificate_number": payload["number"]}
    row = planning.plan(recipient, "certificate", tag=f"v{payload['version']}", **context)
    return _after_commit([row])


def _on_report_generated(envelope: dict, payload: dict):
    locale = current_app.config["DEFAULT_LOCALE"]
    context = {key: payload[key] for key in ("subject", "download_url")}
    for key in ("period_start", "period_end"):
        context[key] = messages.format_day(payload[key], locale)
    subject, body = messages.render("report", locale, "email", body_text=payload["body_text"].rstrip(), **context)
    rows = [
        store.add_notification_once(
            {
                "idempotency_key": planning.report_key(str(payload["report_id"]), address),
                "purpose": "report",
                "channel": "email",
                "to": address,
                "locale": locale,
                "subject": subject or payload["subject"],
                "body": body,
                "attachments": payload["attachments"],
            }
        )
        for address in payload["recipients"]
    ]
    return _after_commit(rows)


def _on_staff_invited(envelope: dict, payload: dict):
    """Mail a new staff member the link to set their password (the link itself is one-time, checked by registration)."""
    locale = payload["locale"]
    expires = format_when(payload["expires_at"], locale)
    subject, body = messages.render("staff_invite", locale, "email", name=payload["name"], link=payload["link"],
                                    expires=expires)  # fmt: skip
    row = store.add_notification_once(
        {
            "idempotency_key": f"staff-invite:{payload['invitation_id']}:email",
            "purpose": "staff_invite",
            "channel": "email",
            "to": payload["email"],
            "locale": locale,
            "subject": subject,
            "body": body,
        }
    )
    return _after_commit([row])


def _on_staff_changed(envelope: dict, payload: dict) -> None:
    """Keep the account's token version and active flag: older tokens and disabled accounts are refused here too."""
    apply_staff_changed(db.session, StaffAccess, payload)


def _known_recipient(payload: dict):
    recipient = store.get_recipient(str(payload["registration_id"]))
    if recipient is None:  # not acknowledged, so the producer's outbox sends it again after registration.created
        raise NotYetKnown(f"registration {payload['registration_id']} not known yet")
    return recipient


def _plan_first_message(recipient, tag: str | None = None) -> Notification | None:
    """Plan the message a new registration gets: a confirmation, or its place on the waitlist (`tag`: once more)."""
    return planning.plan(recipient, "confirmation" if recipient.status == "confirmed" else "waitlisted", tag=tag)


HANDLERS = {
    EventNames.EVENT_PUBLISHED: _on_event_snapshot,
    EventNames.EVENT_UPDATED: _on_event_snapshot,
    EventNames.EVENT_CANCELLED: _on_event_cancelled,
    EventNames.REGISTRATION_CREATED: _on_registration_created,
    EventNames.REGISTRATION_PROMOTED: _on_registration_promoted,
    EventNames.REGISTRATION_CANCELLED: _on_registration_cancelled,
    EventNames.REGISTRATION_CONFIRMATION_REQUESTED: _on_confirmation_requested,
    EventNames.REGISTRATION_ACCESS_CODE_REQUESTED: _on_access_code_requested,
    EventNames.REGISTRATION_CORRECTED: _on_registration_corrected,
    EventNames.REGISTRATION_ERASED: _on_registration_erased,
    EventNames.CERTIFICATE_ISSUED: _on_certificate_issued,
    EventNames.REPORT_GENERATED: _on_report_generated,
    EventNames.STAFF_CHANGED: _on_staff_changed,
    EventNames.STAFF_INVITED: _on_staff_invited,
}


def enqueue(notification_id: str) -> None:
    """Hand a committed notification to a worker by id (a lost enqueue only waits for the next dispatch)."""
    if not current_app.config["ENQUEUE_AFTER_COMMIT"]:
        return
    try:
        celery.send_task(TaskNames.NOTIFICATIONS_SEND_MESSAGE, args=[notification_id], queue="notifications")
    except Exception:
        logger.warning("could not enqueue notification %s; dispatcher will", notification_id)


def send(notification_id: str) -> str:
    """Send one notification if it is still pending and due (safe to run twice: the claim admits one sender)."""
    claimed = store.claim(notification_id, utcnow())
    db.session.commit()
    if not claimed:
        return "skipped"
    fault_point("after_claim", current_app.config["REDIS_URL"])
    notification = store.get_notification(notification_id)
    reason = _reason_not_to_send(notification)
    if reason:
        notification.status, notification.last_error = "cancelled", reason
        fallbacks = _fall_back_from_opt_outs({notification.id: reason})
        db.session.commit()
        for fallback_id in fallbacks:
            enqueue(fallback_id)
        return "cancelled"
    day = _local_day()
    if not _take_from_budget(notification, day):
        return _hold_until_tomorrow(notification, day)
    hand_over = _prepare(notification)
    _commit_keeping_loaded()  # the store is free while the provider works (on SQLite the write lock goes with it)
    if not _paced(notification.channel):
        _give_back_to_budget(notification, day)
        store.release_claimed([notification])  # no slot before the claim runs out: the next dispatch takes it
        db.session.commit()
        return "deferred"
    fault_point("before_provider_call", current_app.config["REDIS_URL"])
    try:
        provider, reference = hand_over()
    except TransientSendError as error:
        _give_back_to_budget(notification, day)
        return _retry_later(notification, str(error), error.retry_after)
    except PermanentSendError as error:
        _give_back_to_budget(notification, day)
        return _give_up(notification, str(error))
    fault_point("after_provider_call_before_commit", current_app.config["REDIS_URL"])
    return _record_sent(notification, provider, reference)


def _paced(channel: str) -> bool:
    """Wait for the channel's send rate (if it has one) to let one more message go, while the claim is safely this
    worker's."""
    deadline = clock.monotonic() + current_app.config["STUCK_AFTER_SECONDS"] / 2
    return current_app.extensions["send_pace"].take(channel, deadline)


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the session has loaded, so recording the outcome reads no row again.

    Safe for a claimed message: what is read of it afterwards (its id, channel, purpose, registration, attempts)
    does not change while it is `sending`, and what is written is written by primary key.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _local_day() -> date:
    return utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def _take_from_budget(notification: Notification, day: date) -> bool:
    """Count this send against its channel's daily cap, committed before the provider call; False if spent."""
    cap = current_app.config["DAILY_CAPS"].get(notification.channel) or 0
    if cap <= 0:
        return True
    taken = store.reserve_send(notification.channel, day, cap)
    db.session.commit()
    return taken


def _give_back_to_budget(notification: Notification, day: date) -> None:
    """The provider did not take it: the send does not count (committed with the message's new state)."""
    if (current_app.config["DAILY_CAPS"].get(notification.channel) or 0) > 0:
        store.release_send(notification.channel, day)


#: When messages held back by the daily cap go out: the next local day at this time (the end of quiet hours).
CAP_RESUMES_AT = time(7, 0)


def _cap_resumes(day: date) -> datetime:
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day + timedelta(days=1), CAP_RESUMES_AT, tzinfo=tz).astimezone(UTC)


def _hold_until_tomorrow(notification: Notification, day: date) -> str:
    """Put the message back to wait for the next day's budget; the attempt it was claimed with does not count."""
    notification.status, notification.hold_reason = "pending", "daily_cap"
    notification.due_at = _cap_resumes(day)
    notification.attempts, notification.claimed_at = max(0, notification.attempts - 1), None
    db.session.commit()
    logger.info("notification %s held: daily %s cap reached", notification.id, notification.channel)
    return "held"


def _reason_not_to_send(notification: Notification) -> str | None:
    return _reasons_not_to_send([notification], utcnow()).get(notification.id)


OPTED_OUT = "penerima berhenti berlangganan pengingat"


def _fall_back_from_opt_outs(reasons: dict[str, str]) -> list[str]:
    """Stage by email the reminders whose phone opted out, when the person gave an email; return the new ids.

    The opt-out is the phone's: the person still gets the reminder where they did not say stop.
    """
    staged = []
    for notification_id, reason in reasons.items():
        notification = store.get_notification(notification_id) if reason == OPTED_OUT else None
        if notification is not None and notification.channel != "email":
            fallback = planning.plan_fallback(notification, number_refused=True)
            staged += [fallback.id] if fallback is not None else []
    return staged


def _reasons_not_to_send(rows, now: datetime) -> dict[str, str]:
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
        elif row.event_id in starts and starts[row.event_id] <= now:  # a worker that was down for long: never late
            reasons[row.id] = "acara sudah dimulai"
    return reasons


def _prepare(notification: Notification) -> Callable[[], tuple[str, str]]:
    """Build the message of `notification` (this reads the store); return the call that hands it to the channel's
    providers in priority order and returns (provider, reference). That call does not touch the store, so the
    transaction can end before it.
    """
    if notification.channel == "email":
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
        )
    except BadNumber as error:  # a landline or a region texts may not go to: the next channel down, or failed
        reason = refusal(error)

        def refuse() -> tuple[str, str]:
            raise PermanentSendError(reason)

        return refuse
    priorities = current_app.extensions["provider_priorities"]
    return lambda: _send_text(channel, priorities.order(channel, clients), message, priorities)


def _whatsapp_parts(params) -> dict[str, list[str]]:
    """A WhatsApp message's body parameters and button suffixes, stored as {"body": [...], "buttons": [...]} (a bare
    list of body parameters before buttons existed)."""
    if isinstance(params, dict):
        return {"params": list(params.get("body", [])), "buttons": list(params.get("buttons", []))}
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


def _record_sent(notification: Notification, provider: str, reference: str) -> str:
    now = utcnow()
    notification.sent_at, notification.provider, notification.provider_ref = now, provider, reference
    notification.last_error, notification.hold_reason = None, None
    if notification.channel == "email":  # SMTP acceptance is all the receipt email gets
        notification.status, notification.delivered_at = "delivered", now
        _emit_outcome(notification, EventNames.NOTIFICATION_DELIVERED, delivered_at=now)
    else:  # SMS and WhatsApp wait for the provider's delivery receipt
        notification.status = "sent"
    db.session.commit()
    bus.nudge()
    return notification.status


def _retry_later(notification: Notification, reason: str, retry_after: float | None = None) -> str:
    """Put `notification` back to wait in the store, or give up after the last attempt (commits).

    Exponential backoff with full jitter, never sooner than the providers' Retry-After; the row waits in the store,
    never in a Celery countdown.
    """
    if notification.attempts >= current_app.config["MAX_ATTEMPTS"]:
        return _give_up(notification, f"gave up after {notification.attempts} attempts: {reason}")
    delay = random.uniform(0, min(3600, current_app.config["RETRY_BASE_SECONDS"] * 2**notification.attempts))
    delay = max(delay, retry_after or 0.0)
    notification.status, notification.last_error = "pending", reason[:2000]
    notification.due_at = planning.send_time(
        utcnow() + timedelta(seconds=delay), notification.channel, notification.purpose
    )
    db.session.commit()
    return "retrying"


def _give_up(notification: Notification, reason: str) -> str:
    """End `notification` failed; hand the message to the next channel down when the person has one."""
    fallback = planning.plan_fallback(notification)
    if fallback is None:
        return _fail(notification, reason)
    notification.status = "failed"
    notification.last_error = f"{reason[:1900]} -> dialihkan ke {fallback.channel}"
    db.session.commit()
    enqueue(fallback.id)
    return "fell_back"


def _fail(notification: Notification, reason: str) -> str:
    notification.status, notification.last_error = "failed", reason[:2000]
    _emit_outcome(notification, EventNames.NOTIFICATION_FAILED, reason=reason[:500], failed_at=utcnow())
    db.session.commit()
    bus.nudge()
    return "failed"


def _emit_outcome(notification: Notification, event_type: str, **extra) -> None:
    payload = {
        "notification_id": notification.id,
        "registration_id": notification.registration_id,
        "event_id": notification.event_id,
        "purpose": notification.purpose,
        "channel": notification.channel,
        **extra,
    }
    bus.emit(event_type, payload)


#: Due messages go to workers in batches: one task sends many over the providers' kept-alive connections.
BATCH_SIZE = 200
#: A batch is claimed, checked and recorded this many messages at a time, one statement each. A worker dying
#: mid-batch leaves at most this many claimed (resent once, flagged possible_duplicate), and a cancellation finds
#: at most this many already claimed.
CLAIM_SIZE = 50
#: At most this many due messages wait with the workers (handed out, not claimed yet); each dispatch tops up to it.
DISPATCH_LIMIT = 4000
#: A batch stops after this long (a slow gateway) and gives its unsent messages back to the next dispatch, well
#: inside the task's time limit.
BATCH_SECONDS = 60.0


def dispatch_pending(limit: int = DISPATCH_LIMIT) -> int:
    """Release messages orphaned by a crashed worker, then hand every due pending one to a worker; return how many.

    A message handed out is not handed out again until its claim is overdue (the task was lost), and at most
    `limit` wait with the workers at a time, so a backlog goes to the broker as fast as the workers take it.
    """
    release_orphans()
    now = utcnow()
    overdue = now - timedelta(seconds=current_app.config["STUCK_AFTER_SECONDS"])
    room = limit - store.handed_out_count(overdue)
    ids = store.due_ids(now, room, handed_out_before=overdue) if room > 0 else []
    store.mark_handed_out(ids, now)
    db.session.commit()
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        try:
            celery.send_task(TaskNames.NOTIFICATIONS_SEND_BATCH, args=[batch], queue="notifications")
        except Exception:
            logger.warning("could not hand out %d due messages; next dispatch will", len(batch))
            store.mark_handed_out(batch, None)
            db.session.commit()
    return len(ids)


def send_batch(notification_ids: list[str]) -> list[str]:
    """Send a batch of due messages; return each one's outcome (safe to run twice: a claim admits one sender).

    The batch is claimed CLAIM_SIZE messages at a time in one statement, checked (opt-outs, events already
    started, the daily cap) with a query or two, sent one by one over the providers' kept-alive connections, and
    recorded in one statement. A worker dying mid-batch gets the task again: messages already claimed are skipped,
    and those it held are released as orphaned like any other (flagged possible_duplicate).
    """
    outcomes = dict.fromkeys(notification_ids, "skipped")
    ids = list(outcomes)
    deadline = clock.monotonic() + BATCH_SECONDS
    for start in range(0, len(ids), CLAIM_SIZE):
        if clock.monotonic() > deadline:  # the rest waits for the next dispatch, not for the hand-out to expire
            store.mark_handed_out(ids[start:], None)
            db.session.commit()
            outcomes.update(dict.fromkeys(ids[start:], "deferred"))
            break
        outcomes.update(_send_claimed(ids[start : start + CLAIM_SIZE], deadline))
    return [outcomes[notification_id] for notification_id in notification_ids]


def _send_claimed(notification_ids: list[str], deadline: float) -> dict[str, str]:
    """Claim, check, send and record some messages of a batch; return {id: outcome} of those claimed."""
    now = utcnow()
    rows = store.claim_batch(notification_ids, now)
    db.session.commit()
    if not rows:
        return {}
    fault_point("after_claim", current_app.config["REDIS_URL"])
    # The claim is this worker's until the dispatcher takes it for orphaned: stop well before.
    deadline = min(deadline, clock.monotonic() + current_app.config["STUCK_AFTER_SECONDS"] / 2)
    outcomes: dict[str, str] = {}
    reasons = _reasons_not_to_send(rows, now)
    fallbacks = []
    if reasons:
        store.cancel_claimed([row for row in rows if row.id in reasons], reasons)
        fallbacks = _fall_back_from_opt_outs(reasons)
        outcomes.update(dict.fromkeys(reasons, "cancelled"))
        rows = [row for row in rows if row.id not in reasons]
    day = _local_day()
    rows, budgeted = _take_budgets(rows, day, outcomes)
    db.session.commit()
    for fallback_id in fallbacks:
        enqueue(fallback_id)
    sent: list[dict] = []
    deferred, failures, emitted = [], [], False
    for row, result in _deliver_all(rows, deadline):
        if result is None:
            deferred.append(row)
        elif isinstance(result, Exception):
            failures.append((row, result))
        else:
            status = "delivered" if row.channel == "email" else "sent"  # SMTP acceptance is all email gets
            outcome = {"id": row.id, "attempts": row.attempts, "status": status, "now": utcnow()}
            sent.append(outcome | {"provider": result[0], "reference": result[1]})
            if status == "delivered":
                _emit_outcome(row, EventNames.NOTIFICATION_DELIVERED, delivered_at=outcome["now"])
                emitted = True
            outcomes[row.id] = status
    store.record_sent(sent)
    if deferred:  # the claim ran out before their turn: the next dispatch hands them out again
        store.release_claimed(deferred)
        for row in deferred:
            if row.id in budgeted:
                store.release_send(row.channel, day)
        outcomes.update(dict.fromkeys((row.id for row in deferred), "deferred"))
    db.session.commit()
    for row, error in failures:
        outcomes[row.id] = _failed_attempt(row, error, day, budgeted=row.id in budgeted)
    if emitted:
        bus.nudge()
    return outcomes


#: Text messages of a batch are in flight this many at a time per worker process, each over its own kept-alive
#: connection: a gateway's answer takes a round trip (on the internet, 100-300 ms), sending one by one waits
#: for each.
SEND_THREADS = 8
_senders: tuple[int, ThreadPoolExecutor] | None = None


def _sender_pool() -> ThreadPoolExecutor:
    """This process's sending threads (made after the fork: a prefork child does not inherit its parent's)."""
    global _senders
    if _senders is None or _senders[0] != os.getpid():
        _senders = (os.getpid(), ThreadPoolExecutor(max_workers=SEND_THREADS, thread_name_prefix="send"))
    return _senders[1]


def _deliver_all(rows, deadline: float):
    """Hand each claimed row to its providers; yield (row, (provider, reference) | the send error | None).

    None: the claim ran out (`deadline`) before its turn, or before the channel's send rate let it go; nothing
    sent. Mails go one by one in this thread (a mail is built from the store); SMS and WhatsApp go SEND_THREADS at
    a time.
    """
    app = current_app._get_current_object()
    redis_url, pace = app.config["REDIS_URL"], app.extensions["send_pace"]
    for channel in {row.channel for row in rows} - {"email"}:
        providers_for(channel, app)  # made here once, before the threads share them

    def attempt(row, hand_over):
        if clock.monotonic() > deadline:
            return row, None
        if not pace.take(row.channel, deadline):  # the providers' send rate (a channel without one: at once)
            return row, None
        fault_point("before_provider_call", redis_url)
        try:
            result = hand_over()
        except (TransientSendError, PermanentSendError) as error:
            return row, error
        fault_point("after_provider_call_before_commit", redis_url)
        return row, result

    def in_thread(row):
        with app.app_context():
            return attempt(row, _prepare(row))

    # A mail needs the whole row and more of the store: every mail is built first, then the transaction ends (on
    # SQLite it holds the write lock) before the first goes out. Nothing of the batch is recorded yet.
    mails = [(row, _prepare(store.get_notification(row.id))) for row in rows if row.channel == "email"]
    db.session.commit()
    for row, hand_over in mails:
        yield attempt(row, hand_over)
    texts = [row for row in rows if row.channel != "email"]
    if len(texts) == 1:
        yield attempt(texts[0], _prepare(texts[0]))
    elif texts:
        yield from _sender_pool().map(in_thread, texts)


def _take_budgets(rows, day: date, outcomes: dict[str, str]) -> tuple[list, set[str]]:
    """Count the claimed `rows` against their channels' daily caps; hold those over it until tomorrow.

    Return the rows to send and the ids that took a send from a budget (given back if the provider fails).
    """
    caps = current_app.config["DAILY_CAPS"]
    keep, held, budgeted, spent = [], [], set(), set()
    for row in rows:
        cap = caps.get(row.channel) or 0
        if cap <= 0:
            keep.append(row)
        elif row.channel not in spent and store.reserve_send(row.channel, day, cap):
            keep.append(row)
            budgeted.add(row.id)
        else:
            spent.add(row.channel)
            held.append(row)
    if held:
        store.release_claimed(held, hold_reason="daily_cap", due_at=_cap_resumes(day))
        outcomes.update(dict.fromkeys((row.id for row in held), "held"))
        logger.info("%d notifications held: daily %s cap reached", len(held), "/".join(sorted(spent)))
    return keep, budgeted


def _failed_attempt(row, error: Exception, day: date, *, budgeted: bool) -> str:
    """The providers did not take a claimed message: give its send back, then retry later or give up (commits)."""
    notification = store.get_notification(row.id)
    if budgeted:
        store.release_send(notification.channel, day)
    if isinstance(error, TransientSendError):
        return _retry_later(notification, str(error), error.retry_after)
    return _give_up(notification, str(error))


def tend_provider_priorities() -> int:
    """Move each provider's priority a step back towards rest; return how many moved (priorities.py)."""
    return current_app.extensions["provider_priorities"].tend_back()


def release_orphans() -> int:
    """Put back to pending the messages claimed long ago and never finished (their worker died).

    The worker may have died after the provider took the message, so a resend is marked possible_duplicate
    (docs/reliability.md); a worker that died before the call leaves nothing sent, and the resend is the only copy.
    """
    stuck_after = timedelta(seconds=current_app.config["STUCK_AFTER_SECONDS"])
    now = utcnow()
    released = store.release_orphans(now - stuck_after, now)
    db.session.commit()
    return released


#: What each provider's receipt says, in our statuses (anything else is an intermediate step we ignore).
RECEIPT_STATUSES = {
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
}


def record_receipt(provider: str, reference: str, status: str, error: str | None = None) -> str:
    """Apply a delivery receipt: sent -> delivered or failed, never backwards (safe to run twice)."""
    new_status = RECEIPT_STATUSES.get(status.lower())
    notification = store.get_by_reference(provider, reference) if new_status else None
    if notification is None or notification.status != "sent":  # unknown, or already final: receipts only go forward
        db.session.rollback()
        return "ignored"
    if new_status == "failed":
        return _give_up(notification, f"{provider} receipt: {status} {error or ''}".strip())
    notification.status, notification.delivered_at = "delivered", utcnow()
    _emit_outcome(notification, EventNames.NOTIFICATION_DELIVERED, delivered_at=notification.delivered_at)
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


class StaffError(Exception):
    """A staff request this service refuses, with the message staff read and an HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def staff_notification(notification_id: str, staff) -> Notification:
    """Return a message staff may see: 404 if unknown, 403 if it belongs to another regency's event."""
    notification = store.get_notification(notification_id)
    if notification is None:
        raise StaffError(_("Pesan tidak ditemukan."), 404)
    event = store.get_event(notification.event_id) if notification.event_id else None
    if not staff.may_see(event.kabupaten_code if event is not None else None):
        raise StaffError(_("Pesan ini milik acara kabupaten/kota lain."), 403)
    return notification


def staff_event(event_id: str, staff):
    event = store.get_event(event_id)
    if event is None:
        raise StaffError(_("Acara tidak ditemukan."), 404)
    if not staff.may_see(event.kabupaten_code):
        raise StaffError(_("Acara ini milik kabupaten/kota lain."), 403)
    return event


def resendable(notification: Notification) -> bool:
    """A message ended failed and not handed on to another channel (else the other channel's message is resent),
    its content not yet erased by the retention purge."""
    return notification.status == "failed" and bool(notification.body) and not store.has_fallback(notification.id)


def resend(notification_id: str, staff, seen_attempts: int) -> bool:
    """Send a failed message once more, now (quiet hours still hold reminders); False when the click was already taken.

    Attempts keep counting, so the log shows the whole history. The message goes through every provider of its
    channel again (and the channel fallback); one that had used up its retries gets this one attempt, so a
    transient failure ends it failed again rather than starting a new series of retries.
    """
    notification = staff_notification(notification_id, staff)
    if not resendable(notification):
        db.session.rollback()
        return False
    now = utcnow()
    due_at = planning.send_time(now, notification.channel, notification.purpose)
    requeued = store.requeue_failed(notification.id, seen_attempts, now, due_at, staff.email)
    if requeued:
        audit("message.resend", staff, event_id=notification.event_id, object_id=notification.id)
    db.session.commit()
    if requeued:
        logger.info("notification %s resent by %s", notification.id, staff.email)
        enqueue(notification.id)
    return requeued


def audit(action: str, staff, *, event_id=None, object_id=None, commit: bool = False) -> None:
    """Note a staff action in this service's audit trail (shared/audit.py); by default in the caller's transaction."""
    trail.record(db.session, AuditEntry, action, staff, event_id=event_id, object_id=object_id, commit=commit)


def audit_log_view(staff, filters: dict) -> None:
    """Record a look at the message log: of one person when it is searched or narrowed to a registration."""
    person = bool(filters.get("q") or filters.get("registration_id"))
    action = "messages.person" if person else "messages.list"
    audit(action, staff, event_id=filters.get("event_id"), object_id=filters.get("registration_id"), commit=True)
