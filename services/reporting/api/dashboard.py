"""Staff pages: the dashboard of figures with charts, and on-demand downloads (XLSX, PDF, CSV)."""

from flask import Blueprint, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from marshmallow import ValidationError

from services.reporting import report_pdf, reports, service
from services.reporting.schemas import ExportQuerySchema, ReportQuerySchema, field_errors
from shared.regions import kabupaten
from shared.staffauth import staff_page
from shared.timeutil import utcnow

bp = Blueprint("dashboard", __name__, template_folder="../templates")


@bp.get("/")
def home():
    """Send visitors to the dashboard."""
    return redirect(url_for(".show"))


@bp.get("/dasbor")
@staff_page
def show():
    """Show the figures of a period and area, each chart beside its table."""
    try:
        query = ReportQuerySchema().load(request.args)
    except ValidationError as error:
        return render_template("reporting/dashboard.html", errors=field_errors(error), areas=kabupaten()), 400
    scope = service.scope_for(g.staff, query)
    figures, public = service.figures_for(g.staff, scope)
    locale = str(get_locale() or "id")
    context = report_pdf.context(figures, utcnow(), locale)
    shared = reports.shared_view(context["tables"], public, locale) if figures is not public else {}
    return render_template(
        "reporting/dashboard.html", scope=scope, figures=figures, areas=kabupaten(), shared=shared, **context
    )


@bp.get("/dasbor/unduh.<any(xlsx, pdf, csv):fmt>")
@staff_page
def download(fmt: str):
    """Download the report of a period and area (small counts suppressed, as in every file that leaves Pelita)."""
    try:
        query = ExportQuerySchema().load(request.args)
    except ValidationError as error:
        return render_template("reporting/dashboard.html", errors=field_errors(error), areas=kabupaten()), 400
    scope = service.scope_for(g.staff, query)
    service.audit_export(g.staff, scope, fmt)
    locale = str(get_locale() or "id")
    document = service.build_csv(scope, query["table"], locale) if fmt == "csv" else None
    document = document or service.build_documents(scope, locale=locale)[fmt]
    return send_file(_stream(document.content), document.mimetype, as_attachment=True, download_name=document.filename)


def _stream(content: bytes):
    import io

    return io.BytesIO(content)
