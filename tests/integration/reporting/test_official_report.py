"""The report as an official document: letterhead, programme, narrative, signature, no mostly empty page; small
counts suppressed the same way in every file and mail; charts readable at the size they are shown."""

import base64
import csv
import io
import os
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask_babel import force_locale

from services.reporting import report_pdf, reports, service, store
from services.reporting.extensions import db
from services.reporting.figures import Scope
from services.reporting.models import OutboxMessage, ReportSchedule
from services.reporting.suppression import SMALL, suppress
from shared.messaging.contracts import consume
from tests.integration.reporting import scenario
from tests.integration.reporting.conftest import staff_client

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("PELITA_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WEEK = {"mulai": "2026-03-09", "sampai": "2026-03-15"}
#: Monday 9 March alone: one participant with a disability (mental), who came; every such count is 1.
MONDAY = Scope(date(2026, 3, 9), date(2026, 3, 9))


def percent(part: int, whole: int, decimal: str = ",") -> str:
    return f"{part / whole * 100:.1f}%".replace(".", decimal)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, whitespace collapsed (cells wrap onto several lines)."""
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def weekly_report(fed, week):
    """The scenario week's report as it is mailed: the HTML, the PDF and the figures it was made from."""
    with fed.app_context(), force_locale("id"):
        public = suppress(service.compute_figures(week, now=scenario.NOW))
        subject = service.report_subject(week, "weekly")
        html = report_pdf.report_html(public, scenario.NOW, subject, "id", "weekly")
    return html, report_pdf.to_pdf(html), public


def test_the_report_has_the_letterhead_programme_period_and_signature_from_config(fed, week):
    settings = {
        "REPORT_INSTITUTION": "Dinas Perpustakaan Kabupaten Contoh",
        "REPORT_ADDRESS": "Jl. Contoh No. 1, Martapura",
        "REPORT_PROGRAMME": "Program Contoh (PC)",
        "REPORT_SIGNER_NAME": "Dra. Siti Contoh, M.Si.",
        "REPORT_SIGNER_TITLE": "Kepala Bidang Layanan",
        "REPORT_SIGNER_NIP": "19700101 199503 2 001",
        "REPORT_PLACE": "Martapura",
    }
    fed.config.update(settings)
    with fed.app_context(), force_locale("id"):
        public = suppress(service.compute_figures(week, now=scenario.NOW))
        subject = service.report_subject(week, "monthly")
        html = report_pdf.report_html(public, scenario.NOW, subject, "id", "monthly")
    text = pdf_text(report_pdf.to_pdf(html))
    assert subject.startswith("Laporan bulanan Program Contoh (PC): 9 Maret 2026 – 15 Maret 2026")
    assert "DINAS PERPUSTAKAAN KABUPATEN CONTOH" in text and "Jl. Contoh No. 1, Martapura" in text
    assert "LAPORAN BULANAN PROGRAM PROGRAM CONTOH (PC)" in text
    assert "Periode: 9 Maret 2026 – 15 Maret 2026" in text
    assert "Martapura, 16 Maret 2026 Kepala Bidang Layanan" in text
    assert "Dra. Siti Contoh, M.Si. NIP 19700101 199503 2 001" in text
    logo = BeautifulSoup(html, "html.parser").select_one(".letterhead img")["src"]
    assert logo.startswith("data:image/svg+xml;base64,")
    assert b"<svg" in base64.b64decode(logo.split(",", 1)[1])


def test_an_unreadable_logo_leaves_the_letterhead_without_it(fed, week):
    fed.config["REPORT_LOGO_PATH"] = "/nonexistent/logo.png"
    with fed.app_context(), force_locale("id"):
        public = suppress(service.compute_figures(week, now=scenario.NOW))
        html = report_pdf.report_html(public, scenario.NOW, "Laporan", "id", "weekly")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".letterhead img") is None and "KALIMANTAN SELATAN" in pdf_text(report_pdf.to_pdf(html))


def test_the_narrative_percentages_match_a_hand_count(fed, weekly_report):
    _html, pdf, public = weekly_report
    people = [p for p in scenario.PEOPLE if p.event.in_period and not p.event.cancelled]
    active = [p for p in people if p.final_status != "cancelled"]
    women = [p for p in active if p.gender == "female"]
    disabled = [p for p in active if p.disability != "none"]
    confirmed = [p for p in people if p.final_status == "confirmed"]
    came = [p for p in confirmed if p.checked_in]
    areas = {p.kabupaten for p in active}
    assert (len(active), len(women), len(disabled), len(came), len(confirmed), len(areas)) == (22, 14, 9, 16, 21, 3)
    text = pdf_text(pdf)
    assert (
        f"Dari {len(active)} pendaftar, {len(women)} orang ({percent(len(women), len(active))}) perempuan dan "
        f"{len(disabled)} orang ({percent(len(disabled), len(active))}) penyandang disabilitas." in text
    )
    assert f"Tingkat kehadiran di kegiatan yang sudah dimulai: {percent(len(came), len(confirmed))}" in text
    assert f"Peserta berasal dari {len(areas)} dari 13 kabupaten/kota di Kalimantan Selatan." in text
    assert "3 kegiatan telah terlaksana. 1 kegiatan dibatalkan." in text
    with fed.app_context(), force_locale("en"):
        english = report_pdf.narrative(public, "en")
    assert english.startswith("3 activities have been held. 1 activity was cancelled.")
    assert (
        f"Of 22 registered participants, 14 ({percent(14, 22, '.')}) are women and 9 ({percent(9, 22, '.')}) "
        "are people with disabilities." in english
    )
    assert "Participants came from 3 of the 13 regencies and cities of Kalimantan Selatan." in english


def page_fill(html: str) -> list[float]:
    """How far down its writing area each page of the laid-out report is used (0 = empty, 1 = full)."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    fills = []
    for page in HTML(string=html).render().pages:
        page_box = page._page_box
        top, lowest = page_box.content_box_y(), page_box.content_box_y()
        stack = [child for child in page_box.children if not isinstance(child, boxes.MarginBox)]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TextBox | boxes.ReplacedBox):
                lowest = max(lowest, box.position_y + box.margin_height())
            stack.extend(getattr(box, "children", []))
        fills.append((lowest - top) / page_box.height)
    return fills


def test_the_pdf_has_no_mostly_empty_page(weekly_report):
    html, pdf, _public = weekly_report
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    fills = page_fill(html)
    assert len(pages) == len(fills) <= 4
    assert min(fills) >= 0.5, [round(f, 2) for f in fills]
    assert "Kegiatan terlaksana 3" in pages[0].extract_text()  # summary and signature on the first page
    assert "NIP" in pages[0].extract_text()
    save_pages(pdf, "report-week", len(pages))


def test_a_long_list_of_events_breaks_across_pages_without_leaving_gaps(fed, weekly_report):
    """Tables split between rows (their header repeated); only a section's chart keeps it whole."""
    _html, _pdf, public = weekly_report
    with fed.app_context(), force_locale("id"):
        many = replace(public, events=public.events * 12)
        html = report_pdf.report_html(many, scenario.NOW, "Laporan mingguan", "id", "weekly")
    fills = page_fill(html)
    assert len(fills) > 5 and min(fills[:-1]) >= 0.5, [round(f, 2) for f in fills]
    assert pdf_text(report_pdf.to_pdf(html)).count("Kegiatan Kabupaten/ kota Mulai (WITA)") >= 3  # header repeated


def save_pages(pdf: bytes, name: str, count: int) -> None:
    """Keep the PDF and a PNG of each page in test-artifacts/ for people to look at (drawn by chromium's viewer)."""
    folder = ARTIFACTS / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pdf").write_bytes(pdf)
    if not Path(CHROMIUM).exists():
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"])
        for number in range(1, count + 1):
            page = browser.new_page(viewport={"width": 1123, "height": 794})
            page.goto(f"file://{folder / name}.pdf#page={number}&toolbar=0&navpanes=0&view=Fit")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(folder / f"{name}-page-{number}.png"))
            page.close()
        browser.close()


def test_small_counts_are_suppressed_the_same_in_csv_xlsx_pdf_and_mail(fed):
    with fed.app_context():
        schedule = ReportSchedule(kind="weekly", recipients=["kabid@dispersip.contoh.id"])
        db.session.add(schedule)
        db.session.flush()
        store.add_run_once(schedule.id, MONDAY.start, MONDAY.end)
        db.session.commit()
        [run_id] = service.run_due_reports(now=scenario.NOW)
        assert service.build_report(run_id, now=scenario.NOW) == "sent"
        [row] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.type == "report.generated")).all()
        payload = consume(row.envelope)[1]
        csvs = {key: service.build_csv(MONDAY, key).content.decode() for key in ("summary", "disability", "events")}
    files = {a["filename"].rsplit(".", 1)[1]: base64.b64decode(a["content_base64"]) for a in payload["attachments"]}

    def rows_of(csv_text: str) -> dict:
        return {row[0]: row[1:] for row in csv.reader(io.StringIO(csv_text))}

    workbook = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))

    def sheet(name: str) -> dict:
        return {r[0]: [v for v in r[1:] if v is not None] for r in workbook[name].iter_rows(values_only=True) if r[0]}

    text = pdf_text(files["pdf"])
    summary = {"Pendaftar penyandang disabilitas": SMALL, "Peserta hadir penyandang disabilitas": SMALL}
    for label, shown in summary.items():
        assert rows_of(csvs["summary"])[label] == [shown]
        assert sheet("Ringkasan")[label] == [shown]
        assert f"{label} {shown}" in text
        assert f"- {label}: {shown}\n" in payload["body_text"]
    mental = "Disabilitas mental"
    assert rows_of(csvs["disability"])[mental] == [SMALL, SMALL] and sheet("Disabilitas")[mental] == [SMALL, SMALL]
    assert f"{mental} {SMALL} {SMALL}" in text
    title = reports.neutralise(scenario.E5.title)
    assert rows_of(csvs["events"])[title][9] == SMALL and sheet("Per kegiatan")[title][9] == SMALL
    assert "penyandang disabilitas kurang dari 5 orang" in payload["body_text"]
    assert "penyandang disabilitas kurang dari 5 orang" in text
    assert not re.search(r"penyandang disabilitas: 1\b|1 orang \(\d", payload["body_text"])


def test_provincial_staff_see_which_cells_files_and_mails_suppress(fed):
    soup = BeautifulSoup(staff_client(fed).get("/dasbor", query_string=WEEK).text, "html.parser")
    assert soup.find(id="shared-note") is not None
    cells = {
        row.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in row.find_all("td")]
        for row in soup.find(id="t-disability").find_parent("section").tbody.find_all("tr")
    }
    assert cells["Disabilitas fisik"] == ["5", "4 † (di berkas dan email: <5)"]
    assert cells["Disabilitas intelektual"] == ["0", "0"]
    assert cells["Bukan penyandang disabilitas"][0].endswith("(di berkas dan email: –)")
    regency = BeautifulSoup(
        staff_client(fed, "regency_organiser", "63.03").get("/dasbor", query_string=WEEK).text, "html.parser"
    )
    assert regency.find(id="shared-note") is None and "†" not in regency.get_text()


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def dashboard_charts(fed) -> list[ET.Element]:
    html = staff_client(fed).get("/dasbor", query_string=WEEK).text
    return [ET.fromstring(svg) for svg in re.findall(r'<svg [^>]*class="chart .*?</svg>', html, re.S)]


def test_chart_text_is_at_least_12px_and_dark_on_white_at_the_size_drawn(fed):
    charts = dashboard_charts(fed)
    assert {svg.get("class") for svg in charts} == {"chart chart-wide", "chart chart-narrow"}
    ns = "{http://www.w3.org/2000/svg}"
    for svg in charts:
        view_width = float(svg.get("viewBox").split()[2])
        assert float(svg.get("width")) == view_width  # drawn at its own size, never scaled down
        background = svg.find(f"{ns}rect")
        assert (background.get("width"), background.get("fill")) == (svg.get("width"), "#ffffff")
        texts = svg.findall(f"{ns}text")
        assert texts
        for text in texts:
            assert float(text.get("font-size", svg.get("font-size"))) >= 12
            assert contrast(text.get("fill", svg.get("fill")), background.get("fill")) >= 4.5
        for bar in svg.findall(f"{ns}rect")[1:]:
            assert contrast(bar.get("fill"), background.get("fill")) >= 3  # bars against the background
        if "chart-narrow" in svg.get("class"):
            assert view_width <= 300  # fits a 320 px phone screen without scaling


@pytest.mark.parametrize("width", [360, 1280])
def test_chart_labels_render_at_least_12px_in_chromium(fed, width):
    """Drawn by chromium at a phone's and a desktop's width: every visible chart text is 12 px or more.

    `make test` installs Debian's chromium (make system-deps); without it the test fails rather than skips."""
    assert Path(CHROMIUM).exists(), f"Debian's chromium is missing ({CHROMIUM}); `make test` installs it"
    from playwright.sync_api import sync_playwright

    client = staff_client(fed)

    def serve(route):
        path = route.request.url.removeprefix("http://reporting.test")
        response = client.get(path)
        route.fulfill(status=response.status_code, body=response.data, content_type=response.content_type)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.route("http://reporting.test/**", serve)
        page.goto("http://reporting.test/dasbor?mulai=2026-03-09&sampai=2026-03-15")
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('svg.chart text')]
                .filter(t => t.getClientRects().length && t.closest('svg').getBoundingClientRect().width > 0)
                .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
        )
        layouts = page.evaluate(
            "() => [...document.querySelectorAll('svg.chart')].filter(s => s.getClientRects().length)"
            ".map(s => s.classList[1])"
        )
        browser.close()
    assert sizes and min(sizes) >= 12, min(sizes)
    assert set(layouts) == {"chart-narrow" if width < 640 else "chart-wide"}


def test_a_period_with_nothing_in_it_draws_no_empty_charts_and_leaves_no_empty_page(fed):
    """A week with no events: every table says so, no chart of zeros pushes the next table onto a page of its own."""
    quiet = Scope(date(2026, 1, 5), date(2026, 1, 11))
    with fed.app_context(), force_locale("id"):
        public = suppress(service.compute_figures(quiet, now=scenario.NOW))
        html = report_pdf.report_html(public, scenario.NOW, service.report_subject(quiet, "weekly"), "id", "weekly")
    assert "<svg" not in html
    fills = page_fill(html)
    assert len(fills) <= 3 and min(fills[:-1], default=1) >= 0.5, [round(f, 2) for f in fills]
