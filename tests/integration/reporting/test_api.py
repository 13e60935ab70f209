"""The REST API: on-demand report files and schedules, for staff with a bearer token only."""

import io

import openpyxl

from shared.staffauth import StaffClaims
from tests.factories import staff_token
from tests.integration.reporting import scenario

WEEK = {"mulai": "2026-03-09", "sampai": "2026-03-15"}


def bearer(app, role: str = "provincial_admin", kabupaten_code: str | None = None) -> dict:
    token = staff_token(app, StaffClaims(3, "staf@dispersip.id", role, kabupaten_code))
    return {"Authorization": f"Bearer {token}"}


def test_staff_get_the_xlsx_of_any_period_and_kabupaten(fed):
    response = fed.test_client().get(
        "/api/v1/reports/xlsx", query_string=WEEK | {"kabupaten": "63.71"}, headers=bearer(fed)
    )
    assert response.status_code == 200
    summary = openpyxl.load_workbook(io.BytesIO(response.data))["Ringkasan"]
    rows = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert rows["Pendaftar (terkonfirmasi dan daftar tunggu)"] == scenario.expected("63.71")["registrations"]


def test_the_api_refuses_without_a_token_and_outside_the_organisers_kabupaten(fed):
    client = fed.test_client()
    assert client.get("/api/v1/reports/pdf", query_string=WEEK).status_code == 401
    headers = bearer(fed, "regency_organiser", "63.71")
    assert (
        client.get("/api/v1/reports/csv", query_string=WEEK | {"kabupaten": "63.03"}, headers=headers).status_code
        == 403
    )


def test_staff_add_and_list_schedules_through_the_api(reporting):
    client, headers = reporting.test_client(), bearer(reporting)
    body = {"kind": "weekly", "kabupaten": "63.05", "recipients": ["dinas@tapin.id"]}
    created = client.post("/api/v1/schedules", json=body, headers=headers)
    assert created.status_code == 201 and created.json["recipients"] == ["dinas@tapin.id"]
    listed = client.get("/api/v1/schedules", headers=headers).json
    assert [s["kind"] for s in listed] == ["weekly", "monthly", "weekly"]  # the two defaults, then the new one
    assert client.post("/api/v1/schedules", json=body | {"recipients": []}, headers=headers).status_code == 422
