"""Integration fixtures: each service's app on a real, migrated store (SQLite file; PostgreSQL on request)."""

import os
import shutil
import sqlite3
import tempfile

import flask_migrate
import pytest

from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from tests.support import drop_postgres_schema, postgres_schema_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite"])
def backend(request):
    """Which database the stores use; tests that must also run on PostgreSQL parametrize this."""
    return request.param


@pytest.fixture
def new_store(backend, tmp_path):
    """Make fresh, empty stores: a SQLite file each, or a schema each in the test PostgreSQL."""
    schemas = []

    def make(name: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path}/{name}.sqlite3"
        url, schema = postgres_schema_url(TEST_DATABASE_URL, name[:8])
        schemas.append(schema)
        return url

    yield make
    for schema in schemas:
        drop_postgres_schema(TEST_DATABASE_URL, schema)


def build(factory, database_url: str, redis_url: str, **overrides):
    """The service of `factory` on a migrated store: a SQLite store is a copy of one migrated once per test run."""
    if database_url.startswith("sqlite:///"):
        shutil.copyfile(_sqlite_template(factory, redis_url, overrides), database_url.removeprefix("sqlite:///"))
        return factory(
            "test", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url, OUTBOX_NUDGE=False, **overrides
        )
    app = factory("test", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url, OUTBOX_NUDGE=False, **overrides)
    with app.app_context():
        flask_migrate.upgrade()
    return app


#: Migrated (and, for registration, seeded) SQLite stores, made once per test run and copied for each test.
_TEMPLATES: dict[tuple, str] = {}


def _sqlite_template(factory, redis_url: str, overrides: dict) -> str:
    """A SQLite file migrated to head; registration's also holds Kalsel's areas and the admin the settings name."""
    seeded = factory is registration_app
    key = (
        (factory.__module__, overrides.get("ADMIN_EMAIL"), overrides.get("ADMIN_PASSWORD"))
        if seeded
        else (factory.__module__,)
    )
    if key not in _TEMPLATES:
        path = os.path.join(tempfile.mkdtemp(prefix="pelita-template-"), "store.sqlite3")
        settings = {name: overrides[name] for name in ("ADMIN_EMAIL", "ADMIN_PASSWORD") if name in overrides}
        app = factory(
            "test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", REDIS_URL=redis_url, OUTBOX_NUDGE=False, **settings
        )
        with app.app_context():
            flask_migrate.upgrade()
            extension = app.extensions["sqlalchemy"]
            if seeded:
                from services.registration import seed

                seed.seed_regions()
                seed.seed_admin()
            extension.session.remove()
            extension.engine.dispose()
        with sqlite3.connect(path) as connection:  # everything in the one file, nothing left in a WAL beside it
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        _TEMPLATES[key] = path
    return _TEMPLATES[key]


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
        url = new_store(f"registration{len(apps)}")
        app = build(registration_app, url, redis_url, **settings)
        if not url.startswith("sqlite:///"):  # a SQLite store is a copy of the seeded template
            with app.app_context():
                from services.registration import seed

                seed.seed_regions()
                seed.seed_admin()
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
