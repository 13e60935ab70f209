"""Test-wide fixtures: isolated environment, a real Redis, a real SMTP server, nothing off the loopback."""

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from scripts.redis_local import answers, free_port, start_redis
from tests.support import SmtpSink

ROOT = Path(__file__).resolve().parent.parent
ENV_KEYS = (
    "APP_ENV",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "SECRET_KEY",
    "STAFF_TOKEN_SECRET",
    "REGISTRATION_DATABASE_URL",
    "NOTIFICATIONS_DATABASE_URL",
    "REPORTING_DATABASE_URL",
    "SMTP_HOST",
    "SMTP_PORT",
    "MAIL_FROM",
    "PELITA_FAULT_POINTS",
)


#: Each test directory's marker (pyproject.toml declares them): `pytest -m unit` runs the tests without I/O.
MARKERS = {"unit": "unit", "integration": "integration", "flow": "flow", "browser": "browser"}


def pytest_collection_modifyitems(config, items):
    """Mark every test by the directory it lives in: tests/unit, tests/integration, tests/flow, tests/browser."""
    for item in items:
        parts = Path(str(item.path)).relative_to(ROOT).parts
        marker = MARKERS.get(parts[1]) if len(parts) > 2 and parts[0] == "tests" else None
        if marker is not None:
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """Every test starts from a clean environment with its own var/ folder."""
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PELITA_VAR_DIR", str(tmp_path / "var"))


_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in ("127.0.0.1", "::1", "localhost"):
        raise RuntimeError(f"tests may only talk to the loopback, not {host!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def nothing_off_the_loopback(monkeypatch):
    """Fail any connection this process opens to an address off 127.0.0.1: tests never reach a real provider."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A Redis that answers: TEST_REDIS_URL or REDIS_URL if one does, else a private redis-server."""
    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if answers(url):
        yield url
        return
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = start_redis(port, directory, directory / "redis.log")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""
    sink = SmtpSink.start()
    yield sink
    sink.stop()


def wait_for(predicate, timeout: float = 30, interval: float = 0.1, message: str = "condition"):
    """Poll `predicate` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
