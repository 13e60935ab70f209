"""The audit trail is append-only: the application can add rows, never change or delete one; only retention,
after AUDIT_RETENTION_DAYS, takes old rows away (and on PostgreSQL the database itself refuses an UPDATE)."""

import importlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from shared import audit
from shared.staffauth import StaffClaims
from shared.timeutil import utcnow
from tests.integration.conftest import build
from tests.integration.shared.test_error_pages import FACTORIES

ADMIN = StaffClaims(1, "admin@pelita.local", "provincial_admin")


def parts(app):
    service = app.config["SERVICE"]
    db = importlib.import_module(f"services.{service}.extensions").db
    return db, importlib.import_module(f"services.{service}.models").AuditEntry


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("service", FACTORIES)
def test_the_trail_refuses_changes_and_only_retention_removes_old_rows(service, backend, new_store, redis_url):
    app = build(FACTORIES[service], new_store(service), redis_url)
    with app.app_context():
        db, model = parts(app)
        audit.record(db.session, model, "test.old", ADMIN, object_id="a")
        audit.record(db.session, model, "test.new", ADMIN, object_id="b")
        old = db.session.scalar(sa.select(model).where(model.action == "test.old"))

        old.action = "test.rewritten"
        with pytest.raises(audit.AuditAppendOnly):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(model, old.id))
        with pytest.raises(audit.AuditAppendOnly):
            db.session.commit()
        db.session.rollback()

        if backend == "postgresql":  # even a plain UPDATE, past the ORM, is refused by the trigger
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                db.session.execute(model.__table__.update().values(action="x"))
            db.session.rollback()

        later = utcnow() + timedelta(days=app.config["AUDIT_RETENTION_DAYS"] + 1)
        assert audit.purge(db.session, model, app.config["AUDIT_RETENTION_DAYS"]) == 0
        assert audit.purge(db.session, model, app.config["AUDIT_RETENTION_DAYS"], now=later) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


@pytest.mark.parametrize("service", FACTORIES)
def test_each_services_daily_purge_takes_the_trails_old_rows(service, new_store, redis_url):
    app = build(FACTORIES[service], new_store(service), redis_url, AUDIT_RETENTION_DAYS=30)
    retention = importlib.import_module(f"services.{service}.retention")
    with app.app_context():
        db, model = parts(app)
        audit.record(db.session, model, "test.kept", ADMIN)
        assert retention.purge_old_data()["audit_rows_deleted"] == 0
        assert retention.purge_old_data(now=utcnow() + timedelta(days=31))["audit_rows_deleted"] == 1
