"""A read replica for the figures is one URL: with REPORTING_READ_DATABASE_URL set, the dashboard, the summary API and
the reports count on that store, not on the service's own (docs/capacity.md)."""

from services.reporting.app import create_app
from services.reporting.figures import Scope
from services.reporting.scopes import compute_figures
from services.reporting.store import summary
from tests.integration.conftest import build
from tests.integration.reporting import scenario
from tests.integration.reporting.conftest import staff_client


def test_the_figures_are_counted_on_the_replica_the_configuration_names(fed, new_store, redis_url):
    week = Scope(*scenario.PERIOD)
    primary = build(create_app, new_store("reporting_primary"), redis_url)  # holds no facts at all
    with primary.app_context():
        assert summary({})["registrations"] == 0
        empty = compute_figures(week, now=scenario.NOW)
    with fed.app_context():  # the fed store stands in for a replica of the primary
        expected_summary, expected = summary({}), compute_figures(week, now=scenario.NOW)
    assert expected_summary["registrations"] > 0 and expected != empty

    primary.config["REPORTING_READ_DATABASE_URL"] = fed.config["SQLALCHEMY_DATABASE_URI"]
    with primary.app_context():
        assert summary({}) == expected_summary
        assert compute_figures(week, now=scenario.NOW) == expected
    page = staff_client(primary).get("/dasbor", query_string={"mulai": "2026-03-09", "sampai": "2026-03-15"})
    assert page.status_code == 200
