"""`python -m shared.liveness`, the containers' healthcheck: a worker's or beat's heartbeat file, a web's /readyz.

A real Celery worker and beat of the reporting service, on a real Redis: the file is fresh while the worker's
loop runs, goes stale as soon as the process is frozen (a hung worker), and is fresh again once it runs.
"""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from scripts.redis_local import free_port
from services.reporting.app import create_app as reporting_app
from tests.conftest import ROOT, wait_for
from tests.integration.conftest import build


def alive(path, max_age: float) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "shared.liveness", str(path), "--max-age", str(max_age)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)


@pytest.fixture
def env(tmp_path, new_store, redis_url):
    url = new_store("reporting")
    build(reporting_app, url, redis_url)  # migrated, so the beat's tasks find their tables
    heartbeats = tmp_path / "heartbeats"
    heartbeats.mkdir()
    return os.environ | {
        "APP_ENV": "development",
        "PELITA_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": redis_url,
        "REPORTING_DATABASE_URL": url,
        "PELITA_HEARTBEAT_DIR": str(heartbeats),
        "PELITA_HEARTBEAT_SECONDS": "0.5",
    }


def start(env, tmp_path, *args) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "services.reporting.worker:celery", *args]
    log = (tmp_path / f"{args[0]}.log").open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGCONT)
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def test_a_worker_is_alive_while_its_loop_runs_and_not_once_it_hangs(env, tmp_path):
    path = Path(env["PELITA_HEARTBEAT_DIR"]) / "pelita-reporting-worker.alive"
    assert alive(path, 60).returncode == 1  # no heartbeat yet: not alive
    worker = start(
        env,
        tmp_path,
        "worker",
        "-Q",
        "reporting",
        "-n",
        "liveness@test",
        "--concurrency",
        "1",
        "--without-mingle",
        "--without-gossip",
    )
    try:
        wait_for(lambda: path.exists() or worker.poll() is not None, timeout=60, message="the worker's heartbeat")
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
        assert alive(path, 3).returncode == 0
        os.kill(worker.pid, signal.SIGSTOP)  # hung: the process exists, its loop does not turn
        checked = wait_for(
            lambda: (result := alive(path, 2)).returncode == 1 and result, timeout=15, message="the check to fail"
        )
        assert "last heartbeat" in checked.stderr
        os.kill(worker.pid, signal.SIGCONT)
        wait_for(lambda: alive(path, 2).returncode == 0, timeout=20, message="the heartbeat to resume")
    finally:
        stop(worker)


def test_a_beat_touches_its_file_at_each_tick(env, tmp_path):
    path = Path(env["PELITA_HEARTBEAT_DIR"]) / "pelita-reporting-beat.alive"
    beat = start(env, tmp_path, "beat", "-s", str(tmp_path / "beat-schedule"), "--pidfile", str(tmp_path / "b.pid"))
    try:
        wait_for(lambda: path.exists() or beat.poll() is not None, timeout=60, message="the beat's heartbeat")
        assert beat.poll() is None, (tmp_path / "beat.log").read_text()[-3000:]
        assert alive(path, 60).returncode == 0
        first = path.stat().st_mtime
        wait_for(lambda: path.stat().st_mtime > first, timeout=30, message="a later tick")
    finally:
        stop(beat)


def serve(app):
    """`app` on a real HTTP port in a thread, as gunicorn would serve it to the healthcheck."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_web_is_healthy_while_ready_and_not_once_its_store_is_gone(new_store, redis_url):
    ready = serve(build(reporting_app, new_store("reporting"), redis_url))
    gone = f"postgresql+psycopg://pelita@127.0.0.1:{free_port()}/gone"
    unready = serve(reporting_app("test", SQLALCHEMY_DATABASE_URI=gone, REDIS_URL=redis_url, OUTBOX_NUDGE=False))
    try:
        assert alive(f"http://127.0.0.1:{ready.server_port}/readyz", 60).returncode == 0
        checked = alive(f"http://127.0.0.1:{unready.server_port}/readyz", 60)
        assert checked.returncode == 1 and "HTTP 503" in checked.stderr
        assert alive(f"http://127.0.0.1:{unready.server_port}/livez", 60).returncode == 0
        assert alive(f"http://127.0.0.1:{free_port()}/livez", 60).returncode == 1  # nothing listens
    finally:
        ready.shutdown()
        unready.shutdown()
