"""Reporting fixtures: the service on a real store, fed the scenario's envelopes through its consumer."""

from datetime import datetime

import pytest

from services.reporting import service
from services.reporting.extensions import db
from services.reporting.figures import Scope
from services.reporting.models import ReportSchedule
from shared.messaging.names import TaskNames
from shared.messaging.publisher import for_subscriber
from shared.messaging.routing import PSEUDONYMISED
from shared.staffauth import STAFF_COOKIE, StaffClaims
from shared.timeutil import WITA
from tests.factories import pseudonym_of, staff_token
from tests.integration.reporting import scenario


def feed(app, envelopes: list[dict]) -> list[str]:
    """Hand envelopes to reporting as registration's relay would: with the registration's pseudonym (a stand-in
    where a test made the envelope itself) and without what reporting is not sent (routing.WITHHELD)."""
    with app.app_context():
        return [service.handle_event(as_sent(envelope)) for envelope in envelopes]


def as_sent(envelope: dict) -> dict:
    payload = envelope.get("payload")
    if envelope.get("type") in PSEUDONYMISED and isinstance(payload, dict) and not payload.get("pseudonym"):
        envelope = {**envelope, "payload": payload | {"pseudonym": pseudonym_of(str(payload["registration_id"]))}}
    return for_subscriber(envelope, TaskNames.REPORTING_HANDLE_EVENT)


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
