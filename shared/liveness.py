"""Liveness of Celery workers and beats: a heartbeat file each one touches, and a check of its age.

A worker touches its file from its consumer's event loop every HEARTBEAT_SECONDS, a beat each time its scheduler
ticks (at least every BEAT_MAX_INTERVAL seconds), so a file older than a minute means a process that is hung, not
merely busy: a task running long runs in a pool process while the loop goes on. Checking it costs one stat():

    python -m shared.liveness /tmp/pelita-notifications-worker.alive --max-age 60    # exit 0 alive, 1 not

`celery inspect ping` was the other way: it starts a Python process that imports the whole app and asks over Redis,
so it costs seconds of CPU every interval and calls a healthy worker dead whenever Redis is down.

The files go in PELITA_HEARTBEAT_DIR (default: the system's temporary folder), named heartbeat_file(service, role).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from celery import bootsteps
from celery.beat import PersistentScheduler

#: How often a worker touches its file (PELITA_HEARTBEAT_SECONDS; tests make it short).
HEARTBEAT_SECONDS = float(os.environ.get("PELITA_HEARTBEAT_SECONDS") or 10)
#: The longest a beat sleeps between ticks (Celery's default is 300 s, far longer than a healthcheck waits).
BEAT_MAX_INTERVAL = 15.0


def heartbeat_file(service: str, role: str) -> Path:
    """The file the `role` ("worker" or "beat") of `service` touches."""
    folder = os.environ.get("PELITA_HEARTBEAT_DIR") or tempfile.gettempdir()
    return Path(folder) / f"pelita-{service}-{role}.alive"


def touch(path: Path) -> None:
    """Set `path`'s modification time to now (creating it), never failing the process that beats."""
    try:
        path.touch()
        os.utime(path)
    except OSError:
        pass


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A consumer step: touches the worker's heartbeat file from the consumer's timer while it consumes."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.tref = None

    def start(self, parent):
        path = heartbeat_file(parent.app.main, "worker")
        touch(path)
        self.tref = parent.timer.call_repeatedly(HEARTBEAT_SECONDS, touch, (path,))

    def stop(self, parent):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    shutdown = stop


class HeartbeatScheduler(PersistentScheduler):
    """Celery's scheduler (the schedule kept in the -s file) that touches the beat's heartbeat file at each tick."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_interval = min(self.max_interval, BEAT_MAX_INTERVAL)
        self.heartbeat_path = heartbeat_file(self.app.main, "beat")

    def tick(self, *args, **kwargs):
        touch(self.heartbeat_path)
        return super().tick(*args, **kwargs)


def age(path: Path, now: float | None = None) -> float | None:
    """Seconds since `path` was last touched, or None when it does not exist."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    return (time.time() if now is None else now) - mtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Exit 0 when the heartbeat file was touched recently, else 1.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--max-age", type=float, default=60.0, help="seconds (default 60)")
    args = parser.parse_args(argv)
    seconds = age(args.file)
    if seconds is None:
        print(f"{args.file}: no heartbeat yet", file=sys.stderr)
        return 1
    if seconds > args.max_age:
        print(f"{args.file}: last heartbeat {seconds:.0f} s ago", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
