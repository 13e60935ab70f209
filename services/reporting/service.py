"""Use cases of the reporting service, in one place for the entrypoints: the read model kept from the bus (handlers.py),
the period and area staff may see and its figures (scopes.py), the XLSX, PDF and CSV rendered from them
(documents.py), scheduled reports and their download links (schedules.py), refusals and the audit trail (common.py)."""

from services.reporting.bus import bus
from services.reporting.common import ReportingError, audit, audit_export
from services.reporting.documents import (
    MIMETYPES,
    Document,
    build_csv,
    build_documents,
    file_stem,
    render_report,
    report_subject,
)
from services.reporting.handlers import HANDLERS, REPORTED_REGISTRATION_FIELDS, handle_event, rebuild_read_model
from services.reporting.schedules import (
    build_report,
    create_schedule,
    download_token,
    ensure_default_schedules,
    list_schedules,
    recent_runs,
    resume_schedule,
    run_document,
    run_due_reports,
    run_for_token,
    send_now,
    send_now_recipients,
    update_recipients,
)
from services.reporting.scopes import compute_figures, default_period, figures_for, scope_for, today

__all__ = [
    "HANDLERS",
    "MIMETYPES",
    "REPORTED_REGISTRATION_FIELDS",
    "Document",
    "ReportingError",
    "audit",
    "audit_export",
    "build_csv",
    "build_documents",
    "build_report",
    "bus",
    "compute_figures",
    "create_schedule",
    "default_period",
    "download_token",
    "ensure_default_schedules",
    "figures_for",
    "file_stem",
    "handle_event",
    "list_schedules",
    "rebuild_read_model",
    "recent_runs",
    "render_report",
    "report_subject",
    "resume_schedule",
    "run_document",
    "run_due_reports",
    "run_for_token",
    "scope_for",
    "send_now",
    "send_now_recipients",
    "today",
    "update_recipients",
]
