"""Pipeline latency: from the registration API's 201 to the confirmation mail accepted by the SMTP server.

Every Pelita process as the Procfile runs it (registration gunicorn; a worker and a beat per service; a private
Redis; SQLite stores), an in-process SMTP server (aiosmtpd) noting when each recipient's mail arrived (unparsed, so
the benchmark client takes little of the CPU the stack shares). Registrations arrive at a steady RATE/s for SECONDS
through POST /api/v1/events/<id>/registrations (preferred channel email, a unique address each); latency = mail
arrival - time the 201 came back, matched by recipient. CPU per registration: each process's CPU time (with its
children) over the run, from /proc, divided by the registrations; the whole stack shares the machine's cores.

Baseline in the same run: the bare pipeline (bench/bare_pipeline.py: a Flask web doing one INSERT and a `.delay()`,
a Celery worker rendering one mail with Jinja and sending it with smtplib) under the same gunicorn layout, worker
concurrency, Redis and SMTP server, at the same arrival rate; the same latency and CPU figures, and the ratios.
Profile a run's workers with PELITA_PROFILE_DIR (shared/profiling.py) to see where Pelita's CPU goes.
"""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import requests
from aiosmtpd.controller import Controller

from bench import bare_pipeline
from bench.common import Results, arguments, cpu_seconds, percentile, python, wait_http, workspace
from bench.stack import WEB_ARGS, WORKER_CONCURRENCY, Stack, registration_body
from scripts.redis_local import free_port


def steady(rate: float, seconds: float, send) -> None:
    """Call send(i) at a steady rate (open loop: a slow answer does not delay the next arrival)."""
    total = int(rate * seconds)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for i in range(total):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, i)


class Arrivals:
    """The SMTP server's handler: accepts every mail and notes when each recipient's first one arrived."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: dict[str, datetime] = {}

    async def handle_DATA(self, server, session, envelope) -> str:
        at = datetime.now(UTC)
        with self._lock:
            for to in envelope.rcpt_tos:
                self._first.setdefault(to, at)
        return "250 Message accepted for delivery"

    def of(self, addresses: set) -> dict:
        with self._lock:
            return {to: at for to, at in self._first.items() if to in addresses}


def wait_mails(arrivals: Arrivals, addresses: set, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got = arrivals.of(addresses)
        if len(got) >= len(addresses) or time.monotonic() > deadline:
            return got
        time.sleep(0.25)


CLIENT = "bench client and SMTP server"

#: How long the work that follows the last mail (acknowledgements, delivery events) is given before CPU is read.
SETTLE_SECONDS = 5


def cpu_snapshot(processes) -> dict[str, float]:
    """CPU seconds so far of each process the benchmark started (with its children) and of this client."""
    usage = {name: cpu_seconds(process.pid) for name, process in processes.started.items()}
    times = os.times()
    usage[CLIENT] = times.user + times.system
    return usage


def cpu_figures(results: Results, label: str, before: dict, after: dict, count: int) -> None:
    """CPU milliseconds per registration of each process, and their sum (the machine's budget is 2 cores)."""
    spent = {name: after[name] - before.get(name, 0.0) for name in after}
    for name, seconds in sorted(spent.items()):
        results.add(f"{label}: CPU per registration, {name}", "ms", 1000 * seconds / max(count, 1))
    results.add(f"{label}: CPU per registration, all", "ms", 1000 * sum(spent.values()) / max(count, 1))
    stack = sum(seconds for name, seconds in spent.items() if name != CLIENT)
    results.add(f"{label}: CPU per registration, stack", "ms", 1000 * stack / max(count, 1))


#: The timeline's resolution: the slowest mail of each such slice of the arrivals.
TIMELINE_SECONDS = 5


def timeline(started: dict, arrived: dict) -> str:
    """The worst latency of each TIMELINE_SECONDS of arrivals, in order: shows whether a p99 is one stall (a
    process restarting, a neighbour's burst) or a queue that keeps growing."""
    if not started:
        return ""
    first, worst = min(started.values()), {}
    for to, at in started.items():
        if to in arrived:
            slot = int((at - first).total_seconds() // TIMELINE_SECONDS)
            worst[slot] = max(worst.get(slot, 0.0), (arrived[to] - at).total_seconds())
    return " ".join(f"{worst[slot]:.2f}" for slot in sorted(worst))


def figures(results: Results, label: str, started: dict, arrived: dict) -> list:
    latencies = [(arrived[to] - at).total_seconds() for to, at in started.items() if to in arrived]
    results.note(f"{label}: worst latency (s) per {TIMELINE_SECONDS} s of arrivals: {timeline(started, arrived)}")
    for p in (50, 95, 99):
        results.add(f"{label}: p{p} latency", "s", percentile(latencies, p))
    results.add(f"{label}: max latency", "s", max(latencies) if latencies else None)
    results.add(f"{label}: mails missing", "count", len(started) - len(latencies))
    return latencies


def burst(args, results: Results, label: str, processes, arrivals: Arrivals, url: str, run: int) -> None:
    """One steady burst of registrations to `url`; latency and CPU per registration of every process under `label`."""
    started, statuses, lock, local = {}, {}, threading.Lock(), threading.local()
    tag = f"{label[0]}{run}"

    def send(i: int) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        data = registration_body(run * 100_000 + i, tag)
        response = session.post(url, json=data, timeout=60)
        at = datetime.now(UTC)
        with lock:
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 201:
                started[data["email"]] = at

    cpu_before = cpu_snapshot(processes)
    steady(args.rate, args.seconds, send)
    arrived = wait_mails(arrivals, set(started), timeout=max(120, 3 * args.seconds))  # CPU counts all the work
    time.sleep(SETTLE_SECONDS)  # the acknowledgements and the delivery events that follow each mail
    cpu_figures(results, label, cpu_before, cpu_snapshot(processes), len(started))
    figures(results, label, started, arrived)
    results.add(f"{label}: API errors", "count", sum(v for k, v in statuses.items() if k != 201))
    results.check(
        f"{label}: every 201 got its confirmation mail",
        len(arrived) == len(started) > 0,
        f"{tag}: {len(arrived)}/{len(started)}",
    )


def start_bare(stack: Stack, processes) -> str:
    """The bare pipeline's web (the registration web's gunicorn layout) and worker (notifications' concurrency)."""
    database_url = stack.database_url("registration")
    bare_pipeline.create_table(database_url)
    env = stack.env | {"BARE_DATABASE_URL": database_url, "BARE_BROKER_URL": stack.redis_url}
    port = free_port()
    command = [python(), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *WEB_ARGS["registration"]]
    web = processes.start("bare-web", [*command, "bench.bare_pipeline:app"], env)
    wait_http(f"http://127.0.0.1:{port}/healthz", process=web)
    node = "bare-worker@bench"
    command = [python(), "-m", "celery", "-A", "bench.bare_pipeline:celery", "worker", "-Q", "bare", "-n", node]
    command += ["--concurrency", str(WORKER_CONCURRENCY["notifications"]), "-l", "INFO"]
    processes.start("bare-worker", command, env)
    processes.wait_log("bare-worker", f"{node} ready", timeout=90)
    return f"http://127.0.0.1:{port}"


def ratios(results: Results) -> None:
    """Pelita over the bare pipeline, run by run: CPU per registration over every process of the stack, and p50."""
    pairs = (
        ("CPU per registration, stack", "ratio CPU per registration Pelita/bare"),
        ("p50 latency", "ratio p50 Pelita/bare"),
    )
    for figure, name in pairs:
        pelita = results.figures[f"{PELITA}: {figure}"]["values"]
        bare = results.figures[f"{BARE}: {figure}"]["values"]
        for p, b in zip(pelita, bare, strict=False):
            results.add(name, "x", p / b if p and b else None)


PELITA, BARE = "pelita", "bare pipeline"


def main() -> None:
    args = arguments(__doc__.splitlines()[0], rate=(20.0, "registrations per second"), seconds=(60.0, "for how long"))
    if args.smoke:
        args.rate, args.seconds = min(args.rate, 5.0), min(args.seconds, 4.0)
    results = Results("pipeline", args)
    results.note(f"{args.rate:g}/s for {args.seconds:g} s; Procfile settings; SQLite stores; beats at defaults")
    results.note("CPU 'stack' = every process of the side (webs, workers, beats, Redis), not the bench client")
    arrivals = Arrivals()
    smtp_port = free_port()
    controller = Controller(arrivals, hostname="127.0.0.1", port=smtp_port, decode_data=False)
    controller.start()
    try:
        with workspace("pipeline") as (workdir, processes):
            stack = Stack(workdir, processes, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port))
            stack.migrate()
            base = stack.start_web("registration")
            for service in ("registration", "notifications", "reporting"):
                stack.start_worker(service)
                stack.start_beat(service)
            event_id = stack.create_event(100_000)
            time.sleep(3)  # event.published reaches notifications first
            url = f"{base}/api/v1/events/{event_id}/registrations"
            for run in range(args.runs):
                burst(args, results, PELITA, processes, arrivals, url, run)
            for name in [n for n in list(processes.started) if n != "redis"]:
                processes.stop(name)
            bare = start_bare(stack, processes)
            for run in range(args.runs):
                burst(args, results, BARE, processes, arrivals, f"{bare}/events/{event_id}/register", run)
            ratios(results)
    finally:
        controller.stop()
    results.write()


if __name__ == "__main__":
    main()
