"""The certificates' queries (certificates.py): the events that give them, their numbers, PDFs and versions."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.exc

from services.registration.extensions import db
from services.registration.models import (
    Certificate,
    CertificateCounter,
    CertificateWording,
    Evaluation,
    Event,
    Registration,
)
from shared.states import EventStatus


def _run(statement, **params) -> sa.CursorResult:
    return db.session.connection().execute(statement, params)


def events_giving_certificates(ended_after: datetime, ended_before: datetime) -> list[Event]:
    """Published events that ended between the two moments and have a signatory (they give certificates)."""
    query = sa.select(Event).where(
        Event.status == EventStatus.PUBLISHED,
        Event.ends_at > ended_after,
        Event.ends_at <= ended_before,
        Event.signatory_name != "",
    )
    return list(db.session.scalars(query.order_by(Event.ends_at)))


def attendees_without_certificate(event_id: str, limit: int, evaluated_only: bool = False) -> list[Registration]:
    """People of `event_id` checked in (and not anonymised) who have no certificate yet, in arrival order; with
    `evaluated_only` (the event's certificate waits for the evaluation), only those who answered it."""
    has_one = sa.select(Certificate.id).where(Certificate.registration_id == Registration.id).exists()
    answered = sa.select(Evaluation.id).where(
        Evaluation.registration_id == Registration.id, Evaluation.answered_at.is_not(None)
    )
    query = (
        sa.select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.checked_in_at.is_not(None),
            Registration.full_name.is_not(None),
            ~has_one,
            answered.exists() if evaluated_only else sa.true(),
        )
        .order_by(Registration.registered_at, Registration.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def take_certificate_numbers(year: int, count: int) -> int:
    """Take `count` running numbers of `year` in one statement; return the first (the counter row is made once)."""
    taken = _run(_TAKE_NUMBERS, of_year=year, how_many=count).first()
    if taken is None:
        try:
            with db.session.begin_nested():
                db.session.add(CertificateCounter(year=year, last_seq=0))
        except sa.exc.IntegrityError:  # another run made it first
            pass
        taken = _run(_TAKE_NUMBERS, of_year=year, how_many=count).one()
    return taken.last_seq - count + 1


_TAKE_NUMBERS = (
    sa.update(CertificateCounter)
    .where(CertificateCounter.year == sa.bindparam("of_year"))
    .values(last_seq=CertificateCounter.last_seq + sa.bindparam("how_many"))
    .returning(CertificateCounter.last_seq)
)


def event_signatures(event_ids: set[str]) -> dict[str, bytes]:
    """The scanned signatures of the events that have one, by event id."""
    if not event_ids:
        return {}
    query = sa.select(Event.id, Event.signature_png).where(Event.id.in_(event_ids), Event.signature_png.is_not(None))
    return dict(db.session.execute(query).all())


def certificates_to_render(limit: int) -> list[Certificate]:
    """Certificates numbered but not yet rendered (a run that stopped between the two steps leaves some)."""
    query = sa.select(Certificate).where(Certificate.pdf.is_(None)).order_by(Certificate.issued_at).limit(limit)
    return list(db.session.scalars(query))


def store_certificate_pdf(certificate_id: str, pdf: bytes) -> bool:
    """Keep a certificate's first PDF, unless another run already did; return whether this one did."""
    query = (
        sa.update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.pdf.is_(None))
        .values(pdf=pdf)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(query).rowcount == 1


def reissue_certificate(certificate_id: str, version: int, full_name: str, pdf: bytes, now: datetime) -> bool:
    """Make `version + 1` of a certificate with the corrected name, unless it changed since it was read."""
    query = (
        sa.update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.version == version, Certificate.revoked_at.is_(None))
        .values(version=version + 1, full_name=full_name, pdf=pdf, version_at=now)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(query).rowcount == 1


def get_certificate(certificate_id: str) -> Certificate | None:
    return db.session.get(Certificate, certificate_id)


def get_certificate_by_slug(slug: str) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(Certificate.slug == slug))


def get_certificate_by_download_code(code: str) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(Certificate.download_code == code))


def list_certificates(event_id: str) -> list[Certificate]:
    return list(db.session.scalars(sa.select(Certificate).where(Certificate.event_id == event_id).order_by(
        Certificate.year, Certificate.seq)))  # fmt: skip


def get_certificate_wording() -> CertificateWording | None:
    return db.session.get(CertificateWording, 1)
