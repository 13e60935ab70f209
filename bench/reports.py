"""Report build: the monthly XLSX and PDF over a large reporting read model, against the bare GROUP BY queries.

For each store (a SQLite file; with --stores sqlite,postgresql also a private schema of the test PostgreSQL) inserts
in bulk (setup, not timed) EVENTS events starting last month across the 13 kabupaten/kota and REGISTRATIONS
registration facts spread over them (mixed status, gender, age group, disability, participant type, desa, check-ins)
plus one delivery fact per registration. Then, each in a fresh process so its peak RSS is its own:
- pelita: services.reporting.service.build_documents(Scope(last month), "monthly") - the XLSX and the PDF;
- baseline: the SQL the report needs and nothing else: the very statements the store runs for those figures
  (services.reporting.store.report_queries: the events, the GROUP BY counts per event, per attribute and per
  message outcome, the distinct villages), every row fetched, on a bare SQLAlchemy connection.
Also the dashboard page over the same read model (bench/dashboard.py: GET /dasbor for last month, fresh process).
Figures: wall seconds, CPU seconds (of that process: SQLite's work is in it, PostgreSQL's is not) and peak RSS
(VmHWM: the process's own, not the parent's it inherits in ru_maxrss) of each, and the ratio of seconds.
"""

import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from bench.common import (
    Results,
    arguments,
    drop_postgres_schema,
    postgres_answers,
    postgres_schema,
    python,
    workspace,
)

KABUPATEN = [f"63.{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 71, 72)]


def last_month() -> tuple[date, date]:
    first = datetime.now(UTC).date().replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


def populate(database_url: str, n_events: int, n_regs: int) -> None:
    """Insert the events, registrations and deliveries in bulk (setup, not timed): plain tuples through the driver's
    executemany (SQLite) or COPY (PostgreSQL), ids from a seeded generator, then ANALYZE on PostgreSQL (what its
    autovacuum does to a table that grew this much)."""
    rng = random.Random(6)
    start, end = last_month()
    days = (end - start).days + 1
    base = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=2)
    events = [
        (
            _uuid(rng),
            f"Pelatihan Perpustakaan Desa {i}",
            KABUPATEN[i % 13],
            "Aula",
            base + timedelta(days=i % days, minutes=i % 300),
            base + timedelta(days=i % days, hours=6),
            250,
            "cancelled" if i % 97 == 0 else "published",
        )
        for i in range(n_events)
    ]
    engine = sa.create_engine(database_url)
    write = _sqlite_writer if engine.dialect.name == "sqlite" else _copy_writer
    raw = engine.raw_connection()
    if engine.dialect.name == "sqlite":  # the indexes' pages stay in memory while they grow
        raw.cursor().execute("PRAGMA cache_size = -1000000")
    try:
        write(raw, "event_facts", EVENT_COLUMNS, events)
        chunk = 100_000
        for offset in range(0, n_regs, chunk):
            regs, deliveries = _facts(rng, events, offset, min(offset + chunk, n_regs))
            write(raw, "registration_facts", REGISTRATION_COLUMNS, regs)
            write(raw, "delivery_facts", DELIVERY_COLUMNS, deliveries)
            raw.commit()
        if engine.dialect.name == "postgresql":
            with raw.cursor() as cursor:
                cursor.execute("ANALYZE event_facts, registration_facts, delivery_facts")
            raw.commit()
    finally:
        raw.close()
        engine.dispose()


EVENT_COLUMNS = ("event_id", "title", "kabupaten_code", "venue", "starts_at", "ends_at", "capacity", "status")
REGISTRATION_COLUMNS = (
    "pseudonym",
    "event_id",
    "status",
    "kabupaten_code",
    "kecamatan_code",
    "desa_code",
    "gender",
    "age_group",
    "disability",
    "participant_type",
    "registered_at",
    "cancelled_at",
    "checked_in_at",
)
DELIVERY_COLUMNS = ("notification_id", "event_id", "purpose", "channel", "status", "at")
CHOICES = {
    "status": ["confirmed"] * 8 + ["waitlisted", "cancelled"],
    "gender": ["female", "male"],
    "age_group": ["under_18", "18_25", "26_35", "36_45", "46_55", "56_plus"],
    "disability": ["none"] * 9 + ["physical"],
    "participant_type": ["library_manager", "pkk_cadre", "public"],
    "channel": ["email", "sms", "whatsapp"],
}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _facts(rng: random.Random, events: list[tuple], first: int, last: int) -> tuple[list, list]:
    """The registration and delivery rows first..last-1 (one delivery per registration)."""
    n, n_events = last - first, len(events)
    picks = {name: rng.choices(values, k=n) for name, values in CHOICES.items()}
    checked, delivered = [rng.random() < 0.8 for _ in range(n)], [rng.random() < 0.95 for _ in range(n)]
    three_days, one_day = timedelta(days=3), timedelta(days=1)
    regs, deliveries = [], []
    for j, i in enumerate(range(first, last)):
        event_id, _title, kabupaten_code, _venue, starts_at = events[i % n_events][:5]
        status = picks["status"][j]
        kecamatan = f"{kabupaten_code}.{i % 20:02d}"
        regs.append(
            (
                f"{i:08x}{rng.getrandbits(96):024x}",  # a pseudonym: 32 hex digits, as registration makes them
                event_id,
                status,
                kabupaten_code,
                kecamatan,
                f"{kecamatan}.{2001 + i % 150}",
                picks["gender"][j],
                picks["age_group"][j],
                picks["disability"][j],
                picks["participant_type"][j],
                starts_at - three_days,
                starts_at - one_day if status == "cancelled" else None,
                starts_at if status == "confirmed" and checked[j] else None,
            )
        )
        deliveries.append(
            (
                f"{i:08x}-0000-4000-9000-{rng.getrandbits(48):012x}",
                event_id,
                "confirmation",
                picks["channel"][j],
                "delivered" if delivered[j] else "failed",
                starts_at - three_days,
            )
        )
    return regs, deliveries


def _sqlite_writer(raw, table: str, columns: tuple, rows: list[tuple]) -> None:
    """executemany of plain tuples; datetimes as SQLAlchemy stores them on SQLite (naive UTC text)."""

    def text(value):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value

    marks = ", ".join("?" * len(columns))
    cursor = raw.cursor()
    if not raw.driver_connection.in_transaction:  # Pelita's SQLite connections autocommit each statement
        cursor.execute("BEGIN")
    cursor.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", [tuple(map(text, row)) for row in rows]
    )
    cursor.close()


def _copy_writer(raw, table: str, columns: tuple, rows: list[tuple]) -> None:
    """PostgreSQL COPY (psycopg 3)."""
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM); ru_maxrss would also count the parent's, inherited at fork."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(kind: str, database_url: str) -> None:
    """Run one side in this (fresh) process; print {seconds, cpu_seconds, peak_rss_mb, ...} as JSON."""
    from services.reporting import service, store
    from services.reporting.app import create_app
    from services.reporting.figures import Scope

    scope = Scope(*last_month())
    extra = {}
    if kind == "pelita":
        app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
        started, cpu = time.perf_counter(), cpu_seconds()  # the build, not the imports
        with app.app_context():
            documents = service.build_documents(scope, "monthly", "id")
        extra = {name: len(doc.content) for name, doc in documents.items()}
    else:
        queries = store.report_queries(*scope.bounds(), scope.kabupaten_code)
        engine = sa.create_engine(database_url)
        started, cpu = time.perf_counter(), cpu_seconds()
        with engine.connect() as connection:
            for name, query in queries.items():
                extra[name] = len(connection.execute(query).all())
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": peak_rss_mb(), **extra}))


def measure(kind: str, database_url: str) -> dict:
    command = [python(), "-m", "bench.reports", "--child", kind, "--database-url", database_url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def one_store(label: str, database_url: str, results: Results, workdir, args) -> None:
    from services.reporting.app import create_app

    os.environ["PELITA_VAR_DIR"] = str(workdir / "var")
    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
    import flask_migrate

    with app.app_context():
        flask_migrate.upgrade()
        app.extensions["sqlalchemy"].engine.dispose()
    started = time.perf_counter()
    populate(database_url, args.events, args.registrations)
    results.add(f"{label}: insert read model (setup)", "s", time.perf_counter() - started)
    for _run in range(args.runs):
        bare = measure("baseline", database_url)
        pelita = measure("pelita", database_url)
        results.add(f"{label} pelita: XLSX+PDF build", "s", pelita["seconds"])
        results.add(f"{label} pelita: CPU", "s", pelita["cpu_seconds"])
        results.add(f"{label} pelita: peak RSS", "MB", pelita["peak_rss_mb"])
        results.add(f"{label} pelita: XLSX size", "bytes", pelita["xlsx"])
        results.add(f"{label} pelita: PDF size", "bytes", pelita["pdf"])
        results.add(f"{label} baseline: GROUP BY queries", "s", bare["seconds"])
        results.add(f"{label} baseline: CPU", "s", bare["cpu_seconds"])
        results.add(f"{label} baseline: peak RSS", "MB", bare["peak_rss_mb"])
        results.add(f"{label} ratio seconds Pelita/baseline", "x", pelita["seconds"] / bare["seconds"])
        command = [python(), "-m", "bench.dashboard", database_url]  # a fresh process: the page's own cost
        page = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        results.add(f"{label} dashboard: first GET /dasbor", "s", page["cold_seconds"])
        results.add(f"{label} dashboard: second GET /dasbor", "s", page["warm_seconds"])
        results.add(f"{label} dashboard: CPU of the first GET (this process)", "s", page["cold_cpu_seconds"])
        results.check(f"{label} dashboard answers 200", page["status"] == 200, f"{page['bytes']} bytes")
        print(
            f"{label}: pelita {pelita['seconds']:.2f}s, baseline {bare['seconds']:.2f}s; dashboard {page}", flush=True
        )


def main() -> None:
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1], sys.argv[sys.argv.index("--database-url") + 1])
        return
    args = arguments(
        __doc__.splitlines()[0],
        registrations=(1_000_000, "registration facts"),
        events=(5_000, "events"),
        stores=("sqlite", "which stores: sqlite, postgresql or both (comma-separated)"),
    )
    if args.smoke:
        args.registrations, args.events = min(args.registrations, 10_000), min(args.events, 50)
    results = Results("reports", args)
    results.note(f"{args.registrations:,} registrations over {args.events:,} events in last month")
    results.note("baseline: the store's own report queries (services.reporting.store.report_queries), rows fetched")
    with workspace("reports") as (workdir, _processes):
        for label in args.stores.split(","):
            if label == "sqlite":
                one_store(label, f"sqlite:///{workdir}/reporting.sqlite3", results, workdir, args)
            elif label == "postgresql":
                if not postgres_answers():
                    results.note("PostgreSQL at 127.0.0.1:5432 did not answer: its figures are missing")
                    continue
                url, schema = postgres_schema(prefix="bench_rep")
                try:
                    one_store(label, url, results, workdir, args)
                finally:
                    drop_postgres_schema(schema)
    results.write()


if __name__ == "__main__":
    main()
