"""The daftar hadir: an A4 PDF per event and day from the event's staff page, with the letterhead, numbered rows,
a signature column and totals by gender and disability; blank before the event, attendance marked after. Only the
event's own kabupaten (or the province) may print it, and each print is in the audit trail."""

import io
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from pypdf import PdfReader

from services.registration import service
from services.registration.extensions import db
from services.registration.models import AuditEntry, Registration
from tests.conftest import ROOT
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in

ARTIFACTS = Path(os.environ.get("PELITA_ARTIFACTS", ROOT / "test-artifacts"))
START = (datetime.now(UTC) + timedelta(days=7)).replace(hour=1, minute=0, second=0, microsecond=0)  # 09.00 WITA
PEOPLE = [
    {"full_name": "Siti Aminah", "gender": "female", "disability": "none", "institution": "TP PKK Desa Sungai Tabuk"},
    {"full_name": "Rusdi Hamzah", "gender": "male", "disability": "physical", "participant_type": "library_manager",
     "institution": "Perpustakaan Desa Pematang Danau", "desa_code": None},
    {"full_name": "Nurul Hidayah", "gender": "female", "disability": "sensory", "participant_type": "teacher",
     "institution": "SDN 1 Martapura"},
    {"full_name": "Waiting Wati", "gender": "female", "disability": "none"},
]  # fmt: skip


def event_with_people(registration, auth, days: int = 1, capacity: int = 3) -> tuple[dict, list[dict]]:
    client = registration.test_client()
    body = make_event_body(
        title="Pelatihan Literasi Digital",
        starts_at=START.isoformat(),
        ends_at=(START + timedelta(days=days - 1, hours=7)).isoformat(),
        capacity=capacity,
    )
    event = client.post("/api/v1/events", json=body, headers=auth).json
    people = [
        client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body(**person)).json
        for person in PEOPLE
    ]
    return event, people


def pdf_text(response) -> tuple[str, PdfReader]:
    assert response.status_code == 200, response.text[:300]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def totals_line(text: str, heading: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(heading))
    return line.removeprefix(heading).split()


def render_page_one(data: bytes, name: str) -> Path | None:
    """Page 1 as a PNG in test-artifacts/, to look at (pdftoppm, when installed)."""
    if shutil.which("pdftoppm") is None:
        return None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf, ARTIFACTS / name], check=True
    )
    return ARTIFACTS / f"{name}.png"


def test_before_the_event_the_list_is_blank_numbered_with_the_letterhead_and_totals(registration, auth):
    event, _people = event_with_people(registration, auth)
    client = registration.test_client()
    sign_in(client)
    page = client.get(f"/staf/acara/{event['id']}").text
    assert "Daftar hadir (PDF)" in page

    response = client.get(f"/staf/acara/{event['id']}/daftar-hadir.pdf")
    text, reader = pdf_text(response)
    assert len(reader.pages) == 1 and reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4 portrait
    assert "DINAS PERPUSTAKAAN DAN KEARSIPAN PROVINSI KALIMANTAN SELATAN" in " ".join(text.split())
    assert "DAFTAR HADIR PESERTA" in text and "Pelatihan Literasi Digital" in text and "Tanda tangan" in text
    # the three confirmed, by name, numbered; the person waiting is not on the list
    assert "Waiting Wati" not in text
    flat = " ".join(text.split())
    assert "1 Nurul Hidayah" in flat and "2 Rusdi Hamzah" in flat and "3 Siti Aminah" in flat  # by name
    assert "SDN 1 Martapura" in flat and "Pengelola perpustakaan" in flat and "Disabilitas fisik" in flat
    assert totals_line(text, "Perempuan") == ["2"] and totals_line(text, "Laki-laki") == ["1"]
    assert totals_line(text, "Penyandang disabilitas") == ["2"] and totals_line(text, "Seluruhnya") == ["3"]
    assert "✓" not in text and "diisi saat kegiatan" in text
    assert 'filename="daftar-hadir-' in response.headers["Content-Disposition"]
    png = render_page_one(response.data, "daftar-hadir-kosong")
    assert png is None or png.stat().st_size > 10_000


def test_after_the_event_attendance_is_marked_and_counted(registration, auth):
    event, people = event_with_people(registration, auth)
    client = registration.test_client()
    with time_machine.travel(START - timedelta(minutes=20)):
        sign_in(client)
        with registration.test_request_context():
            for person in people[1:3]:  # Rusdi and Nurul come
                link = service.checkin_url(person["id"]).removeprefix("http://127.0.0.1:8001")
                page = client.get(link)
                token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
                client.post(link, data={"csrf_token": token})
    with time_machine.travel(START + timedelta(hours=9)):
        sign_in(client)
        response = client.get(f"/staf/acara/{event['id']}/daftar-hadir.pdf")
    text, _ = pdf_text(response)
    assert text.count("✓") == 2
    assert totals_line(text, "Perempuan") == ["2", "1"] and totals_line(text, "Laki-laki") == ["1", "1"]
    assert totals_line(text, "Penyandang disabilitas") == ["2", "2"] and totals_line(text, "Seluruhnya") == ["3", "2"]
    png = render_page_one(response.data, "daftar-hadir-terisi")
    assert png is None or png.stat().st_size > 10_000


def test_a_multi_day_event_has_one_list_per_day_and_an_unknown_day_is_404(registration, auth):
    event, _ = event_with_people(registration, auth, days=2)
    client = registration.test_client()
    sign_in(client)
    page = client.get(f"/staf/acara/{event['id']}").text
    first, second = (START.date(), START.date() + timedelta(days=1))
    assert page.count("daftar-hadir.pdf?hari=") == 2 and f"hari={second.isoformat()}" in page
    text, _ = pdf_text(client.get(f"/staf/acara/{event['id']}/daftar-hadir.pdf?hari={second.isoformat()}"))
    assert "hari ke-2 dari 2" in text
    for bad in ("2020-01-01", "kemarin", "x" * 500, (first - timedelta(days=1)).isoformat()):
        assert client.get(f"/staf/acara/{event['id']}/daftar-hadir.pdf?hari={bad}").status_code == 404


def test_only_the_events_kabupaten_may_print_it_and_each_print_is_audited(registration, auth):
    event, _ = event_with_people(registration, auth)
    add_regency_organiser(registration, "63.06")
    other = registration.test_client()
    sign_in(other, "org@contoh.id", "pw-org")
    assert other.get(f"/staf/acara/{event['id']}/daftar-hadir.pdf").status_code == 403
    assert registration.test_client().get(f"/staf/acara/{event['id']}/daftar-hadir.pdf").status_code == 302
    admin = registration.test_client()
    sign_in(admin)
    assert admin.get(f"/staf/acara/{event['id']}/daftar-hadir.pdf").status_code == 200
    with registration.app_context():
        query = sa.select(AuditEntry.action, AuditEntry.object_id).where(AuditEntry.event_id == event["id"])
        audited = [row for row in db.session.execute(query) if row.object_id and row.object_id.startswith("daftar")]
        assert audited == [("registrations.export", f"daftar-hadir:{START.date().isoformat()}")]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 4
