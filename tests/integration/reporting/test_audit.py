"""The audit trail of reporting: downloads of figures and changes to report schedules, by whom and from where."""

import csv
import io

import sqlalchemy as sa

from services.reporting.extensions import db
from services.reporting.models import AuditEntry, ReportSchedule
from tests.integration.reporting.conftest import staff_client
from tests.integration.reporting.test_api import WEEK, bearer
from tests.integration.reporting.test_schedule_pages import csrf


def trail(app) -> list[AuditEntry]:
    with app.app_context():
        found = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return found


def test_downloads_and_schedule_changes_each_leave_one_row(fed):
    client = staff_client(fed)
    assert client.get("/dasbor/unduh.csv", query_string=WEEK | {"kabupaten": "63.03"}).status_code == 200
    assert fed.test_client().get("/api/v1/reports/xlsx", query_string=WEEK, headers=bearer(fed)).status_code == 200
    form = {"csrf_token": csrf(client), "kind": "monthly", "kabupaten": "63.03", "recipients": "a@b.id"}
    assert client.post("/jadwal", data=form).status_code == 303
    with fed.app_context():
        schedule_id = db.session.scalar(sa.select(ReportSchedule.id).where(ReportSchedule.kabupaten_code == "63.03"))
    form = {"csrf_token": csrf(client), "recipients": "c@d.id"}
    assert client.post(f"/jadwal/{schedule_id}/penerima", data=form).status_code == 303
    assert client.post(f"/jadwal/{schedule_id}/lanjutkan", data={"csrf_token": csrf(client)}).status_code == 303

    found = trail(fed)
    assert [(row.action, row.staff_id, row.staff_email, row.client_address) for row in found] == [
        ("figures.export", 7, "staf@dispersip.id", "127.0.0.1"),
        ("figures.export", 3, "staf@dispersip.id", "127.0.0.1"),
        ("schedule.create", 7, "staf@dispersip.id", "127.0.0.1"),
        ("schedule.recipients", 7, "staf@dispersip.id", "127.0.0.1"),
        ("schedule.resume", 7, "staf@dispersip.id", "127.0.0.1"),
    ]
    assert found[0].object_id == "csv 2026-03-09..2026-03-15 63.03"
    assert found[1].object_id == "xlsx 2026-03-09..2026-03-15 provinsi"
    assert {row.object_id for row in found[2:]} == {str(schedule_id)}


def test_only_a_provincial_admin_opens_the_trail_and_it_filters_and_exports(fed):
    organiser = staff_client(fed, "regency_organiser", "63.71")
    assert organiser.get("/jejak").status_code == 403
    assert 'href="/jejak"' not in organiser.get("/jadwal").text
    admin = staff_client(fed)
    admin.get("/dasbor/unduh.pdf", query_string=WEEK)
    assert 'href="/jejak"' in admin.get("/jadwal").text
    page = admin.get("/jejak?action=figures.export")
    assert page.status_code == 200 and "figures.export" in page.text.split("<tbody>")[1]
    assert "figures.export" not in admin.get("/jejak?action=schedule.create").text.split("<tbody>")[1]
    exported = admin.get("/jejak?format=csv&action=figures.export")
    assert [r["object_id"] for r in csv.DictReader(io.StringIO(exported.text))] == [
        "pdf 2026-03-09..2026-03-15 provinsi"
    ]
    assert admin.get("/jejak?dari=2026-13-01").status_code == 400


def test_exposure_lists_what_the_account_took_here_and_no_one(fed):
    staff_client(fed).get("/dasbor/unduh.xlsx", query_string=WEEK)
    result = fed.test_cli_runner().invoke(
        args=["audit", "exposure", "--staff-id", "7", "--since", "2020-01-01", "--until", "2100-01-01T00:00+08:00"]
    )
    assert result.exit_code == 0, result.output
    found = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["action"], r["object_id"]) for r in found] == [
        ("figures.export", "xlsx 2026-03-09..2026-03-15 provinsi")
    ]
    assert "--since" in fed.test_cli_runner().invoke(args=["audit", "exposure", "--staff-id", "7", "--since", "kemarin",
                                                          "--until", "2100-01-01"]).output  # fmt: skip


def test_behind_a_trusted_proxy_the_visitors_own_address_is_recorded(new_store, redis_url):
    from services.reporting.app import create_app
    from tests.integration.conftest import build

    app = build(create_app, new_store("reporting"), redis_url, TRUSTED_PROXY_HOPS=1)
    client = staff_client(app)
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    client.get("/jejak")
    assert [(row.action, row.client_address) for row in trail(app)] == [("audit.view", "203.0.113.9")]
