"""deploy/backup.sh and deploy/restore.sh against the machine's PostgreSQL: a registration store migrated by the app's
own migrations and holding registrations is dumped, the dump restored into a fresh database, and the registration
service started on the restored store finds every registration; old dumps go, a restore never overwrites."""

import os
import stat
import subprocess
import time
import uuid
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from services.registration.app import create_app
from tests.factories import make_event_body, make_registration_body
from tests.integration.conftest import build

ROOT = Path(__file__).resolve().parents[3]
SERVER = os.environ.get("TEST_POSTGRES_SERVER_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
LIBPQ = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres"}


def url_of(database: str) -> str:
    return sa.engine.make_url(SERVER).set(database=database).render_as_string(hide_password=False)


def version_of(database: str) -> set[str]:
    """The alembic revision a store is at."""
    engine = sa.create_engine(url_of(database))
    with engine.connect() as connection:
        versions = set(connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    engine.dispose()
    return versions


def server_says(sql: str) -> None:
    engine = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(sql)
    engine.dispose()


def run(script: str, *arguments: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "deploy" / script), *arguments],
        env={**os.environ, **LIBPQ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def databases():
    """Names for this test's databases (pelita_bk_…), dropped afterwards whatever happened."""
    prefix = f"pelita_bk_{uuid.uuid4().hex[:8]}"
    names = {"source": f"{prefix}_registration", "restored": f"{prefix}_restored"}
    server_says(f'CREATE DATABASE "{names["source"]}"')
    yield names
    for name in names.values():
        server_says(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def registrations(app) -> list[dict]:
    """Every registration as the staff API lists it, over every event."""
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    listed = []
    for event in client.get("/api/v1/events?limit=100").json:
        response = client.get(f"/api/v1/events/{event['id']}/registrations", headers=headers)
        assert response.status_code == 200
        listed += response.json
    return sorted(listed, key=lambda registration: registration["id"])


def dispose(app) -> None:
    with app.app_context():
        app.extensions["sqlalchemy"].session.remove()
        app.extensions["sqlalchemy"].engine.dispose()


def test_a_nightly_backup_restores_into_a_fresh_database_with_every_registration(databases, redis_url, tmp_path):
    settings = {"ADMIN_PASSWORD": "rahasia-admin", "RATELIMIT_STORAGE_URI": "memory://"}
    settings["REGISTRATION_FORM_RATE_LIMIT"] = "100000 per minute"
    source = build(create_app, url_of(databases["source"]), redis_url, **settings)
    with source.app_context():
        from services.registration import seed

        seed.seed_regions()
        seed.seed_admin()
    client = source.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    small = client.post("/api/v1/events", json=make_event_body(capacity=3), headers=headers).json["id"]
    large = client.post("/api/v1/events", json=make_event_body(title="Literasi Digital"), headers=headers).json["id"]
    for n in range(5):  # three seats, two on the waiting list
        body = make_registration_body(full_name=f"Peserta Kecil {n}", email=f"kecil{n}@contoh.id")
        assert client.post(f"/api/v1/events/{small}/registrations", json=body).status_code == 201
    for n in range(12):
        body = make_registration_body(full_name=f"Peserta Besar {n}", email=f"besar{n}@contoh.id")
        assert client.post(f"/api/v1/events/{large}/registrations", json=body).status_code == 201
    before = registrations(source)
    assert len(before) == 17
    assert {registration["status"] for registration in before} == {"confirmed", "waitlisted"}
    dispose(source)

    backups = tmp_path / "backups"
    folder = backups / databases["source"]
    folder.mkdir(parents=True)
    expired, recent = folder / f"{databases['source']}-20260101T020000Z.dump", folder / "kept.dump"
    expired.write_bytes(b"an old dump")
    recent.write_bytes(b"a dump from yesterday")
    os.utime(expired, (time.time() - 8 * 86400,) * 2)
    os.utime(recent, (time.time() - 86400,) * 2)

    backup = run(
        "backup.sh",
        PELITA_BACKUP_DIR=str(backups),
        PELITA_BACKUP_KEEP_DAYS="7",
        PELITA_BACKUP_DATABASES=databases["source"],
    )
    assert backup.returncode == 0, backup.stderr
    (dump,) = folder.glob(f"{databases['source']}-2*.dump")
    assert dump != expired and not expired.exists() and recent.exists()
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # it holds people's names and contacts
    assert "Peserta" not in backup.stdout + backup.stderr

    restore = run("restore.sh", str(dump), databases["restored"])
    assert restore.returncode == 0, restore.stderr
    restored = create_app(
        "test", SQLALCHEMY_DATABASE_URI=url_of(databases["restored"]), REDIS_URL=redis_url, **settings
    )
    assert version_of(databases["restored"]) == version_of(databases["source"]) != set()
    with restored.app_context():
        flask_migrate.upgrade()  # nothing to do: the dump carries alembic's revision with the tables
    assert registrations(restored) == before
    dispose(restored)


def test_a_restore_never_overwrites_an_existing_database(databases, tmp_path):
    server_says(f'CREATE DATABASE "{databases["restored"]}"')
    backups = tmp_path / "backups"
    backup = run("backup.sh", PELITA_BACKUP_DIR=str(backups), PELITA_BACKUP_DATABASES=databases["source"])
    assert backup.returncode == 0, backup.stderr
    (dump,) = (backups / databases["source"]).glob("*.dump")

    restore = run("restore.sh", str(dump), databases["restored"])
    assert restore.returncode == 1
    assert "exists" in restore.stderr


def test_a_failed_dump_leaves_no_file_that_looks_like_a_backup_and_says_so(tmp_path):
    backups = tmp_path / "backups"
    missing = f"pelita_bk_{uuid.uuid4().hex[:8]}_missing"
    backup = run("backup.sh", PELITA_BACKUP_DIR=str(backups), PELITA_BACKUP_DATABASES=missing)
    assert backup.returncode == 1
    assert f"{missing} FAILED" in backup.stderr
    assert list((backups / missing).iterdir()) == []


def test_a_restore_can_hand_everything_to_the_services_own_role(databases, tmp_path):
    role = f"{databases['source']}_role"
    engine = sa.create_engine(url_of(databases["source"]))
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE registrations (id text PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO registrations VALUES ('satu'), ('dua')")
    engine.dispose()
    backups = tmp_path / "backups"
    assert run("backup.sh", PELITA_BACKUP_DIR=str(backups), PELITA_BACKUP_DATABASES=databases["source"]).returncode == 0
    (dump,) = (backups / databases["source"]).glob("*.dump")
    server_says(f'CREATE ROLE "{role}" LOGIN')
    try:
        restore = run("restore.sh", str(dump), databases["restored"], PELITA_RESTORE_OWNER=role)
        assert restore.returncode == 0, restore.stderr
        engine = sa.create_engine(url_of(databases["restored"]))
        with engine.connect() as connection:
            owner = connection.exec_driver_sql("SELECT tableowner FROM pg_tables WHERE tablename = 'registrations'")
            assert owner.scalar() == role
            assert connection.exec_driver_sql("SELECT count(*) FROM registrations").scalar() == 2
        engine.dispose()
    finally:
        server_says(f'DROP DATABASE IF EXISTS "{databases["restored"]}" WITH (FORCE)')
        server_says(f'DROP ROLE IF EXISTS "{role}"')
