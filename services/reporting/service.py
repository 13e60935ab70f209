"""Use cases of the reporting service: project events into the read model once each, compute and send reports."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from services.reporting import figures, reports, store
from services.reporting.extensions import celery, db
from services.reporting.labels import area_label
from services.reporting.models import (
    DeadLetter,
    DeliveryFact,
    EventFact,
    OutboxMessage,
    ProcessedMessage,
    RegistrationFact,
)
from shared.bus import ServiceBus
from shared.messaging.names import EventNames
from shared.staffauth import StaffClaims
from shared.timeutil import WITA, utcnow

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
    events, registrations, deliveries = store.list_facts(start, end, scope.kabupaten_code)
    return figures.compute(scope, events, registrations, deliveries, now=now or utcnow())


def today() -> date:
    return utcnow().astimezone(WITA).date()


def scope_for(staff: StaffClaims, query: dict) -> figures.Scope:
    """Return the period and area a staff member asked for (default: this month so far), within what they may see."""
    end = query.get("end") or max(today(), query.get("start") or today())
    start = query.get("start") or end.replace(day=1)
    kabupaten_code = query.get("kabupaten_code")
    if not staff.is_provincial:
        if staff.kabupaten_code is None or kabupaten_code not in (None, staff.kabupaten_code):
            raise ReportingError(_("Data ini milik kabupaten/kota lain."))
        kabupaten_code = staff.kabupaten_code
    return figures.Scope(start, end, kabupaten_code)


def figures_for(staff: StaffClaims, scope: figures.Scope) -> figures.Figures:
    """Compute the figures for the dashboard: provincial staff see every count, others small counts suppressed."""
    computed = compute_figures(scope)
    return computed if staff.is_provincial else figures.suppress(computed)


def report_subject(scope: figures.Scope, kind: str | None = None) -> str:
    names = {"weekly": _("Laporan mingguan"), "monthly": _("Laporan bulanan")}
    period = reports.period_label(scope, str(get_locale() or "id"))
    return f"{names.get(kind, _('Laporan'))} Pelita: {period} · {area_label(scope.kabupaten_code)}"


def build_documents(scope: figures.Scope, kind: str | None = None, locale: str = "id") -> dict[str, Document]:
    """Render the XLSX and PDF of a period and area, as they may leave the service (small counts suppressed)."""
    generated_at = utcnow()
    with force_locale(locale):
        public = figures.suppress(compute_figures(scope, now=generated_at))
        subject = report_subject(scope, kind)
        html = reports.report_html(public, generated_at, subject, locale)
        xlsx = reports.to_xlsx(public, generated_at, locale)
    stem = file_stem(scope)
    return {
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
        event.status = "cancelled"


def _on_registration_created(envelope: dict, payload: dict) -> None:
    values = {key: payload[key] for key in REPORTED_REGISTRATION_FIELDS}
    store.upsert(
        RegistrationFact,
        "registration_id",
        {"registration_id": str(payload["registration_id"]), "event_id": str(payload["event_id"]), **values},
    )


def _on_registration_promoted(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(str(payload["registration_id"]))
    if fact is not None and fact.status == "waitlisted":
        fact.status = "confirmed"


def _on_registration_cancelled(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(str(payload["registration_id"]))
    if fact is not None:
        fact.status, fact.cancelled_at = "cancelled", payload["cancelled_at"]


def _on_checked_in(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(str(payload["registration_id"]))
    if fact is not None and fact.checked_in_at is None:
        fact.checked_in_at = payload["checked_in_at"]


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


HANDLERS = {
    EventNames.EVENT_PUBLISHED: _on_event_snapshot,
    EventNames.EVENT_UPDATED: _on_event_snapshot,
    EventNames.EVENT_CANCELLED: _on_event_cancelled,
    EventNames.REGISTRATION_CREATED: _on_registration_created,
    EventNames.REGISTRATION_PROMOTED: _on_registration_promoted,
    EventNames.REGISTRATION_CANCELLED: _on_registration_cancelled,
    EventNames.ATTENDANCE_CHECKED_IN: _on_checked_in,
    EventNames.NOTIFICATION_DELIVERED: _on_delivery("delivered"),
    EventNames.NOTIFICATION_FAILED: _on_delivery("failed"),
}
