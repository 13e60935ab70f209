"""The audit trail page of this service: provincial admins browse, filter and export it (shared/audit.py)."""

from flask import Blueprint, g

from services.reporting.extensions import db
from services.reporting.models import AuditEntry
from shared.audit import trail_page
from shared.staffauth import staff_page

bp = Blueprint("audit", __name__, url_prefix="/jejak")


@bp.get("")
@staff_page
def trail():
    """Every staff action recorded here, newest first; ?format=csv downloads it (organisers get 403)."""
    return trail_page(
        db.session, AuditEntry, g.staff, template="reporting/audit.html", csv_name="jejak-audit-reporting"
    )
