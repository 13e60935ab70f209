"""The reporting dashboard over a large read model: one provincial admin's GET /dasbor for last month, timed in a
fresh process (python -m bench.dashboard DATABASE_URL), as bench/reports.py's extra figure.

The page is the whole of what a person waits for: the figures (GROUP BY counts over every registration fact of the
period), the charts and the HTML; signed in with the staff cookie registration sets. Printed as JSON: seconds of
the first (cold) and second request, CPU seconds, the status and the page's size.
"""

import json
import resource
import sys
import time

from bench.reports import last_month


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(database_url: str) -> dict:
    """Time the dashboard page twice in this process; return the figures."""
    from services.reporting import service
    from services.reporting.app import create_app
    from shared.messaging.names import EventNames
    from shared.messaging.publisher import make_envelope
    from shared.staffauth import STAFF_COOKIE, StaffClaims, issue_token

    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
    claims = StaffClaims(1, "admin@pelita.local", "provincial_admin")
    with app.app_context():  # reporting hears of the account from registration's staff.changed, as deployed
        payload = {"staff_id": claims.id, "token_version": claims.version, "active": True}
        service.handle_event(make_envelope(EventNames.STAFF_CHANGED, payload, source="registration"))
        token = issue_token(claims, 1)[0]
    client = app.test_client()
    client.set_cookie(STAFF_COOKIE, token)
    start, end = last_month()
    query = {"mulai": start.isoformat(), "sampai": end.isoformat()}
    figures = {}
    for name in ("cold", "warm"):
        started, spent = time.perf_counter(), cpu()
        response = client.get("/dasbor", query_string=query)
        figures[f"{name}_seconds"] = time.perf_counter() - started
        figures[f"{name}_cpu_seconds"] = cpu() - spent
        figures["status"], figures["bytes"] = response.status_code, len(response.data)
    return figures


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
