"""Build envelopes and send them, one named task per subscriber (`send_task`; no import of any consumer)."""

import uuid
from datetime import UTC, datetime

from celery import Celery

from shared.messaging.contracts import Envelope, latest_version, produce_payload
from shared.messaging.names import queue_for
from shared.messaging.routing import SUBSCRIBERS

#: Reused for every envelope made (a schema keeps no state between loads, and building one is costly).
ENVELOPE = Envelope()


def make_envelope(
    event_type: str,
    payload: dict,
    *,
    source: str,
    correlation_id: str | None = None,
    message_id: str | None = None,
    occurred_at: datetime | None = None,
) -> dict:
    """Return a validated, JSON-ready envelope for `payload` (strict: raises ValidationError)."""
    version = latest_version(event_type)
    message_id = message_id or str(uuid.uuid4())
    envelope = {
        "id": message_id,
        "type": event_type,
        "version": version,
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
        "source": source,
        "correlation_id": correlation_id or message_id,
        "payload": produce_payload(event_type, payload, version),
    }
    return ENVELOPE.dump(ENVELOPE.load(envelope))


def publish(celery: Celery, envelope: dict, task_names: list[str] | None = None) -> list[str]:
    """Send `envelope` to every subscriber of its type (or to `task_names` only); return the task names."""
    task_names = SUBSCRIBERS[envelope["type"]] if task_names is None else task_names
    for task_name in task_names:
        celery.send_task(
            task_name,
            kwargs={"message": envelope},
            queue=queue_for(task_name),
            # A deterministic task id makes a republished message recognisable in logs and flower.
            task_id=f"{envelope['id']}:{task_name}",
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        )
    return list(task_names)
