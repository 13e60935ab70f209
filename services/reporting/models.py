"""Tables of the reporting service: a read model built only from events, with no names or phone numbers."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.reporting.extensions import db
from services.reporting.states import RunStatus
from shared.audit import AuditMixin
from shared.consumer import DeadLetterMixin, ProcessedMessageMixin
from shared.db import UTCDateTime
from shared.outbox import OutboxMixin
from shared.staffauth import StaffAccessMixin
from shared.states import EventStatus
from shared.timeutil import utcnow


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
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=EventStatus.PUBLISHED)


class RegistrationFact(db.Model):
    """One registration's reportable attributes (the TPBIS indicators), without anything that names the person."""

    __tablename__ = "registration_facts"
    __table_args__ = (
        # Every column the reports count by, after event_id: their GROUP BY queries read this index, not the table.
        sa.Index(
            "ix_registration_facts_report",
            "event_id",
            "status",
            "disability",
            "checked_in_at",
            "kabupaten_code",
            "gender",
            "age_group",
            "participant_type",
            "desa_code",
        ),
    )

    #: The registration's pseudonym (32 hex digits), never its id: only registration holds the key that links the two.
    pseudonym: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
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
    #: When the person's certificate was first issued (certificate.issued version 1; a reissue is the same one),
    #: and when it was revoked (certificate.revoked).
    certificate_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certificate_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EvaluationFact(db.Model):
    """One attendee's evaluation scores (no free text: reporting is never sent it), keyed by the registration's
    pseudonym like its RegistrationFact, whose attributes the impact figures are broken down by. One row per person:
    the earliest answer stands, however often it is delivered or sent again."""

    __tablename__ = "evaluation_facts"

    pseudonym: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), nullable=False, index=True)
    #: Satisfaction 1-5 per aspect.
    material: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    trainer: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    venue: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    #: The knowledge test: how many questions, and how many the person got right before and after (None: not taken).
    questions: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=0)
    pre_score: Mapped[int | None] = mapped_column(sa.SmallInteger)
    post_score: Mapped[int | None] = mapped_column(sa.SmallInteger)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class DeliveryFact(db.Model):
    """The outcome of one outgoing message, for the delivery rate."""

    __tablename__ = "delivery_facts"
    #: The reports count messages per event, channel and outcome from this index alone.
    __table_args__ = (sa.Index("ix_delivery_facts_report", "event_id", "channel", "status"),)

    notification_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_id: Mapped[str | None] = mapped_column(sa.String(36))
    purpose: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ReportSchedule(db.Model):
    """A recurring report (weekly or monthly) for the province or one kabupaten/kota, and who receives it."""

    __tablename__ = "report_schedules"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    #: None: the whole province (provincial staff); else one kabupaten/kota (its regency staff).
    kabupaten_code: Mapped[str | None] = mapped_column(sa.String(5), index=True)
    recipients: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    locale: Mapped[str] = mapped_column(sa.String(2), nullable=False, default="id")
    #: Local time (WITA) the report is sent on its day.
    hour: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=8)
    minute: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    failures_in_a_row: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    paused_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ReportRun(db.Model):
    """One (schedule, period): claimed before it is built, so it is generated and sent once. A period so far, sent on
    demand, ends earlier than the full period starting the same day, so it is a run of its own."""

    __tablename__ = "report_runs"
    __table_args__ = (
        sa.UniqueConstraint("schedule_id", "period_start", "period_end", name="uq_report_runs_schedule_period_end"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    schedule_id: Mapped[int] = mapped_column(sa.ForeignKey("report_schedules.id"), nullable=False)
    period_start: Mapped[date] = mapped_column(sa.Date, nullable=False)
    period_end: Mapped[date] = mapped_column(sa.Date, nullable=False)
    #: pending -> building -> sent; building -> failed -> building (retried by beat) ...
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=RunStatus.PENDING, index=True)
    #: Who is building it now: only the holder of this token may finish it (a stuck build is taken over).
    claim_token: Mapped[str | None] = mapped_column(sa.String(36))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(sa.Text)
    #: Who this run goes to when not the schedule's recipients: "send now" on a schedule with none sends the report
    #: to the staff member who asked (None: the schedule's recipients, as beat sends it).
    recipients: Mapped[list | None] = mapped_column(sa.JSON)
    xlsx: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(OutboxMixin, db.Model):
    SOURCE = "reporting"


class ProcessedMessage(ProcessedMessageMixin, db.Model):
    pass


class DeadLetter(DeadLetterMixin, db.Model):
    pass


class StaffAccess(StaffAccessMixin, db.Model):
    """Each staff account's token version and active flag, from registration's staff.changed events."""


class AuditEntry(AuditMixin, db.Model):
    """One staff action in this service (shared/audit.py): append-only, purged after AUDIT_RETENTION_DAYS."""
