"""The flow harness: a private Redis, real Celery worker and beat processes per service, a real SMTP server.

Each test gets its own stack, so a test that stops Redis or kills a worker touches only processes it started.
"""

import os
import signal
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from scripts.redis_local import free_port, redis_command, start_redis
from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from tests.conftest import ROOT, wait_for
from tests.flow.invariants import assert_invariants
from tests.support import AccessLog, GatewaySink, SmtpSink

FACTORIES = {"registration": registration_app, "notifications": notifications_app, "reporting": reporting_app}
ADMIN_PASSWORD = "rahasia-admin-flow"


class Stack:
    """Every process of Pelita but the web servers (the apps run in-process on the same stores, behind an access
    log), with the SMTP server and the SMS/WhatsApp gateway stand-ins."""

    def __init__(
        self, tmp: Path, smtp: SmtpSink, database_urls: dict | None = None, broker_url: str | None = None
    ) -> None:
        """database_urls: each service's store (SQLite files in tmp by default); broker_url: Celery's broker when it
        is not the stack's Redis (RabbitMQ; Redis still holds the locks and limits)."""
        self.tmp, self.smtp = tmp, smtp
        self.broker_url = broker_url
        self.gateways = GatewaySink()
        #: (service, method, path, status) of every response the in-process apps gave (I7).
        self.access_log: list[tuple[str, str, str, int]] = []
        self.invariants_checked = False
        self.redis_port = free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.redis: subprocess.Popen | None = None
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "APP_ENV": "development",
            "PELITA_VAR_DIR": str(tmp / "var"),
            "REDIS_URL": self.redis_url,
            "SMTP_HOST": smtp.host,
            "SMTP_PORT": str(smtp.port),
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "OUTBOX_SWEEP_SECONDS": "1",
            "OUTBOX_REPUBLISH_SECONDS": "5",
            "NOTIFICATIONS_DISPATCH_SECONDS": "1",
            "NOTIFICATIONS_STUCK_AFTER_SECONDS": "4",
            "CELERY_VISIBILITY_TIMEOUT": "30",
            # Every gateway is this test's stand-in; a stalled one is given up on after 3 s; a transient failure
            # is retried after 0-2 s, not 0-30 s; and no quiet hours (the suite may run at night in WITA).
            **{f"{name}_BASE_URL": self.gateways.url for name in ("ZENZIVA", "TWILIO", "WHATSAPP")},
            "PROVIDER_CONNECT_TIMEOUT": "3",
            "PROVIDER_READ_TIMEOUT": "3",
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
            "NOTIFICATIONS_QUIET_HOURS": "00:00-00:00",
            "PYTHONUNBUFFERED": "1",
            **{f"{name.upper()}_DATABASE_URL": f"sqlite:///{tmp}/{name}.sqlite3" for name in FACTORIES},
            **{f"{name.upper()}_DATABASE_URL": url for name, url in (database_urls or {}).items()},
            **({"CELERY_BROKER_URL": broker_url} if broker_url else {}),
        }
        self.apps: dict = {}

    # --- Redis -------------------------------------------------------------------------------------------
    def start_redis(self, *extra: str) -> None:
        self.redis = start_redis(self.redis_port, self.tmp / "redis", self.tmp / "redis.log", list(extra))

    def stop_redis(self) -> None:
        """Stop Redis the hard way (no persistence, so whatever it held is gone)."""
        self.redis.send_signal(signal.SIGKILL)
        self.redis.wait(10)

    # --- stores and apps ---------------------------------------------------------------------------------
    def migrate_and_seed(self) -> None:
        for name, factory in FACTORIES.items():
            app = factory(
                "development",
                SQLALCHEMY_DATABASE_URI=self.env[f"{name.upper()}_DATABASE_URL"],
                REDIS_URL=self.redis_url,
                CELERY_BROKER_URL=self.broker_url,
                ADMIN_PASSWORD=ADMIN_PASSWORD,
                REGISTRATION_FORM_RATE_LIMIT="100000 per minute",  # the tests' bursts all come from 127.0.0.1
            )
            with app.app_context():
                flask_migrate.upgrade()
            app.wsgi_app = AccessLog(app.wsgi_app, name, self.access_log)
            self.apps[name] = app
        with self.apps["registration"].app_context():
            from services.registration import seed

            seed.seed_regions()
            seed.seed_admin()

    def app(self, name: str):
        return self.apps[name]

    def scalar(self, name: str, query):
        """Run one query against a service's own store (the test looks; the services never do this)."""
        with self.apps[name].app_context():
            db = self.apps[name].extensions["sqlalchemy"]
            try:
                return db.session.scalar(query)
            finally:
                db.session.remove()

    def rows(self, name: str, query) -> list:
        """Run one query against a service's own store and return its rows."""
        with self.apps[name].app_context():
            db = self.apps[name].extensions["sqlalchemy"]
            try:
                return list(db.session.execute(query))
            finally:
                db.session.remove()

    def count(self, name: str, model, *where) -> int:
        return self.scalar(name, sa.select(sa.func.count()).select_from(model).where(*where))

    # --- workers and beat --------------------------------------------------------------------------------
    def start_worker(self, service: str, host: str = "flow", **extra_env: str) -> subprocess.Popen:
        """Start one Celery worker named <service>-<random>@<host> (a "node" of its own when host differs)."""
        process, ready = self._spawn_worker(service, host, **extra_env)
        ready()
        return process

    def _spawn_worker(self, service: str, host: str = "flow", **extra_env: str):
        """Start a worker; return it and a function that waits until it is ready (so several start at once)."""
        node = f"{service}-{uuid.uuid4().hex[:6]}@{host}"
        command = [sys.executable, "-m", "celery", "-A", f"services.{service}.worker:celery", "worker", "-Q", service]
        command += ["-n", node, "--concurrency", "1", "--without-mingle", "--without-gossip", "-l", "INFO"]
        suffix = "" if host == "flow" else f"-{host}"
        log = self.tmp / f"{service}-worker{suffix}.log"
        process = self._spawn(f"{service}_worker{suffix}", command, log, extra_env)

        def ready() -> None:
            wait_for(
                lambda: f"{node} ready" in log.read_text(errors="replace") or process.poll() is not None,
                timeout=60,
                message=f"{service} worker to start",
            )
            assert process.poll() is None, log.read_text()[-3000:]

        return process, ready

    def start_beat(self, service: str, suffix: str = "", **extra_env: str) -> subprocess.Popen:
        name = f"{service}-beat{suffix}"
        command = [sys.executable, "-m", "celery", "-A", f"services.{service}.worker:celery", "beat", "-l", "INFO"]
        command += ["-s", str(self.tmp / f"{name}-schedule"), "--pidfile", str(self.tmp / f"{name}.pid")]
        return self._spawn(name.replace("-", "_"), command, self.tmp / f"{name}.log", extra_env)

    def stop_process(self, name: str) -> None:
        """Stop one process: warm shutdown, then the hard way if a task keeps it busy."""
        process = self.processes[name]
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def start_all(self) -> None:
        """Every worker and beat, started side by side (each takes seconds to import and connect)."""
        waits = []
        for service in FACTORIES:
            waits.append(self._spawn_worker(service)[1])
            self.start_beat(service)
        for ready in waits:
            ready()

    def _spawn(self, name: str, command: list[str], log: Path, extra_env: dict) -> subprocess.Popen:
        handle = log.open("ab")
        process = subprocess.Popen(
            command, cwd=ROOT, env={**self.env, **extra_env}, stdout=handle, stderr=subprocess.STDOUT
        )
        self.processes[name] = process
        return process

    def stop(self) -> None:
        """The end of a test, once its invariants are checked: every process goes at once (a warm shutdown would
        only cost each test seconds; the tests that need one stop a process themselves, with stop_process)."""
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
        for process in self.processes.values():
            process.wait(10)
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)
        for app in self.apps.values():
            with app.app_context():
                app.extensions["sqlalchemy"].engine.dispose()
        self.gateways.stop()

    def log(self, name: str) -> str:
        """The whole log of one process, e.g. "notifications-worker"."""
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}" for p in self.tmp.glob("*.log"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def stack(request, tmp_path, smtp_server):
    """A running Pelita: Redis, the three workers and beats, the SMTP server; migrated and seeded stores.

    PELITA_FLOW_BROKER=rabbitmq runs it with RabbitMQ as Celery's broker (a private virtual host)."""
    if os.environ.get("PELITA_FLOW_BROKER") == "rabbitmq":
        with rabbitmq_vhost() as broker_url:
            yield from running_stack(request, Stack(tmp_path, smtp_server, broker_url=broker_url))
    else:
        yield from running_stack(request, Stack(tmp_path, smtp_server))


@pytest.fixture
def stack_on_rabbitmq(request, tmp_path, smtp_server):
    """The same running Pelita with RabbitMQ as Celery's broker (Redis keeps the locks, limits and pacing)."""
    with rabbitmq_vhost() as broker_url:
        yield from running_stack(request, Stack(tmp_path, smtp_server, broker_url=broker_url))


def running_stack(request, stack: Stack, start: bool = True):
    """Start `stack` (Redis, stores, and with `start` its workers and beats), yield it, check I1-I7, stop it."""
    failed = True  # until the test has run: a stack that does not start shows its logs
    stack.start_redis()
    try:
        stack.migrate_and_seed()
        if start:
            stack.start_all()
        yield stack
        report = getattr(request.node, "report_call", None)
        failed = report is not None and report.failed
        if report is not None and report.passed and not stack.invariants_checked:
            failed = True
            assert_invariants(stack)  # I1–I7 after every test, with no allowances unless the test asked for them
            failed = False
    finally:
        if failed:
            print(f"\n===== process logs of {request.node.name}\n{stack.logs()}")
        stack.stop()


#: The machine's RabbitMQ (docs/capacity.md); each stack takes a virtual host of its own on it.
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672")


@contextmanager
def rabbitmq_vhost():
    """A private RabbitMQ virtual host: queues are named after the services, so a shared one would mix the tasks of
    every test run on this machine. Made and deleted with rabbitmqctl."""
    name = f"pelita-flow-{uuid.uuid4().hex[:10]}"
    user = sa.make_url(RABBITMQ_URL.replace("amqp://", "postgresql://", 1)).username or "guest"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True, capture_output=True, timeout=60)
    try:
        command = ["rabbitmqctl", "-q", "set_permissions", "-p", name, user, ".*", ".*", ".*"]
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        yield f"{RABBITMQ_URL}/{name}"
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True, timeout=60)


def summary(stack: Stack, headers: dict) -> dict:
    """Reporting's summary figures, or {} while it cannot answer them yet: it learns staff accounts from the bus
    (staff.changed), so a token made a moment ago may still be unknown to it on a busy machine."""
    response = stack.app("reporting").test_client().get("/api/v1/summary", headers=headers)
    return response.json if response.status_code == 200 else {}


def staff_headers(stack: Stack) -> dict:
    client = stack.app("registration").test_client()
    response = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": ADMIN_PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


__all__ = ["Stack", "assert_invariants", "redis_command", "staff_headers", "summary", "wait_for"]
