"""Idle memory: resident set size of every Pelita web (gunicorn) and worker process after a warm-up.

Starts the three webs with the Procfile's gunicorn settings and the three Celery workers (prefork, the Procfile's
concurrency), warms them up (every web's pages and API; a registration that goes through every worker), waits,
then reads VmRSS from /proc for each gunicorn master and worker and each Celery parent and pool child.
Baseline in the same run: bench/baseline_app.py under the same gunicorn settings and a bare Celery worker
(bench/baseline_tasks.py) with the same settings and concurrency, warmed up and read the same way.
Targets (docs/performance.md): web < 150 MB, worker < 200 MB, per process.
"""

import time

import requests

from bench import baseline_app
from bench.common import Results, arguments, children, procfile_gunicorn, python, rss_mb, wait_http, workspace
from bench.stack import WORKER_CONCURRENCY, Stack, registration_body
from devsinks.mailbox import Mailbox, start_smtp
from scripts.redis_local import free_port


def tree_rss(pid: int) -> tuple[float, list[float]]:
    """(RSS of the parent, RSS of each child) in MB."""
    return rss_mb(pid), [rss_mb(child) for child in children(pid)]


def record(results: Results, label: str, pid: int) -> None:
    parent, kids = tree_rss(pid)
    results.add(f"{label}: parent RSS", "MB", parent)
    results.add(f"{label}: largest child RSS", "MB", max(kids) if kids else None)
    results.add(f"{label}: total RSS ({len(kids)} children)", "MB", parent + sum(kids))
    print(f"{label}: parent {parent:.0f} MB, children {[round(k) for k in kids]} MB", flush=True)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], warmup=(50, "warm-up requests per web"), settle=(5.0, "idle seconds"))
    if args.smoke:
        args.warmup, args.settle = min(args.warmup, 5), min(args.settle, 1.0)
    results = Results("memory", args)
    results.note("gunicorn: Procfile settings; workers: prefork, Procfile concurrency; SQLite stores")
    mailbox, smtp_port = Mailbox(), free_port()
    controller = start_smtp(mailbox, "127.0.0.1", smtp_port)
    try:
        with workspace("memory") as (workdir, processes):
            stack = Stack(workdir, processes, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port))
            stack.migrate()
            for service in ("registration", "notifications", "reporting"):
                stack.start_web(service)
                stack.start_worker(service)
            event_id = stack.create_event(55)
            token = stack.staff_token()
            auth = {"Authorization": f"Bearer {token}"}
            for i in range(args.warmup):
                base = stack.webs["registration"]
                requests.get(f"{base}/", timeout=30)
                requests.get(f"{base}/acara/{event_id}/daftar", timeout=30)
                requests.get(f"{base}/api/v1/events", timeout=30)
                requests.get(f"{stack.webs['notifications']}/healthz", timeout=30)
                requests.get(f"{stack.webs['reporting']}/api/v1/summary", headers=auth, timeout=30)
                body = registration_body(i, "mem")
                requests.post(f"{base}/api/v1/events/{event_id}/registrations", json=body, timeout=30)
            deadline = time.monotonic() + 60
            while len(mailbox.mails()) < min(args.warmup, 55) and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(args.settle)
            for service in ("registration", "notifications", "reporting"):
                record(results, f"{service} web", processes.started[f"{service}-web"].pid)
                record(results, f"{service} worker", processes.started[f"{service}-worker"].pid)
            for name in [n for n in list(processes.started) if n != "redis"]:
                processes.stop(name)

            database_url = stack.database_url("registration")
            baseline_app.create_table(database_url)
            env = stack.env | {"BASELINE_DATABASE_URL": database_url, "BASELINE_BROKER_URL": stack.redis_url}
            port = free_port()
            command = [python(), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *procfile_gunicorn("registration")]
            web = processes.start("baseline-web", [*command, "bench.baseline_app:app"], env)
            wait_http(f"http://127.0.0.1:{port}/healthz", process=web)
            from bench.registration import form_fields

            for i in range(args.warmup):
                requests.post(f"http://127.0.0.1:{port}/register", data=form_fields(f"0813-8888-{i:04d}"), timeout=30)
            node = "bench-mem@bench"
            command = [python(), "-m", "celery", "-A", "bench.baseline_tasks:celery", "worker", "-Q", "bench"]
            worker = processes.start(
                "baseline-worker",
                [*command, "-n", node, "--concurrency", str(WORKER_CONCURRENCY["notifications"]), "-l", "INFO"],
                env,
            )
            processes.wait_log("baseline-worker", f"{node} ready", timeout=90)
            from bench import baseline_tasks

            baseline_tasks.celery.conf.broker_url = stack.redis_url
            for i in range(args.warmup):
                baseline_tasks.noop.apply_async(args=[i], queue="bench")
            time.sleep(args.settle + 1)
            record(results, "baseline web (Flask+marshmallow+SQLAlchemy)", web.pid)
            record(results, "baseline worker (bare Celery)", worker.pid)
    finally:
        controller.stop()
    results.write()


if __name__ == "__main__":
    main()
