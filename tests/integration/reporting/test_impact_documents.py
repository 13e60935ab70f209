"""The impact figures as people read them: the dashboard, the PDF (its narrative and tables), the XLSX and the CSV
show the hand count of impact_scenario.py, in Indonesian and in English, small disability cells suppressed in
everything that leaves Pelita."""

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from services.reporting import report_pdf, report_xlsx, service
from services.reporting.extensions import db
from services.reporting.models import OutboxMessage, ReportSchedule
from services.reporting.suppression import HIDDEN, SMALL, suppress
from shared.messaging.contracts import consume
from shared.timeutil import WITA
from tests.browser.conftest import CHROMIUM, axe_violations, screenshot
from tests.integration.reporting.conftest import staff_client
from tests.integration.reporting.impact_scenario import NOW, PERIOD, feed_all
from tests.integration.reporting.test_official_report import pdf_text, save_pages

QUERY = {"mulai": PERIOD.start.isoformat(), "sampai": PERIOD.end.isoformat()}


@pytest.fixture
def evaluated(reporting):
    return feed_all(reporting)


def report(app, locale: str = "id") -> tuple[str, bytes]:
    with app.app_context(), force_locale(locale):
        public = suppress(service.compute_figures(PERIOD, now=NOW))
        html = report_pdf.report_html(public, NOW, service.report_subject(PERIOD, "weekly"), locale, "weekly")
    return html, report_pdf.to_pdf(html)


def test_the_pdf_tells_the_impact_in_its_narrative_and_its_table(evaluated):
    _html, pdf = report(evaluated)
    text = pdf_text(pdf)
    assert "Sertifikat terbit untuk 6 peserta." in text
    assert (
        "5 dari 7 peserta yang hadir (71,4%) mengisi evaluasi, dengan kepuasan rata-rata (skala 1–5) 4,2 untuk materi, "
        "4,0 untuk pelatih, dan 3,6 untuk tempat." in text
    )
    assert "4 peserta yang mengikuti tes awal dan akhir rata-rata menjawab benar 1,5 soal lebih banyak" in text
    assert "Dampak program: sertifikat dan evaluasi" in text
    assert "Kepuasan terhadap materi (rata-rata 1–5) 4,2 5" in text
    assert "Tingkat respons evaluasi (jawaban ÷ peserta hadir) 71,4% 7" in text
    assert "Kabupaten Banjar 4 3 3 75,0% 4,0 4,7 3,0 2 2,0" in text
    assert "Kota Banjarmasin 3 3 2 66,7% 4,5 3,0 4,5 2 1,0" in text
    assert f"Disabilitas fisik {SMALL} {SMALL} {SMALL} {HIDDEN} {HIDDEN} {HIDDEN} {HIDDEN} {SMALL} {HIDDEN}" in text
    save_pages(pdf, "impact-weekly", len(pdf_pages(pdf)))
    _html, english = report(evaluated, "en")
    assert "5 of the 7 participants who attended (71.4%) answered the evaluation" in pdf_text(english)


def pdf_pages(pdf: bytes) -> list:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages


def test_the_xlsx_and_csv_carry_the_impact_tables(evaluated):
    with evaluated.app_context(), force_locale("id"):
        public = suppress(service.compute_figures(PERIOD, now=NOW))
        workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx.to_xlsx(public, NOW)))
        document = service.build_csv(PERIOD, "impact_gender")
    summary = {row[0]: row[1:] for row in workbook["Dampak program"].iter_rows(min_row=6, values_only=True)}
    assert summary["Sertifikat terbit"][0] == 6
    assert summary["Kepuasan terhadap materi (rata-rata 1–5)"] == (pytest.approx(4.2), 5)
    assert summary["Peningkatan pengetahuan (rata-rata jawaban benar, tes akhir − tes awal)"] == (pytest.approx(1.5), 4)
    sheet = workbook["Dampak per kabupaten-kota"]
    banjar = next(row for row in sheet.iter_rows(min_row=6, values_only=True) if row[0] == "Kabupaten Banjar")
    assert banjar[1:] == (4, 3, 3, 0.75, 4.0, pytest.approx(14 / 3), 3.0, 2, 2.0)
    assert sheet.cell(row=6 + 2, column=6).number_format == "0.0"  # a mean reads 4.7, not 466.7%
    disability = {row[0]: row[1:] for row in workbook["Dampak disabilitas"].iter_rows(min_row=6, values_only=True)}
    assert "Bukan penyandang disabilitas" not in disability
    assert disability["Disabilitas sensorik (netra, rungu, wicara)"][:3] == (SMALL, SMALL, SMALL)
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(document.content.decode()))}
    assert rows["Perempuan"] == ["5", "4", "3", "0.6", str(11 / 3), str(13 / 3), str(10 / 3), "2", "1.0"]
    assert rows["Laki-laki"] == ["2", "2", "2", "1.0", "5.0", "3.5", "4.0", "2", "2.0"]


def test_the_dashboard_shows_the_impact_to_each_within_their_reach(evaluated):
    page = staff_client(evaluated).get("/dasbor", query_string=QUERY)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-figure="certificates">6<' in html
    assert 'data-figure="response_rate">71,4%<' in html
    assert 'data-figure="satisfaction">4,2 · 4,0 · 3,6<' in html
    assert 'data-figure="gain">1,5<' in html
    assert "Dampak bagi penyandang disabilitas" in html and "(di berkas dan email: &lt;5)" in html  # marked †
    regency = staff_client(evaluated, "regency_organiser", "63.71").get("/dasbor", query_string=QUERY)
    mine = regency.get_data(as_text=True)
    assert 'data-figure="certificates">3<' in mine and 'data-figure="response_rate">66,7%<' in mine


def test_the_weekly_mail_tells_the_impact_too(evaluated, time_machine):
    with evaluated.app_context():
        schedule = ReportSchedule(kind="weekly", recipients=["kadis@dispersip.id"])
        schedule.created_at = datetime(2026, 12, 1, tzinfo=WITA)
        db.session.add(schedule)
        db.session.commit()
        monday = NOW + timedelta(minutes=1)  # Monday 21 December, 08.01 WITA: last week's report is due
        time_machine.move_to(monday)
        [run_id] = service.run_due_reports(now=monday)
        assert service.build_report(run_id, now=monday) == "sent"
        [row] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.type == "report.generated")).all()
        body = consume(row.envelope)[1]["body_text"]
    assert "Sertifikat terbit untuk 6 peserta. 5 dari 7 peserta yang hadir (71,4%) mengisi evaluasi" in body


def test_the_dashboard_with_the_impact_reads_well_on_a_phone_and_passes_axe(evaluated):
    """The page as a phone shows it (every request answered by the service itself, no server): no serious axe
    violation, small enough for a slow connection, and a screenshot in test-artifacts/ for people to look at."""
    assert Path(CHROMIUM).exists(), f"Debian's chromium is missing ({CHROMIUM}); `make test` installs it"
    from playwright.sync_api import sync_playwright

    client = staff_client(evaluated)
    html = client.get("/dasbor", query_string=QUERY).get_data()
    assert len(html) < 100_000

    def answer(route):
        path = route.request.url.split("://", 1)[1].split("/", 1)[1]
        response = client.get("/" + path)
        route.fulfill(status=response.status_code, body=response.get_data(), content_type=response.content_type)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"])
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        phone.route("http://reporting.test/**", answer)
        phone.goto(f"http://reporting.test/dasbor?mulai={QUERY['mulai']}&sampai={QUERY['sampai']}")
        assert phone.locator('[data-figure="response_rate"]').inner_text() == "71,4%"
        assert axe_violations(phone) == []
        screenshot(phone, "reports/impact-dashboard-phone")
        browser.close()
