"""The idempotent consumer: validate a received envelope, apply its effect once, dead-letter what cannot be read."""

import logging
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import UTCDateTime
from shared.messaging.contracts import consume
from shared.messaging.names import QueueNames
from shared.messaging.routing import WITHHELD
from shared.outbox import send_ack, utcnow
from shared.retention import delete_in_batches

logger = logging.getLogger(__name__)

#: A handler applies one message's effect to the session (no commit) and may return a callable to run after commit.
Handler = Callable[[dict, dict], Callable[[], None] | None]


class ProcessedMessageMixin:
    """One row per envelope id this service has applied, committed with the effect itself."""

    __tablename__ = "processed_messages"

    message_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class DeadLetterMixin:
    """Messages this service refused, with the reason, kept for staff to inspect and replay."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    type: Mapped[str | None] = mapped_column(sa.String(100))
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    count: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)


def purge_processed(session: Session, model: type, before: datetime) -> int:
    """Forget the ids of messages applied before `before`, long after any redelivery of them (safe to run twice)."""
    return delete_in_batches(session, model.message_id, model.processed_at < before)


def purge_dead_letters(session: Session, model: type, before: datetime) -> int:
    """Delete refused messages last seen before `before`: their bodies may hold personal data (safe to run twice)."""
    return delete_in_batches(session, model.id, model.last_seen < before)


def _reason(error: ValidationError) -> str:
    return str(error.messages)[:2000]


def dead_letter(session: Session, model: type, message: object, reason: str) -> None:
    """Record (or count again) a refused message and commit."""
    body = message if isinstance(message, dict) else {"raw": repr(message)[:2000]}
    message_id = str(body.get("id"))[:64] if body.get("id") else None
    existing = session.scalar(sa.select(model).where(model.message_id == message_id)) if message_id else None
    if existing is not None:
        existing.count += 1
        existing.last_seen = utcnow()
    else:
        kind = str(body["type"])[:100] if body.get("type") else None
        session.add(model(message_id=message_id, type=kind, reason=reason, body=body))
    session.commit()
    logger.error("message refused and dead-lettered: %s", reason, extra={"message_id": message_id})


def dead_letter_refused(session: Session, model: type, message, error: Exception | None) -> None:
    """Record a message the worker refused before any task saw it (a body not in JSON, say), and commit.

    Celery drops such a message after its `task_rejected` signal (docs/reliability.md): its raw body, content type and
    task headers are all that is left of it, so they are what is kept.
    """
    headers = message.headers or {}
    body = {
        "id": str(headers["id"])[:64] if headers.get("id") else None,
        "task": headers.get("task"),
        "content_type": message.content_type,
        "content_encoding": message.content_encoding,
        "raw": repr(message.body)[:2000],
    }
    logger.error("worker refused a message: rejected content-type %s", message.content_type)
    reason = f"refused by the worker: {type(error).__name__}: {error}" if error else "refused by the worker"
    dead_letter(session, model, body, reason[:2000])


def handle_message(
    session: Session,
    message: object,
    handlers: dict[str, Handler],
    *,
    processed_model: type,
    dead_letter_model: type,
    celery=None,
    subscriber: str | None = None,
) -> str:
    """Apply `message` once; return "processed", "duplicate", "ignored" or "dead_lettered" (safe to run twice).

    With `celery` and `subscriber`, the producer is then told the message was applied (its outbox stops resending).
    """
    withheld = WITHHELD.get(subscriber or "", {})
    outcome, envelope = _apply(session, message, handlers, processed_model, dead_letter_model, withheld)
    if celery is not None and subscriber and isinstance(envelope, dict) and envelope.get("id"):
        send_ack(celery, envelope, subscriber)
    return outcome


def _apply(session, message, handlers, processed_model, dead_letter_model, withheld) -> tuple[str, dict | None]:
    try:
        if not isinstance(message, dict):
            raise ValidationError("message is not a JSON object")
        envelope, payload = consume(message, withheld)
    except ValidationError as error:
        dead_letter(session, dead_letter_model, message, _reason(error))
        return "dead_lettered", _known_source(message)
    message_id = str(envelope["id"])
    if session.get(processed_model, message_id) is not None:
        logger.info("duplicate message skipped", extra={"message_id": message_id})
        return "duplicate", envelope
    handler = handlers.get(envelope["type"])
    after_commit = handler(envelope, payload) if handler else None
    session.add(processed_model(message_id=message_id, type=envelope["type"]))
    try:
        session.commit()
    except IntegrityError:  # the same message applied concurrently by another worker: its commit won
        session.rollback()
        return "duplicate", envelope
    if after_commit is not None:
        after_commit()
    return ("processed" if handler else "ignored"), envelope


def _known_source(message: object) -> dict | None:
    """Return the envelope of a refused message if it names a known producer (so its resends stop), else None."""
    if isinstance(message, dict) and message.get("source") in QueueNames.all() and message.get("id"):
        return {"id": str(message["id"]), "source": message["source"]}
    return None
