"""The documents a report leaves the service as: XLSX and PDF of a period and area, one table as CSV, small counts
suppressed."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from services.reporting import figures, report_pdf, report_xlsx, reports, suppression
from services.reporting.labels import area_label
from services.reporting.scopes import compute_figures
from shared.timeutil import utcnow

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Document:
    filename: str
    mimetype: str
    content: bytes


def report_subject(scope: figures.Scope, kind: str | None = None) -> str:
    """The mail's subject: the report's kind, the programme, the period and the area."""
    names = {"weekly": _("Laporan mingguan"), "monthly": _("Laporan bulanan")}
    period = reports.period_label(scope, str(get_locale() or "id"))
    programme = current_app.config["REPORT_PROGRAMME"]
    return f"{names.get(kind, _('Laporan'))} {programme}: {period} · {area_label(scope.kabupaten_code)}"


def build_documents(scope: figures.Scope, kind: str | None = None, locale: str = "id") -> dict[str, Document]:
    """Render the XLSX and PDF of a period and area, as they may leave the service (small counts suppressed)."""
    return render_report(scope, kind, locale)[1]


def render_report(
    scope: figures.Scope, kind: str | None = None, locale: str = "id"
) -> tuple[figures.Figures, dict[str, Document]]:
    """Return the suppressed figures and the documents rendered from them."""
    generated_at = utcnow()
    with force_locale(locale):
        public = suppression.suppress(compute_figures(scope, now=generated_at))
        subject = report_subject(scope, kind)
        html = report_pdf.report_html(public, generated_at, subject, locale, kind)
        xlsx = report_xlsx.to_xlsx(public, generated_at, locale)
    stem = file_stem(scope)
    return public, {
        "xlsx": Document(f"{stem}.xlsx", MIMETYPES["xlsx"], xlsx),
        "pdf": Document(f"{stem}.pdf", MIMETYPES["pdf"], report_pdf.to_pdf(html)),
    }


def build_csv(scope: figures.Scope, table: str, locale: str = "id") -> Document:
    """Render one table of a period and area as CSV (small counts suppressed)."""
    with force_locale(locale):
        public = suppression.suppress(compute_figures(scope))
        chosen = next(t for t in reports.tables(public, locale) if t.key == table)
        return Document(f"{file_stem(scope)}-{table}.csv", MIMETYPES["csv"], reports.to_csv(chosen).encode())


def file_stem(scope: figures.Scope) -> str:
    area = scope.kabupaten_code or "kalsel"
    return f"pelita-{scope.start.isoformat()}_{scope.end.isoformat()}-{area}"
