"""The Celery side of liveness: workers and beats touch their heartbeat file (read by `python -m shared.liveness`).

A worker touches its file from its consumer's timer every HEARTBEAT_SECONDS, a beat each time its scheduler ticks
(at least every BEAT_MAX_INTERVAL seconds), so a file older than a minute means a process that is hung, not merely
busy: a long task runs in a pool process while the consumer's loop goes on.
"""

import os

from celery import bootsteps
from celery.beat import PersistentScheduler

from shared.liveness import heartbeat_file, touch

#: How often a worker touches its file (PELITA_HEARTBEAT_SECONDS; tests make it short).
HEARTBEAT_SECONDS = float(os.environ.get("PELITA_HEARTBEAT_SECONDS") or 10)
#: The longest a beat sleeps between ticks (Celery's default is 300 s, far longer than a healthcheck waits).
BEAT_MAX_INTERVAL = 15.0


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
