"""Tables of e-sertifikat: the certificates, their numbering and their wording."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registration.extensions import db
from services.registration.models.core import new_id
from shared.db import UTCDateTime


class CertificateCounter(db.Model):
    """The last certificate number handed out in a year: taken by one conditional UPDATE, so never twice."""

    __tablename__ = "certificate_counters"

    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)


class CertificateWording(db.Model):
    """The certificate's texts as a provincial admin changed them (certtext.py; one row, id 1; none: the defaults)."""

    __tablename__ = "certificate_wording"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    heading: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    given_to: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    body: Mapped[str] = mapped_column(sa.String(600), nullable=False)
    updated_by: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Certificate(db.Model):
    """A participant's e-sertifikat (docs/certificates.md): one per registration, numbered once, never renumbered.

    What it shows is kept on the row as issued (name, training, dates, hours, signatory), so the verification page
    shows what the PDF shows even after the event is edited; a correction is a new version of the same number.
    """

    __tablename__ = "certificates"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    #: Unique: however often (or however concurrently) the issuing job runs, one certificate per attendee.
    registration_id: Mapped[str] = mapped_column(sa.String(36), unique=True, nullable=False)
    event_id: Mapped[str] = mapped_column(sa.ForeignKey("events.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    number: Mapped[str] = mapped_column(sa.String(100), unique=True, nullable=False)
    #: The number as it appears in the verification address (letters and digits, the rest "-").
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True, nullable=False)
    #: The random part of the short download link (/s/<code>).
    download_code: Mapped[str] = mapped_column(sa.String(12), unique=True, nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    full_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    jp_hours: Mapped[int | None] = mapped_column(sa.Integer)
    kabupaten_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    signatory_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    signatory_title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    signatory_nip: Mapped[str] = mapped_column(sa.String(18), nullable=False, default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: When the current version was made (issued_at for version 1).
    version_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: For staff only: never shown on the public page.
    revoke_reason: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    #: The current version's PDF, deferred: listing certificates does not read the documents. None while it is being
    #: rendered: the row (and its number) is committed first, the PDF and certificate.issued after (certificates.py).
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)

    __table_args__ = (sa.UniqueConstraint("year", "seq", name="uq_certificates_year_seq"),)
