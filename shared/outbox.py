"""The transactional outbox: events are written with the state change and relayed to Celery afterwards."""

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import sqlalchemy as sa
from celery import Celery
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import UTCDateTime
from shared.messaging.names import queue_for
from shared.messaging.publisher import make_envelope, publish

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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


def add_to_outbox(
    session: Session, model: type, event_type: str, payload: dict, *, source: str, correlation_id: str | None = None
):
    """Validate `payload` against its contract and stage it in `session` (the caller commits)."""
    envelope = make_envelope(event_type, payload, source=source, correlation_id=correlation_id)
    row = model(message_id=envelope["id"], type=event_type, envelope=envelope)
    session.add(row)
    return row


def relay_pending(session: Session, model: type, celery: Celery, *, batch_size: int = 200) -> int:
    """Send unsent outbox rows in commit order and mark them sent; return how many were sent.

    At least once: a crash between publishing and the commit sends the row again next time, which is why every
    consumer deduplicates by envelope id. Concurrent relays skip rows another relay holds (PostgreSQL).
    """
    rows = session.scalars(
        sa.select(model)
        .where(model.sent_at.is_(None))
        .order_by(model.seq)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for row in rows:
        try:
            publish(celery, row.envelope)
        except Exception as error:  # broker down: keep the row, the next sweep retries it
            row.attempts += 1
            row.last_error = f"{type(error).__name__}: {error}"[:500]
            logger.warning("outbox relay could not publish", extra={"message_id": row.message_id})
            break
        row.attempts += 1
        row.sent_at = utcnow()
        row.last_error = None
        sent += 1
    session.commit()
    return sent


def pending_count(session: Session, model: type) -> int:
    """Return how many outbox rows wait to be sent."""
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(model.sent_at.is_(None))) or 0


_nudger: ThreadPoolExecutor | None = None
_nudger_pid: int | None = None


def nudge_relay(celery: Celery, task_name: str) -> None:
    """Ask the relay to run now, without ever making the caller wait or fail (beat sweeps up anything missed).

    The web tier must keep taking registrations while Redis is down, so the nudge is sent from a background
    thread with no publish retries; if it cannot be sent, the rows simply wait for the next sweep.
    """
    global _nudger, _nudger_pid
    if _nudger is None or _nudger_pid != os.getpid():  # a fresh pool after fork (gunicorn, prefork workers)
        _nudger, _nudger_pid = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-nudge"), os.getpid()
    _nudger.submit(_send_nudge, celery, task_name)


def _send_nudge(celery: Celery, task_name: str) -> None:
    try:
        celery.send_task(task_name, queue=queue_for(task_name), retry=False, expires=60)
    except Exception:
        logger.info("outbox nudge not sent; the beat sweep will relay", extra={"task": task_name})
