"""Build envelopes and send them, one named task per subscriber (`send_task`; no import of any consumer)."""

import uuid
from datetime import UTC, datetime

from celery import Celery
from marshmallow import ValidationError

from shared.messaging.contracts import latest_version, produce_payload
from shared.messaging.names import QueueNames, queue_for
from shared.messaging.routing import SUBSCRIBERS

SOURCES = frozenset(QueueNames.all())


def make_envelope(
    event_type: str,
    payload: dict,
    *,
    source: str,
    correlation_id: str | None = None,
    message_id: str | None = None,
    occurred_at: datetime | None = None,
) -> dict:
    """Return a validated, JSON-ready envelope for `payload` (strict: raises ValidationError).

    The payload is checked against its contract; the envelope's own fields are made here, so they are checked
    directly rather than by a second schema load and dump (the form's path makes one of these per registration).
    """
    version = latest_version(event_type)
    occurred_at = occurred_at or datetime.now(UTC)
    if source not in SOURCES:
        raise ValidationError({"source": [f"unknown source {source!r}"]})
    if occurred_at.tzinfo is None:
        raise ValidationError({"occurred_at": ["not an aware datetime"]})
    message_id = _uuid(message_id, "id") if message_id else str(uuid.uuid4())
    correlation_id = _uuid(correlation_id, "correlation_id") if correlation_id else message_id
    return {
        "id": message_id,
        "type": event_type,
        "version": version,
        "occurred_at": occurred_at.isoformat(),
        "source": source,
        "correlation_id": correlation_id,
        "payload": produce_payload(event_type, payload, version),
    }


def _uuid(value, field: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as error:
        raise ValidationError({field: ["not a UUID"]}) from error


def envelope_repr(envelope: dict) -> str:
    """What the worker's "received"/"failed" log lines and Flower show of a message: its type and id only.

    Celery would otherwise print the whole payload (names, phone numbers, emails) into the worker's log.
    """
    return f"{{'message': <{envelope.get('type')} {envelope.get('id')}>}}"


def publish(celery: Celery, envelope: dict, task_names: list[str] | None = None) -> list[str]:
    """Send `envelope` to every subscriber of its type (or to `task_names` only); return the task names."""
    task_names = SUBSCRIBERS[envelope["type"]] if task_names is None else task_names
    for task_name in task_names:
        celery.send_task(
            task_name,
            kwargs={"message": envelope},
            kwargsrepr=envelope_repr(envelope),
            queue=queue_for(task_name),
            # A deterministic task id makes a republished message recognisable in logs and flower.
            task_id=f"{envelope['id']}:{task_name}",
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        )
    return list(task_names)
