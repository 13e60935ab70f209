"""What every use case of reporting shares: the refusal staff see and the audit trail."""

from services.reporting import figures
from services.reporting.extensions import db
from services.reporting.models import AuditEntry
from shared import audit as trail
from shared.staffauth import StaffClaims


class ReportingError(Exception):
    """A request the reporting service refuses, with the message staff see."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def audit(action: str, staff: StaffClaims, *, object_id=None, commit: bool = False) -> None:
    """Note a staff action in this service's audit trail (shared/audit.py); by default in the caller's transaction."""
    trail.record(db.session, AuditEntry, action, staff, object_id=object_id, commit=commit)


def audit_export(staff: StaffClaims, scope: figures.Scope, fmt: str) -> None:
    """Record a download of figures: its format, period and area (the figures name no one)."""
    area = scope.kabupaten_code or "provinsi"
    audit("figures.export", staff, object_id=f"{fmt} {scope.start}..{scope.end} {area}", commit=True)
