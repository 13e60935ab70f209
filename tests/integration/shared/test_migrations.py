"""Each service's migrations build exactly the schema its models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from tests.integration.conftest import build

SERVICES = {"registration": registration_app, "notifications": notifications_app, "reporting": reporting_app}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_migrated_store_is_the_schema_the_models_describe(service, new_store, redis_url):
    app = build(SERVICES[service], new_store(service), redis_url)  # migrated to head
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []  # a model changed without a migration (or the other way round)
