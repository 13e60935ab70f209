"""Use cases of the reporting service: project events into the read model once each, compute and send reports."""

from datetime import datetime

import sqlalchemy as sa

from services.reporting import figures, store
from services.reporting.extensions import celery, db
from services.reporting.models import (
    DeadLetter,
    DeliveryFact,
    EventFact,
    OutboxMessage,
    ProcessedMessage,
    RegistrationFact,
)
from shared.bus import ServiceBus
from shared.messaging.names import EventNames
from shared.timeutil import utcnow

bus = ServiceBus("reporting", db, celery, OutboxMessage, ProcessedMessage, DeadLetter)

REPORTED_REGISTRATION_FIELDS = (
    "status",
    "kabupaten_code",
    "kecamatan_code",
    "desa_code",
    "gender",
    "age_group",
    "disability",
    "participant_type",
    "registered_at",
)


def handle_event(message: dict) -> str:
    """Apply one incoming message to the read model once (safe to run twice)."""
    return bus.handle(message, HANDLERS)


def compute_figures(scope: figures.Scope, now: datetime | None = None) -> figures.Figures:
    """Compute the figures of a period and area from the read model."""
    start, end = scope.bounds()
    events, registrations, deliveries = store.list_facts(start, end, scope.kabupaten_code)
    return figures.compute(scope, events, registrations, deliveries, now=now or utcnow())


def rebuild_read_model() -> dict[str, int]:
    """Empty the read model and forget which messages were applied, so replayed events are applied again."""
    removed = {}
    for model in (RegistrationFact, DeliveryFact, EventFact, ProcessedMessage):
        removed[model.__tablename__] = db.session.execute(sa.delete(model)).rowcount
    db.session.commit()
    return removed


def _on_event_snapshot(envelope: dict, payload: dict) -> None:
    keys = ("title", "kabupaten_code", "venue", "starts_at", "ends_at", "capacity")
    store.upsert(EventFact, "event_id", {"event_id": str(payload["event_id"]), **{k: payload[k] for k in keys}})


def _on_event_cancelled(envelope: dict, payload: dict) -> None:
    event = store.get_event(str(payload["event_id"]))
    if event is not None:
        event.status = "cancelled"


def _on_registration_created(envelope: dict, payload: dict) -> None:
    values = {key: payload[key] for key in REPORTED_REGISTRATION_FIELDS}
    store.upsert(
        RegistrationFact,
        "registration_id",
        {"registration_id": str(payload["registration_id"]), "event_id": str(payload["event_id"]), **values},
    )


def _on_registration_promoted(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(str(payload["registration_id"]))
    if fact is not None and fact.status == "waitlisted":
        fact.status = "confirmed"


def _on_registration_cancelled(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(str(payload["registration_id"]))
    if fact is not None:
        fact.status, fact.cancelled_at = "cancelled", payload["cancelled_at"]


def _on_checked_in(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(str(payload["registration_id"]))
    if fact is not None and fact.checked_in_at is None:
        fact.checked_in_at = payload["checked_in_at"]


def _on_delivery(status: str):
    def handler(envelope: dict, payload: dict) -> None:
        at = payload.get("delivered_at") or payload.get("failed_at")
        values = {key: payload[key] for key in ("purpose", "channel")}
        event_id = str(payload["event_id"]) if payload.get("event_id") else None
        store.upsert(
            DeliveryFact,
            "notification_id",
            {
                "notification_id": str(payload["notification_id"]),
                "event_id": event_id,
                "status": status,
                "at": at,
                **values,
            },
        )

    return handler


HANDLERS = {
    EventNames.EVENT_PUBLISHED: _on_event_snapshot,
    EventNames.EVENT_UPDATED: _on_event_snapshot,
    EventNames.EVENT_CANCELLED: _on_event_cancelled,
    EventNames.REGISTRATION_CREATED: _on_registration_created,
    EventNames.REGISTRATION_PROMOTED: _on_registration_promoted,
    EventNames.REGISTRATION_CANCELLED: _on_registration_cancelled,
    EventNames.ATTENDANCE_CHECKED_IN: _on_checked_in,
    EventNames.NOTIFICATION_DELIVERED: _on_delivery("delivered"),
    EventNames.NOTIFICATION_FAILED: _on_delivery("failed"),
}
