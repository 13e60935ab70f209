"""The only Celery glue: one Celery app per service, Flask-aware tasks, and the settings they share."""

import logging
import os

from celery import Celery, Task
from flask import Flask

from shared.heartbeat import WorkerHeartbeat
from shared.logging import correlation_id_var, message_id_var
from shared.messaging.names import TASK_ROUTES

logger = logging.getLogger(__name__)

#: Longer than any retry countdown or task time limit, identical in every service (docs/reliability.md).
VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
#: A worker's child process is replaced after this many tasks, or sooner once it holds more than
#: MAX_MEMORY_PER_CHILD_KB. A replacement leaves the worker a process short for up to about 5 seconds
#: (celery/celery#9588; measured: a bare Celery worker at concurrency 1 stalls 4.8 s at its 1000th task), so
#: the count is high (hours of a busy day between replacements) and the memory limit guards against leaks.
MAX_TASKS_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_TASKS_PER_CHILD", "50000"))
MAX_MEMORY_PER_CHILD_KB = int(os.environ.get("CELERY_WORKER_MAX_MEMORY_PER_CHILD_KB", "400000"))


class ContextTask(Task):
    """Run every task inside the owning service's Flask app context, logging with its message ids."""

    def __call__(self, *args, **kwargs):
        message = kwargs.get("message")
        tokens = []
        if isinstance(message, dict):
            tokens = [
                (message_id_var, message_id_var.set(str(message.get("id")))),
                (correlation_id_var, correlation_id_var.set(str(message.get("correlation_id")))),
            ]
        try:
            with self.app.flask_app.app_context():
                return super().__call__(*args, **kwargs)
        finally:
            for var, token in tokens:
                var.reset(token)


class ServiceCelery(Celery):
    """A Celery app whose tasks belong to it alone (Celery shares tasks with every app in the process by default)."""

    def task(self, *args, **opts):
        opts.setdefault("shared", False)
        return super().task(*args, **opts)


def make_celery(service: str) -> Celery:
    """Return the unbound Celery app of `service` (bound to Flask later by init_celery)."""
    celery = ServiceCelery(service, task_cls=ContextTask)
    celery.steps["consumer"].add(WorkerHeartbeat)  # its heartbeat file (python -m shared.liveness)
    celery.flask_app = None
    return celery


def celery_settings(broker_url: str, service: str, beat_schedule: dict | None = None, **overrides) -> dict:
    """Return the Celery settings every service shares, with its own queue and beat schedule."""
    transport = {"visibility_timeout": VISIBILITY_TIMEOUT, "socket_timeout": 5, "socket_connect_timeout": 3}
    settings = {
        "broker_url": broker_url,
        "broker_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_acks_late": True,  # every task is idempotent, so a redelivery after a crash is harmless
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_max_tasks_per_child": MAX_TASKS_PER_CHILD,
        "worker_max_memory_per_child": MAX_MEMORY_PER_CHILD_KB,
        "task_time_limit": 300,
        "task_soft_time_limit": 240,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_hijack_root_logger": False,
        "task_default_queue": service,
        "task_routes": TASK_ROUTES,
        "task_create_missing_queues": True,
        "enable_utc": True,
        "timezone": "UTC",
        "beat_schedule": beat_schedule or {},
        "beat_scheduler": "shared.heartbeat:HeartbeatScheduler",  # Celery's, touching its heartbeat file
    }
    settings.update(overrides)
    return settings


def init_celery(celery: Celery, app: Flask) -> Celery:
    """Bind `celery` to the Flask `app` and apply its CELERY settings."""
    if celery.flask_app is not None:  # bound before (tests build many apps): drop connections to the old broker
        celery.close()
        celery.amqp._producer_pool = None
    celery.conf.update(app.config["CELERY"])
    celery.flask_app = app
    app.extensions["celery"] = celery
    return celery


def keep_our_logging() -> None:
    """Stop Celery from replacing the JSON logging configure_logging set up."""
    from celery.signals import setup_logging

    @setup_logging.connect(weak=False)
    def _keep(**kwargs) -> None:
        return None
