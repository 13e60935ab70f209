"""Reporting's service bus."""

from services.reporting.extensions import celery, db
from services.reporting.models import DeadLetter, OutboxMessage, ProcessedMessage
from shared.bus import ServiceBus

bus = ServiceBus("reporting", db, celery, OutboxMessage, ProcessedMessage, DeadLetter)
