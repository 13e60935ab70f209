"""The notifications service's end of the message bus (its outbox, processed and dead-letter tables)."""

from services.notifications.extensions import celery, db
from services.notifications.models import DeadLetter, OutboxMessage, ProcessedMessage
from shared.bus import ServiceBus

bus = ServiceBus("notifications", db, celery, OutboxMessage, ProcessedMessage, DeadLetter)
