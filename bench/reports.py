"""Report build: the monthly XLSX and PDF over a large reporting read model, against the bare GROUP BY queries.

Inserts (bulk, straight into the reporting store, a SQLite file) EVENTS events starting last month across the 13
kabupaten/kota and REGISTRATIONS registration facts spread over them (mixed status, gender, age group, disability,
participant type, desa, check-ins) plus one delivery fact per registration. Then, each in a fresh process so its
peak RSS is its own:
- pelita: services.reporting.service.build_documents(Scope(last month), "monthly") - the XLSX and the PDF;
- baseline: the plain SQL GROUP BY queries those figures need (headline, five breakdowns, channels, per event).
Figures: seconds and peak RSS of each, and the ratio of seconds.
"""

import json
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from bench.common import Results, arguments, python, workspace

KABUPATEN = [f"63.{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 71, 72)]
BASELINE_QUERIES = {
    "headline": "SELECT r.status, r.checked_in_at IS NOT NULL, r.disability != 'none', count(*) "
    "FROM registration_facts r JOIN event_facts e ON e.event_id = r.event_id "
    "WHERE e.starts_at >= :s AND e.starts_at < :t GROUP BY 1, 2, 3",
    "villages": "SELECT count(DISTINCT r.desa_code) FROM registration_facts r JOIN event_facts e "
    "ON e.event_id = r.event_id WHERE e.starts_at >= :s AND e.starts_at < :t "
    "AND r.status IN ('confirmed','waitlisted')",
    **{
        column: f"SELECT r.{column}, r.checked_in_at IS NOT NULL, count(*) FROM registration_facts r "
        "JOIN event_facts e ON e.event_id = r.event_id WHERE e.starts_at >= :s AND e.starts_at < :t "
        "AND r.status IN ('confirmed','waitlisted') GROUP BY 1, 2"
        for column in ("kabupaten_code", "gender", "age_group", "disability", "participant_type")
    },
    "channels": "SELECT d.channel, d.status, count(*) FROM delivery_facts d JOIN event_facts e "
    "ON e.event_id = d.event_id WHERE e.starts_at >= :s AND e.starts_at < :t GROUP BY 1, 2",
    "per_event": "SELECT e.event_id, r.status, r.checked_in_at IS NOT NULL, r.disability != 'none', count(*) "
    "FROM event_facts e LEFT JOIN registration_facts r ON r.event_id = e.event_id "
    "WHERE e.starts_at >= :s AND e.starts_at < :t GROUP BY 1, 2, 3, 4",
    "per_event_messages": "SELECT d.event_id, d.status, count(*) FROM delivery_facts d JOIN event_facts e "
    "ON e.event_id = d.event_id WHERE e.starts_at >= :s AND e.starts_at < :t GROUP BY 1, 2",
}


def last_month() -> tuple[date, date]:
    first = datetime.now(UTC).date().replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


def populate(database_url: str, n_events: int, n_regs: int) -> None:
    from services.reporting.models import DeliveryFact, EventFact, RegistrationFact

    rng = random.Random(6)
    start, end = last_month()
    days = (end - start).days + 1
    base = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=2)
    events = [
        {
            "event_id": str(uuid.uuid4()),
            "title": f"Pelatihan Perpustakaan Desa {i}",
            "kabupaten_code": KABUPATEN[i % 13],
            "venue": "Aula",
            "starts_at": base + timedelta(days=i % days, minutes=i % 300),
            "ends_at": base + timedelta(days=i % days, hours=6),
            "capacity": 250,
            "status": "cancelled" if i % 97 == 0 else "published",
        }
        for i in range(n_events)
    ]
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.insert(EventFact.__table__), events)
    choices = {
        "status": ["confirmed"] * 8 + ["waitlisted", "cancelled"],
        "gender": ["female", "male"],
        "age_group": ["under_18", "18_25", "26_35", "36_45", "46_55", "56_plus"],
        "disability": ["none"] * 9 + ["physical"],
        "participant_type": ["library_manager", "pkk_cadre", "public"],
        "channel": ["email", "sms", "whatsapp"],
    }
    chunk = 50_000
    for offset in range(0, n_regs, chunk):
        regs, deliveries = [], []
        for i in range(offset, min(offset + chunk, n_regs)):
            event = events[i % n_events]
            status = rng.choice(choices["status"])
            registration_id = str(uuid.uuid4())
            regs.append(
                {
                    "registration_id": registration_id,
                    "event_id": event["event_id"],
                    "status": status,
                    "kabupaten_code": event["kabupaten_code"],
                    "kecamatan_code": f"{event['kabupaten_code']}.{i % 20:02d}",
                    "desa_code": f"{event['kabupaten_code']}.{i % 20:02d}.{2001 + i % 150}",
                    "gender": rng.choice(choices["gender"]),
                    "age_group": rng.choice(choices["age_group"]),
                    "disability": rng.choice(choices["disability"]),
                    "participant_type": rng.choice(choices["participant_type"]),
                    "registered_at": event["starts_at"] - timedelta(days=3),
                    "cancelled_at": event["starts_at"] - timedelta(days=1) if status == "cancelled" else None,
                    "checked_in_at": event["starts_at"] if status == "confirmed" and rng.random() < 0.8 else None,
                }
            )
            deliveries.append(
                {
                    "notification_id": str(uuid.uuid4()),
                    "event_id": event["event_id"],
                    "purpose": "confirmation",
                    "channel": rng.choice(choices["channel"]),
                    "status": "delivered" if rng.random() < 0.95 else "failed",
                    "at": event["starts_at"] - timedelta(days=3),
                }
            )
        with engine.begin() as connection:
            connection.execute(sa.insert(RegistrationFact.__table__), regs)
            connection.execute(sa.insert(DeliveryFact.__table__), deliveries)
    engine.dispose()


def child(kind: str, database_url: str) -> None:
    """Run one side in this (fresh) process; print {seconds, peak_rss_mb, ...} as JSON."""
    start_day, end_day = last_month()
    started = time.perf_counter()
    extra = {}
    if kind == "pelita":
        from services.reporting import service
        from services.reporting.app import create_app
        from services.reporting.figures import Scope

        app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
        started = time.perf_counter()  # the build, not the imports
        with app.app_context():
            documents = service.build_documents(Scope(start_day, end_day), "monthly", "id")
        extra = {name: len(doc.content) for name, doc in documents.items()}
    else:
        from services.reporting.figures import Scope

        lo, hi = Scope(start_day, end_day).bounds()
        lo, hi = lo.astimezone(UTC).replace(tzinfo=None), hi.astimezone(UTC).replace(tzinfo=None)
        engine = sa.create_engine(database_url)
        started = time.perf_counter()
        with engine.connect() as connection:
            for name, query in BASELINE_QUERIES.items():
                extra[name] = len(connection.execute(sa.text(query), {"s": lo, "t": hi}).all())
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, **extra}))


def measure(kind: str, database_url: str) -> dict:
    command = [python(), "-m", "bench.reports", "--child", kind, "--database-url", database_url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1], sys.argv[sys.argv.index("--database-url") + 1])
        return
    args = arguments(
        __doc__.splitlines()[0],
        registrations=(1_000_000, "registration facts"),
        events=(5_000, "events"),
    )
    if args.smoke:
        args.registrations, args.events = min(args.registrations, 10_000), min(args.events, 50)
    results = Results("reports", args)
    results.note(f"{args.registrations:,} registrations over {args.events:,} events in last month; SQLite store")
    with workspace("reports") as (workdir, _processes):
        database_url = f"sqlite:///{workdir}/reporting.sqlite3"
        import os

        os.environ["PELITA_VAR_DIR"] = str(workdir / "var")
        from services.reporting.app import create_app

        app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
        import flask_migrate

        with app.app_context():
            flask_migrate.upgrade()
            app.extensions["sqlalchemy"].engine.dispose()
        started = time.perf_counter()
        populate(database_url, args.events, args.registrations)
        results.add("insert read model", "s", time.perf_counter() - started)
        for _run in range(args.runs):
            bare = measure("baseline", database_url)
            pelita = measure("pelita", database_url)
            results.add("pelita: XLSX+PDF build", "s", pelita["seconds"])
            results.add("pelita: peak RSS", "MB", pelita["peak_rss_mb"])
            results.add("pelita: XLSX size", "bytes", pelita["xlsx"])
            results.add("pelita: PDF size", "bytes", pelita["pdf"])
            results.add("baseline: GROUP BY queries", "s", bare["seconds"])
            results.add("baseline: peak RSS", "MB", bare["peak_rss_mb"])
            results.add("ratio seconds Pelita/baseline", "x", pelita["seconds"] / bare["seconds"])
    results.write()


if __name__ == "__main__":
    main()
