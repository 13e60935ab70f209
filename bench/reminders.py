"""Reminder burst: N SMS reminders due at the same minute, sent to the Zenziva stand-in by a real worker and beat.

The rows are inserted straight into the notifications store (services.notifications.models.Notification: status
pending, channel sms, purpose reminder, due now, a unique phone and idempotency key each). Then the Procfile's
notifications worker (prefork, concurrency 2) and beat (dispatch every NOTIFICATIONS_DISPATCH_SECONDS, 1 s here;
the default is 30 s) send them through Pelita's own path to the dev sinks' Zenziva endpoint (`python -m devsinks`).
Timed: from starting the beat until every row is `sent`. Duplicates: messages the gateway took beyond one per
recipient (each row has its own phone), and rows sent twice by idempotency key. The stand-in keeps connections
alive, as a gateway's front server does, and sends no delivery receipts (no notifications web runs here).

Memory: the worker's resident set (parent and pool children) sampled every half second through the burst: its peak,
and the peak over an early sample (flat means about 1).

Baseline in the same run: N no-op Celery tasks (bench.baseline_tasks.noop) queued first, then drained by one worker
with the same settings (shared.celery, prefork concurrency 2); timed from the worker being ready to the last task
done (each task INCRs a Redis counter).
"""

import time
import uuid
from contextlib import suppress

import requests
import sqlalchemy as sa

from bench.common import Results, arguments, children, python, rss_mb, workspace
from bench.stack import WORKER_CONCURRENCY, Stack
from scripts.redis_local import free_port


def insert_reminders(database_url: str, n: int, tag: str, first: int = 0) -> None:
    """Insert `n` SMS reminders due now, to numbers first..first+n-1 (one each)."""
    from services.notifications.models import Notification
    from shared.timeutil import utcnow

    now = utcnow()
    rows = [
        {
            "id": str(uuid.uuid4()),
            "idempotency_key": f"bench-{tag}-{i}:reminder:sms",
            "registration_id": str(uuid.uuid4()),
            "event_id": None,
            "purpose": "reminder",
            "channel": "sms",
            "to": f"+62813{i // 10000 % 10000:04d}{i % 10000:04d}",
            "subject": "",
            "body": "Pengingat: Pelatihan Perpustakaan Desa besok pukul 08.30 WITA di Aula Dispersip Banjar.",
            "status": "pending",
            "due_at": now,
            "attempts": 0,
            "possible_duplicate": False,
            "created_at": now,
            "locale": "id",
        }
        for i in range(first, first + n)
    ]
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.insert(Notification.__table__), rows)
    engine.dispose()


def counts(database_url: str, tag: str) -> dict:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT status, count(*) FROM notifications WHERE idempotency_key LIKE :k GROUP BY status"),
            {"k": f"bench-{tag}-%"},
        ).all()
    engine.dispose()
    return dict(rows)


class Memory:
    """The notifications worker's resident memory through the burst (its parent and each pool child, from /proc):
    the peak, and the first sample once it was busy, so a leak shows as a peak well above the start."""

    def __init__(self, pid: int) -> None:
        self.pid, self.samples = pid, []

    def sample(self) -> None:
        with suppress(OSError):  # a pool child replaced meanwhile: this sample is skipped, the next one counts
            kids = [rss_mb(child) for child in children(self.pid)]
            self.samples.append((rss_mb(self.pid), max(kids, default=0.0), rss_mb(self.pid) + sum(kids)))

    def report(self, results: Results) -> None:
        if not self.samples:
            return
        busy = self.samples[min(2, len(self.samples) - 1)]
        results.add("pelita: worker peak RSS, largest pool child", "MB", max(s[1] for s in self.samples))
        results.add("pelita: worker peak RSS, parent and children", "MB", max(s[2] for s in self.samples))
        results.add("pelita: worker RSS early in the burst, parent and children", "MB", busy[2])
        results.add("pelita: worker RSS growth, peak/early", "x", max(s[2] for s in self.samples) / busy[2])


def main() -> None:
    args = arguments(__doc__.splitlines()[0], n=(20_000, "reminders due at once"), timeout=(3600.0, "give up after"))
    if args.smoke:
        args.n = min(args.n, 200)
    results = Results("reminders", args)
    from services.notifications.service import BATCH_SIZE, DISPATCH_LIMIT

    results.note(
        f"{args.n} reminders; notifications worker --concurrency {WORKER_CONCURRENCY['notifications']}, "
        f"beat dispatch every 1 s ({DISPATCH_LIMIT} per tick, {BATCH_SIZE} per task)"
    )
    sinks_port = free_port()
    with workspace("reminders") as (workdir, processes):
        stack = Stack(
            workdir,
            processes,
            DEVSINKS_PORT=str(sinks_port),
            DEVSINKS_SMTP_PORT=str(free_port()),
            NOTIFICATIONS_PUBLIC_URL=f"http://127.0.0.1:{free_port()}",
            DEVSINKS_RECEIPTS="0",  # no web takes delivery receipts here: the stand-in does not spend CPU on them
            NOTIFICATIONS_DISPATCH_SECONDS="1",
        )
        sinks = f"http://127.0.0.1:{sinks_port}"
        processes.start("devsinks", [python(), "-m", "devsinks"], stack.env)
        stack.migrate("notifications")
        database_url = stack.database_url("notifications")
        for run in range(args.runs):
            tag = f"r{run}"
            insert_reminders(database_url, args.n, tag)
            stack.start_worker("notifications")
            start = time.monotonic()
            stack.start_beat("notifications")
            deadline = start + args.timeout
            memory = Memory(processes.started["notifications-worker"].pid)
            while True:
                memory.sample()
                state = counts(database_url, tag)
                done = state.get("sent", 0) + state.get("delivered", 0)
                if done + state.get("failed", 0) >= args.n or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            elapsed = time.monotonic() - start
            processes.stop("notifications-beat")
            processes.stop("notifications-worker")
            texts = requests.get(f"{sinks}/api/messages", timeout=60).json()
            mine = [t for t in texts if t["channel"] == "sms"]
            duplicates = len(mine) - len({t["to"] for t in mine})
            results.add("pelita: seconds until all accepted", "s", elapsed)
            results.add("pelita: messages/s", "1/s", done / elapsed)
            results.add("pelita: gateway duplicates", "count", duplicates)
            results.add("pelita: not sent", "count", args.n - done)
            memory.report(results)
            results.check("0 duplicates", duplicates == 0, f"run {run + 1}: {len(mine)} taken by the gateway")
            results.check("every reminder sent", done == args.n, f"run {run + 1}: {state}")
            print(f"pelita: {done}/{args.n} in {elapsed:.1f}s ({done / elapsed:.1f}/s), dup {duplicates}", flush=True)

        import redis

        from bench import baseline_tasks

        client = redis.Redis.from_url(stack.redis_url)
        baseline_tasks.celery.conf.broker_url = stack.redis_url
        env = stack.env | {"BASELINE_BROKER_URL": stack.redis_url}
        for run in range(args.runs):
            client.delete("bench:noop")
            with baseline_tasks.celery.connection_for_write() as connection:
                for i in range(args.n):
                    baseline_tasks.noop.apply_async(args=[i], queue="bench", connection=connection)
            node = f"bench-noop-{run}@bench"
            command = [python(), "-m", "celery", "-A", "bench.baseline_tasks:celery", "worker", "-Q", "bench"]
            processes.start(
                "baseline-worker",
                [*command, "-n", node, "--concurrency", str(WORKER_CONCURRENCY["notifications"]), "-l", "INFO"],
                env,
            )
            processes.wait_log("baseline-worker", f"{node} ready", timeout=90)
            start = time.monotonic()
            while int(client.get("bench:noop") or 0) < args.n and time.monotonic() - start < args.timeout:
                time.sleep(0.1)
            elapsed = time.monotonic() - start
            processes.stop("baseline-worker")
            drained = int(client.get("bench:noop") or 0)
            results.add("baseline: seconds to drain no-op tasks", "s", elapsed)
            results.add("baseline: tasks/s", "1/s", drained / elapsed)
        pelita = results.figures["pelita: messages/s"]["values"]
        bare = results.figures["baseline: tasks/s"]["values"]
        for p, b in zip(pelita, bare, strict=False):
            results.add("ratio messages/s Pelita/baseline", "x", p / b if b else None)
    results.write()


if __name__ == "__main__":
    main()
