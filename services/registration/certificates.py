"""E-sertifikat: issue one certificate per attendee once a training has ended, render it, correct or revoke it.

docs/certificates.md describes the numbers, the check codes and the two steps of issuing: the certificate rows (and
their numbers) are committed first, then each PDF is rendered with no transaction open and stored together with its
certificate.issued event. On SQLite every transaction holds the store's write lock, so nothing slow runs inside one.
"""

import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from services.registration import certtext, evaluation, store
from services.registration.bus import bus, nudge
from services.registration.certdoc import (
    CHECK_LENGTH,
    SLUG_MAX,
    check_code,
    download_url,
    number_for,
    render,
    slug_for,
    verify_url,
)
from services.registration.common import RegistrationError, audit, event_for_staff
from services.registration.extensions import db
from services.registration.links import CANCEL_CODE_LENGTH, CHECKIN_ALPHABET, random_code
from services.registration.models import Certificate, CertificateWording, Event, Registration, new_id
from shared.messaging.names import EventNames
from shared.staffauth import StaffClaims
from shared.timeutil import to_local, utcnow

logger = logging.getLogger(__name__)


def current_wording() -> certtext.Wording:
    """The certificate's texts: as a provincial admin last saved them, else the defaults (reads the store)."""
    row = store.get_certificate_wording()
    if row is None:
        return certtext.default()
    return certtext.Wording(heading=row.heading, given_to=row.given_to, body=row.body)


def save_wording(texts: dict, staff: StaffClaims) -> dict[str, list[str]]:
    """Save the certificate's texts if each passes certtext.check (provincial admins only); return the problems."""
    if not staff.is_provincial:
        raise RegistrationError("forbidden", _("Hanya admin provinsi yang dapat mengubah teks sertifikat."), 403)
    problems = {key: found for key in certtext.DEFAULTS if (found := certtext.check(key, texts.get(key, "")))}
    if problems:
        return problems
    row = store.get_certificate_wording() or CertificateWording(id=1)
    row.heading, row.given_to, row.body = texts["heading"], texts["given_to"], texts["body"]
    row.updated_by, row.updated_at = staff.email, utcnow()
    db.session.add(row)
    audit("certificate.wording", staff)
    db.session.commit()
    return {}


# --- issuing ------------------------------------------------------------------------------------------------------


@dataclass
class Issued:
    numbered: int = 0
    rendered: int = 0


#: A run starts no new batch after this many seconds, well inside the task's time limit (shared/celery.py); the next
#: run (CERTIFICATE_SWEEP_SECONDS later) carries on where it stopped.
RUN_SECONDS = 150.0


def issue_due(now: datetime | None = None, seconds: float = RUN_SECONDS) -> Issued:
    """Issue the certificates of every training that has ended and gives them (safe to run twice, or at once).

    `now` is the clock (tests pass their own); no batch starts after `seconds`. Return how many were numbered and
    how many rendered and announced.
    """
    now = now or utcnow()
    deadline = time.monotonic() + seconds
    config = current_app.config
    ended_before = now - timedelta(minutes=config["CERTIFICATE_DELAY_MINUTES"])
    ended_after = now - timedelta(days=config["CERTIFICATE_WINDOW_DAYS"])
    done = Issued()
    evaluation.request_due(ended_after, ended_before, now)  # the evaluation is asked for by the same clock
    done.rendered += render_pending(deadline)  # what an earlier run numbered and did not finish
    event_ids = [event.id for event in store.events_giving_certificates(ended_after, ended_before)]
    db.session.rollback()
    for event_id in event_ids:
        while time.monotonic() < deadline and (numbered := _number_batch(event_id, now)) > 0:
            done.numbered += numbered
            done.rendered += render_pending()  # a batch numbered is rendered in the same run
    return done


def _number_batch(event_id: str, now: datetime) -> int:
    """Add certificate rows (numbered, not rendered) for a batch of an event's attendees; commit; return how many."""
    event = store.get_event(event_id)
    batch = current_app.config["CERTIFICATE_BATCH"]
    people = store.attendees_without_certificate(event_id, batch, event.certificate_after_evaluation)
    if not people:
        db.session.rollback()
        return 0
    year = to_local(event.ends_at).year
    first = store.take_certificate_numbers(year, len(people))
    for offset, registration in enumerate(people):
        db.session.add(_certificate(event, registration, year, first + offset, now))
    try:
        db.session.commit()
    except IntegrityError:  # another run numbered these people at the same moment: theirs stand, ours roll back
        db.session.rollback()
        logger.info("certificates of event %s were being issued by another run", event_id)
        return 0
    return len(people)


def _certificate(event: Event, registration: Registration, year: int, seq: int, now: datetime) -> Certificate:
    number = number_for(seq, event.ends_at)
    return Certificate(
        id=new_id(),
        registration_id=registration.id,
        event_id=event.id,
        year=year,
        seq=seq,
        number=number,
        slug=slug_for(number)[:SLUG_MAX],
        download_code=random_code(CANCEL_CODE_LENGTH),
        version=1,
        full_name=registration.full_name,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        jp_hours=event.jp_hours,
        kabupaten_name=event.kabupaten.name,
        signatory_name=event.signatory_name,
        signatory_title=event.signatory_title,
        signatory_nip=event.signatory_nip,
        issued_at=now,
        version_at=now,
    )


def render_pending(deadline: float | None = None) -> int:
    """Render the certificates numbered and not yet rendered, a batch at a time, each stored with its
    certificate.issued, starting no batch after `deadline` (time.monotonic); return how many. Rendering runs with
    no transaction open."""
    total = 0
    while deadline is None or time.monotonic() < deadline:
        rows = store.certificates_to_render(current_app.config["CERTIFICATE_BATCH"])
        signatures = store.event_signatures({row.event_id for row in rows})
        wording = current_wording()
        for row in rows:
            db.session.expunge(row)  # plain values from here on: reading them opens no transaction
        db.session.rollback()
        if not rows:
            return total
        documents = [(row, render(row, signatures.get(row.event_id), wording)) for row in rows]
        for row, pdf in documents:
            if store.store_certificate_pdf(row.id, pdf):
                _emit_issued(row)
                total += 1
        db.session.commit()
        nudge()
    return total


def _emit_issued(certificate: Certificate) -> None:
    bus.emit(
        EventNames.CERTIFICATE_ISSUED,
        {
            "certificate_id": certificate.id,
            "registration_id": certificate.registration_id,
            "event_id": certificate.event_id,
            "number": certificate.number,
            "version": certificate.version,
            "issued_at": certificate.version_at,
            "download_url": download_url(certificate),
            "verify_url": verify_url(certificate),
        },
    )


# --- staff --------------------------------------------------------------------------------------------------------


def list_for_event(event_id: str, staff: StaffClaims) -> list[Certificate]:
    event_for_staff(event_id, staff)
    return store.list_certificates(event_id)


def for_staff(certificate_id: str, staff: StaffClaims) -> Certificate:
    """A certificate of an event staff may manage: 404 unknown, 403 another kabupaten's."""
    certificate = store.get_certificate(certificate_id) if len(certificate_id) <= 36 else None
    if certificate is None:
        raise RegistrationError("not_found", _("Sertifikat tidak ditemukan."), 404)
    event_for_staff(certificate.event_id, staff)
    return certificate


def reissue(certificate_id: str, full_name: str, staff: StaffClaims) -> Certificate:
    """Correct the name and reissue: the same number, the next version, a new PDF sent to the person."""
    certificate = for_staff(certificate_id, staff)
    if certificate.revoked_at is not None:
        raise RegistrationError("revoked", _("Sertifikat yang sudah dicabut tidak dapat diterbitkan ulang."))
    if certificate.pdf is None:
        raise RegistrationError("not_ready", _("Sertifikat ini sedang dibuat. Coba lagi sebentar lagi."))
    version, now = certificate.version, utcnow()
    signature = store.event_signatures({certificate.event_id}).get(certificate.event_id)
    wording = current_wording()
    db.session.expunge(certificate)
    db.session.rollback()
    certificate.full_name, certificate.version, certificate.version_at = full_name, version + 1, now
    pdf = render(certificate, signature, wording)  # no transaction open while WeasyPrint works
    if not store.reissue_certificate(certificate.id, version, full_name, pdf, now):
        db.session.rollback()
        raise RegistrationError("changed", _("Sertifikat ini baru saja diubah orang lain. Muat ulang halaman."))
    _emit_issued(certificate)
    audit("certificate.reissue", staff, event_id=certificate.event_id, object_id=certificate.id)
    db.session.commit()
    nudge()
    return store.get_certificate(certificate.id)


def revoke(certificate_id: str, reason: str, staff: StaffClaims) -> Certificate:
    """Revoke a certificate: its number stays its own; the verification page and the link say it is revoked.
    Revoking twice changes nothing."""
    certificate = for_staff(certificate_id, staff)
    if certificate.revoked_at is None:
        certificate.revoked_at, certificate.revoke_reason = utcnow(), reason[:500]
        bus.emit(
            EventNames.CERTIFICATE_REVOKED,
            {
                "certificate_id": certificate.id,
                "registration_id": certificate.registration_id,
                "event_id": certificate.event_id,
                "revoked_at": certificate.revoked_at,
            },
        )
        audit("certificate.revoke", staff, event_id=certificate.event_id, object_id=certificate.id)
        db.session.commit()
        nudge()
    return certificate


# --- public -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    certificate: Certificate
    #: "valid", "superseded" (the code is an older version's) or "revoked".
    state: str
    #: The version the code names.
    version: int


def verify(slug: str, code: str, version: str | None) -> Verdict:
    """What the verification page says of a number and check code; the same 404 for unknown and wrong alike."""
    not_found = RegistrationError("not_found", _("Sertifikat tidak ditemukan."), 404)
    if not (0 < len(slug) <= SLUG_MAX and len(code) == CHECK_LENGTH):
        raise not_found
    certificate = store.get_certificate_by_slug(slug)
    if certificate is None or certificate.pdf is None:
        raise not_found
    versions = range(1, certificate.version + 1)
    named = int(version) if version and version.isdigit() and len(version) <= 4 else certificate.version
    if named not in versions or not hmac.compare_digest(check_code(certificate.number, named), code.upper()):
        raise not_found
    if certificate.revoked_at is not None:
        return Verdict(certificate, "revoked", named)
    return Verdict(certificate, "valid" if named == certificate.version else "superseded", named)


def by_download_code(code: str) -> Certificate:
    """The certificate a short download link names; 404 for a malformed or unknown code, 410 once revoked."""
    code = code.upper()
    known = len(code) == CANCEL_CODE_LENGTH and all(char in CHECKIN_ALPHABET for char in code)
    certificate = store.get_certificate_by_download_code(code) if known else None
    if certificate is None or certificate.pdf is None:
        raise RegistrationError("not_found", _("Sertifikat tidak ditemukan."), 404)
    if certificate.revoked_at is not None:
        raise RegistrationError("revoked", _("Sertifikat ini sudah dicabut oleh panitia."), 410)
    return certificate
