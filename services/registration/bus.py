"""Registration's service bus: events go out through the outbox, each about one registration carrying the pseudonym
reporting counts it under."""

import hashlib
import hmac

from flask import current_app

from services.registration.extensions import celery, db
from services.registration.models import DeadLetter, OutboxMessage, ProcessedMessage
from shared.bus import ServiceBus
from shared.messaging.routing import PSEUDONYMISED


def pseudonym(registration_id: str) -> str:
    """The registration's name in reporting: an HMAC-SHA256 of its id under REPORTING_PSEUDONYM_KEY, 32 hex digits.

    Reporting is sent this instead of the id (routing.WITHHELD); without the key, which only registration holds, a
    row of reporting cannot be linked to a registration, nor a registration id turned into its row.
    """
    key = current_app.config.get("REPORTING_PSEUDONYM_KEY") or current_app.config["SECRET_KEY"]
    message = f"reporting:{registration_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]


class RegistrationBus(ServiceBus):
    """The service bus, giving every event about one registration that reporting counts its pseudonym."""

    def emit(self, event_type: str, payload: dict, correlation_id: str | None = None) -> None:
        super().emit(event_type, _with_pseudonym(event_type, payload), correlation_id)

    def envelope(self, event_type: str, payload: dict) -> dict:
        return super().envelope(event_type, _with_pseudonym(event_type, payload))


def _with_pseudonym(event_type: str, payload: dict) -> dict:
    if event_type not in PSEUDONYMISED:
        return payload
    return payload | {"pseudonym": pseudonym(str(payload["registration_id"]))}


bus = RegistrationBus("registration", db, celery, OutboxMessage, ProcessedMessage, DeadLetter)


def emit(event_type: str, payload: dict) -> None:
    bus.emit(event_type, payload)


def nudge() -> None:
    bus.nudge()
