"""Registration burst: the public form under gunicorn as deployed, against two baselines, same run.

For each store (SQLite, then PostgreSQL in a private schema) this
1. migrates and seeds the registration store with the service's own commands (`flask db upgrade`, `seed`);
2. starts `gunicorn services.registration.wsgi:app` (the Procfile's workers, threads and worker class; the production
   config, as deployed: no debug mode, a Secure session cookie the clients send as a TLS proxy would) and creates
   a 55-seat event and a large one over the staff API;
3. starts, beside it under the same gunicorn settings on the same database, the INSERT-only baseline
   (bench/baseline_app.py: what the protections cost) and the fair baseline (bench/fair_app.py: the same
   protections from the stock libraries, on a large event of its own); in getpost mode also Pelita's form as it was
   served before its page cache (bench/without_app.py, page-cache; a large event of its own);
4. sends an untimed warm-up burst to each (to events of their own); then, in ROUNDS rounds, one after the other,
   for each mode, a burst at each target of N / ROUNDS submissions from CONCURRENCY clients:
   - `post`: each client, with its own cookie session, first GETs the form once per submission it will make (not
     timed, reported as form_get_rate), then POSTs them (each a unique phone) as fast as the server answers.
     Timed: the POSTs (the INSERT-only baseline has no form: it gets the POSTs only);
   - `getpost`: each simulated phone GETs the form on a new connection, then POSTs it on another. Timed: both.
   Accepted = 303 (not the one to the thank-you page a bot is sent to). Taking turns in short rounds means a slow
   spell of a shared machine falls on every side alike; a rate is all its accepted POSTs over all its timed seconds;
5. counts each event's confirmed registrations in the store: must equal min(capacity, accepted);
6. ratios = Pelita's rate / each baseline's (the notes give each round's ratios to the fair baseline too);
7. CPU per registration in the timed parts, each side's gunicorn (master and workers, from /proc), the stores and
   this client: the sides share the machine's cores with the client, so these say where a ratio comes from.

The form's bot check runs in full, with FORM_MIN_SECONDS = 0 (below). `--without csrf,rate-limit,...` (or `all`:
every protection) measures Pelita with those parts of the form's work switched off (bench/without_app.py) and writes
registration-without.json: what they cost, not anything deployed.
"""

import os
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import requests
import sqlalchemy as sa

from bench import baseline_app, fair_app, without_app
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

GUNICORN = procfile_gunicorn("registration")  # the registration web as deployed
ADMIN_PASSWORD = "rahasia-admin-bench"
#: The form's hidden fields: the CSRF token and the signed render time.
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
#: The form's bot check runs in full on the server under test (its signed render time read and its age compared), but
#: with a threshold of 0 s: a person spends more than the deployed 3 s filling the form, and a simulated phone that
#: idled that long would only measure the wait. (A submission sooner than FORM_MIN_SECONDS is thanked and dropped.)
FORM_MIN_SECONDS = 0.0


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


def confirmed(database_url: str, event_id: str, table: str = "registrations") -> int:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE event_id = :e AND status = 'confirmed'"), {"e": event_id}
        ).scalar_one()
    engine.dispose()
    return count


def gunicorn(processes: Processes, name: str, app: str, env: dict) -> str:
    port = free_port()
    process = processes.start(name, [python(), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *GUNICORN, app], env)
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", process=process)
    return base


def getpost_burst(url: str, n: int, concurrency: int, first_phone: int, server_cpu=None, stores_cpu=None) -> dict:
    """`--mode getpost`: n registrations as phones make them, `concurrency` at once, all timed. Each phone GETs the
    form on a new connection (its own cookie session), then POSTs it with the page's hidden fields on another new
    connection; accepted = the POST's 303 (not to the thank-you page a bot is sent to). Latency: GET + POST."""
    shares = [list(range(i, n, concurrency)) for i in range(concurrency)]
    latencies: list[float] = []
    statuses: dict = {}
    lock = threading.Lock()
    close = {"Connection": "close"}  # a phone's GET and POST each on a connection of its own

    def phone_(i: int, barrier: threading.Barrier) -> None:
        barrier.wait()
        mine_lat, mine_status = [], {}
        for index in shares[i]:
            start = time.perf_counter()
            with requests.Session() as session:
                try:
                    page = session.get(url, headers=close, timeout=60)
                    for cookie in session.cookies:  # the Secure cookie, sent over http as a TLS proxy does
                        cookie.secure = False
                    data = form_fields(phone(first_phone + index)) | dict(HIDDEN.findall(page.text))
                    answer = session.post(url, data=data, headers=close, allow_redirects=False, timeout=120)
                    status = _status(answer) if page.status_code == 200 else f"GET {page.status_code}"
                except requests.RequestException as error:
                    status = type(error).__name__
            mine_lat.append(time.perf_counter() - start)
            mine_status[status] = mine_status.get(status, 0) + 1
        with lock:
            latencies.extend(mine_lat)
            for key, count in mine_status.items():
                statuses[key] = statuses.get(key, 0) + count

    barrier = threading.Barrier(concurrency + 1)
    threads = [threading.Thread(target=phone_, args=(i, barrier)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    cpu_before = _cpu(server_cpu, stores_cpu)
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    server_seconds, stores_seconds, client_seconds = (
        after - before for after, before in zip(_cpu(server_cpu, stores_cpu), cpu_before, strict=True)
    )
    accepted = statuses.get(303, 0)
    return {
        "rate": accepted / elapsed,
        "elapsed": elapsed,
        "latencies": latencies,
        "accepted": accepted,
        "errors": n - accepted,
        "statuses": statuses,
        "get_rate": None,
        "n": n,
        "server_cpu": server_seconds,
        "stores_cpu": stores_seconds,
        "client_cpu": client_seconds,
    }


def warm_up(servers: dict, urls: dict, concurrency: int, first_phone: int) -> None:
    """An untimed burst at each server first, as a deployed service has served before a registration opens: every
    worker process loads what it loads on first use (compiled patterns and statements, templates), on every side.
    Pelita's and the fair baseline's go to events of their own, so the measured events' seats stay untouched."""
    pelita = f"{servers['pelita']}/acara/{create_event(servers['pelita'], 100_000)}/daftar"
    n = WARM_UP_PER_CLIENT * concurrency
    burst(pelita, pelita, n, concurrency, first_phone)
    getpost_burst(pelita, n, concurrency, first_phone + n)
    burst(urls["baseline"], None, n, concurrency, first_phone + 2 * n)
    getpost_burst(urls["fair-warm-up"], n, concurrency, first_phone + 3 * n)


#: Untimed submissions per client before the rounds (enough to reach every worker process and thread).
WARM_UP_PER_CLIENT = 4
#: The events each store is measured on: (name, capacity).
EVENTS = (("55", 55), ("large", 100_000))
#: What a round measures in each mode: Pelita's events, the INSERT-only baseline (POSTs only), the fair baseline.
#: In getpost mode also Pelita's form as served before its page cache (bench/without_app.py, page-cache), on a large
#: event of its own: today's figure against which the cache is measured, in the same run.
TARGETS = {"post": ("55", "large", "baseline", "fair"), "getpost": ("55", "large", "fair", "today")}
#: The side (gunicorn) behind each target.
SIDE = {"55": "pelita", "large": "pelita", "baseline": "baseline", "fair": "fair", "today": "today"}
#: The modes, in the order a round runs them.
MODES = ("post", "getpost")
#: Where each benchmark's phones start (warm-ups past all measured ones): every event's phones stay unique.
WARM_UP_PHONES = 90_000_000


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
        "FORM_MIN_SECONDS": str(FORM_MIN_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }
    flask(env, "db", "upgrade")
    flask(env, "seed", "--no-demo")
    baseline_app.create_table(database_url)
    n, c, rounds = args.n, args.concurrency, max(1, min(args.rounds, args.n))
    modes = args.modes
    app = "services.registration.wsgi:app"
    if args.without:  # what the named parts cost: Pelita with them switched off, nothing deployed
        app, env = "bench.without_app:app", env | {"PELITA_BENCH_WITHOUT": args.without}
    for run in range(args.runs):
        fair_event, fair_warm_up = (fair_app.create_event(database_url, 100_000) for _ in range(2))
        servers = {
            "pelita": gunicorn(processes, f"pelita-{label}", app, env),
            "baseline": gunicorn(
                processes, f"baseline-{label}", "bench.baseline_app:app", env | {"BASELINE_DATABASE_URL": database_url}
            ),
            "fair": gunicorn(
                processes,
                f"fair-{label}",
                "bench.fair_app:app",
                env | {"FAIR_DATABASE_URL": database_url, "BASELINE_BROKER_URL": redis_url},
            ),
        }
        events = {size: create_event(servers["pelita"], capacity) for size, capacity in EVENTS}
        today = "getpost" in modes and not args.without  # Pelita as before the page cache, beside it
        plan = {mode: [target for target in TARGETS[mode] if target != "today" or today] for mode in modes}
        if today:
            before = env | {"PELITA_BENCH_WITHOUT": "page-cache"}
            servers["today"] = gunicorn(processes, f"today-{label}", "bench.without_app:app", before)
            events["today"] = create_event(servers["today"], 100_000)
            warm = f"{servers['today']}/acara/{create_event(servers['today'], 100_000)}/daftar"
            getpost_burst(warm, WARM_UP_PER_CLIENT * c, c, WARM_UP_PHONES + 500_000 + run * 1_000_000)
        urls = {
            "today": f"{servers.get('today')}/acara/{events.get('today')}/daftar",
            **{size: f"{servers['pelita']}/acara/{events[size]}/daftar" for size, _ in EVENTS},
            "baseline": f"{servers['baseline']}/register",
            "fair": f"{servers['fair']}/acara/{fair_event}/daftar",
            "fair-warm-up": f"{servers['fair']}/acara/{fair_warm_up}/daftar",
        }
        warm_up(servers, urls, c, WARM_UP_PHONES + run * 1_000_000)
        meters = {side: _server_cpu(processes, f"{side}-{label}") for side in servers}
        stores = _stores_cpu(processes, label)
        bursts = {(mode, target): [] for mode in modes for target in plan[mode]}
        for number in range(rounds):
            share = n // rounds + (1 if number < n % rounds else 0)
            for mode in modes:
                for index, target in enumerate(plan[mode]):
                    first = (run * 10 + MODES.index(mode) * 5 + index) * 1_000_000 + number * (n // rounds + 1)
                    meter, url = meters[SIDE[target]], urls[target]
                    if mode == "getpost":
                        out = getpost_burst(url, share, c, first, meter, stores)
                    else:
                        out = burst(url, url if SIDE[target] != "baseline" else None, share, c, first, meter, stores)
                    bursts[mode, target].append(out)
                ratios = [bursts[mode, size][-1]["rate"] / bursts[mode, "fair"][-1]["rate"] for size, _ in EVENTS]
                results.note(
                    f"{label} {mode} run {run + 1} round {number + 1}: ratios to the fair baseline "
                    + " / ".join(f"{r:.2f}" for r in ratios)
                )
        for side in servers:
            processes.stop(f"{side}-{label}")
        for mode in modes:
            report(label, modes, mode, bursts, (events, fair_event), database_url, results, run)


def report(label, modes, mode, bursts, stored, database_url, results, run) -> None:
    """Add one store's figures of one mode and run: Pelita's events, their ratios, the baselines; after the last
    mode, the stores' counts (both modes fill the same events)."""
    events, fair_event = stored
    suffix = "" if mode == "post" else " getpost"
    per = "POST" if mode == "post" else "registration (GET + POST)"
    fair = combine(bursts[mode, "fair"])
    base = combine(bursts[mode, "baseline"]) if (mode, "baseline") in bursts else None
    today = None
    for size, _ in EVENTS:
        out = combine(bursts[mode, size])
        key = f"{label} {size}-seat{suffix}"
        results.add(f"{key}: registrations/s", "1/s", out["rate"])
        results.add(f"{key}: p50 latency", "s", out["p50"])
        results.add(f"{key}: p99 latency", "s", out["p99"])
        results.add(f"{key}: errors", "count", out["errors"])
        if mode == "post":
            results.add(f"{key}: form GET rate (untimed phase)", "1/s", out["get_rate"])
        results.add(f"{key}: ratio Pelita/fair baseline", "x", out["rate"] / fair["rate"] if fair["rate"] else None)
        if base is not None:
            results.add(f"{key}: ratio Pelita/baseline", "x", out["rate"] / base["rate"] if base["rate"] else None)
        results.add(f"{key}: server CPU per {per}", "ms", out["server_cpu_ms"])
        results.add(f"{key}: stores' CPU per {per}", "ms", out["stores_cpu_ms"])
        results.add(f"{key}: client CPU per {per}", "ms", out["client_cpu_ms"])
        results.check(f"{key}: 0 errors", out["errors"] == 0, f"run {run + 1}: statuses {out['statuses']}")
        print(
            f"{key}: {out['rate']:.1f}/s p50 {out['p50']:.3f}s p99 {out['p99']:.3f}s "
            f"accepted {out['accepted']} errors {out['errors']}",
            flush=True,
        )
    if (mode, "today") in bursts:
        today = combine(bursts[mode, "today"])
        ratio = combine(bursts[mode, "large"])["rate"] / today["rate"] if today["rate"] else None
        results.add(f"{label} large-seat{suffix}: ratio Pelita/Pelita before the page cache", "x", ratio)
    for name, figures in (("baseline", base), ("fair baseline", fair), ("before the page cache", today)):
        if figures is None:
            continue
        key = f"{label} {name}{suffix}"
        results.add(f"{key}: registrations/s", "1/s", figures["rate"])
        results.add(f"{key}: p50 latency", "s", figures["p50"])
        results.add(f"{key}: p99 latency", "s", figures["p99"])
        results.add(f"{key}: errors", "count", figures["errors"])
        results.add(f"{key}: server CPU per {per}", "ms", figures["server_cpu_ms"])
        results.add(f"{key}: stores' CPU per {per}", "ms", figures["stores_cpu_ms"])
        results.add(f"{key}: client CPU per {per}", "ms", figures["client_cpu_ms"])
        results.check(f"{key}: 0 errors", figures["errors"] == 0, f"run {run + 1}: statuses {figures['statuses']}")
        print(f"{key}: {figures['rate']:.1f}/s p50 {figures['p50']:.3f}s errors {figures['errors']}", flush=True)
    if mode != modes[-1]:
        return
    for size, capacity in EVENTS:
        accepted = sum(combine(bursts[m, size])["accepted"] for m in modes)
        got = confirmed(database_url, events[size])
        results.add(f"{label} {size}-seat: confirmed", "count", got)
        results.check(
            f"{label} {size}-seat: confirmed == min(capacity, accepted)",
            got == min(capacity, accepted),
            f"run {run + 1}: {got} confirmed, capacity {capacity}, accepted {accepted}",
        )
    accepted = sum(combine(bursts[m, "fair"])["accepted"] for m in modes)
    got = confirmed(database_url, fair_event, "bench_fair_registrations")
    check = f"{label} fair baseline: confirmed == accepted"
    results.check(check, got == accepted, f"run {run + 1}: {got} of {accepted}")
    if "today" in events:
        accepted = combine(bursts["getpost", "today"])["accepted"]
        got = confirmed(database_url, events["today"])
        check = f"{label} before the page cache: confirmed == accepted"
        results.check(check, got == accepted, f"run {run + 1}: {got} of {accepted}")


def main() -> None:
    args = arguments(
        __doc__.splitlines()[0],
        n=(5000, "form submissions per event"),
        concurrency=(32, "clients at once"),
        stores=("sqlite,postgresql", "which stores"),
        rounds=(5, "turns Pelita and the baseline take, N / ROUNDS submissions each"),
        without=("", f"switch these parts off in Pelita ({', '.join(without_app.PARTS)}, or all)"),
        mode=("post,getpost", "post: time the POSTs after untimed GETs; getpost: each phone's GET + POST, all timed"),
    )
    args.modes = tuple(mode for mode in MODES if mode in args.mode.split(","))
    if not args.modes or set(args.mode.split(",")) - set(MODES):
        raise SystemExit(f"--mode: choose from {', '.join(MODES)} (comma-separated)")
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
    results.note(
        "post mode, timed: the POSTs; each client GETs its CSRF tokens first (form GET rate, untimed), the INSERT-only"
        " baseline needs none. getpost mode, timed: each phone's GET and then POST, each on a new connection"
    )
    results.note("fair baseline: bench/fair_app.py (Flask-WTF, Flask-Limiter, marshmallow, itsdangerous, SQLAlchemy)")
    results.note(
        f"the render-time check runs in full with FORM_MIN_SECONDS = {FORM_MIN_SECONDS:g} s, so no client idles"
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
