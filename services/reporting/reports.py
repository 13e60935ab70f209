"""Report rendering as pure functions of the figures: tables, CSV, XLSX (XlsxWriter, native charts) and PDF.

Everything here leaves the service, so callers pass figures through figures.suppress() first. Text that staff
typed (event titles) is neutralised against spreadsheet formula injection in the CSV and the XLSX.
"""

import base64
import csv
import io
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import xlsxwriter
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from services.reporting import charts
from services.reporting.figures import BREAKDOWNS, HIDDEN, SMALL, Figures, Scope, categories, rate
from services.reporting.labels import BREAKDOWN_TITLES, SHEET_NAMES, area_label, label
from shared.timeutil import WITA

logger = logging.getLogger(__name__)
KABUPATEN_CODES = frozenset(categories("kabupaten"))

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADLINE = (
    ("events_held", _l("Kegiatan terlaksana")),
    ("events_upcoming", _l("Kegiatan belum terlaksana")),
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


def shared_rows(table: Table, public: Table) -> list[list | None]:
    """Each row of `table` as `public` (the same table, small counts suppressed) shows it; None for a row left out
    of what is shared (the "none" row of the disability breakdown)."""
    if len(public.rows) == len(table.rows):
        return list(public.rows)
    by_name = {row[0]: row for row in public.rows}
    return [by_name.get(row[0]) for row in table.rows]


def shared_view(shown: list[Table], public: Figures, locale: str = "id") -> dict[str, list[list | None]]:
    """For each table in which staff see more than files and mails show, its rows as they are shared."""
    public_tables = {table.key: table for table in tables(public, locale)}
    view = {}
    for table in shown:
        rows = shared_rows(table, public_tables[table.key])
        if any(row is None or list(row) != list(mine) for row, mine in zip(rows, table.rows, strict=True)):
            view[table.key] = rows
    return view


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


def charted(table: Table) -> bool:
    """Whether a table gets a chart: it has chart columns and something in them to draw. A chart of nothing but
    zeros says no more than the table beside it, and on paper it pushes the next tables onto a page of their own."""
    return bool(table.chart_columns) and any(row[c] != 0 for row in table.rows for c in table.chart_columns)


def chart_for(table: Table, layout: str = "wide") -> str:
    """Return the SVG chart of a table with chart columns (the dashboard and the PDF show the same).

    Categories with nothing to draw (every value 0) are left out of the chart, so that a kabupaten chart of a week
    is not thirteen rows of nothing; the table beside it still lists every category.
    """
    rows = [row for row in table.rows if any(row[c] != 0 for c in table.chart_columns)] or table.rows
    series = [(table.headers[c], [row[c] for row in rows]) for c in table.chart_columns]
    return charts.bar_chart(table.title, [str(row[0]) for row in rows], series, layout)


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
        "charted": charted,
        "rate_labels": _rate_labels(),
    }


#: The printed report lists at most this many events; the XLSX beside it always lists every one.
PDF_EVENT_ROWS = 60


def report_html(
    figures: Figures, generated_at: datetime, subject: str, locale: str = "id", kind: str | None = None
) -> str:
    """Render the printable report (needs the app context, for the template, the letterhead and translations).

    A month of the whole province can hold thousands of events: a 500-page PDF helps nobody and takes minutes to
    lay out, so the PDF shows the first PDF_EVENT_ROWS events (only those are formatted) and says where the full
    list is.
    """
    from flask import render_template

    events_total = len(figures.events) if len(figures.events) > PDF_EVENT_ROWS else 0
    values = context(replace(figures, events=figures.events[:PDF_EVENT_ROWS]), generated_at, locale)
    return render_template(
        "reporting/report.html",
        subject=subject,
        title=report_title(kind),
        letterhead=letterhead(generated_at, locale),
        narrative=narrative(figures, locale),
        events_total=events_total,
        events_shown=PDF_EVENT_ROWS,
        **values,
    )


def report_title(kind: str | None) -> str:
    """The document's name: its kind, then the programme it reports on."""
    from flask import current_app

    programme = current_app.config["REPORT_PROGRAMME"]
    if kind == "weekly":
        return _("Laporan Mingguan Program %(programme)s", programme=programme)
    if kind == "monthly":
        return _("Laporan Bulanan Program %(programme)s", programme=programme)
    return _("Laporan Program %(programme)s", programme=programme)


def letterhead(generated_at: datetime, locale: str = "id") -> dict:
    """The letterhead and signature block of the printed report, from the service's configuration."""
    from flask import current_app

    config = current_app.config
    return {
        "institution": config["REPORT_INSTITUTION"],
        "address": config["REPORT_ADDRESS"],
        "logo": logo_data_uri(config["REPORT_LOGO_PATH"]),
        "place_date": f"{config['REPORT_PLACE']}, {format_date(generated_at.astimezone(WITA), 'd MMMM y', locale)}",
        "signer_title": config["REPORT_SIGNER_TITLE"],
        "signer_name": config["REPORT_SIGNER_NAME"],
        "signer_nip": config["REPORT_SIGNER_NIP"],
    }


LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def logo_data_uri(path: str) -> str | None:
    """The logo inlined in the HTML (WeasyPrint fetches nothing); None, and a warning, when it cannot be read."""
    file = Path(path)
    mimetype = LOGO_TYPES.get(file.suffix.lower())
    try:
        content = file.read_bytes() if mimetype else None
    except OSError:
        content = None
    if content is None:
        logger.warning("report logo unreadable or not SVG/PNG/JPEG; the letterhead goes without it")
        return None
    return f"data:{mimetype};base64,{base64.b64encode(content).decode()}"


def narrative(figures: Figures, locale: str = "id") -> str:
    """A few sentences the reader takes in first: events held, who registered (women, people with a disability),
    attendance and the kabupaten/kota reached, with percentages. It reads the figures as they leave the service, so
    a suppressed count stays suppressed here too."""
    n = figures.registrations
    number = lambda value: display(value, locale)  # noqa: E731
    percent = lambda part: display(rate(part, n), locale, rate=True)  # noqa: E731
    sentences = [
        ngettext(
            "%(count)s kegiatan telah terlaksana.",
            "%(count)s kegiatan telah terlaksana.",
            figures.events_held,
            count=number(figures.events_held),
        )
    ]
    if figures.events_upcoming:
        sentences.append(
            ngettext(
                "%(count)s kegiatan lain belum terlaksana.",
                "%(count)s kegiatan lain belum terlaksana.",
                figures.events_upcoming,
                count=number(figures.events_upcoming),
            )
        )
    if figures.events_cancelled:
        sentences.append(
            ngettext(
                "%(count)s kegiatan dibatalkan.",
                "%(count)s kegiatan dibatalkan.",
                figures.events_cancelled,
                count=number(figures.events_cancelled),
            )
        )
    if not n:
        sentences.append(_("Belum ada pendaftar pada periode ini."))
        return " ".join(sentences)
    women = next((row.registered for row in figures.breakdowns["gender"] if row.key == "female"), 0)
    disabled = figures.disability_registered
    values = {"women": number(women), "women_rate": percent(women)}
    if isinstance(disabled, int):
        who = ngettext(
            "Dari %(count)s pendaftar, %(women)s orang (%(women_rate)s) perempuan dan %(disabled)s orang "
            "(%(disabled_rate)s) penyandang disabilitas.",
            "Dari %(count)s pendaftar, %(women)s orang (%(women_rate)s) perempuan dan %(disabled)s orang "
            "(%(disabled_rate)s) penyandang disabilitas.",
            n,
            count=number(n),
            disabled=number(disabled),
            disabled_rate=percent(disabled),
            **values,
        )
    else:
        who = ngettext(
            "Dari %(count)s pendaftar, %(women)s orang (%(women_rate)s) perempuan; penyandang disabilitas kurang dari "
            "5 orang (angka pastinya disembunyikan untuk melindungi data pribadi).",
            "Dari %(count)s pendaftar, %(women)s orang (%(women_rate)s) perempuan; penyandang disabilitas kurang dari "
            "5 orang (angka pastinya disembunyikan untuk melindungi data pribadi).",
            n,
            count=number(n),
            **values,
        )
    sentences.append(who)
    if figures.attendance_rate is not None:
        sentences.append(
            _(
                "Tingkat kehadiran di kegiatan yang sudah dimulai: %(rate)s (%(attended)s orang hadir).",
                rate=display(figures.attendance_rate, locale, rate=True),
                attended=number(figures.attended),
            )
        )
    areas = [row for row in figures.breakdowns["kabupaten"] if row.key in KABUPATEN_CODES]
    reached = sum(1 for row in areas if row.registered)
    sentences.append(
        _(
            "Peserta berasal dari %(reached)s dari %(total)s kabupaten/kota di Kalimantan Selatan.",
            reached=number(reached),
            total=number(len(areas)),
        )
    )
    return " ".join(sentences)
