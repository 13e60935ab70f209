"""Pipeline latency: from the registration API's 201 to the confirmation mail accepted by the SMTP server.

Every Pelita process as the Procfile runs it (registration gunicorn; a worker and a beat per service; a private
Redis; SQLite stores), an in-process SMTP server (aiosmtpd) noting when each recipient's mail arrived (unparsed, so
the benchmark client takes little of the CPU the stack shares). Registrations arrive at a steady RATE/s for SECONDS
through POST /api/v1/events/<id>/registrations (preferred channel email, a unique address each); latency = mail
arrival - time the 201 came back, matched by recipient. CPU per registration: each process's CPU time (with its
children) over the run, from /proc, divided by the registrations; the whole stack shares the machine's cores.

Baseline in the same run: the same arrival rate of bare Celery tasks (`bench.mail`, same worker settings, one
worker process) that each send one plain mail to the same SMTP server; latency = accepted - enqueued.
"""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import requests
from aiosmtpd.controller import Controller

from bench.common import Results, arguments, cpu_seconds, percentile, python, workspace
from bench.stack import Stack
from scripts.redis_local import free_port


def body(n: int, tag: str) -> dict:
    return {
        "full_name": "Siti Rahmah",
        "phone": f"0813-{n // 10000 % 10000:04d}-{n % 10000:04d}",
        "email": f"peserta{n}.{tag}@contoh.id",
        "kabupaten_code": "63.03",
        "gender": "female",
        "age_group": "26_35",
        "disability": "none",
        "participant_type": "pkk_cadre",
        "preferred_channel": "email",
        "consent": True,
    }


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


#: How long the work that follows the last mail (acknowledgements, delivery events) is given before CPU is read.
SETTLE_SECONDS = 5


def cpu_snapshot(processes) -> dict[str, float]:
    """CPU seconds so far of each process the benchmark started (with its children) and of this client."""
    usage = {name: cpu_seconds(process.pid) for name, process in processes.started.items()}
    times = os.times()
    usage["bench client and SMTP server"] = times.user + times.system
    return usage


def cpu_figures(results: Results, label: str, before: dict, after: dict, count: int) -> None:
    """CPU milliseconds per registration of each process, and their sum (the machine's budget is 2 cores)."""
    spent = {name: after[name] - before.get(name, 0.0) for name in after}
    for name, seconds in sorted(spent.items()):
        results.add(f"{label}: CPU per registration, {name}", "ms", 1000 * seconds / max(count, 1))
    results.add(f"{label}: CPU per registration, all", "ms", 1000 * sum(spent.values()) / max(count, 1))


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


def main() -> None:
    args = arguments(__doc__.splitlines()[0], rate=(20.0, "registrations per second"), seconds=(60.0, "for how long"))
    if args.smoke:
        args.rate, args.seconds = min(args.rate, 5.0), min(args.seconds, 4.0)
    results = Results("pipeline", args)
    results.note(f"{args.rate:g}/s for {args.seconds:g} s; Procfile settings; SQLite stores; beats at defaults")
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
            for run in range(args.runs):
                tag = f"r{run}"
                started, statuses, lock = {}, {}, threading.Lock()
                session_local = threading.local()

                def send(i: int, run=run, tag=tag, started=started, statuses=statuses, lock=lock, local=session_local):
                    session = getattr(local, "session", None) or requests.Session()
                    local.session = session
                    data = body(run * 100_000 + i, tag)
                    response = session.post(f"{base}/api/v1/events/{event_id}/registrations", json=data, timeout=60)
                    at = datetime.now(UTC)
                    with lock:
                        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                        if response.status_code == 201:
                            started[data["email"]] = at

                cpu_before = cpu_snapshot(processes)
                steady(args.rate, args.seconds, send)
                arrived = wait_mails(arrivals, set(started), timeout=120)
                time.sleep(SETTLE_SECONDS)  # the acknowledgements and the delivery events that follow each mail
                cpu_figures(results, "pelita", cpu_before, cpu_snapshot(processes), len(started))
                figures(results, "pelita", started, arrived)
                results.add("pelita: API errors", "count", sum(v for k, v in statuses.items() if k != 201))
                results.check(
                    "every 201 got its confirmation mail",
                    len(arrived) == len(started),
                    f"run {run + 1}: {len(arrived)}/{len(started)}",
                )

            for name in [n for n in list(processes.started) if n != "redis"]:
                processes.stop(name)
            env = stack.env | {"BASELINE_BROKER_URL": stack.redis_url}
            node = "bench-mail@bench"
            command = [python(), "-m", "celery", "-A", "bench.baseline_tasks:celery", "worker", "-Q", "bench"]
            processes.start("baseline-worker", [*command, "-n", node, "--concurrency", "1", "-l", "INFO"], env)
            processes.wait_log("baseline-worker", f"{node} ready", timeout=90)
            from bench import baseline_tasks

            baseline_tasks.celery.conf.broker_url = stack.redis_url
            for run in range(args.runs):
                started, lock = {}, threading.Lock()

                def enqueue(i: int, run=run, started=started, lock=lock):
                    to = f"baseline{i}.r{run}@contoh.id"
                    at = datetime.now(UTC)
                    baseline_tasks.mail.apply_async(args=[to], queue="bench")
                    with lock:
                        started[to] = at

                steady(args.rate, args.seconds, enqueue)
                arrived = wait_mails(arrivals, set(started), timeout=120)
                figures(results, "baseline (bare Celery task + smtplib)", started, arrived)
            p50 = results.figures["pelita: p50 latency"]["values"]
            b50 = results.figures["baseline (bare Celery task + smtplib): p50 latency"]["values"]
            for pelita, bare in zip(p50, b50, strict=False):
                results.add("ratio p50 Pelita/baseline", "x", pelita / bare if pelita and bare else None)
    finally:
        controller.stop()
    results.write()


if __name__ == "__main__":
    main()
