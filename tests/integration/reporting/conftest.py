"""Reporting fixtures: the service on a real store, fed the scenario's envelopes through its consumer."""

from datetime import datetime

import pytest

from services.reporting import service
from services.reporting.extensions import db
from services.reporting.figures import Scope
from services.reporting.models import ReportSchedule
from shared.staffauth import STAFF_COOKIE, StaffClaims
from shared.timeutil import WITA
from tests.factories import staff_token
from tests.integration.reporting import scenario


def feed(app, envelopes: list[dict]) -> list[str]:
    with app.app_context():
        return [service.handle_event(envelope) for envelope in envelopes]


@pytest.fixture
def fed(reporting):
    """The reporting service after receiving the scenario's week."""
    outcomes = feed(reporting, scenario.envelopes())
    assert set(outcomes) == {"processed"}
    return reporting


@pytest.fixture
def weekly(fed):
    """A weekly province schedule for two provincial staff, made the week before."""
    with fed.app_context():
        schedule = ReportSchedule(kind="weekly", recipients=["kabid@dispersip.id", "kadis@dispersip.id"])
        schedule.created_at = datetime(2026, 3, 1, tzinfo=WITA)
        db.session.add(schedule)
        db.session.commit()
        return schedule.id


@pytest.fixture
def week() -> Scope:
    return Scope(*scenario.PERIOD)


def staff_client(app, role: str = "provincial_admin", kabupaten_code: str | None = None):
    """A test client signed in as staff (the session cookie registration sets)."""
    client = app.test_client()
    token = staff_token(app, StaffClaims(7, "staf@dispersip.id", role, kabupaten_code))
    client.set_cookie(STAFF_COOKIE, token)
    return client
