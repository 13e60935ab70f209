"""Use cases of the reporting service: project events into the read model once each, compute and send reports."""

import base64
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from services.reporting import figures, periods, reports, store
from services.reporting.extensions import celery, db
from services.reporting.labels import area_label
from services.reporting.models import (
    AuditEntry,
    DeadLetter,
    DeliveryFact,
    EventFact,
    OutboxMessage,
    ProcessedMessage,
    RegistrationFact,
    ReportRun,
    ReportSchedule,
    StaffAccess,
)
from services.reporting.states import RunStatus
from shared import audit as trail
from shared.bus import ServiceBus
from shared.faults import fault_point
from shared.messaging.names import EventNames, TaskNames
from shared.staffauth import StaffClaims, apply_staff_changed
from shared.states import EventStatus, MessageStatus, RegistrationStatus
from shared.timeutil import WITA, utcnow

logger = logging.getLogger(__name__)

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


class ReportingError(Exception):
    """A request the reporting service refuses, with the message staff see."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Document:
    filename: str
    mimetype: str
    content: bytes


bus = ServiceBus("reporting", db, celery, OutboxMessage, ProcessedMessage, DeadLetter)

REPORTED_REGISTRATION_FIELDS = (
    "status",
    "kabupaten_code",
    "kecamatan_code",
    "desa_code",
    "gender",
    "age_group",
    "disability",
    "participant_type",
    "registered_at",
)


def handle_event(message: dict) -> str:
    """Apply one incoming message to the read model once (safe to run twice)."""
    return bus.handle(message, HANDLERS)


def compute_figures(scope: figures.Scope, now: datetime | None = None) -> figures.Figures:
    """Compute the figures of a period and area from the read model."""
    start, end = scope.bounds()
    events, counts = store.count_facts(start, end, scope.kabupaten_code)
    return figures.from_counts(scope, events, counts, now=now or utcnow())


def today() -> date:
    return utcnow().astimezone(WITA).date()


def scope_for(staff: StaffClaims, query: dict) -> figures.Scope:
    """Return the period and area a staff member asked for, within what they may see (default: a period with data,
    see default_period)."""
    kabupaten_code = query.get("kabupaten_code")
    if not staff.is_provincial:
        if staff.kabupaten_code is None or kabupaten_code not in (None, staff.kabupaten_code):
            raise ReportingError(_("Data ini milik kabupaten/kota lain."))
        kabupaten_code = staff.kabupaten_code
    if not query.get("start") and not query.get("end"):
        return figures.Scope(*default_period(kabupaten_code), kabupaten_code)
    end = query.get("end") or max(today(), query.get("start") or today())
    start = query.get("start") or end.replace(day=1)
    return figures.Scope(start, end, kabupaten_code)


def default_period(kabupaten_code: str | None) -> tuple[date, date]:
    """The period the dashboard opens on: this month so far if an event started in it, else the last 30 days if one
    did, else the month of the latest event (this month so far when there is none): never empty when data exists."""
    day = today()
    for start in (day.replace(day=1), day - timedelta(days=29)):
        if store.has_events(*figures.Scope(start, day).bounds(), kabupaten_code):
            return start, day
    latest = store.latest_event_start(figures.Scope(day, day).bounds()[1], kabupaten_code)
    if latest is None:
        return day.replace(day=1), day
    first = latest.astimezone(WITA).date().replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def figures_for(staff: StaffClaims, scope: figures.Scope) -> tuple[figures.Figures, figures.Figures]:
    """Compute the figures for the dashboard, and those files and mails carry (small counts suppressed): provincial
    staff see every count, others what is shared."""
    computed = compute_figures(scope)
    public = figures.suppress(computed)
    return (computed if staff.is_provincial else public), public


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
        public = figures.suppress(compute_figures(scope, now=generated_at))
        subject = report_subject(scope, kind)
        html = reports.report_html(public, generated_at, subject, locale, kind)
        xlsx = reports.to_xlsx(public, generated_at, locale)
    stem = file_stem(scope)
    return public, {
        "xlsx": Document(f"{stem}.xlsx", MIMETYPES["xlsx"], xlsx),
        "pdf": Document(f"{stem}.pdf", MIMETYPES["pdf"], reports.to_pdf(html)),
    }


def build_csv(scope: figures.Scope, table: str, locale: str = "id") -> Document:
    """Render one table of a period and area as CSV (small counts suppressed)."""
    with force_locale(locale):
        public = figures.suppress(compute_figures(scope))
        chosen = next(t for t in reports.tables(public, locale) if t.key == table)
        return Document(f"{file_stem(scope)}-{table}.csv", MIMETYPES["csv"], reports.to_csv(chosen).encode())


def file_stem(scope: figures.Scope) -> str:
    area = scope.kabupaten_code or "kalsel"
    return f"pelita-{scope.start.isoformat()}_{scope.end.isoformat()}-{area}"


def rebuild_read_model() -> dict[str, int]:
    """Empty the read model and forget which messages were applied, so replayed events are applied again."""
    removed = {}
    for model in (RegistrationFact, DeliveryFact, EventFact, ProcessedMessage):
        removed[model.__tablename__] = db.session.execute(sa.delete(model)).rowcount
    db.session.commit()
    return removed


def _on_event_snapshot(envelope: dict, payload: dict) -> None:
    keys = ("title", "kabupaten_code", "venue", "starts_at", "ends_at", "capacity")
    store.upsert(EventFact, "event_id", {"event_id": str(payload["event_id"]), **{k: payload[k] for k in keys}})


def _on_event_cancelled(envelope: dict, payload: dict) -> None:
    event = store.get_event(str(payload["event_id"]))
    if event is not None:
        event.status = EventStatus.CANCELLED


def _on_registration_created(envelope: dict, payload: dict) -> None:
    if not payload.get("pseudonym"):  # sent before registrations had pseudonyms: nothing to key it by
        logger.warning("registration.created %s has no pseudonym: not counted", envelope["id"])
        return
    values = {key: payload[key] for key in REPORTED_REGISTRATION_FIELDS}
    store.upsert(
        RegistrationFact,
        "pseudonym",
        {"pseudonym": payload["pseudonym"], "event_id": str(payload["event_id"]), **values},
    )


def _on_registration_promoted(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and fact.status == RegistrationStatus.WAITLISTED:
        fact.status = RegistrationStatus.CONFIRMED


def _on_registration_cancelled(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None:
        fact.status, fact.cancelled_at = RegistrationStatus.CANCELLED, payload["cancelled_at"]


def _on_registration_corrected(envelope: dict, payload: dict) -> None:
    """A participant corrected their answers: count them as they now say (reporting is sent no name or contact)."""
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None:
        fact.gender, fact.age_group, fact.disability = payload["gender"], payload["age_group"], payload["disability"]


def _on_registration_erased(envelope: dict, payload: dict) -> None:
    """Nothing to forget: reporting holds no name, contact, code or link, only the anonymous attributes it counts,
    and keeps them so the figures already reported do not change. Recorded (and acknowledged) like any event."""


def _on_consent_withdrawn(envelope: dict, payload: dict) -> None:
    """The person withdrew their statistics consent: their disability answer counts as not given from now on (the
    registration itself still counts, so every total stays as it was). The reminders consent is not counted here."""
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and payload["purpose"] == "statistics":
        fact.disability = figures.NOT_SAID


def _on_certificate_issued(envelope: dict, payload: dict) -> None:
    """Count the certificate once: a reissue (a corrected name, a higher version) is the same certificate."""
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and fact.certificate_issued_at is None:
        fact.certificate_issued_at = payload["issued_at"]


def _on_certificate_revoked(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and fact.certificate_revoked_at is None:
        fact.certificate_revoked_at = payload["revoked_at"]


def _on_checked_in(envelope: dict, payload: dict) -> None:
    """Record the check-in; a later one (checked in again after an undo) wins over an earlier one."""
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and (fact.checked_in_at is None or fact.checked_in_at < payload["checked_in_at"]):
        fact.checked_in_at = payload["checked_in_at"]


def _on_check_in_undone(envelope: dict, payload: dict) -> None:
    """Take back the check-in the message names, and only that one (not a newer check-in that overtook it)."""
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and fact.checked_in_at is not None:
        if abs((fact.checked_in_at - payload["checked_in_at"]).total_seconds()) < 1:
            fact.checked_in_at = None


def _on_delivery(status: str):
    def handler(envelope: dict, payload: dict) -> None:
        at = payload.get("delivered_at") or payload.get("failed_at")
        values = {key: payload[key] for key in ("purpose", "channel")}
        event_id = str(payload["event_id"]) if payload.get("event_id") else None
        store.upsert(
            DeliveryFact,
            "notification_id",
            {
                "notification_id": str(payload["notification_id"]),
                "event_id": event_id,
                "status": status,
                "at": at,
                **values,
            },
        )

    return handler


def _on_staff_changed(envelope: dict, payload: dict) -> None:
    """Keep the account's token version and active flag: older tokens and disabled accounts are refused here too."""
    apply_staff_changed(db.session, StaffAccess, payload)


HANDLERS = {
    EventNames.EVENT_PUBLISHED: _on_event_snapshot,
    EventNames.EVENT_UPDATED: _on_event_snapshot,
    EventNames.EVENT_CANCELLED: _on_event_cancelled,
    EventNames.REGISTRATION_CREATED: _on_registration_created,
    EventNames.REGISTRATION_PROMOTED: _on_registration_promoted,
    EventNames.REGISTRATION_CANCELLED: _on_registration_cancelled,
    EventNames.REGISTRATION_CORRECTED: _on_registration_corrected,
    EventNames.REGISTRATION_ERASED: _on_registration_erased,
    EventNames.REGISTRATION_CONSENT_WITHDRAWN: _on_consent_withdrawn,
    EventNames.ATTENDANCE_CHECKED_IN: _on_checked_in,
    EventNames.CERTIFICATE_ISSUED: _on_certificate_issued,
    EventNames.CERTIFICATE_REVOKED: _on_certificate_revoked,
    EventNames.ATTENDANCE_CHECK_IN_UNDONE: _on_check_in_undone,
    EventNames.NOTIFICATION_DELIVERED: _on_delivery(MessageStatus.DELIVERED),
    EventNames.NOTIFICATION_FAILED: _on_delivery(MessageStatus.FAILED),
    EventNames.STAFF_CHANGED: _on_staff_changed,
}


# --- scheduled reports ------------------------------------------------------------------------------------------


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
    lines = [_("Yth. Bapak/Ibu,"), "", subject, "", reports.narrative(public, locale), ""]
    for label_text, value in reports.headline(public).rows:
        rate = isinstance(value, float) or (value is None and label_text in reports._rate_labels())
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


def audit(action: str, staff: StaffClaims, *, object_id=None, commit: bool = False) -> None:
    """Note a staff action in this service's audit trail (shared/audit.py); by default in the caller's transaction."""
    trail.record(db.session, AuditEntry, action, staff, object_id=object_id, commit=commit)


def audit_export(staff: StaffClaims, scope: figures.Scope, fmt: str) -> None:
    """Record a download of figures: its format, period and area (the figures name no one)."""
    area = scope.kabupaten_code or "provinsi"
    audit("figures.export", staff, object_id=f"{fmt} {scope.start}..{scope.end} {area}", commit=True)
