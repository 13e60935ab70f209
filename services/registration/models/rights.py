"""Tables of a participant's own data: the messages sent to them, their requests to staff and the one-time access codes
of "Data saya"."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.registration.extensions import db
from services.registration.models.core import Event, Registration
from shared.db import UTCDateTime
from shared.timeutil import utcnow


class MessageRecord(db.Model):
    """A message notifications sent a participant, as its notification.delivered/failed told: what a participant's
    "Data saya" page lists. Channel, purpose, status and time only: never the address or the text."""

    __tablename__ = "message_history"

    notification_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    registration_id: Mapped[str] = mapped_column(sa.String(36), nullable=False, index=True)
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    purpose: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    #: "delivered" or "failed": the latest word on the message.
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class DataRequest(db.Model):
    """A participant's request about their data that a person must decide (services/registration/requests.py):
    answered within 3 x 24 hours (`due_at`), then closed by staff with an outcome the person is told by their channel.

    `details` holds what was asked (a new name, the person's own words): emptied when the registration is erased or
    anonymised, like the registration's own free text.
    """

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    registration_id: Mapped[str] = mapped_column(sa.String(36), nullable=False, index=True)
    event_id: Mapped[str] = mapped_column(sa.ForeignKey("events.id"), nullable=False, index=True)
    #: "name_correction", "erasure" or "other" (requests.KINDS).
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    details: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(sa.Integer)
    #: "done" or "refused", set when closed.
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    #: What staff told the person (sent by their channel); emptied with `details`.
    answer: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    #: An erasure agreed to runs once the person has been told (or a day later at the latest): when it ran.
    carried_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    registration_row: Mapped[Registration] = relationship(
        primaryjoin="foreign(DataRequest.registration_id) == Registration.id", viewonly=True
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class AccessCode(db.Model):
    """A one-time code sent to a participant's stored contact to open their "Data saya" page, bound to one
    registration; only its hash is kept. It works once, until `expires_at`, and only for a few wrong tries."""

    __tablename__ = "access_codes"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    registration_id: Mapped[str] = mapped_column(sa.String(36), nullable=False, index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Wrong codes typed while this one was the registration's latest: past a few, it no longer works.
    failed_attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0", nullable=False)
