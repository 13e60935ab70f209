"""Tables of the reporting service: a read model built only from events, with no names or phone numbers."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.reporting.extensions import db
from shared.consumer import DeadLetterMixin, ProcessedMessageMixin
from shared.db import UTCDateTime
from shared.outbox import OutboxMixin


class EventFact(db.Model):
    """A training event as the reports see it."""

    __tablename__ = "event_facts"

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kabupaten_code: Mapped[str] = mapped_column(sa.String(5), nullable=False, index=True)
    venue: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    capacity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="published")


class RegistrationFact(db.Model):
    """One registration's reportable attributes (the TPBIS indicators), without anything that names the person."""

    __tablename__ = "registration_facts"

    registration_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), nullable=False, index=True)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    kabupaten_code: Mapped[str] = mapped_column(sa.String(5), nullable=False, index=True)
    kecamatan_code: Mapped[str | None] = mapped_column(sa.String(8))
    desa_code: Mapped[str | None] = mapped_column(sa.String(13))
    gender: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    age_group: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    disability: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    participant_type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryFact(db.Model):
    """The outcome of one outgoing message, for the delivery rate."""

    __tablename__ = "delivery_facts"

    notification_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class OutboxMessage(OutboxMixin, db.Model):
    SOURCE = "reporting"


class ProcessedMessage(ProcessedMessageMixin, db.Model):
    pass


class DeadLetter(DeadLetterMixin, db.Model):
    pass
