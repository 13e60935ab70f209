"""The audit trail: who among staff looked at or changed what, when and from where (UU PDP accountability).

Each service keeps its own `audit_log` table (`AuditMixin`) and writes it with `record`. A row names the staff
account (id and email at the time), the action, the event and object ids and the client address; never a
participant's name, phone or email. The application only ever adds rows: the mapper refuses to update or delete
one, and the only way rows leave is the retention purge (`purge`, AUDIT_RETENTION_DAYS) by a plain DELETE.
"""

import csv
import io
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import UTCDateTime
from shared.retention import cutoff, delete_in_batches
from shared.staffauth import StaffClaims
from shared.timeutil import WITA, to_local, utcnow

#: Rows a trail page shows at most (the CSV export takes up to EXPORT_LIMIT).
PAGE_LIMIT = 500
EXPORT_LIMIT = 100_000


class AuditAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit row through the ORM."""


def _refuse(mapper, connection, target) -> None:
    raise AuditAppendOnly("the audit trail is append-only: its rows are never changed or deleted")


class AuditMixin:
    """Columns of a service's `audit_log` table; mix into a model of the service's own `db.Model`."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    #: Null only for an action with no staff account behind it (none so far).
    staff_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    #: The account's email when it acted (an account's email may change; the trail keeps what it was).
    staff_email: Mapped[str] = mapped_column(sa.String(254), nullable=False, default="")
    action: Mapped[str] = mapped_column(sa.String(50), nullable=False, index=True)
    event_id: Mapped[str | None] = mapped_column(sa.String(36))
    #: The id of what was acted on (a registration, a message, an account, a key, a template, a schedule).
    object_id: Mapped[str | None] = mapped_column(sa.String(100))
    #: The client's address as the app sees it (behind TRUSTED_PROXY_HOPS proxies, the visitor's own).
    client_address: Mapped[str | None] = mapped_column(sa.String(45))

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        orm_event.listen(cls, "before_update", _refuse)
        orm_event.listen(cls, "before_delete", _refuse)


def record(
    session: Session,
    model: type,
    action: str,
    staff: StaffClaims | None,
    *,
    event_id: str | None = None,
    object_id: str | int | None = None,
    commit: bool = True,
) -> None:
    """Add one audit row for `action` by `staff` (commit=False: in the caller's transaction, which commits).

    `object_id` is an id, never a person's name, phone or email.
    """
    address = request.remote_addr if has_request_context() else None
    values = {
        "at": utcnow(),
        "staff_id": staff.id if staff else None,
        "staff_email": (staff.email if staff else "")[:254],
        "action": action,
        "event_id": None if event_id is None else str(event_id)[:36],
        "object_id": None if object_id is None else str(object_id)[:100],
        "client_address": (address or None) and address[:45],
    }
    session.connection().execute(model.__table__.insert(), values)
    if commit:
        _commit_keeping_loaded(session)


def _commit_keeping_loaded(session) -> None:
    """Commit without expiring what the view already loaded: a list of hundreds recorded after it was read would
    otherwise be read again one row at a time while the page is drawn."""
    real = session.registry() if hasattr(session, "registry") else session  # a scoped session's own
    expire, real.expire_on_commit = real.expire_on_commit, False
    try:
        real.commit()
    finally:
        real.expire_on_commit = expire


def search(session: Session, model: type, filters: dict, *, limit: int = PAGE_LIMIT, tz=None) -> list:
    """The trail's rows matching `filters` (staff: id or part of an email, action, dari/sampai: local dates),
    newest first."""
    query = sa.select(model).order_by(model.at.desc(), model.id.desc()).limit(limit)
    staff = (filters.get("staff") or "").strip()
    if staff.isdigit():
        query = query.where(model.staff_id == int(staff))
    elif staff:
        query = query.where(sa.func.lower(model.staff_email).contains(staff.lower(), autoescape=True))
    if filters.get("action"):
        query = query.where(model.action == filters["action"])
    if filters.get("dari"):
        query = query.where(model.at >= _start_of(filters["dari"], tz))
    if filters.get("sampai"):
        query = query.where(model.at < _start_of(filters["sampai"] + timedelta(days=1), tz))
    return list(session.scalars(query))


def _start_of(day: date, tz) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz or WITA)


def between(session: Session, model: type, since: datetime, until: datetime, **where) -> list:
    """Every row from `since` to `until`, oldest first, optionally only for `where`'s column values."""
    query = sa.select(model).where(model.at >= since, model.at < until).order_by(model.at, model.id)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return list(session.scalars(query))


COLUMNS = ("at", "staff_id", "staff_email", "action", "event_id", "object_id", "client_address")


def to_csv(rows, local) -> str:
    """The trail as CSV for a spreadsheet; `local` turns a UTC time into the local one shown."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [local(row.at).isoformat(timespec="seconds")] + [_safe(getattr(row, name)) for name in COLUMNS[1:]]
        )
    return out.getvalue()


def _safe(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def purge(session: Session, model: type, days: float, now: datetime | None = None) -> int:
    """Delete the rows older than `days` (the trail's own retention, and the only way a row ever leaves)."""
    return delete_in_batches(session, model.id, model.at < cutoff(days, now))


_DATE_ERRORS = {"invalid": _l("Isi tanggal dengan format tahun-bulan-hari, misalnya 2026-03-09.")}
_YEARS = validate.Range(min=date(2000, 1, 1), max=date(2999, 12, 31), error=_l("Tanggal di luar jangkauan."))


class TrailFilterSchema(Schema):
    """The trail page's filters: a staff id or part of an email, an action, and a date range (WITA days)."""

    staff = fields.String(load_default="", validate=validate.Length(max=254, error=_l("Paling banyak 254 karakter.")))
    action = fields.String(load_default="", validate=validate.Length(max=50, error=_l("Tindakan tidak dikenal.")))
    dari = fields.Date(load_default=None, validate=_YEARS, error_messages=_DATE_ERRORS)
    sampai = fields.Date(load_default=None, validate=_YEARS, error_messages=_DATE_ERRORS)


def trail_page(session: Session, model: type, staff: StaffClaims, *, template: str, csv_name: str):
    """The trail page of a service, or its CSV (?format=csv): provincial admins only, the page and export recorded.

    Malformed filters answer 400 with the form and its errors; an organiser gets 403.
    """
    from flask import Response, abort, render_template

    from shared.web import field_errors

    if not staff.is_provincial:
        abort(403)
    given = {
        key: value for key, value in request.args.to_dict().items() if key in ("staff", "action", "dari", "sampai")
    }
    try:
        filters, errors = TrailFilterSchema().load({k: v for k, v in given.items() if v.strip()}), {}
    except ValidationError as error:
        filters, errors = {}, field_errors(error.messages)
    if errors:
        return render_template(template, rows=[], filters=given, errors=errors, actions=[], limit=PAGE_LIMIT), 400
    if request.args.get("format") == "csv":
        rows = search(session, model, filters, limit=EXPORT_LIMIT)
        record(session, model, "audit.export", staff)
        headers = {"Content-Disposition": f'attachment; filename="{csv_name}.csv"', "Cache-Control": "no-store"}
        return Response(to_csv(rows, to_local), mimetype="text/csv; charset=utf-8", headers=headers)
    rows = search(session, model, filters)
    record(session, model, "audit.view", staff)
    actions = sorted(session.scalars(sa.select(model.action).distinct()))
    return render_template(template, rows=rows, filters=given, errors={}, actions=actions, limit=PAGE_LIMIT)


def parse_moment(value: str) -> datetime:
    """An ISO 8601 moment typed by the controller; without an offset it is taken as WITA."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=WITA)
