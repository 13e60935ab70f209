"""The notifications store's messages on their way out: staged once, claimed by one sender, recorded, released;
and each channel's daily budget (on the session, never commits)."""

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
import sqlalchemy.dialects.sqlite

from services.notifications.extensions import db
from services.notifications.models import DailySend, Notification
from shared.states import MessageStatus


def list_pending(registration_id: str, purpose: str | None = None) -> list[Notification]:
    """Return the registration's messages not yet claimed by a sender (what a change or cancellation may touch)."""
    query = sa.select(Notification).where(
        Notification.registration_id == registration_id, Notification.status == MessageStatus.PENDING
    )
    if purpose:
        query = query.where(Notification.purpose == purpose)
    return list(db.session.scalars(query.with_for_update()))


def get_by_reference(provider: str, reference: str) -> Notification | None:
    query = sa.select(Notification).where(Notification.provider == provider, Notification.provider_ref == reference)
    return db.session.scalars(query.with_for_update()).first()


def add_notification_once(values: dict) -> Notification | None:
    """Stage a notification unless one with the same idempotency key exists; return it, or None if it existed."""
    exists = db.session.scalar(
        sa.select(Notification.id).where(Notification.idempotency_key == values["idempotency_key"])
    )
    if exists:
        return None
    notification = Notification(**values)
    db.session.add(notification)
    db.session.flush()
    return notification


def claim(notification_id: str, now: datetime) -> bool:
    """Move a pending message to `sending` in one conditional UPDATE; False if someone else has it."""
    result = db.session.execute(
        sa.update(Notification)
        .where(
            Notification.id == notification_id, Notification.status == MessageStatus.PENDING, Notification.due_at <= now
        )
        .values(status=MessageStatus.SENDING, attempts=Notification.attempts + 1, claimed_at=now, handed_out_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


#: What a sender reads of a claimed message (rows, not ORM objects: they outlive the commits of a batch).
CLAIMED_COLUMNS = (
    Notification.id,
    Notification.registration_id,
    Notification.event_id,
    Notification.purpose,
    Notification.channel,
    Notification.to,
    Notification.subject,
    Notification.body,
    Notification.locale,
    Notification.params,
    Notification.attempts,
)


def claim_batch(notification_ids: list[str], now: datetime) -> list[sa.Row]:
    """Move the pending, due messages among `notification_ids` to `sending` in one UPDATE; return those it moved.

    Each row goes to one claimer only: the UPDATE's condition is checked under the row's write lock (SQLite: the
    file's), and on PostgreSQL rows another transaction holds (a cancellation, a second claimer) are skipped, not
    waited for. A skipped row still pending is handed out again by a later dispatch.
    """
    if not notification_ids:
        return []
    free = (
        sa.select(Notification.id)
        .where(
            Notification.id.in_(notification_ids),
            Notification.status == MessageStatus.PENDING,
            Notification.due_at <= now,
        )
        .with_for_update(skip_locked=True)
    )
    query = (
        sa.update(Notification)
        .where(Notification.id.in_(free))
        .values(status=MessageStatus.SENDING, attempts=Notification.attempts + 1, claimed_at=now, handed_out_at=None)
        .returning(*CLAIMED_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return list(db.session.execute(query))


def _claimed(rows) -> sa.ColumnElement[bool]:
    """Rows still held by the claim that read them (a re-claim after an orphan release counts another attempt)."""
    pairs = [(row.id, row.attempts) for row in rows]
    return sa.tuple_(Notification.id, Notification.attempts).in_(pairs) & (Notification.status == MessageStatus.SENDING)


_table = Notification.__table__


def record_sent(outcomes: list[dict]) -> None:
    """Record messages the providers took, in one statement: [{id, attempts, status, provider, reference, now}].

    Only a row still held by the claim that sent it is written (its status `sending`, its attempts unchanged).
    """
    if not outcomes:
        return
    c = _table.c
    statement = (
        _table.update()
        .where(
            c.id == sa.bindparam("b_id"), c.attempts == sa.bindparam("b_attempts"), c.status == MessageStatus.SENDING
        )
        .values(
            status=sa.bindparam("b_status"),
            sent_at=sa.bindparam("b_now"),
            delivered_at=sa.bindparam("b_delivered_at"),
            provider=sa.bindparam("b_provider"),
            provider_ref=sa.bindparam("b_reference"),
            last_error=None,
            hold_reason=None,
        )
    )
    db.session.execute(
        statement,
        [
            {
                "b_id": o["id"],
                "b_attempts": o["attempts"],
                "b_status": o["status"],
                "b_now": o["now"],
                "b_delivered_at": o["now"] if o["status"] == MessageStatus.DELIVERED else None,
                "b_provider": o["provider"],
                "b_reference": o["reference"],
            }
            for o in outcomes
        ],
    )


def cancel_claimed(rows, reasons: dict[str, str]) -> None:
    """End claimed messages `cancelled`, each with its reason (one statement per reason)."""
    for reason in set(reasons.values()):
        mine = [row for row in rows if reasons.get(row.id) == reason]
        db.session.execute(
            sa.update(Notification)
            .where(_claimed(mine))
            .values(status=MessageStatus.CANCELLED, last_error=reason)
            .execution_options(synchronize_session=False)
        )


def release_claimed(rows, *, hold_reason: str | None = None, due_at: datetime | None = None) -> None:
    """Put claimed messages back to pending, the attempt they were claimed with not counted (one statement).

    With `hold_reason` and `due_at` they wait until then (the daily cap); without, the next dispatch takes them.
    """
    if not rows:
        return
    values = {
        "status": MessageStatus.PENDING,
        "attempts": sa.case((Notification.attempts > 0, Notification.attempts - 1), else_=0),
        "claimed_at": None,
        "handed_out_at": None,
    }
    if hold_reason is not None:
        values |= {"hold_reason": hold_reason, "due_at": due_at}
    db.session.execute(
        sa.update(Notification).where(_claimed(rows)).values(**values).execution_options(synchronize_session=False)
    )


def get_notification(notification_id: str) -> Notification | None:
    return db.session.get(Notification, notification_id)


def due_ids(now: datetime, limit: int, handed_out_before: datetime | None = None) -> list[str]:
    """Ids of pending messages due by `now`, oldest first; with `handed_out_before`, only those not handed out
    since then (a dispatch does not hand out again what the previous one gave workers a moment ago)."""
    query = (
        sa.select(Notification.id)
        .where(Notification.status == MessageStatus.PENDING, Notification.due_at <= now)
        .order_by(Notification.due_at)
        .limit(limit)
        # Two beats (or a slow one overlapping itself) take disjoint rows on PostgreSQL; SQLite locks the file.
        .with_for_update(skip_locked=True)
    )
    if handed_out_before is not None:
        query = query.where(
            sa.or_(Notification.handed_out_at.is_(None), Notification.handed_out_at < handed_out_before)
        )
    return list(db.session.scalars(query))


def handed_out_count(since: datetime) -> int:
    """How many pending messages were handed to workers since `since` and not claimed yet (still queued)."""
    query = sa.select(sa.func.count(Notification.id)).where(
        Notification.status == MessageStatus.PENDING, Notification.handed_out_at >= since
    )
    return int(db.session.scalar(query) or 0)


def mark_handed_out(notification_ids: list[str], at: datetime | None) -> None:
    """Remember that these pending messages went to a worker at `at` (None: they did not, hand them out again)."""
    for start in range(0, len(notification_ids), 500):
        db.session.execute(
            sa.update(Notification)
            .where(
                Notification.id.in_(notification_ids[start : start + 500]), Notification.status == MessageStatus.PENDING
            )
            .values(handed_out_at=at)
            .execution_options(synchronize_session=False)
        )


def release_orphans(claimed_before: datetime, now: datetime) -> int:
    """Put back to pending, flagged possible_duplicate, every message claimed before `claimed_before` and never
    finished (one UPDATE; a second dispatcher running it at once finds them pending already)."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.status == MessageStatus.SENDING, Notification.claimed_at < claimed_before)
        .values(status=MessageStatus.PENDING, possible_duplicate=True, due_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def reserve_send(channel: str, day: date, cap: int) -> bool:
    """Take one of the day's `cap` sends on `channel` in one conditional UPDATE; False when none is left.

    Two workers cannot both take the last one: the UPDATE's condition is checked under the row's write lock.
    """
    insert = sa.dialects.postgresql.insert if db.engine.dialect.name == "postgresql" else sa.dialects.sqlite.insert
    db.session.execute(insert(DailySend).values(channel=channel, day=day, count=0).on_conflict_do_nothing())
    result = db.session.execute(
        sa.update(DailySend)
        .where(DailySend.channel == channel, DailySend.day == day, DailySend.count < cap)
        .values(count=DailySend.count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_send(channel: str, day: date) -> None:
    """Give back a send the provider did not take (it failed), so it does not count against the budget."""
    db.session.execute(
        sa.update(DailySend)
        .where(DailySend.channel == channel, DailySend.day == day, DailySend.count > 0)
        .values(count=DailySend.count - 1)
        .execution_options(synchronize_session=False)
    )
