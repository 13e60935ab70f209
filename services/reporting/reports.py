"""Report rendering as pure functions of the figures: tables, CSV, XLSX (XlsxWriter, native charts) and PDF.

Everything here leaves the service, so callers pass figures through figures.suppress() first. Text that staff
typed (event titles) is neutralised against spreadsheet formula injection in the CSV and the XLSX.
"""

import csv
import io
from dataclasses import dataclass, replace
from datetime import datetime

import xlsxwriter
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

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
    names = {key: label(kind, key) for kind, key in {("kabupaten", e.kabupaten_code) for e in figures.events}}
    statuses = {key: label("status", key) for key in {e.status for e in figures.events}}  # each looked up once
    rows = [
        [
            e.title,
            names[e.kabupaten_code],
            format_datetime(e.starts_at, "dd-MM-yyyy HH.mm", tzinfo=WITA, locale=locale),
            statuses[e.status],
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
    """Return the report as an XLSX workbook: a summary sheet, a sheet per breakdown with a chart, per event.

    Written with XlsxWriter row by row (constant_memory: each row leaves memory once written); every text cell is
    written as a string, never as a formula, and the charts are Excel's own.
    """
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "header": workbook.add_format({"bold": True, "bg_color": "#F3F2F1", "text_wrap": True, "valign": "top"}),
        "rate": workbook.add_format({"num_format": "0.0%"}),
    }
    for table in tables(figures, locale):
        sheet = workbook.add_worksheet(str(SHEET_NAMES.get(table.key, table.title))[:31])
        _write_table(sheet, table, figures, generated_at, locale, formats)
        if table.chart_columns and table.rows:
            _add_chart(workbook, sheet, table)
    workbook.close()
    return out.getvalue()


HEADER_ROW = 5
#: Chart size in centimetres (width; height grows with the categories), as Excel shows it at 96 dpi.
CHART_WIDTH_CM, PIXELS_PER_CM = 16, 96 / 2.54


def _write_table(sheet, table: Table, figures: Figures, generated_at: datetime, locale: str, formats: dict) -> None:
    sheet.set_column(0, 0, 44)
    if len(table.headers) > 1:
        sheet.set_column(1, len(table.headers) - 1, 16)
    sheet.freeze_panes(HEADER_ROW, 0)
    area = area_label(figures.scope.kabupaten_code)
    sheet.write_string(0, 0, neutralise(table.title), formats["title"])
    sheet.write_string(1, 0, f"{_('Periode')}: {period_label(figures.scope, locale)} · {_('Wilayah')}: {area}")
    generated = format_datetime(generated_at, "d MMMM y HH.mm", tzinfo=WITA, locale=locale)
    sheet.write_string(2, 0, f"{_('Dibuat')}: {generated} WITA")
    if figures.suppressed:
        note = _(
            "%(small)s: 1–4 orang, disembunyikan (UU PDP). %(hidden)s: disembunyikan agar tidak dapat dihitung balik.",
            small=SMALL,
            hidden=HIDDEN,
        )
        sheet.write_string(3, 0, note)
    for column, header in enumerate(table.headers):
        sheet.write_string(HEADER_ROW - 1, column, neutralise(header), formats["header"])
    rate_labels = _rate_labels() if table.key == "summary" else set()
    for r, row in enumerate(table.rows, start=HEADER_ROW):
        rate_row = bool(rate_labels) and row[0] in rate_labels
        for column, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, column, neutralise(value))  # never a formula, whatever the text
            elif value is None:
                if rate_row:
                    sheet.write_blank(r, column, None, formats["rate"])
            elif isinstance(value, float) or rate_row:
                sheet.write_number(r, column, value, formats["rate"])
            else:
                sheet.write_number(r, column, value)


def _rate_labels() -> set[str]:
    return {str(text) for key, text in HEADLINE if key in RATES}


def _add_chart(workbook, sheet, table: Table) -> None:
    chart = workbook.add_chart({"type": "bar"})
    chart.set_style(10)
    chart.set_title({"name": table.title})
    height_cm = max(7.5, 0.6 * len(table.rows) + 3)
    chart.set_size({"width": round(CHART_WIDTH_CM * PIXELS_PER_CM), "height": round(height_cm * PIXELS_PER_CM)})
    first, last = HEADER_ROW, HEADER_ROW + len(table.rows) - 1
    for column in table.chart_columns:
        chart.add_series(
            {
                "name": [sheet.name, HEADER_ROW - 1, column],
                "categories": [sheet.name, first, 0, last, 0],
                "values": [sheet.name, first, column, last, column],
            }
        )
    sheet.insert_chart(HEADER_ROW - 1, len(table.headers) + 1, chart)


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
    lay out, so the PDF shows the first PDF_EVENT_ROWS events (only those are formatted) and says where the full
    list is.
    """
    from flask import render_template

    events_total = len(figures.events) if len(figures.events) > PDF_EVENT_ROWS else 0
    values = context(replace(figures, events=figures.events[:PDF_EVENT_ROWS]), generated_at, locale)
    return render_template(
        "reporting/report.html", subject=subject, events_total=events_total, events_shown=PDF_EVENT_ROWS, **values
    )
