"""The transactional outbox: events are written with the state change and relayed to Celery afterwards."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from celery import Celery
from celery.signals import worker_process_shutdown, worker_shutdown
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import UTCDateTime
from shared.faults import fault_point
from shared.forksafe import PerProcess
from shared.messaging.names import queue_for
from shared.messaging.publisher import make_envelope, publish
from shared.messaging.routing import SUBSCRIBERS
from shared.retention import delete_in_batches

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxMixin:
    """Columns of a service's `outbox` table; mix into a model of the service's own `db.Model`."""

    __tablename__ = "outbox"

    #: Relay order: the order in which rows were committed.
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(sa.String(36), unique=True, nullable=False)
    type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    #: The whole validated envelope, exactly as it will be sent.
    envelope: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    #: Subscriber tasks that have not yet acknowledged applying the message (end-to-end ack).
    awaiting: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: Last time the row was handed to the broker.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When every subscriber had acknowledged it; until then the relay sends it again now and then.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


def add_to_outbox(
    session: Session, model: type, event_type: str, payload: dict, *, source: str, correlation_id: str | None = None
):
    """Validate `payload` against its contract and write it in `session`'s transaction (the caller commits).

    A plain INSERT on the session's connection rather than an ORM object: the same row in the same transaction,
    without the unit of work's bookkeeping (about a millisecond per registration on the public form's path).
    """
    return add_envelope_to_outbox(
        session, model, make_envelope(event_type, payload, source=source, correlation_id=correlation_id)
    )


def add_envelope_to_outbox(session: Session, model: type, envelope: dict) -> str:
    """Write an envelope made by `make_envelope` in `session`'s transaction (the caller commits); return its id."""
    event_type = envelope["type"]
    values = {
        "message_id": envelope["id"],
        "type": event_type,
        "envelope": envelope,
        "awaiting": list(SUBSCRIBERS[event_type]),
        "created_at": utcnow(),
        "attempts": 0,
    }
    session.connection().execute(model.__table__.insert(), values)
    return envelope["id"]


def relay_pending(
    session: Session, model: type, celery: Celery, *, republish_after: float = 60, batch_size: int = 200
) -> int:
    """Send outbox rows not yet sent, and again those sent `republish_after` seconds ago but not acknowledged.

    The broker can lose a message it already took (Redis restarted without persistence, a consumer cancelled
    mid-task by a connection loss), so "sent" is not "delivered": each consumer acknowledges after applying the
    message (record_ack) and unacknowledged rows are sent again to the subscribers still awaited. Consumers
    deduplicate by envelope id, so a resend is harmless. Concurrent relays skip rows another holds (PostgreSQL).
    """
    now = utcnow()
    due = sa.or_(model.sent_at.is_(None), model.sent_at < now - timedelta(seconds=republish_after))
    rows = session.scalars(
        sa.select(model)
        .where(model.delivered_at.is_(None), due)
        .order_by(model.seq)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for row in rows:
        try:
            publish(celery, row.envelope, row.awaiting)
        except Exception as error:  # broker down: keep the row, the next sweep retries it
            row.attempts += 1
            row.last_error = f"{type(error).__name__}: {error}"[:500]
            logger.warning("outbox relay could not publish", extra={"message_id": row.message_id})
            break
        fault_point("relay_after_publish_before_mark", _redis_url(celery))
        if row.sent_at is not None:
            logger.info("outbox message sent again: not acknowledged by %s", row.awaiting)
        row.attempts += 1
        row.sent_at = utcnow()
        row.last_error = None
        sent += 1
    session.commit()
    return sent


def record_ack(session: Session, model: type, message_id: str, subscriber: str) -> bool:
    """Note that `subscriber` applied `message_id`; True when that completed its delivery (safe to run twice)."""
    return record_acks(session, model, [(message_id, subscriber)]) == 1


def record_acks(session: Session, model: type, acks) -> int:
    """Note many (message_id, subscriber) acknowledgements in one transaction; return how many rows that completed.

    Safe to run twice: a subscriber no longer awaited is skipped. Rows are locked in relay order, so two ack tasks
    on PostgreSQL cannot deadlock each other.
    """
    wanted: dict[str, set[str]] = {}
    for message_id, subscriber in acks:
        wanted.setdefault(str(message_id), set()).add(subscriber)
    if not wanted:
        return 0
    rows = session.scalars(
        sa.select(model).where(model.message_id.in_(list(wanted))).order_by(model.seq).with_for_update()
    ).all()
    completed = 0
    for row in rows:
        awaiting = [name for name in row.awaiting if name not in wanted[row.message_id]]
        if len(awaiting) == len(row.awaiting):
            continue
        row.awaiting = awaiting
        if not awaiting:
            row.delivered_at = utcnow()
            completed += 1
    session.commit()
    return completed


#: Acknowledgements wait this long in the consumer's process, so one task carries a burst of them to the producer.
ACK_BATCH_SECONDS = 0.25


@dataclass
class _Acker:
    """One process's acknowledgement thread and the acknowledgements it has yet to send."""

    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="outbox-ack"))
    #: Acknowledgements not yet sent, per producer's ack task; a list exists exactly while its flush is scheduled.
    pending: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    celery: Celery | None = None


_acker = PerProcess(_Acker)  # a prefork child sends its own acknowledgements, from its own thread


def send_ack(celery: Celery, envelope: dict, subscriber: str) -> None:
    """Tell the producing service that `subscriber` applied `envelope` (lost acks only cause a harmless resend).

    The acknowledgement leaves from a background thread a moment later with the others of that moment (one task
    per producer instead of one per message); a process that dies meanwhile loses them, and the producer's outbox
    sends those messages again after OUTBOX_REPUBLISH_SECONDS, applied once more as duplicates and acknowledged.
    """
    task_name = f"{envelope['source']}.ack_outbox"
    acker = _acker.get()
    acker.celery = celery
    with acker.lock:
        pending = acker.pending.setdefault(task_name, [])
        pending.append((str(envelope["id"]), subscriber))
        if len(pending) > 1:  # its flush is already scheduled and takes this one too
            return
    acker.pool.submit(_flush_acks_later, acker, celery, task_name)


def _flush_acks_later(acker: _Acker, celery: Celery, task_name: str) -> None:
    time.sleep(ACK_BATCH_SECONDS)
    _flush_acks(acker, celery, task_name)


def _flush_acks(acker: _Acker, celery: Celery, task_name: str) -> None:
    with acker.lock:
        batch = acker.pending.pop(task_name, [])
    if not batch:
        return
    try:
        acks = [list(pair) for pair in batch]
        celery.send_task(task_name, kwargs={"acks": acks}, queue=queue_for(task_name), retry=False)
    except Exception:
        logger.warning("could not acknowledge %d messages; their producer will resend them", len(batch))


def flush_acks(**_signal) -> None:
    """Send the waiting acknowledgements now: a worker process ending cleanly leaves none to be resent."""
    acker = _acker.peek()
    if acker is not None and acker.celery is not None:
        for task_name in list(acker.pending):
            _flush_acks(acker, acker.celery, task_name)


worker_process_shutdown.connect(flush_acks, weak=False)  # a prefork child
worker_shutdown.connect(flush_acks, weak=False)  # a worker without children (solo or threads pool)


def purge_delivered(session: Session, model: type, before: datetime) -> int:
    """Delete rows every subscriber acknowledged before `before` (they carry whole payloads, names included).

    A row still awaited is never deleted, however old: it is a message not yet delivered. Safe to run twice.
    """
    return delete_in_batches(session, model.seq, model.delivered_at < before)


def _redis_url(celery: Celery) -> str | None:
    """The Redis of locks and test fault points (REDIS_URL), which is not the broker when that is RabbitMQ."""
    app = getattr(celery, "flask_app", None)
    return app.config.get("REDIS_URL") if app is not None else celery.conf.broker_url
