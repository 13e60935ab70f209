"""Report rendering as pure functions of the figures: tables, CSV, XLSX (openpyxl, native charts) and PDF.

Everything here leaves the service, so callers pass figures through figures.suppress() first. Text that staff
typed (event titles) is neutralised against spreadsheet formula injection in the CSV and the XLSX.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from services.reporting import charts
from services.reporting.figures import BREAKDOWNS, HIDDEN, SMALL, Figures, Scope
from services.reporting.labels import BREAKDOWN_TITLES, SHEET_NAMES, area_label, label
from shared.timeutil import WITA

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADLINE = (
    ("events_held", _l("Kegiatan terlaksana")),
    ("events_cancelled", _l("Kegiatan dibatalkan")),
    ("registrations", _l("Pendaftar (terkonfirmasi dan daftar tunggu)")),
    ("confirmed", _l("Terkonfirmasi")),
    ("waitlisted", _l("Daftar tunggu")),
    ("cancelled", _l("Pendaftaran dibatalkan")),
    ("attended", _l("Hadir")),
    ("no_shows", _l("Tidak hadir")),
    ("no_show_rate", _l("Tingkat ketidakhadiran")),
    ("disability_registered", _l("Pendaftar penyandang disabilitas")),
    ("disability_attended", _l("Peserta hadir penyandang disabilitas")),
    ("villages_registered", _l("Desa/kelurahan terjangkau (pendaftar)")),
    ("villages_attended", _l("Desa/kelurahan terjangkau (hadir)")),
    ("delivered", _l("Pesan terkirim")),
    ("failed", _l("Pesan gagal")),
    ("delivery_rate", _l("Tingkat keberhasilan pesan")),
)
RATES = ("no_show_rate", "delivery_rate")


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    #: Columns drawn in the chart of this table (indexes into each row), none for tables without a chart.
    chart_columns: tuple[int, ...] = ()


def neutralise(value):
    """Make text that a spreadsheet would run as a formula inert by prefixing a single quote (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def headline(figures: Figures) -> Table:
    rows = [[str(text), getattr(figures, key)] for key, text in HEADLINE]
    return Table("summary", _("Ringkasan"), [_("Indikator"), _("Nilai")], rows)


def breakdown(figures: Figures, name: str) -> Table:
    rows = [[label(name, row.key), row.registered, row.attended] for row in figures.breakdowns[name]]
    headers = [_("Kategori"), _("Terdaftar"), _("Hadir")]
    return Table(name, str(BREAKDOWN_TITLES[name]), headers, rows, (1, 2))


def channels(figures: Figures) -> Table:
    rows = [[label("channel", c.channel), c.delivered, c.failed, c.rate] for c in figures.channels]
    headers = [_("Saluran"), _("Terkirim"), _("Gagal"), _("Tingkat keberhasilan")]
    return Table("channel", str(BREAKDOWN_TITLES["channel"]), headers, rows, (1, 2))


def events(figures: Figures, locale: str = "id") -> Table:
    headers = [_("Kegiatan"), _("Kabupaten/kota"), _("Mulai (WITA)"), _("Status"), _("Kapasitas")]
    headers += [_("Terkonfirmasi"), _("Daftar tunggu"), _("Batal"), _("Hadir"), _("Tidak hadir")]
    headers += [_("Pendaftar penyandang disabilitas"), _("Pesan terkirim"), _("Pesan gagal")]
    rows = [
        [
            e.title,
            label("kabupaten", e.kabupaten_code),
            format_datetime(e.starts_at, "dd-MM-yyyy HH.mm", tzinfo=WITA, locale=locale),
            label("status", e.status),
            e.capacity,
            e.confirmed,
            e.waitlisted,
            e.cancelled,
            e.attended,
            e.no_shows,
            e.disability_registered,
            e.delivered,
            e.failed,
        ]
        for e in figures.events
    ]
    return Table("events", _("Per kegiatan"), headers, rows)


def tables(figures: Figures, locale: str = "id") -> list[Table]:
    """Return every table of the report in order: summary, the breakdowns, channels, per event."""
    parts = [headline(figures)] + [breakdown(figures, name) for name in BREAKDOWNS]
    return [*parts, channels(figures), events(figures, locale)]


def period_label(scope: Scope, locale: str = "id") -> str:
    return (
        f"{format_date(scope.start, 'd MMMM y', locale=locale)} – {format_date(scope.end, 'd MMMM y', locale=locale)}"
    )


def display(value, locale: str = "id", rate: bool = False) -> str:
    """Format a cell for people: 1.234, 23,8%, "<5", or a dash for a rate with nothing to divide."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if rate or isinstance(value, float):
        return format_percent(value, "#,##0.0%", locale=locale)
    return format_decimal(value, locale=locale)


def to_csv(table: Table) -> str:
    """Return one table as CSV (UTF-8 text; rates as decimals), text cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
    return out.getvalue()


def to_xlsx(figures: Figures, generated_at: datetime, locale: str = "id") -> bytes:
    """Return the report as an XLSX workbook: a summary sheet, a sheet per breakdown with a chart, per event."""
    workbook = Workbook()
    sheet = workbook.active
    for table in tables(figures, locale):
        sheet = sheet if table.key == "summary" else workbook.create_sheet()
        sheet.title = str(SHEET_NAMES.get(table.key, table.title))[:31]
        _write_table(sheet, table, figures, generated_at, locale)
        if table.chart_columns and table.rows:
            _add_chart(sheet, table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


HEADER_ROW = 5


def _write_table(sheet, table: Table, figures: Figures, generated_at: datetime, locale: str) -> None:
    sheet["A1"] = neutralise(table.title)
    sheet["A1"].font = Font(bold=True, size=14)
    area = area_label(figures.scope.kabupaten_code)
    sheet["A2"] = f"{_('Periode')}: {period_label(figures.scope, locale)} · {_('Wilayah')}: {area}"
    sheet["A3"] = f"{_('Dibuat')}: {format_datetime(generated_at, 'd MMMM y HH.mm', tzinfo=WITA, locale=locale)} WITA"
    if figures.suppressed:
        sheet["A4"] = _(
            "%(small)s: 1–4 orang, disembunyikan (UU PDP). %(hidden)s: disembunyikan agar tidak dapat dihitung balik.",
            small=SMALL,
            hidden=HIDDEN,
        )
    for column, header in enumerate(table.headers, start=1):
        cell = sheet.cell(HEADER_ROW, column, neutralise(header))
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="F3F2F1")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(r, column, neutralise(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if isinstance(value, float) or (table.key == "summary" and row[0] in _rate_labels()):
                cell.number_format = "0.0%"
    sheet.column_dimensions["A"].width = 44
    for column in range(2, len(table.headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)


def _rate_labels() -> set[str]:
    return {str(text) for key, text in HEADLINE if key in RATES}


def _add_chart(sheet, table: Table) -> None:
    chart = BarChart()
    chart.type, chart.style, chart.title = "bar", 10, table.title
    chart.height, chart.width = max(7.5, 0.6 * len(table.rows) + 3), 16
    last = HEADER_ROW + len(table.rows)
    for column in table.chart_columns:
        data = Reference(sheet, min_col=column + 1, min_row=HEADER_ROW, max_row=last)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=HEADER_ROW + 1, max_row=last))
    sheet.add_chart(chart, f"{get_column_letter(len(table.headers) + 2)}{HEADER_ROW}")


def chart_for(table: Table) -> str:
    """Return the SVG chart of a table with chart columns (the dashboard and the PDF show the same)."""
    series = [(table.headers[c], [row[c] for row in table.rows]) for c in table.chart_columns]
    return charts.bar_chart(table.title, [str(row[0]) for row in table.rows], series)


def to_pdf(html: str) -> bytes:
    """Return the PDF of the report's HTML (rendered from templates/reporting/report.html)."""
    from weasyprint import HTML  # imported late: it loads Pango, which only the report builders need

    return HTML(string=html).write_pdf()


def context(figures: Figures, generated_at: datetime, locale: str = "id") -> dict:
    """Return what the report and dashboard templates need to show the figures."""
    return {
        "tables": tables(figures, locale),
        "locale": locale,
        "period": period_label(figures.scope, locale),
        "area": area_label(figures.scope.kabupaten_code),
        "generated": f"{format_datetime(generated_at, 'd MMMM y HH.mm', tzinfo=WITA, locale=locale)} WITA",
        "small": SMALL,
        "hidden": HIDDEN,
        "display": display,
        "chart_for": chart_for,
        "rate_labels": _rate_labels(),
    }


#: The printed report lists at most this many events; the XLSX beside it always lists every one.
PDF_EVENT_ROWS = 60


def report_html(figures: Figures, generated_at: datetime, subject: str, locale: str = "id") -> str:
    """Render the printable report (needs the app context, for the template and translations).

    A month of the whole province can hold thousands of events: a 500-page PDF helps nobody and takes minutes to
    lay out, so the PDF shows the first PDF_EVENT_ROWS events and says where the full list is.
    """
    from dataclasses import replace

    from flask import render_template

    values = context(figures, generated_at, locale)
    events_total = 0
    for index, table in enumerate(values["tables"]):
        if table.key == "events" and len(table.rows) > PDF_EVENT_ROWS:
            events_total = len(table.rows)
            values["tables"][index] = replace(table, rows=table.rows[:PDF_EVENT_ROWS])
    return render_template(
        "reporting/report.html", subject=subject, events_total=events_total, events_shown=PDF_EVENT_ROWS, **values
    )
