"""REST API: on-demand report files for any period and kabupaten, and the report schedules."""

import io

from flask import g, send_file
from flask_smorest import Blueprint

from services.reporting import service
from services.reporting.schemas import ExportQuerySchema, ScheduleFormSchema, ScheduleSchema
from shared.staffauth import staff_required

bp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Report files and schedules")
STAFF = [{"bearerAuth": []}]


@bp.get("/reports/<any(xlsx, pdf, csv):fmt>")
@staff_required  # outermost: a stranger gets 401 before the query is looked at
@bp.arguments(ExportQuerySchema, location="query")
@bp.doc(security=STAFF)
def get_report(query: dict, fmt: str):
    """Download the report of a period and kabupaten (small counts suppressed; CSV: one `table`)."""
    scope = service.scope_for(g.staff, query)
    service.audit_export(g.staff, scope, fmt)
    document = service.build_csv(scope, query["table"]) if fmt == "csv" else service.build_documents(scope)[fmt]
    return send_file(
        io.BytesIO(document.content), document.mimetype, as_attachment=True, download_name=document.filename
    )


@bp.get("/schedules")
@bp.response(200, ScheduleSchema(many=True))
@bp.doc(security=STAFF)
@staff_required
def list_schedules():
    """List the report schedules this staff member manages."""
    return service.list_schedules(g.staff)


@bp.post("/schedules")
@staff_required  # outermost: a stranger gets 401 before the body is looked at
@bp.arguments(ScheduleFormSchema)
@bp.response(201, ScheduleSchema)
@bp.doc(security=STAFF)
def create_schedule(data: dict):
    """Add a weekly or monthly report with its recipients."""
    return service.create_schedule(g.staff, data)


@bp.post("/schedules/<int:schedule_id>/resume")
@bp.response(200, ScheduleSchema)
@bp.doc(security=STAFF)
@staff_required
def resume_schedule(schedule_id: int):
    """Resume a schedule paused after repeated failures."""
    return service.resume_schedule(g.staff, schedule_id)
