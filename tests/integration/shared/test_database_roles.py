"""Least privilege in PostgreSQL: scripts/postgres-init.sh, the very script docker-compose.yml mounts into the
postgres image, gives each service a role that owns its own database and cannot even connect to another's.

It runs here against the local server (127.0.0.1:5432, user postgres) with names prefixed `pelita_lp_<random>_`,
dropped afterwards. That server trusts every local connection, so passwords are not checked here: what is checked
is what a password cannot get round, the privileges (CONNECT taken from PUBLIC, ownership, no superuser powers).
"""

import os
import subprocess
import uuid

import flask_migrate
import psycopg
import pytest

from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from tests.conftest import ROOT

SERVICES = {"registration": registration_app, "notifications": notifications_app, "reporting": reporting_app}
SERVER = {"host": "127.0.0.1", "port": 5432}
INIT_SCRIPT = ROOT / "scripts" / "postgres-init.sh"


def connect(user: str, database: str) -> psycopg.Connection:
    return psycopg.connect(**SERVER, user=user, dbname=database, autocommit=True, connect_timeout=5)


def run_init_script(prefix: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PGHOST": SERVER["host"],
        "PGPORT": str(SERVER["port"]),
        "PGUSER": "postgres",
        "PELITA_DB_PREFIX": prefix,
        **{f"{name.upper()}_DB_PASSWORD": f"only-{name}-knows-{uuid.uuid4().hex}" for name in SERVICES},
    }
    return subprocess.run(["sh", str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def roles():
    """The init script's roles and databases on the local server, each store migrated to head by its own role, as
    the service's migrations container does: {service: role and database name}."""
    try:
        connect("postgres", "postgres").close()
    except psycopg.OperationalError as error:
        pytest.fail(f"the local PostgreSQL (127.0.0.1:5432, user postgres) does not answer: {error}")
    prefix = f"pelita_lp_{uuid.uuid4().hex[:8]}_"
    names = {service: f"{prefix}{service}" for service in SERVICES}
    try:
        result = run_init_script(prefix)
        assert result.returncode == 0, result.stderr
        for service, name in names.items():
            migrate_as(service, name)
        yield names
    finally:
        with connect("postgres", "postgres") as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def migrate_as(service: str, role: str):
    """Migrate the service's store to head connected as `role`, as its migrations container does."""
    url = f"postgresql+psycopg://{role}@{SERVER['host']}:{SERVER['port']}/{role}"
    app = SERVICES[service]("test", SQLALCHEMY_DATABASE_URI=url, REDIS_URL="redis://127.0.0.1:1/0", OUTBOX_NUDGE=False)
    with app.app_context():
        flask_migrate.upgrade()
        app.extensions["sqlalchemy"].engine.dispose()
    return app


def test_each_service_role_migrated_and_uses_its_own_database(roles):
    for service, name in roles.items():
        with connect(name, name) as own:
            tables = own.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'").fetchall()
            assert {"alembic_version", "outbox", "processed_messages"} <= {table for table, _ in tables}, service
            assert {owner for _, owner in tables} == {name}, f"{service}: every table belongs to its role"
            own.execute(
                "INSERT INTO processed_messages (message_id, type, processed_at) VALUES (%s, %s, now())",
                [str(uuid.uuid4()), "smoke.test"],
            )
            assert own.execute("SELECT count(*) FROM processed_messages").fetchone() == (1,)


def test_no_service_role_can_reach_another_services_tables(roles):
    for service, name in roles.items():
        for other, database in roles.items():
            if other == service:
                continue
            with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
                connect(name, database)
    # nor a role nobody gave anything: the databases are shut to PUBLIC
    stranger = f"pelita_lp_{uuid.uuid4().hex[:8]}_stranger"
    with connect("postgres", "postgres") as admin:
        admin.execute(f'CREATE ROLE "{stranger}" LOGIN')
        try:
            for database in roles.values():
                with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
                    connect(stranger, database)
        finally:
            admin.execute(f'DROP ROLE "{stranger}"')


def test_the_roles_have_no_powers_beyond_their_own_database(roles):
    with connect("postgres", "postgres") as admin:
        for name in roles.values():
            powers = admin.execute(
                "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles"
                " WHERE rolname = %s",
                [name],
            ).fetchone()
            assert powers == (False, False, False, False, False), name
            owner = admin.execute(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            assert owner == (name,)
            others = [other for other in roles.values() if other != name]
            for other in others:
                allowed = admin.execute("SELECT has_database_privilege(%s, %s, 'CONNECT')", [other, name]).fetchone()
                assert allowed == (False,), f"{other} may connect to {name}"


def test_running_the_script_again_changes_nothing_but_the_passwords(roles):
    prefix = roles["registration"].removesuffix("registration")
    again = run_init_script(prefix)
    assert again.returncode == 0, again.stderr
    with connect(roles["registration"], roles["registration"]) as own:
        assert own.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_the_script_refuses_to_run_without_a_password():
    env = {**os.environ, "PGHOST": SERVER["host"], "PGUSER": "postgres", "PELITA_DB_PREFIX": "pelita_lp_never_"}
    env.pop("REGISTRATION_DB_PASSWORD", None)
    result = subprocess.run(["sh", str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "REGISTRATION_DB_PASSWORD" in result.stderr
    with connect("postgres", "postgres") as admin:
        assert admin.execute("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pelita_lp_never_%'").fetchone() == (0,)
