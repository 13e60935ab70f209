"""Scheduled reports: the default weekly and monthly ones, each run built once and mailed with a download link, and
staff's changes to their recipients."""

import base64
import logging
import uuid
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from services.reporting import figures, periods, report_pdf, reports, store
from services.reporting.bus import bus
from services.reporting.common import ReportingError, audit
from services.reporting.documents import MIMETYPES, Document, file_stem, render_report, report_subject
from services.reporting.extensions import celery, db
from services.reporting.models import ReportRun, ReportSchedule
from services.reporting.states import RunStatus
from shared.faults import fault_point
from shared.messaging.names import EventNames, TaskNames
from shared.staffauth import StaffClaims
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)


def ensure_default_schedules() -> None:
    """Create the weekly and monthly province reports the first time beat runs (none are ever created twice)."""
    if store.list_schedules():
        return
    for kind in ("weekly", "monthly"):
        db.session.add(ReportSchedule(kind=kind, recipients=list(current_app.config["REPORT_DEFAULT_RECIPIENTS"])))


def run_due_reports(now: datetime | None = None) -> list[str]:
    """Claim each due (schedule, period) once and return the runs to build now (safe to run twice, or in two beats)."""
    now = now or utcnow()
    ensure_default_schedules()
    for schedule in store.list_schedules():
        if not schedule.active or not schedule.recipients:
            continue
        due, start, end = periods.latest_due(schedule.kind, now, schedule.hour, schedule.minute)
        if due >= schedule.created_at:  # a new schedule starts with its next period, never a backlog
            store.add_run_once(schedule.id, start, end)
    db.session.commit()
    stuck_before = now - timedelta(seconds=current_app.config["REPORT_STUCK_AFTER_SECONDS"])
    return store.list_runs_to_build(now, stuck_before)


def build_report(run_id: str, now: datetime | None = None) -> str:
    """Build a claimed run's files and publish report.generated once (safe to run twice; a dead build is retaken)."""
    now, token = now or utcnow(), str(uuid.uuid4())
    claimed = store.claim_run(
        run_id, token, now, now - timedelta(seconds=current_app.config["REPORT_STUCK_AFTER_SECONDS"])
    )
    db.session.commit()
    if not claimed:
        return "skipped"
    run = store.get_run(run_id)
    schedule = store.get_schedule(run.schedule_id)
    scope = figures.Scope(run.period_start, run.period_end, schedule.kabupaten_code)
    try:
        public, documents = render_report(scope, schedule.kind, schedule.locale)
        fault_point("report_built_before_commit", current_app.config["REDIS_URL"])
        payload = _report_payload(run, schedule, scope, public, documents)
    except Exception as error:  # any failure counts against the schedule; beat retries it later
        logger.exception("report build failed", extra={"report_id": run_id})
        db.session.rollback()
        return _record_failure(run_id, token, schedule.id, f"{type(error).__name__}: {error}"[:500], now)
    values = {"status": RunStatus.SENT, "xlsx": documents["xlsx"].content, "pdf": documents["pdf"].content}
    if not store.finish_run(run_id, token, values | {"sent_at": utcnow(), "error": None}):
        db.session.rollback()  # our build was presumed dead and taken over: the other builder sends it
        return "taken_over"
    bus.emit(EventNames.REPORT_GENERATED, payload, correlation_id=run_id)
    schedule.failures_in_a_row = 0
    db.session.commit()
    bus.nudge()
    return RunStatus.SENT


def _record_failure(run_id: str, token: str, schedule_id: int, reason: str, now: datetime) -> str:
    retry_at = now + timedelta(seconds=current_app.config["REPORT_RETRY_SECONDS"])
    if not store.finish_run(run_id, token, {"status": RunStatus.FAILED, "error": reason, "retry_at": retry_at}):
        db.session.rollback()
        return "taken_over"
    schedule = store.get_schedule(schedule_id)
    schedule.failures_in_a_row += 1
    if schedule.failures_in_a_row >= current_app.config["REPORT_MAX_FAILURES"]:
        schedule.active = False
        schedule.paused_reason = reason
    db.session.commit()
    return RunStatus.FAILED


def _report_payload(
    run: ReportRun, schedule: ReportSchedule, scope: figures.Scope, public: figures.Figures, documents: dict
) -> dict:
    link = f"{current_app.config['PUBLIC_BASE_URL']}/laporan/{download_token(run.id)}"
    with force_locale(schedule.locale):
        subject = report_subject(scope, schedule.kind)
        body = _body_text(public, subject, link)
    payload = {
        "report_id": run.id,
        "recipients": list(run.recipients or schedule.recipients),
        "subject": subject,
        "body_text": body,
        "download_url": link,
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "attachments": [],
    }
    if sum(len(d.content) for d in documents.values()) <= current_app.config["REPORT_ATTACHMENT_LIMIT_BYTES"]:
        payload["attachments"] = [
            {"filename": d.filename, "content_type": d.mimetype, "content_base64": base64.b64encode(d.content).decode()}
            for d in documents.values()
        ]
    return payload


def _body_text(public: figures.Figures, subject: str, link: str) -> str:
    """The mail's text: the headline of the figures the attached documents show (computed once, not again)."""
    locale = str(get_locale() or "id")
    impact = " ".join(report_pdf.impact_sentences(public, locale))  # certificates and the evaluation, if any
    lines = [_("Yth. Bapak/Ibu,"), "", subject, "", report_pdf.narrative(public, locale), *([impact] if impact else [])]
    lines.append("")
    for label_text, value in reports.headline(public).rows:
        rate = isinstance(value, float) or (value is None and label_text in reports.rate_row_labels())
        lines.append(f"- {label_text}: {reports.display(value, locale, rate=rate)}")
    days = int(current_app.config["REPORT_LINK_DAYS"])
    lines += ["", _("Unduh laporan (XLSX dan PDF; tautan berlaku %(days)s hari):", days=days), link, ""]
    lines.append(_("Pesan ini dikirim otomatis oleh Pelita. Tanpa nama atau nomor telepon peserta."))
    return "\n".join(lines)


def download_token(run_id: str) -> str:
    return _download_signer().dumps({"run": run_id})


def run_for_token(token: str) -> ReportRun:
    """Return the sent run a signed download link names, or refuse an expired or forged link."""
    max_age = int(current_app.config["REPORT_LINK_DAYS"] * 86400)
    try:
        run_id = _download_signer().loads(token, max_age=max_age)["run"]
    except SignatureExpired as error:
        raise ReportingError(_("Tautan unduhan sudah kedaluwarsa. Masuk sebagai staf untuk mengunduh."), 410) from error
    except (BadSignature, KeyError, TypeError) as error:
        raise ReportingError(_("Tautan unduhan tidak sah."), 404) from error
    run = store.get_run(run_id)
    if run is None or run.status != RunStatus.SENT:
        raise ReportingError(_("Laporan ini belum tersedia."), 404)
    return run


def run_document(run: ReportRun, fmt: str) -> Document:
    schedule = store.get_schedule(run.schedule_id)
    stem = file_stem(figures.Scope(run.period_start, run.period_end, schedule.kabupaten_code))
    return Document(f"{stem}.{fmt}", MIMETYPES[fmt], run.xlsx if fmt == "xlsx" else run.pdf)


def _download_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="pelita-report-download")


def list_schedules(staff: StaffClaims) -> list[ReportSchedule]:
    """Return the schedules a staff member manages: all for provincial staff, else their kabupaten's."""
    ensure_default_schedules()
    db.session.commit()
    return store.list_schedules(staff.kabupaten_code, only_mine=not staff.is_provincial)


def create_schedule(staff: StaffClaims, data: dict) -> ReportSchedule:
    """Add a weekly or monthly report for the province or a kabupaten (regency staff: their own only)."""
    kabupaten_code = data.get("kabupaten_code") or None
    if not staff.is_provincial and kabupaten_code != staff.kabupaten_code:
        raise ReportingError(_("Anda hanya dapat mengatur laporan kabupaten/kota Anda."))
    ensure_default_schedules()
    schedule = ReportSchedule(kind=data["kind"], kabupaten_code=kabupaten_code, recipients=data["recipients"])
    schedule.locale = data.get("locale") or "id"
    db.session.add(schedule)
    db.session.flush()
    audit("schedule.create", staff, object_id=schedule.id)
    db.session.commit()
    return schedule


def _schedule_for(staff: StaffClaims, schedule_id: int) -> ReportSchedule:
    schedule = store.get_schedule(schedule_id)
    if schedule is None or not staff.may_see(schedule.kabupaten_code):
        raise ReportingError(_("Jadwal tidak ditemukan."), 404)
    return schedule


def update_recipients(staff: StaffClaims, schedule_id: int, recipients: list[str]) -> ReportSchedule:
    """Replace who receives a schedule's reports."""
    schedule = _schedule_for(staff, schedule_id)
    schedule.recipients = list(recipients)
    audit("schedule.recipients", staff, object_id=schedule.id)
    db.session.commit()
    return schedule


def send_now(
    staff: StaffClaims, schedule_id: int, period: str = "current", now: datetime | None = None
) -> tuple[ReportRun, bool]:
    """Build and mail a schedule's report now: of the current period so far ("current": this week or month up to
    today) or of the last finished one ("last"); (run, False) when that report was already made.

    It goes to the schedule's recipients; a schedule with none (the default schedules start with none) sends it to
    the staff member who asked, at their own address, so "send now" always reaches someone who expects it.
    It goes through a (schedule, period) run as beat does, so asking twice, or beat arriving too, still sends once;
    the period so far ends before the full period does, so it never takes the place of the scheduled report.
    """
    schedule = _schedule_for(staff, schedule_id)
    recipients = None if schedule.recipients else [staff.email]
    now = now or utcnow()
    if period == "current":
        start, end = periods.current_period(schedule.kind, now)
    else:
        _due, start, end = periods.latest_due(schedule.kind, now, schedule.hour, schedule.minute)
    added = store.add_run_once(schedule.id, start, end, recipients)
    audit("schedule.send_now", staff, object_id=schedule.id)
    db.session.commit()
    run = store.get_run_for(schedule.id, start, end)
    if added:
        celery.send_task(TaskNames.REPORTING_BUILD_REPORT, args=[run.id], queue="reporting")
    return run, added


def send_now_recipients(staff: StaffClaims, schedule: ReportSchedule) -> list[str]:
    """Where "send now" of `schedule` goes when `staff` asks: its recipients, else the staff member's own address."""
    return list(schedule.recipients) or [staff.email]


def resume_schedule(staff: StaffClaims, schedule_id: int) -> ReportSchedule:
    """Resume a paused schedule: its failure count starts again from zero."""
    schedule = store.get_schedule(schedule_id)
    if schedule is None or (not staff.may_see(schedule.kabupaten_code) and not staff.is_provincial):
        raise ReportingError(_("Jadwal tidak ditemukan."), 404)
    schedule.active, schedule.failures_in_a_row, schedule.paused_reason = True, 0, None
    audit("schedule.resume", staff, object_id=schedule.id)
    db.session.commit()
    return schedule


def recent_runs(schedules: list[ReportSchedule]) -> list[dict]:
    """Return the latest runs of these schedules, each with a signed download link once sent."""
    runs = store.list_recent_runs([schedule.id for schedule in schedules])
    return [{"run": run, "token": download_token(run.id) if run.status == RunStatus.SENT else None} for run in runs]
