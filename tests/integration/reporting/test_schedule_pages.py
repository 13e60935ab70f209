"""Staff manage report schedules and recipients; a paused schedule shows why and can be resumed."""

import re

from services.reporting.extensions import db
from services.reporting.models import ReportSchedule
from tests.integration.reporting.conftest import staff_client


def csrf(client, path: str = "/jadwal") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_provincial_staff_see_the_default_schedules_and_add_one(reporting):
    client = staff_client(reporting)
    page = client.get("/jadwal").text
    assert "Mingguan (Senin 08.00 WITA, minggu sebelumnya)" in page and "Bulanan" in page
    form = {"csrf_token": csrf(client), "kind": "monthly", "kabupaten": "63.03", "recipients": "a@b.id,\nc@d.id"}
    assert client.post("/jadwal", data=form).status_code == 303
    with reporting.app_context():
        added = db.session.query(ReportSchedule).filter_by(kabupaten_code="63.03").one()
        assert (added.kind, added.recipients) == ("monthly", ["a@b.id", "c@d.id"])


def test_a_wrong_email_is_explained(reporting):
    client = staff_client(reporting)
    form = {"csrf_token": csrf(client), "kind": "weekly", "kabupaten": "", "recipients": "bukan-email"}
    response = client.post("/jadwal", data=form)
    assert response.status_code == 400 and "Alamat email tidak valid: bukan-email" in response.text


def test_a_regency_organiser_manages_only_their_kabupaten(reporting):
    client = staff_client(reporting, "regency_organiser", "63.71")
    form = {"csrf_token": csrf(client), "kind": "weekly", "kabupaten": "", "recipients": "staf@banjarmasin.id"}
    assert client.post("/jadwal", data=form).status_code == 403
    assert client.post("/jadwal", data=form | {"kabupaten": "63.71"}).status_code == 303
    page = client.get("/jadwal").text
    assert "staf@banjarmasin.id" in page and "Mingguan" in page and "Seluruh Kalimantan Selatan" not in page


def test_a_paused_schedule_shows_its_reason_and_can_be_resumed(reporting):
    client = staff_client(reporting)
    client.get("/jadwal")
    with reporting.app_context():
        schedule = db.session.query(ReportSchedule).filter_by(kind="weekly").first()
        schedule.active, schedule.failures_in_a_row, schedule.paused_reason = False, 5, "OSError: disk penuh"
        db.session.commit()
        schedule_id = schedule.id
    assert "OSError: disk penuh" in client.get("/jadwal").text
    assert client.post(f"/jadwal/{schedule_id}/lanjutkan", data={"csrf_token": csrf(client)}).status_code == 303
    with reporting.app_context():
        assert db.session.get(ReportSchedule, schedule_id).active
