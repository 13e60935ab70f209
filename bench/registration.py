"""Registration burst: the public form under gunicorn as deployed, against the bare stack, same run.

For each store (SQLite, then PostgreSQL in a private schema) this
1. migrates and seeds the registration store with the service's own commands (`flask db upgrade`, `seed`);
2. starts `gunicorn services.registration.wsgi:app` (the Procfile's workers, threads and worker class; the production
   config, as deployed: no debug mode, a Secure session cookie the clients send as a TLS proxy would) and creates
   a 55-seat event and a large one over the staff API;
3. starts the baseline (bench/baseline_app.py) beside it, under the same gunicorn settings on the same database;
4. sends an untimed warm-up burst to each (Pelita's to a third event); then, in ROUNDS rounds, one after the other:
   a burst at the 55-seat event, one at the large event, one at the baseline, each of N / ROUNDS submissions.
   A burst: CONCURRENCY clients, each with its own cookie session, first GET the form once per submission they
   will make (a CSRF token and a signed render time each; not timed, reported as form_get_rate), wait until
   FORM_MIN_SECONDS have passed since the last GET (the form takes a sooner submission for a bot's; not timed),
   then POST their submissions (each a unique phone) as fast as the server answers. Timed: the POSTs. Accepted =
   303 (not the one to the thank-you page a bot is sent to). Taking turns in short rounds means a slow spell of a
   shared machine falls on both sides alike, not on whichever side ran last; a rate is all its accepted POSTs over
   all its timed seconds;
5. counts each event's confirmed registrations in the store: must equal min(capacity, accepted);
6. ratio = Pelita's rate / the baseline's rate (the notes give each round's ratios too);
7. CPU per POST in the timed parts, each side's gunicorn (master and workers, from /proc) and this client: the two
   sides share the machine's cores with the client, so these say where a ratio comes from.

`--without csrf,rate-limit,...` (or `all`) measures Pelita with those parts of the form's work switched off
(bench/without_app.py) and writes registration-without.json: what they cost, not anything deployed.
"""

import os
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import requests
import sqlalchemy as sa

from bench import baseline_app, without_app
from bench.common import (
    Processes,
    Results,
    arguments,
    cpu_seconds,
    drop_postgres_schema,
    percentile,
    postgres_answers,
    postgres_cpu_seconds,
    postgres_schema,
    procfile_gunicorn,
    python,
    start_redis,
    wait_http,
    workspace,
)
from scripts.redis_local import free_port
from services.registration import notices
from services.registration.config import Config

GUNICORN = procfile_gunicorn("registration")  # the registration web as deployed
ADMIN_PASSWORD = "rahasia-admin-bench"
#: The form's hidden fields: the CSRF token and the signed render time.
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
#: The server under test keeps the form's bot check as deployed (docs/reliability.md): a submission sooner than this
#: after its form was shown is thanked and dropped, so the clients let this much pass after their GETs, untimed.
FORM_MIN_SECONDS = Config().FORM_MIN_SECONDS


def form_fields(phone: str, **overrides) -> dict:
    """The public form as a participant fills it (tests/integration/registration/test_public_form.py)."""
    fields = {
        "full_name": "Siti Rahmah",
        "phone": phone,
        "email": "",
        "preferred_channel": "whatsapp",
        "kabupaten_code": "63.03",
        "kecamatan_code": "63.03.05",
        "desa_code": "63.03.05.2009",
        "gender": "female",
        "age_group": "26_35",
        "disability": "none",
        "accessibility_needs": "",
        "participant_type": "library_manager",
        "institution": "",
        "consent": "true",  # the baseline's one box (Pelita reads the two below: they win)
        "consent_training": "ya",
        "consent_messages": "ya",
        "notice_version": notices.CURRENT,
        "website": "",
    }
    return fields | overrides


def phone(n: int) -> str:
    return f"0812-{n // 10000 % 10000:04d}-{n % 10000:04d}"


def burst(
    post_url: str, get_url: str | None, n: int, concurrency: int, first_phone: int, server_cpu=None, stores_cpu=None
) -> dict:
    """Send n form submissions from `concurrency` clients; return statuses, latencies, the timed rate and the CPU
    seconds the server (`server_cpu()`: its CPU so far), the stores (`stores_cpu()`: Redis and a local PostgreSQL)
    and this client spent in the timed part."""
    shares = [list(range(i, n, concurrency)) for i in range(concurrency)]
    tokens: list[list[dict]] = [[] for _ in range(concurrency)]
    sessions = [requests.Session() for _ in range(concurrency)]
    latencies: list[float] = []
    statuses: dict = {}
    lock = threading.Lock()

    def fetch(i: int) -> None:
        for _ in shares[i]:
            page = sessions[i].get(get_url, timeout=60)
            tokens[i].append(dict(HIDDEN.findall(page.text)) if page.status_code == 200 else {})
            for cookie in sessions[i].cookies:  # deployed, TLS ends at the proxy: the browser sends the Secure
                cookie.secure = False  # session cookie over https, and gunicorn gets it over http, as here

    def post(i: int, barrier: threading.Barrier) -> None:
        barrier.wait()
        mine_lat, mine_status = [], {}
        for k, index in enumerate(shares[i]):
            data = form_fields(phone(first_phone + index))
            if get_url:
                data |= tokens[i][k]
            start = time.perf_counter()
            try:
                status = _status(sessions[i].post(post_url, data=data, allow_redirects=False, timeout=120))
            except requests.RequestException as error:
                status = type(error).__name__
            mine_lat.append(time.perf_counter() - start)
            mine_status[status] = mine_status.get(status, 0) + 1
        with lock:
            latencies.extend(mine_lat)
            for key, count in mine_status.items():
                statuses[key] = statuses.get(key, 0) + count

    get_rate = None
    if get_url:
        start = time.perf_counter()
        _run([threading.Thread(target=fetch, args=(i,)) for i in range(concurrency)])
        get_rate = n / (time.perf_counter() - start)
        time.sleep(FORM_MIN_SECONDS)  # after every client's last GET: each of their forms has been open that long
        for session in sessions:  # idle since their last GET, maybe past gunicorn's keep-alive: start afresh, as
            session.close()  # the baseline's clients do (the cookie, and so the CSRF session, stays)
    barrier = threading.Barrier(concurrency + 1)
    threads = [threading.Thread(target=post, args=(i, barrier)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    cpu_before = _cpu(server_cpu, stores_cpu)  # read while the clients wait at the barrier: not in the timed part
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    server_seconds, stores_seconds, client_seconds = (
        after - before for after, before in zip(_cpu(server_cpu, stores_cpu), cpu_before, strict=True)
    )
    for session in sessions:
        session.close()
    accepted = statuses.get(303, 0)
    return {
        "rate": accepted / elapsed,
        "elapsed": elapsed,
        "latencies": latencies,
        "accepted": accepted,
        "errors": n - accepted,
        "statuses": statuses,
        "get_rate": get_rate,
        "n": n,
        "server_cpu": server_seconds,
        "stores_cpu": stores_seconds,
        "client_cpu": client_seconds,
    }


def _status(response: requests.Response) -> int | str:
    """The answer's status; a 303 to the thank-you page is a submission taken for a bot's, registered nowhere."""
    if response.status_code == 303 and response.headers.get("Location", "").endswith("/terima-kasih"):
        return "303 bot_suspected"
    return response.status_code


def _cpu(server_cpu, stores_cpu) -> tuple[float, float, float]:
    """(the server's CPU seconds so far, the stores', each 0 without a meter; this process's)."""
    times = os.times()
    return (server_cpu() if server_cpu else 0.0), (stores_cpu() if stores_cpu else 0.0), times.user + times.system


def combine(bursts: list[dict]) -> dict:
    """One figure set from a target's bursts: all accepted POSTs over all timed seconds, latencies pooled."""
    latencies = [value for out in bursts for value in out["latencies"]]
    statuses: dict = {}
    for out in bursts:
        for key, count in out["statuses"].items():
            statuses[key] = statuses.get(key, 0) + count
    accepted, elapsed = sum(out["accepted"] for out in bursts), sum(out["elapsed"] for out in bursts)
    get_seconds = sum(out["n"] / out["get_rate"] for out in bursts if out["get_rate"])
    return {
        "rate": accepted / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "accepted": accepted,
        "errors": sum(out["errors"] for out in bursts),
        "statuses": statuses,
        "get_rate": sum(out["n"] for out in bursts) / get_seconds if get_seconds else None,
        "server_cpu_ms": 1000 * sum(out["server_cpu"] for out in bursts) / sum(out["n"] for out in bursts),
        "stores_cpu_ms": 1000 * sum(out["stores_cpu"] for out in bursts) / sum(out["n"] for out in bursts),
        "client_cpu_ms": 1000 * sum(out["client_cpu"] for out in bursts) / sum(out["n"] for out in bursts),
    }


def _server_cpu(processes: Processes, name: str):
    """A meter of one gunicorn's CPU seconds so far (master and workers: the session it was started in)."""
    session = processes.started[name].pid
    return lambda: cpu_seconds(session)


def _stores_cpu(processes: Processes, label: str):
    """A meter of the stores' CPU seconds so far: the bench's Redis, and PostgreSQL's server when it runs here."""
    redis = processes.started["redis"].pid
    if label == "postgresql" and postgres_cpu_seconds() is not None:
        return lambda: cpu_seconds(redis) + (postgres_cpu_seconds() or 0.0)
    return lambda: cpu_seconds(redis)


def _run(threads) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def flask(env: dict, *args: str) -> None:
    import subprocess

    command = [python(), "-m", "flask", "--app", "services.registration.wsgi", *args]
    subprocess.run(command, env=env, check=True, capture_output=True, text=True)


def event_body(capacity: int) -> dict:
    start = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    return {
        "title": f"Bench {capacity} kursi",
        "kabupaten_code": "63.03",
        "venue": "Aula Dispersip Kabupaten Banjar, Martapura",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=6)).isoformat(),
        "capacity": capacity,
        "publish": True,
    }


def create_event(base: str, capacity: int) -> str:
    token = requests.post(
        f"{base}/api/v1/auth/token", json={"email": "admin@pelita.local", "password": ADMIN_PASSWORD}, timeout=30
    ).json()["token"]
    response = requests.post(
        f"{base}/api/v1/events", json=event_body(capacity), headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    response.raise_for_status()
    return response.json()["id"]


def confirmed(database_url: str, event_id: str) -> int:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(
            sa.text("SELECT count(*) FROM registrations WHERE event_id = :e AND status = 'confirmed'"), {"e": event_id}
        ).scalar_one()
    engine.dispose()
    return count


def gunicorn(processes: Processes, name: str, app: str, env: dict) -> str:
    port = free_port()
    process = processes.start(name, [python(), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *GUNICORN, app], env)
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", process=process)
    return base


def warm_up(pelita: str, baseline: str, concurrency: int, first_phone: int) -> None:
    """An untimed burst at each server first, as a deployed service has served before a registration opens: every
    worker process loads what it loads on first use (compiled patterns and statements, templates), on both sides.
    Pelita's goes to an event of its own, so the measured events' seats stay untouched."""
    url = f"{pelita}/acara/{create_event(pelita, 100_000)}/daftar"
    n = WARM_UP_PER_CLIENT * concurrency
    burst(url, url, n, concurrency, first_phone)
    burst(f"{baseline}/register", None, n, concurrency, first_phone + n)


#: Untimed submissions per client before the rounds (enough to reach every worker process and thread).
WARM_UP_PER_CLIENT = 4
#: The events each store is measured on: (name, capacity).
EVENTS = (("55", 55), ("large", 100_000))


def one_store(label: str, database_url: str, results: Results, processes: Processes, workdir, redis_url, args):
    env = {
        **os.environ,
        # As deployed: the production config (no debug mode), with the settings it refuses to start without.
        "APP_ENV": "production",
        "SECRET_KEY": "bench-only-secret-key-not-for-production",
        "STAFF_TOKEN_SECRET": "bench-only-staff-token-secret-not-for-production",
        "REGISTRATION_PUBLIC_URL": "http://127.0.0.1",
        "REGISTRATION_DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PELITA_VAR_DIR": str(workdir / f"var-{label}"),
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "REGISTRATION_FORM_RATE_LIMIT": "10000000 per minute",
        "PYTHONUNBUFFERED": "1",
    }
    flask(env, "db", "upgrade")
    flask(env, "seed", "--no-demo")
    baseline_app.create_table(database_url)
    n, c, rounds = args.n, args.concurrency, max(1, min(args.rounds, args.n))
    app = "services.registration.wsgi:app"
    if args.without:  # what the named parts cost: Pelita with them switched off, nothing deployed
        app, env = "bench.without_app:app", env | {"PELITA_BENCH_WITHOUT": args.without}
    for run in range(args.runs):
        pelita = gunicorn(processes, f"pelita-{label}", app, env)
        baseline = gunicorn(
            processes, f"baseline-{label}", "bench.baseline_app:app", env | {"BASELINE_DATABASE_URL": database_url}
        )
        events = {size: create_event(pelita, capacity) for size, capacity in EVENTS}
        warm_up(pelita, baseline, c, (run * 3 + 3) * 1_000_000)
        targets = [*(size for size, _ in EVENTS), "baseline"]
        meters = {side: _server_cpu(processes, f"{side}-{label}") for side in ("pelita", "baseline")}
        stores = _stores_cpu(processes, label)
        bursts: dict[str, list[dict]] = {target: [] for target in targets}
        for number in range(rounds):
            share = n // rounds + (1 if number < n % rounds else 0)
            for index, target in enumerate(targets):
                first_phone = (run * 3 + index) * 1_000_000 + number * (n // rounds + 1)
                if target == "baseline":
                    out = burst(f"{baseline}/register", None, share, c, first_phone, meters["baseline"], stores)
                else:
                    url = f"{pelita}/acara/{events[target]}/daftar"
                    out = burst(url, url, share, c, first_phone, meters["pelita"], stores)
                bursts[target].append(out)
            ratios = [bursts[size][-1]["rate"] / bursts["baseline"][-1]["rate"] for size, _ in EVENTS]
            results.note(f"{label} run {run + 1} round {number + 1}: ratios " + " / ".join(f"{r:.2f}" for r in ratios))
        processes.stop(f"pelita-{label}")
        processes.stop(f"baseline-{label}")
        base = combine(bursts["baseline"])
        for size, capacity in EVENTS:
            out = combine(bursts[size])
            got = confirmed(database_url, events[size])
            key = f"{label} {size}-seat"
            results.add(f"{key}: registrations/s", "1/s", out["rate"])
            results.add(f"{key}: p50 latency", "s", out["p50"])
            results.add(f"{key}: p99 latency", "s", out["p99"])
            results.add(f"{key}: errors", "count", out["errors"])
            results.add(f"{key}: confirmed", "count", got)
            results.add(f"{key}: form GET rate (untimed phase)", "1/s", out["get_rate"])
            results.add(f"{key}: ratio Pelita/baseline", "x", out["rate"] / base["rate"] if base["rate"] else None)
            results.add(f"{key}: server CPU per POST", "ms", out["server_cpu_ms"])
            results.add(f"{key}: stores' CPU per POST", "ms", out["stores_cpu_ms"])
            results.add(f"{key}: client CPU per POST", "ms", out["client_cpu_ms"])
            results.check(
                f"{key}: confirmed == min(capacity, accepted)",
                got == min(capacity, out["accepted"]),
                f"run {run + 1}: {got} confirmed, capacity {capacity}, accepted {out['accepted']}"
                + (f", statuses {out['statuses']}" if out["errors"] else ""),
            )
            results.check(f"{key}: 0 errors", out["errors"] == 0, f"run {run + 1}: statuses {out['statuses']}")
            print(
                f"{key}: {out['rate']:.1f}/s p50 {out['p50']:.3f}s p99 {out['p99']:.3f}s "
                f"accepted {out['accepted']} errors {out['errors']} confirmed {got}",
                flush=True,
            )
        results.add(f"{label} baseline: inserts/s", "1/s", base["rate"])
        results.add(f"{label} baseline: p50 latency", "s", base["p50"])
        results.add(f"{label} baseline: p99 latency", "s", base["p99"])
        results.add(f"{label} baseline: errors", "count", base["errors"])
        results.add(f"{label} baseline: server CPU per POST", "ms", base["server_cpu_ms"])
        results.add(f"{label} baseline: stores' CPU per POST", "ms", base["stores_cpu_ms"])
        results.add(f"{label} baseline: client CPU per POST", "ms", base["client_cpu_ms"])
        results.check(f"{label} baseline: 0 errors", base["errors"] == 0, f"run {run + 1}: statuses {base['statuses']}")
        print(
            f"{label} baseline: {base['rate']:.1f}/s p50 {base['p50']:.3f}s p99 {base['p99']:.3f}s "
            f"errors {base['errors']}",
            flush=True,
        )


def main() -> None:
    args = arguments(
        __doc__.splitlines()[0],
        n=(5000, "form submissions per event"),
        concurrency=(32, "clients at once"),
        stores=("sqlite,postgresql", "which stores"),
        rounds=(5, "turns Pelita and the baseline take, N / ROUNDS submissions each"),
        without=("", f"switch these parts off in Pelita ({', '.join(without_app.PARTS)}, or all)"),
    )
    try:  # an unknown name stops here, before anything starts
        without = without_app.parts(args.without)
    except ValueError as error:
        raise SystemExit(f"--without: {error}") from None
    if args.smoke:
        args.n, args.concurrency, args.rounds = min(args.n, 64), min(args.concurrency, 8), min(args.rounds, 2)
    results = Results("registration-without" if without else "registration", args)
    if without:
        results.note("Pelita WITHOUT " + "; ".join(f"{name}: {without_app.PARTS[name]}" for name in without))
    results.note(f"{args.n} submissions per event at concurrency {args.concurrency}; gunicorn {' '.join(GUNICORN)}")
    results.note("timed: the POSTs; each client GETs its CSRF tokens first (form GET rate), the baseline needs none")
    results.note(
        f"untimed between a burst's GETs and its POSTs: FORM_MIN_SECONDS ({FORM_MIN_SECONDS:g} s), as deployed"
    )
    results.note(
        "a POST's answer is the 303; neither bench follows it (Pelita's confirmation page is a GET of its own)"
    )
    with workspace("registration") as (workdir, processes):
        redis_url = start_redis(processes, free_port(), workdir)
        for label in args.stores.split(","):
            if label == "sqlite":
                one_store(
                    label, f"sqlite:///{workdir}/registration.sqlite3", results, processes, workdir, redis_url, args
                )
            elif label == "postgresql":
                if not postgres_answers():
                    results.note("PostgreSQL at 127.0.0.1:5432 did not answer: its figures are missing")
                    continue
                url, schema = postgres_schema(prefix="bench_reg")
                try:
                    one_store(label, url, results, processes, workdir, redis_url, args)
                finally:
                    drop_postgres_schema(schema)
    results.write()


if __name__ == "__main__":
    main()
