"""Every figure in the XLSX (read back with openpyxl), the PDF (text extracted) and the CSV equals the hand count."""

import csv
import io

import openpyxl
import pypdf
import pytest
from flask_babel import force_locale

from services.reporting import report_pdf, report_xlsx, reports, service
from services.reporting.labels import label
from services.reporting.suppression import SMALL, suppress
from tests.integration.reporting import scenario

BREAKDOWN_SHEETS = {
    "kabupaten": "Kabupaten-Kota",
    "gender": "Jenis kelamin",
    "age_group": "Kelompok usia",
    "disability": "Disabilitas",
    "participant_type": "Jenis peserta",
}
SUMMARY = {
    "Kegiatan terlaksana": "events_held",
    "Kegiatan dibatalkan": "events_cancelled",
    "Pendaftar (terkonfirmasi dan daftar tunggu)": "registrations",
    "Terkonfirmasi": "confirmed",
    "Daftar tunggu": "waitlisted",
    "Pendaftaran dibatalkan": "cancelled",
    "Hadir": "attended",
    "Tidak hadir": "no_shows",
    "Tingkat ketidakhadiran": "no_show_rate",
    "Desa/kelurahan terjangkau (pendaftar)": "villages_registered",
    "Desa/kelurahan terjangkau (hadir)": "villages_attended",
    "Pesan terkirim": "delivered",
    "Pesan gagal": "failed",
    "Tingkat keberhasilan pesan": "delivery_rate",
}


def shown(name: str, key: str, value: int):
    """What the export must show: counts of 1-4 people with a disability are suppressed."""
    return SMALL if name == "disability" and key != "none" and 1 <= value <= 4 else value


def expected_rows(name: str) -> dict:
    rows = scenario.expected()[name]
    return {
        label(name, key): (shown(name, key, reg), shown(name, key, att))
        for key, (reg, att) in rows.items()
        if key != "none" or name != "disability"
    }


@pytest.fixture
def documents(fed, week):
    with fed.app_context(), force_locale("id"):
        public = suppress(service.compute_figures(week, now=scenario.NOW))
        xlsx = report_xlsx.to_xlsx(public, scenario.NOW)
        pdf = report_pdf.to_pdf(report_pdf.report_html(public, scenario.NOW, "Laporan mingguan"))
        csvs = {table.key: reports.to_csv(table) for table in reports.tables(public)}
    return xlsx, pdf, csvs


def sheet_rows(sheet) -> dict:
    return {row[0]: row[1:] for row in sheet.iter_rows(min_row=report_xlsx.HEADER_ROW + 1, values_only=True) if row[0]}


def test_every_figure_in_the_xlsx_equals_the_hand_count(documents):
    workbook = openpyxl.load_workbook(io.BytesIO(documents[0]))
    expected = scenario.expected()
    summary = sheet_rows(workbook["Ringkasan"])
    for text, key in SUMMARY.items():
        assert summary[text][0] == pytest.approx(expected[key]), text
    for name, sheet_name in BREAKDOWN_SHEETS.items():
        rows = sheet_rows(workbook[sheet_name])
        got = {category: tuple(values[:2]) for category, values in rows.items() if any(values[:2])}
        assert got == expected_rows(name), name
        assert len(workbook[sheet_name]._charts) == 1, f"{sheet_name} has a native chart"
    per_event = sheet_rows(workbook["Per kegiatan"])
    for title, counts in expected["per_event"].items():
        assert per_event[reports.neutralise(title)][4] == counts["confirmed"]
        assert per_event[reports.neutralise(title)][7] == counts["attended"]


def test_no_event_title_becomes_a_formula_in_the_xlsx(documents):
    workbook = openpyxl.load_workbook(io.BytesIO(documents[0]))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]
    titles = {cell.value for cell in cells}
    assert "'" + scenario.FORMULA_TITLE in titles and "'" + scenario.E5.title in titles


def test_every_figure_in_the_pdf_equals_the_hand_count(documents):
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(documents[1])).pages)
    lines = set(text.splitlines())
    expected = scenario.expected()
    for line_text, key in SUMMARY.items():
        value = expected[key]
        value = f"{value * 100:.1f}%".replace(".", ",") if isinstance(value, float) else str(value)
        assert f"{line_text} {value}" in lines, line_text
    for name in BREAKDOWN_SHEETS:
        for category, (registered, attended) in expected_rows(name).items():
            assert f"{category} {registered} {attended}" in lines, (name, category)
    assert scenario.FORMULA_TITLE in "".join(
        text.split()
    )  # shown as typed (wrapped in its cell): a PDF has no formulas


def test_the_csv_tables_hold_the_same_figures_and_no_formula(documents):
    csvs = documents[2]
    for name in BREAKDOWN_SHEETS:
        rows = list(csv.reader(io.StringIO(csvs[name])))[1:]
        got = {row[0]: (row[1], row[2]) for row in rows if row[1:3] != ["0", "0"]}
        assert got == {k: (str(r), str(a)) for k, (r, a) in expected_rows(name).items()}, name
    events = list(csv.reader(io.StringIO(csvs["events"])))
    titles = [row[0] for row in events[1:]]
    assert "'" + scenario.FORMULA_TITLE in titles
    assert not [title for title in titles if title.startswith(("=", "+", "-", "@"))]


def test_the_pdf_lists_the_first_events_and_says_the_xlsx_has_them_all(fed, week, monkeypatch):
    monkeypatch.setattr(report_pdf, "PDF_EVENT_ROWS", 2)
    with fed.app_context(), force_locale("id"):
        public = suppress(service.compute_figures(week, now=scenario.NOW))
        pdf = report_pdf.to_pdf(report_pdf.report_html(public, scenario.NOW, "Laporan bulanan"))
        xlsx = openpyxl.load_workbook(io.BytesIO(report_xlsx.to_xlsx(public, scenario.NOW)))
    total = len(public.events)
    assert total > 2
    text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert f"memuat 2 dari {total} acara" in text and "lampiran XLSX" in text
    cells = {str(cell) for sheet in xlsx.worksheets for row in sheet.iter_rows(values_only=True) for cell in row}
    assert all(reports.neutralise(event.title) in cells for event in public.events)
