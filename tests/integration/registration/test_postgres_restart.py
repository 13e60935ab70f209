"""PostgreSQL restarted under load: registrations fail cleanly while it is down and never oversell or double."""

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from scripts.redis_local import free_port
from services.registration.app import create_app
from services.registration.extensions import db
from services.registration.models import OutboxMessage, Registration
from tests.factories import make_event_body, make_registration_body
from tests.integration.conftest import build

BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)


def as_postgres(*command: str) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, timeout=120)


@pytest.fixture
def own_postgres():
    """A private PostgreSQL cluster this test may stop and start (never the machine's own)."""
    if BIN is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.fail("PostgreSQL's initdb/pg_ctl are needed for this test")
    directory = Path(tempfile.mkdtemp(prefix="pelita-pg-"))
    os.chmod(directory, 0o777)
    data, port = directory / "data", free_port()
    as_postgres(f"{BIN}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl = [f"{BIN}/pg_ctl", "-D", str(data), "-o", options, "-w", "-l", str(directory / "pg.log")]
    as_postgres(*ctl, "start")
    yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", ctl
    subprocess.run(["runuser", "-u", "postgres", "--", *ctl, "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(directory, ignore_errors=True)


def test_a_postgres_restart_under_load_loses_no_accepted_registration_and_oversells_nothing(own_postgres, redis_url):
    url, ctl = own_postgres
    app = build(
        create_app,
        url,
        redis_url,
        ADMIN_PASSWORD="rahasia-admin",
        RATELIMIT_STORAGE_URI="memory://",
        REGISTRATION_FORM_RATE_LIMIT="100000 per minute",  # every registration comes from 127.0.0.1
    )
    with app.app_context():
        from services.registration import seed

        seed.seed_regions()
        seed.seed_admin()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    token = requests.post(
        f"{base}/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"}
    )
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    event_id = requests.post(f"{base}/api/v1/events", json=make_event_body(capacity=20), headers=headers).json()["id"]

    some_accepted = threading.Event()

    def post(n: int):
        time.sleep(n * 0.02)  # a steady stream of people, about 50 a second
        body = make_registration_body(email=f"pg{n}@contoh.id")
        try:
            response = requests.post(f"{base}/api/v1/events/{event_id}/registrations", json=body, timeout=30)
        except requests.RequestException:
            return n, None
        if response.status_code == 201 and n >= 10:
            some_accepted.set()
        return n, response

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(post, n) for n in range(120)]
        assert some_accepted.wait(30), "no registration got through before the restart"
        as_postgres(*ctl, "-m", "fast", "restart")
        results = [future.result() for future in futures]
    server.shutdown()

    accepted = {n for n, response in results if response is not None and response.status_code == 201}
    refused = [r.status_code for _, r in results if r is not None and r.status_code != 201]
    assert accepted and all(code == 503 for code in refused), refused  # a clear "try again", never a crash page
    with app.app_context():
        emails = set(db.session.scalars(sa.select(Registration.email)))
        confirmed = db.session.scalar(
            sa.select(sa.func.count()).select_from(Registration).where(Registration.status == "confirmed")
        )
        created = db.session.scalar(
            sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.type == "registration.created")
        )
        db.session.remove()
        db.engine.dispose()
    assert {f"pg{n}@contoh.id" for n in accepted} <= emails  # every 201 is stored
    assert created == len(emails)  # and announced exactly once
    assert confirmed <= 20
