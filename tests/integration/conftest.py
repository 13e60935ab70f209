"""Integration fixtures: each service's app on a real, migrated store (SQLite file; PostgreSQL on request)."""

import os
import shutil
import sqlite3
import tempfile

import flask_migrate
import pytest
import sqlalchemy as sa

from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from tests.support import copy_postgres_database, drop_postgres_database, postgres_database_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite"])
def backend(request):
    """Which database the stores use; tests that must also run on PostgreSQL parametrize this."""
    return request.param


@pytest.fixture
def new_store(backend, tmp_path):
    """Make fresh, empty stores: a SQLite file each, or a database each in the test PostgreSQL."""
    databases = []

    def make(name: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path}/{name}.sqlite3"
        url, database = postgres_database_url(TEST_DATABASE_URL, f"pelita_{name[:8]}")
        databases.append(database)
        _MADE_HERE.add(url)
        return url

    yield make
    for database in databases:
        drop_postgres_database(TEST_DATABASE_URL, database)


def build(factory, database_url: str, redis_url: str, **overrides):
    """The service of `factory` on a migrated store: a copy of a store migrated (and seeded) once per test run, a
    SQLite file copied or a PostgreSQL database made with CREATE DATABASE ... TEMPLATE."""
    if database_url.startswith("sqlite:///"):
        shutil.copyfile(_template(factory, redis_url, overrides, "sqlite"), database_url.removeprefix("sqlite:///"))
    elif database_url in _MADE_HERE:  # only a database new_store made is replaced by a copy of the template
        name = sa.make_url(database_url).database
        copy_postgres_database(TEST_DATABASE_URL, name, _template(factory, redis_url, overrides, "postgresql"))
    app = factory("test", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url, OUTBOX_NUDGE=False, **overrides)
    if not database_url.startswith("sqlite:///") and database_url not in _MADE_HERE:
        with app.app_context():  # a store elsewhere (a test's own PostgreSQL server): migrated in place
            flask_migrate.upgrade()
    return app


#: The PostgreSQL databases new_store made in this run: the only ones build may drop and make again as a copy.
_MADE_HERE: set[str] = set()


#: Migrated (and, for registration, seeded) stores, made once per test run and copied for each test: a SQLite
#: file's path, or a PostgreSQL template database's name.
_TEMPLATES: dict[tuple, str] = {}


def _template(factory, redis_url: str, overrides: dict, backend: str) -> str:
    """A store migrated to head; registration's also holds Kalsel's areas and the admin the settings name."""
    seeded = factory is registration_app
    admin = (overrides.get("ADMIN_EMAIL"), overrides.get("ADMIN_PASSWORD")) if seeded else ()
    key = (backend, factory.__module__, *admin)
    if key in _TEMPLATES:
        return _TEMPLATES[key]
    if backend == "sqlite":
        path = os.path.join(tempfile.mkdtemp(prefix="pelita-template-"), "store.sqlite3")
        url, made = f"sqlite:///{path}", path
    else:
        url, made = postgres_database_url(TEST_DATABASE_URL, "pelita_template")
    settings = {name: overrides[name] for name in ("ADMIN_EMAIL", "ADMIN_PASSWORD") if name in overrides}
    app = factory("test", SQLALCHEMY_DATABASE_URI=url, REDIS_URL=redis_url, OUTBOX_NUDGE=False, **settings)
    with app.app_context():
        flask_migrate.upgrade()
        extension = app.extensions["sqlalchemy"]
        if seeded:
            from services.registration import seed

            seed.seed_regions()
            seed.seed_admin()
        extension.session.remove()
        extension.engine.dispose()  # a template database may have nobody connected when it is copied
    if backend == "sqlite":
        with sqlite3.connect(made) as connection:  # everything in the one file, nothing left in a WAL beside it
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
    _TEMPLATES[key] = made
    return made


@pytest.fixture(scope="session", autouse=True)
def drop_postgres_templates():
    """The PostgreSQL template databases go at the end of the run (the SQLite ones go with the temporary files)."""
    yield
    for (backend, *_), name in _TEMPLATES.items():
        if backend == "postgresql":
            drop_postgres_database(TEST_DATABASE_URL, name)


@pytest.fixture
def make_registration_app(new_store, redis_url):
    """Build registration services, migrated and seeded with Kalsel's areas and the admin (password rahasia-admin).

    The form's rate limiter counts in memory unless a test asks for Redis, so tests do not share one IP's quota;
    its limit (which the public API's registrations share) is raised unless a test sets one, as every test
    registers from the one address 127.0.0.1.
    """
    apps = []

    def make(**overrides):
        settings = {
            "ADMIN_PASSWORD": "rahasia-admin",
            "RATELIMIT_STORAGE_URI": "memory://",
            "REGISTRATION_FORM_RATE_LIMIT": "100000 per minute",
        } | overrides
        app = build(registration_app, new_store(f"registration{len(apps)}"), redis_url, **settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def registration(make_registration_app):
    """The registration service, migrated and seeded."""
    return make_registration_app()


@pytest.fixture
def notifications(new_store, redis_url, smtp_server):
    url = new_store("notifications")
    app = build(notifications_app, url, redis_url, SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port)
    yield app
    with app.app_context():
        from services.notifications.extensions import db

        db.engine.dispose()


@pytest.fixture
def reporting(new_store, redis_url):
    app = build(reporting_app, new_store("reporting"), redis_url)
    yield app
    with app.app_context():
        from services.reporting.extensions import db

        db.engine.dispose()


@pytest.fixture
def staff_token(registration):
    """A bearer token of the seeded provincial admin."""
    response = registration.test_client().post(
        "/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"}
    )
    assert response.status_code == 201
    return response.json["token"]


@pytest.fixture
def auth(staff_token):
    return {"Authorization": f"Bearer {staff_token}"}
