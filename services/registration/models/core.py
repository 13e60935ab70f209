"""Tables of the registration service (and only of this service): regions, staff, events, registrations and their
consents, API keys, and the outbox, inbox and audit trail. Read through `models` (models/__init__.py)."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.registration.extensions import db
from shared.audit import AuditMixin
from shared.consumer import DeadLetterMixin, ProcessedMessageMixin
from shared.db import UTCDateTime
from shared.outbox import OutboxMixin
from shared.staffauth import StaffClaims
from shared.states import EventStatus
from shared.timeutil import utcnow

DEFAULT_REMINDER_OFFSETS = [3 * 24 * 60, 24 * 60, 120]  # H-3, H-1 and two hours before, in minutes


def new_id() -> str:
    return str(uuid.uuid4())


class Region(db.Model):
    """A province, kabupaten/kota, kecamatan, desa or kelurahan of Kalsel, keyed by its Kemendagri code."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(sa.String(13), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(sa.String(13), index=True)
    level: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)


class Staff(db.Model):
    """An organiser: a provincial admin sees everything, a regency organiser only their kabupaten."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(256), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="provincial_admin")
    #: Set for regency organisers: the kabupaten/kota whose events they manage.
    kabupaten_code: Mapped[str | None] = mapped_column(sa.String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: A disabled account cannot sign in, and its tokens are refused everywhere.
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true(), nullable=False)
    #: Raised by every sign-out, password change, disabling or enabling: tokens of an older version are refused.
    token_version: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0", nullable=False)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Two-step sign-in (TOTP): the shared secret, set at enrolment and in force once `totp_enabled`.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false(), nullable=False)
    #: The 30-second step of the last code accepted, so a code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    def claims(self) -> StaffClaims:
        return StaffClaims(
            id=self.id, email=self.email, role=self.role, kabupaten_code=self.kabupaten_code, version=self.token_version
        )


class Event(db.Model):
    """A training event. Seats are counted on the row so one conditional UPDATE can take a seat atomically."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    speakers: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    target_audience: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    kabupaten_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), nullable=False, index=True)
    venue: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: Whether people beyond capacity may join a waitlist.
    waitlist_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default=EventStatus.DRAFT, nullable=False)
    reminder_offsets: Mapped[list] = mapped_column(sa.JSON, default=lambda: list(DEFAULT_REMINDER_OFFSETS))
    #: Confirmed seats taken; only ever changed by a conditional UPDATE (see store.take_seat).
    confirmed_count: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    #: Last waitlist ticket handed out; waitlist order is ticket order.
    waitlist_seq: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    #: People on the waitlist now, so a new registration learns its place without counting them.
    waitlist_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0", nullable=False)
    #: Where the venue is on a map: an https:// link to Google Maps or OpenStreetMap ("" for none).
    map_url: Mapped[str] = mapped_column(sa.String(500), default="", server_default="", nullable=False)
    #: Whom participants may ask, by WhatsApp (the number in E.164).
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="", nullable=False)
    contact_whatsapp: Mapped[str | None] = mapped_column(sa.String(20))
    #: The current poster's version (EventPoster.version), in its addresses so a new poster is never cached as old.
    poster_version: Mapped[str | None] = mapped_column(sa.String(16))
    #: The training's hours (jam pelajaran, JP) printed on its certificates; None leaves the line out.
    jp_hours: Mapped[int | None] = mapped_column(sa.Integer)
    #: Who signs the certificates. An event gives certificates only once its signatory is set (docs/certificates.md).
    signatory_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="", nullable=False)
    signatory_title: Mapped[str] = mapped_column(sa.String(200), default="", server_default="", nullable=False)
    signatory_nip: Mapped[str] = mapped_column(sa.String(18), default="", server_default="", nullable=False)
    #: The signatory's scanned signature as a small PNG (posters.prepare_signature), printed on the certificates.
    signature_png: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    #: "Sertifikat menunggu evaluasi": an attendee's certificate is issued only once they answered the evaluation.
    certificate_after_evaluation: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false(), nullable=False
    )
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    kabupaten: Mapped[Region] = relationship()

    __table_args__ = (sa.CheckConstraint("confirmed_count <= capacity", name="ck_events_not_oversold"),)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)


class EventPoster(db.Model):
    """An event's poster as served: re-encoded JPEGs without metadata, one for link previews and one for the page.

    Kept in the store with the event, so a backup of the store has them and every web process serves the same.
    """

    __tablename__ = "event_posters"

    event_id: Mapped[str] = mapped_column(sa.ForeignKey("events.id"), primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    large: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    large_width: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    large_height: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    small: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    small_width: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    small_height: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Registration(db.Model):
    """One person's registration for one event."""

    __tablename__ = "registrations"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    #: Indexed as the first column of the unique phone and email constraints and of the waitlist index.
    event_id: Mapped[str] = mapped_column(sa.ForeignKey("events.id"), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    #: Waitlist ticket (arrival order); null for people who got a seat straight away.
    waitlist_seq: Mapped[int | None] = mapped_column(sa.Integer)
    #: Name, phone, email, free text and check-in code are erased a while after the event (retention.py).
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    preferred_channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    locale: Mapped[str] = mapped_column(sa.String(5), nullable=False, default="id")
    kabupaten_code: Mapped[str] = mapped_column(sa.String(5), nullable=False)
    kecamatan_code: Mapped[str | None] = mapped_column(sa.String(8))
    desa_code: Mapped[str | None] = mapped_column(sa.String(13))
    gender: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    age_group: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    disability: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    accessibility_needs: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    participant_type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    institution: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    checkin_code: Mapped[str | None] = mapped_column(sa.String(12), unique=True)  # None once anonymised
    #: The random part of the short cancel link in messages (/k/<code>); not the check-in code, which is read
    #: aloud at the door. Null only for registrations made before short links existed.
    cancel_code: Mapped[str | None] = mapped_column(sa.String(12), unique=True, index=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the person answered the reminder "1"/"ya" (will attend): organisers see it and count it.
    will_attend_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When a confirmation was last asked for (the registration itself, then a repeat of it): paces the resends.
    confirmation_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The partner system's API key that registered this person (null: the public form or the API without a key).
    #: The partner API key it was made with (api_keys.id; keys are revoked, never deleted, so no foreign key).
    api_key_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    #: Who registered this person in person ("daftarkan orang lain": a village library manager, a PKK cadre), by
    #: name; None when the person registered themselves. Staff call them; erased with the name.
    registered_by: Mapped[str | None] = mapped_column(sa.String(200))
    #: For a person without a phone or email of their own: the registrant's, which their messages go to (`phone`
    #: and `email`, the person's own, stay empty). Erased with the name.
    contact_phone: Mapped[str | None] = mapped_column(sa.String(20))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    #: "" for a person reached at their own contact; else their name, folded (groups.fold_name): several people
    #: share the registrant's contact, and the name tells them apart in the unique indexes below. Emptied with the
    #: name.
    contact_for: Mapped[str] = mapped_column(sa.String(200), default="", server_default="", nullable=False)

    event: Mapped[Event] = relationship()
    consents: Mapped[list["Consent"]] = relationship(back_populates="registration", lazy="selectin")

    @property
    def reach_phone(self) -> str | None:
        """The phone messages go to: the person's own, else the registrant's."""
        return self.phone or self.contact_phone

    @property
    def reach_email(self) -> str | None:
        """The email messages go to: the person's own, else the registrant's."""
        return self.email or self.contact_email

    def consented(self, purpose: str) -> bool:
        """Whether the person gave `purpose`'s consent and has not withdrawn it."""
        return any(c.purpose == purpose and c.withdrawn_at is None for c in self.consents)

    __table_args__ = (
        # One registration per phone and per email per event, even when two submissions race; on a registrant's
        # contact shared by several people, one per person's name.
        sa.UniqueConstraint("event_id", "phone", name="uq_registrations_event_phone"),
        sa.UniqueConstraint("event_id", "email", name="uq_registrations_event_email"),
        sa.Index("uq_registrations_event_contact_phone", "event_id", "contact_phone", "contact_for", unique=True),
        sa.Index("uq_registrations_event_contact_email", "event_id", "contact_email", "contact_for", unique=True),
        sa.Index("ix_registrations_event_waitlist", "event_id", "status", "waitlist_seq"),
    )


class Consent(db.Model):
    """One consent a person gave, for one purpose (notices.PURPOSES), with the notice version they were shown.

    Only given consents have a row: an optional one left unticked has none. Registrations made before consents were
    separate have one "training" row of version "legacy" (the bundled notice of that time).
    """

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    registration_id: Mapped[str] = mapped_column(sa.ForeignKey("registrations.id"), nullable=False, index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    notice_version: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Given in person to the one who registered the person (Registration.registered_by), who read them the notice
    #: of `notice_version`; False: ticked by the person themselves on the form, or sent by a partner's API.
    given_to_registrant: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false(), nullable=False
    )

    registration: Mapped[Registration] = relationship(back_populates="consents")

    __table_args__ = (sa.UniqueConstraint("registration_id", "purpose", name="uq_consents_registration_purpose"),)


class ApiKey(db.Model):
    """A partner system's key to register people through the API (a provincial admin issues and revokes it).

    Only the key's SHA-256 is stored: the key itself is shown once, when it is made. `prefix` (its first letters)
    lets staff tell keys apart without it.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    #: What the key may do; "registration" (register people for published events) is the only scope so far.
    scope: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="registration")
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(OutboxMixin, db.Model):
    SOURCE = "registration"


class ProcessedMessage(ProcessedMessageMixin, db.Model):
    pass


class DeadLetter(DeadLetterMixin, db.Model):
    pass


class AuditEntry(AuditMixin, db.Model):
    """One staff action in this service (shared/audit.py): append-only, purged after AUDIT_RETENTION_DAYS."""
