"""REST API: the programme's headline figures."""

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from services.reporting import queries
from services.reporting.schemas import SummaryQuerySchema, SummarySchema
from shared.staffauth import staff_required

bp = Blueprint("summary", __name__, url_prefix="/api/v1/summary", description="Programme figures")


@bp.get("")
@staff_required
@bp.arguments(SummaryQuerySchema, location="query")
@bp.response(200, SummarySchema)
@bp.doc(security=[{"bearerAuth": []}])
def get_summary(filters: dict):
    """Count events, registrations and attendance (a regency organiser sees only their kabupaten)."""
    if not g.staff.is_provincial:
        if filters.get("kabupaten_code") not in (None, g.staff.kabupaten_code):
            abort(403, message=_("Data ini milik kabupaten/kota lain."))
        filters["kabupaten_code"] = g.staff.kabupaten_code
    return queries.summary(filters)
