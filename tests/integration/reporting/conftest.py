"""Reporting fixtures: the service on a real store, fed the scenario's envelopes through its consumer."""

import pytest

from services.reporting import service
from services.reporting.figures import Scope
from shared.staffauth import STAFF_COOKIE, StaffClaims
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
def week() -> Scope:
    return Scope(*scenario.PERIOD)


def staff_client(app, role: str = "provincial_admin", kabupaten_code: str | None = None):
    """A test client signed in as staff (the session cookie registration sets)."""
    client = app.test_client()
    token = staff_token(app, StaffClaims(7, "staf@dispersip.id", role, kabupaten_code))
    client.set_cookie(STAFF_COOKIE, token)
    return client
