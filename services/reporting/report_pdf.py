"""The report as a PDF, the official way: letterhead, title, a short narrative of the figures, the tables and their
charts. Callers pass figures through suppression.suppress() first."""

from dataclasses import replace
from datetime import datetime

from babel.dates import format_date, format_datetime
from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from services.reporting import charts
from services.reporting.figures import Figures, rate
from services.reporting.impact import Mean
from services.reporting.labels import area_label
from services.reporting.reports import KABUPATEN_CODES, Table, display, period_label, rate_row_labels, tables
from services.reporting.suppression import HIDDEN, SMALL
from shared.letterhead import letterhead
from shared.timeutil import WITA


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
        "rate_labels": rate_row_labels(),
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
    events_total = len(figures.events) if len(figures.events) > PDF_EVENT_ROWS else 0
    values = context(replace(figures, events=figures.events[:PDF_EVENT_ROWS]), generated_at, locale)
    return render_template(
        "reporting/report.html",
        subject=subject,
        title=report_title(kind),
        letterhead=signed_letterhead(generated_at, locale),
        narrative=narrative(figures, locale),
        impact_narrative=" ".join(impact_sentences(figures, locale)),
        events_total=events_total,
        events_shown=PDF_EVENT_ROWS,
        **values,
    )


def report_title(kind: str | None) -> str:
    """The document's name: its kind, then the programme it reports on."""
    programme = current_app.config["REPORT_PROGRAMME"]
    if kind == "weekly":
        return _("Laporan Mingguan Program %(programme)s", programme=programme)
    if kind == "monthly":
        return _("Laporan Bulanan Program %(programme)s", programme=programme)
    return _("Laporan Program %(programme)s", programme=programme)


def signed_letterhead(generated_at: datetime, locale: str = "id") -> dict:
    """The letterhead and signature block of the printed report, from the service's configuration."""
    config = current_app.config
    place_date = f"{config['REPORT_PLACE']}, {format_date(generated_at.astimezone(WITA), 'd MMMM y', locale)}"
    return letterhead(config) | {
        "place_date": place_date,
        "signer_title": config["REPORT_SIGNER_TITLE"],
        "signer_name": config["REPORT_SIGNER_NAME"],
        "signer_nip": config["REPORT_SIGNER_NIP"],
    }


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


def impact_sentences(figures: Figures, locale: str = "id") -> list[str]:
    """What the training left: certificates, the evaluation's response and satisfaction, the knowledge gain (none
    of it about people with a disability, so nothing here is suppressed)."""
    total, shown = figures.impact.total, lambda value: display(value, locale)
    sentences = []
    if total.certificates:
        sentences.append(_("Sertifikat terbit untuk %(count)s peserta.", count=shown(total.certificates)))
    if total.answers:
        sentences.append(
            _(
                "%(answers)s dari %(attended)s peserta yang hadir (%(rate)s) mengisi evaluasi, dengan kepuasan "
                "rata-rata (skala 1–5) %(material)s untuk materi, %(trainer)s untuk pelatih, "
                "dan %(venue)s untuk tempat.",
                answers=shown(total.answers),
                attended=shown(total.attended),
                rate=display(total.response_rate, locale, rate=True),
                material=shown(total.material),
                trainer=shown(total.trainer),
                venue=shown(total.venue),
            )
        )
    if total.tested:
        words = {"count": shown(total.tested), "gain": shown(Mean(abs(total.gain)))}
        if total.gain >= 0:
            sentence = _(
                "Pada tes pengetahuan, %(count)s peserta yang mengikuti tes awal dan akhir rata-rata menjawab benar "
                "%(gain)s soal lebih banyak sesudah pelatihan.",
                **words,
            )
        else:
            sentence = _(
                "Pada tes pengetahuan, %(count)s peserta yang mengikuti tes awal dan akhir rata-rata menjawab benar "
                "%(gain)s soal lebih sedikit sesudah pelatihan.",
                **words,
            )
        sentences.append(sentence)
    return sentences
