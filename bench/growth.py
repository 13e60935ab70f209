"""Cost does not grow with the data: registrations/s into a store that already holds PREFILL registrations for the
event (and BACKGROUND more across EVENTS other events) against the same into an empty store, same run.

Two registration webs (the Procfile's gunicorn layout), each with its own store and Redis: "empty" (migrated and
seeded only) and "full" (the same, then PREFILL registrations of the measured event and BACKGROUND registrations
over EVENTS other events bulk-inserted straight into the store, each with its three consents; ANALYZE on
PostgreSQL). In ROUNDS rounds, taking turns, CONCURRENCY clients POST N / ROUNDS registrations to each web's
registration API as fast as it answers (a unique phone and email each; the same transaction as the form: the seat,
the registration, its consents and its outbox row). Figures: each side's registrations/s over all its rounds and
the ratio full/empty (target >= 0.9), and the ratio of each round (its median is the steadier figure on a shared
machine, where a neighbour's burst falls on one side of one round). No workers run: the web's work is what is measured.

Then, on PostgreSQL, EXPLAIN of every statement one registration runs (captured from the app in-process, on the
"full" store): a check that none of them scans a whole table (Seq Scan) of registrations, consents or outbox.

Full size: python -m bench.growth --stores sqlite,postgresql --background 1000000 --events 5000
"""

import threading
import time
import uuid
from datetime import timedelta

import requests
import sqlalchemy as sa

from bench.common import (
    Processes,
    Results,
    arguments,
    drop_postgres_schema,
    postgres_answers,
    postgres_schema,
    workspace,
)
from bench.stack import Stack, registration_body
from services.registration import notices

CONCURRENCY = 8
#: Tables a registration touches that grow with the data: a whole scan of one of them is the cost growing.
GROWING = ("registrations", "consents", "outbox", "events")


def burst(url: str, first: int, count: int, tag: str) -> tuple[int, int, float]:
    """POST `count` registrations with CONCURRENCY clients; return (accepted, errors, seconds)."""
    numbers = iter(range(first, first + count))
    lock, tally = threading.Lock(), {"ok": 0, "errors": 0}

    def client() -> None:
        session = requests.Session()
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            status = session.post(url, json=registration_body(n, tag), timeout=60).status_code
            with lock:
                tally["ok" if status == 201 else "errors"] += 1

    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally["ok"], tally["errors"], time.perf_counter() - started


def prefill(database_url: str, event_id: str, per_event: int, background: int, events: int) -> None:
    """Bulk-insert `per_event` registrations of `event_id`, and `background` over `events` copies of that event."""
    from services.registration.models import Consent, Event, Registration
    from shared.timeutil import utcnow

    engine = sa.create_engine(database_url)
    now = utcnow()
    with engine.begin() as connection:
        template = dict(connection.execute(sa.select(Event.__table__).where(Event.id == event_id)).mappings().one())
        others = [template | {"id": str(uuid.uuid4()), "title": f"Pelatihan {i}"} for i in range(events)]
        if others:
            connection.execute(sa.insert(Event.__table__), others)
    plan = [(event_id, per_event)] + [(e["id"], background // max(events, 1)) for e in others]
    serial = 0
    for target, count in plan:
        for start in range(0, count, 5000):
            rows, consents = [], []
            for i in range(start, min(start + 5000, count)):
                serial += 1
                rows.append(registration_row(target, serial, i, now))
                consents += [consent_row(rows[-1]["id"], p, now) for p in ("training", "messages", "statistics")]
            with engine.begin() as connection:
                connection.execute(sa.insert(Registration.__table__), rows)
                connection.execute(sa.insert(Consent.__table__), consents)
        with engine.begin() as connection:
            connection.execute(
                sa.update(Event.__table__)
                .where(Event.id == target)
                .values(confirmed_count=count, capacity=count + 100_000)
            )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def registration_row(event_id: str, serial: int, i: int, now) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "event_id": event_id,
        "status": "confirmed",
        "full_name": "Siti Rahmah",
        "phone": f"+62812{serial % 10**9:09d}",
        "email": f"isi{serial}@contoh.id",
        "preferred_channel": "email",
        "locale": "id",
        "kabupaten_code": "63.03",
        "gender": "female",
        "age_group": "26_35",
        "disability": "none",
        "accessibility_needs": "",
        "participant_type": "pkk_cadre",
        "institution": "",
        "checkin_code": f"B{serial:011d}",
        "cancel_code": f"c{serial:011d}",
        "registered_at": now - timedelta(seconds=i),
    }


def consent_row(registration_id: str, purpose: str, now) -> dict:
    return {"registration_id": registration_id, "purpose": purpose, "notice_version": notices.CURRENT, "given_at": now}


def explain_registration(database_url: str, redis_url: str, event_id: str) -> list[tuple[str, str]]:
    """Register one person in-process on `database_url`; return (statement, plan) of each SELECT/UPDATE/DELETE."""
    from services.registration.app import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url, OUTBOX_NUDGE=False)
    statements = []
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine

        def capture(conn, cursor, statement, parameters, context, executemany) -> None:
            statements.append((statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", capture)
        response = app.test_client().post(
            f"/api/v1/events/{event_id}/registrations", json=registration_body(999_999, "explain")
        )
        sa.event.remove(engine, "before_cursor_execute", capture)
        assert response.status_code == 201, response.get_data(as_text=True)[:500]
        plans = []
        with engine.connect() as connection:
            for statement, parameters in statements:
                if statement.lstrip().split(" ", 1)[0].upper() not in ("SELECT", "UPDATE", "DELETE"):
                    plans.append((statement, ""))  # an INSERT reads no table
                    continue
                rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
                plans.append((statement, "\n".join(row[0] for row in rows)))
        engine.dispose()
    return plans


def whole_scans(plans: list[tuple[str, str]], sizes: dict[str, float]) -> list[str]:
    """The statements whose plan reads a whole growing table that holds more than a few pages of rows (on a table of
    a handful of rows a sequential scan is the planner's right choice, and says nothing about growth)."""
    big = [table for table in GROWING if sizes.get(table, 0) > 1000]
    return [f"{s[:120]} -> {p}" for s, p in plans if any(f"Seq Scan on {table} " in p for table in big)]


def table_sizes(database_url: str) -> dict[str, float]:
    """Rows per table as PostgreSQL's statistics estimate them (after the prefill's ANALYZE)."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        query = "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relname = ANY(%(names)s)"
        query += " AND relnamespace = current_schema()::regnamespace"
        sizes = dict(connection.exec_driver_sql(query, {"names": list(GROWING)}).all())
    engine.dispose()
    return sizes


def one_store(label: str, urls: dict, results: Results, workdir, args) -> None:
    stacks = {}
    try:
        for side in ("empty", "full"):
            (workdir / label / side).mkdir(parents=True)
            stack = Stack(
                workdir / label / side,
                Processes(workdir / label / side),
                REGISTRATION_DATABASE_URL=urls[side],
                OUTBOX_NUDGE="0",
            )
            stacks[side] = (stack, None)  # stopped in the end whatever happens next
            stack.migrate("registration")
            stack.start_web("registration")
            stacks[side] = (stack, stack.create_event(100_000))
        stack, event_id = stacks["full"]
        started = time.perf_counter()
        prefill(urls["full"], event_id, args.prefill, args.background, args.events)
        results.add(f"{label}: prefill (setup)", "s", time.perf_counter() - started)
        total = {side: [0, 0, 0.0] for side in stacks}
        per_round = max(args.n // args.rounds, 1)
        for run in range(args.rounds):
            rate = {}
            for side, (stack, event_id) in stacks.items():
                url = f"{stack.webs['registration']}/api/v1/events/{event_id}/registrations"
                ok, errors, seconds = burst(url, run * per_round, per_round, f"{side}{run}")
                total[side] = [total[side][0] + ok, total[side][1] + errors, total[side][2] + seconds]
                rate[side] = ok / seconds
                print(f"{label} {side} round {run + 1}: {ok / seconds:.1f} reg/s, {errors} errors", flush=True)
            results.add(f"{label}: ratio full/empty of each round", "x", rate["full"] / rate["empty"])
        rates = {side: ok / seconds for side, (ok, _errors, seconds) in total.items()}
        for side, (ok, errors, _seconds) in total.items():
            results.add(f"{label} {side}: registrations/s", "1/s", rates[side])
            results.add(f"{label} {side}: errors", "count", errors)
            results.check(f"{label} {side}: 0 errors", errors == 0, f"{ok} accepted")
        results.add(f"{label}: ratio full/empty", "x", rates["full"] / rates["empty"])
        if label == "postgresql":
            full, event_id = stacks["full"]
            plans = explain_registration(urls["full"], full.redis_url, event_id)
            sizes = table_sizes(urls["full"])
            scans = whole_scans(plans, sizes)
            said = ", ".join(" ".join(statement.split()[:3]) for statement, _plan in plans)
            results.note(f"one registration's statements on PostgreSQL ({sizes}): {said}")
            results.check("postgresql: no registration statement scans a growing table", not scans, "; ".join(scans))
    finally:
        for stack, _event_id in stacks.values():
            stack.processes.stop_all()


def main() -> None:
    args = arguments(
        __doc__.splitlines()[0],
        n=(1500, "registrations per side (over the rounds)"),
        rounds=(5, "rounds, the sides taking turns"),
        prefill=(10_000, "registrations already in the measured event"),
        background=(0, "registrations over the other events (1000000 at full size)"),
        events=(0, "other events (5000 at full size)"),
        stores=("sqlite", "which stores: sqlite, postgresql or both (comma-separated)"),
    )
    if args.smoke:
        args.n, args.rounds, args.prefill, args.background, args.events = 60, 2, min(args.prefill, 500), 0, 0
    results = Results("growth", args)
    results.note(f"{args.prefill:,} in the event, {args.background:,} over {args.events:,} other events")
    results.note(f"{args.rounds} rounds taking turns, {CONCURRENCY} clients, API registrations, no workers")
    with workspace("growth") as (workdir, _processes):
        for label in args.stores.split(","):
            if label == "sqlite":
                urls = {side: f"sqlite:///{workdir}/{side}.sqlite3" for side in ("empty", "full")}
                one_store(label, urls, results, workdir, args)
            elif not postgres_answers():
                results.note("PostgreSQL at 127.0.0.1:5432 did not answer: its figures are missing")
            else:
                made = {side: postgres_schema(prefix=f"bench_gr_{side}") for side in ("empty", "full")}
                try:
                    one_store(label, {side: url for side, (url, _) in made.items()}, results, workdir, args)
                finally:
                    for _url, schema in made.values():
                        drop_postgres_schema(schema)
    results.write()


if __name__ == "__main__":
    main()
