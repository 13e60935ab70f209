"""The one send path: claim due messages, check them, count them against the day's budget, hand them to the
providers at the channel's pace, and record the outcome. A single send is a batch of one.
"""

import logging
import time as clock
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from flask import current_app

from services.notifications import store
from services.notifications.bus import bus
from services.notifications.extensions import celery, db
from services.notifications.sending.clients import providers_for
from services.notifications.sending.clients.base import PermanentSendError, TransientSendError
from services.notifications.sending.steps import (
    cap_resumes,
    emit_outcome,
    enqueue,
    failed_attempt,
    fall_back_from_opt_outs,
    local_day,
    prepare_hand_over,
    reasons_not_to_send,
)
from shared.faults import fault_point
from shared.forksafe import PerProcess
from shared.messaging.names import EventNames, TaskNames
from shared.states import Channel, MessageStatus
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)


def send(notification_id: str) -> str:
    """Send one notification if it is still pending and due: a batch of one, down the one send path."""
    return send_batch([notification_id])[0]


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
    reasons = reasons_not_to_send(rows, now)
    fallbacks = []
    if reasons:
        store.cancel_claimed([row for row in rows if row.id in reasons], reasons)
        fallbacks = fall_back_from_opt_outs(reasons)
        outcomes.update(dict.fromkeys(reasons, "cancelled"))
        rows = [row for row in rows if row.id not in reasons]
    day = local_day()
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
            status = (
                MessageStatus.DELIVERED if row.channel == Channel.EMAIL else MessageStatus.SENT
            )  # SMTP acceptance is all email gets
            outcome = {"id": row.id, "attempts": row.attempts, "status": status, "now": utcnow()}
            sent.append(outcome | {"provider": result[0], "reference": result[1]})
            if status == MessageStatus.DELIVERED:
                emit_outcome(row, EventNames.NOTIFICATION_DELIVERED, delivered_at=outcome["now"])
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
        outcomes[row.id] = failed_attempt(row, error, day, budgeted=row.id in budgeted)
    if emitted:
        bus.nudge()
    return outcomes


#: Text messages of a batch are in flight this many at a time per worker process, each over its own kept-alive
#: connection: a gateway's answer takes a round trip (on the internet, 100-300 ms), sending one by one waits
#: for each.
SEND_THREADS = 8
#: This process's sending threads (made after the fork: a prefork child does not inherit its parent's).
_senders = PerProcess(lambda: ThreadPoolExecutor(max_workers=SEND_THREADS, thread_name_prefix="send"))


def _sender_pool() -> ThreadPoolExecutor:
    return _senders.get()


def _deliver_all(rows, deadline: float):
    """Hand each claimed row to its providers; yield (row, (provider, reference) | the send error | None).

    None: the claim ran out (`deadline`) before its turn, or before the channel's send rate let it go; nothing
    sent. Mails go one by one in this thread (a mail is built from the store); SMS and WhatsApp go SEND_THREADS at
    a time.
    """
    app = current_app._get_current_object()
    redis_url, pace = app.config["REDIS_URL"], app.extensions["send_pace"]
    for channel in {row.channel for row in rows} - {Channel.EMAIL}:
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
            return attempt(row, prepare_hand_over(row))

    # A mail needs the whole row and more of the store: every mail is built first, then the transaction ends (on
    # SQLite it holds the write lock) before the first goes out. Nothing of the batch is recorded yet.
    mails = [(row, prepare_hand_over(store.get_notification(row.id))) for row in rows if row.channel == Channel.EMAIL]
    db.session.commit()
    for row, hand_over in mails:
        yield attempt(row, hand_over)
    texts = [row for row in rows if row.channel != Channel.EMAIL]
    if len(texts) == 1:
        yield attempt(texts[0], prepare_hand_over(texts[0]))
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
        store.release_claimed(held, hold_reason="daily_cap", due_at=cap_resumes(day))
        outcomes.update(dict.fromkeys((row.id for row in held), "held"))
        logger.info("%d notifications held: daily %s cap reached", len(held), "/".join(sorted(spent)))
    return keep, budgeted


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
