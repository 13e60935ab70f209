"""Certificates: a batch of e-sertifikat issued by the job, against a bare WeasyPrint render of the same pages.

One SQLite registration store (migrated, seeded) gets a training that ended an hour ago with a signatory and
CERTIFICATES attendees checked in (setup, not timed). Then, in the same process and run:
- pelita: services.registration.certificates.issue_due(now): numbering, the rows, the QR codes, the HTML, the
  WeasyPrint renders, the PDFs stored and one certificate.issued per certificate in the outbox, committed in batches;
- baseline: weasyprint.HTML(string=page).write_pdf() of exactly the pages pelita rendered (their HTML made before
  the clock starts), one after the other, nothing stored.
Figures: seconds of each and their ratio (target: under 60 s for 300, at most 1.5 times the bare render). Checks:
every attendee got exactly one certificate with its own number, and a second run issues nothing.
"""

import time
import uuid
from datetime import timedelta

import sqlalchemy as sa

from bench.common import Results, arguments, workspace


def setup(app, count: int):
    """A training that ended an hour ago, with a signatory, and `count` people checked in."""
    from services.registration.extensions import db
    from services.registration.models import Event, Registration
    from shared.timeutil import utcnow

    now = utcnow()
    with app.app_context():
        event = Event(
            title="Pelatihan Literasi Digital untuk Pengelola Perpustakaan Desa",
            kabupaten_code="63.03",
            venue="Aula Dispersip Kabupaten Banjar, Martapura",
            starts_at=now - timedelta(hours=8),
            ends_at=now - timedelta(hours=1),
            capacity=count,
            confirmed_count=count,
            status="published",
            jp_hours=32,
            signatory_name="Dr. H. Nurliani, M.AP",
            signatory_title="Kepala Dinas Perpustakaan dan Kearsipan",
            signatory_nip="196805121990032004",
        )
        db.session.add(event)
        db.session.flush()
        for index in range(count):
            db.session.add(
                Registration(
                    event_id=event.id,
                    status="confirmed",
                    full_name=f"Peserta Pelatihan Nomor {index + 1}",
                    phone=f"+62812{index:08d}",
                    preferred_channel="sms",
                    kabupaten_code="63.03",
                    gender="female" if index % 2 else "male",
                    age_group="26_35",
                    disability="none",
                    participant_type="library_manager",
                    checkin_code=uuid.uuid4().hex[:12].upper(),
                    cancel_code=uuid.uuid4().hex[:10].upper(),
                    registered_at=now - timedelta(days=3, seconds=index),
                    checked_in_at=now - timedelta(hours=7),
                )
            )
        db.session.commit()
    return now


def warm_up(certificates, now) -> None:
    """Render one page before either clock starts: the first render loads Pango and the fonts, once per process."""
    from services.registration.models import Certificate

    sample = Certificate(
        number="000/WARM/I/2026", slug="000-WARM-I-2026", version=1, full_name="Pemanasan", title="Pemanasan",
        starts_at=now, ends_at=now, jp_hours=1, kabupaten_name="Kabupaten Banjar", signatory_name="Kepala",
        signatory_title="Kepala Dinas", signatory_nip="", version_at=now,
    )  # fmt: skip
    certificates.render(sample)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], certificates=(300, "certificates in the batch"))
    count = 5 if args.smoke else args.certificates
    results = Results("certificates", args)
    results.note(f"{count} certificates, one A4 page each, SQLite store; baseline: WeasyPrint alone on the same pages")
    import flask_migrate

    from services.registration import certdoc, certificates, seed
    from services.registration.app import create_app
    from services.registration.extensions import db
    from services.registration.models import Certificate

    with workspace("certificates") as (workdir, _processes):
        app = create_app(
            "development",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir}/registration.sqlite3",
            OUTBOX_NUDGE=False,
            RATELIMIT_STORAGE_URI="memory://",
        )
        with app.app_context():
            flask_migrate.upgrade()
            seed.seed_regions()
        for _ in range(args.runs):
            with app.app_context():
                db.session.execute(sa.delete(Certificate))
                db.session.commit()
            now = setup(app, count)
            with app.app_context():
                warm_up(certificates, now)
                started = time.perf_counter()
                done = certificates.issue_due(now)
                pelita = time.perf_counter() - started
                rows = list(db.session.scalars(sa.select(Certificate).where(Certificate.pdf.is_not(None))))
                numbers = {row.number for row in rows}
                results.check("one certificate per attendee", done.rendered == count and len(rows) >= count,
                              f"{done.rendered} rendered of {count}")  # fmt: skip
                results.check("numbers unique", len(numbers) == len(rows), f"{len(numbers)} numbers")
                results.check("a second run issues nothing", certificates.issue_due(now).numbered == 0)
                with app.test_request_context():
                    pages = [certdoc.page_html(row) for row in rows[-count:]]
                db.session.rollback()
            started = time.perf_counter()
            for page in pages:
                certdoc.to_pdf(page)
            bare = time.perf_counter() - started
            results.add("pelita batch", "s", pelita)
            results.add("bare WeasyPrint render", "s", bare)
            results.add("ratio pelita / bare", "x", pelita / bare)
            results.add("pelita per certificate", "ms", pelita / count * 1000)
    results.write()


if __name__ == "__main__":
    main()
