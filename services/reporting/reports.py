"""Report rendering as pure functions of the figures: tables and CSV here, the XLSX in report_xlsx.py (XlsxWriter,
native charts) and the PDF in report_pdf.py.

Everything here leaves the service, so callers pass figures through suppression.suppress() first. Text that staff
typed (event titles) is neutralised against spreadsheet formula injection in the CSV and the XLSX."""

import csv
import io
from dataclasses import dataclass
from functools import cache

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent, get_group_symbol, get_minus_sign_symbol
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.reporting.figures import BREAKDOWNS, Figures, Scope, categories
from services.reporting.impact import IMPACT_BREAKDOWNS, Mean
from services.reporting.labels import BREAKDOWN_TITLES, IMPACT_TITLES, label
from shared.timeutil import WITA

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
#: The impact summary: (figure, its name, the figure that is its n).
IMPACT_SUMMARY = (
    ("certificates", _l("Sertifikat terbit"), None),
    ("answers", _l("Jawaban evaluasi"), None),
    ("response_rate", _l("Tingkat respons evaluasi (jawaban ÷ peserta hadir)"), "attended"),
    ("material", _l("Kepuasan terhadap materi (rata-rata 1–5)"), "answers"),
    ("trainer", _l("Kepuasan terhadap pelatih (rata-rata 1–5)"), "answers"),
    ("venue", _l("Kepuasan terhadap tempat (rata-rata 1–5)"), "answers"),
    ("gain", _l("Peningkatan pengetahuan (rata-rata jawaban benar, tes akhir − tes awal)"), "tested"),
)


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


def impact_summary(figures: Figures) -> Table:
    """Certificates and the evaluation over the whole scope, each figure with the n it is worked out from."""
    total = figures.impact.total
    rows = [[str(text), getattr(total, key), getattr(total, n) if n else None] for key, text, n in IMPACT_SUMMARY]
    return Table("impact", _("Dampak program: sertifikat dan evaluasi"), [_("Indikator"), _("Nilai"), _("n")], rows)


def impact_breakdown(figures: Figures, name: str) -> Table:
    """Certificates and the evaluation by one attribute of the participants (kabupaten/kota, gender, disability)."""
    headers = [_("Kategori"), _("Hadir"), _("Sertifikat terbit"), _("Jawaban evaluasi"), _("Tingkat respons")]
    headers += [_("Kepuasan materi"), _("Kepuasan pelatih"), _("Kepuasan tempat")]
    headers += [_("Ikut tes awal dan akhir"), _("Peningkatan pengetahuan")]
    columns = ("attended", "certificates", "answers", "response_rate", "material", "trainer", "venue", "tested", "gain")
    rows = [
        [label(name, row.key), *(getattr(row, column) for column in columns)]
        for row in figures.impact.breakdowns.get(name, [])
    ]
    return Table(f"impact_{name}", str(IMPACT_TITLES[name]), headers, rows)


def tables(figures: Figures, locale: str = "id") -> list[Table]:
    """Return every table of the report in order: summary, impact, the breakdowns (participants, then impact),
    channels, per event."""
    parts = [headline(figures), impact_summary(figures)] + [breakdown(figures, name) for name in BREAKDOWNS]
    parts += [impact_breakdown(figures, name) for name in IMPACT_BREAKDOWNS]
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
    """Format a cell for people: 1.234, 23,8%, a mean as 4,2, "<5", or a dash for a rate or mean of nothing."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, Mean):
        return format_decimal(value, "#,##0.0", locale=locale)
    if rate or isinstance(value, float):
        return format_percent(value, "#,##0.0%", locale=locale)
    if isinstance(value, int):
        group, minus = _integer_symbols(locale)
        text = f"{abs(value):,}".replace(",", group)
        return f"{minus}{text}" if value < 0 else text
    return format_decimal(value, locale=locale)


@cache
def _integer_symbols(locale: str) -> tuple[str, str]:
    """The locale's thousands separator and minus sign. A count is grouped by threes in Indonesian and English
    alike, so an integer needs only these; babel's general formatter, one call per cell, took about half the
    dashboard's CPU over 1,000 events (bench/dashboard.py, cProfile)."""
    return get_group_symbol(locale), get_minus_sign_symbol(locale)


def to_csv(table: Table) -> str:
    """Return one table as CSV (UTF-8 text; rates as decimals), text cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
    return out.getvalue()


def rate_row_labels() -> set[str]:
    return {str(text) for key, text in HEADLINE if key in RATES}
