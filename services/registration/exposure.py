"""Breach readiness: whose data a staff account or an API key could see or take, for the controller's notice.

UU PDP gives the controller 3 × 24 hours to tell the people concerned after a breach is found. When an account or
a key is suspected, this lists, for a time window, every registration it could open and what the audit trail
shows it actually opened or exported. The output holds contacts on purpose: it is the list the notice goes to.
"""

import csv
import io
from datetime import datetime

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import AuditEntry, Event, Registration, Staff
from shared import audit

#: Trail actions that showed a whole event's list, and those that showed or touched one registration.
#: The door kit's list (door_kit.list) goes to a phone, encrypted: counted as exported.
LIST_ACTIONS = {"registrations.list": "viewed", "registrations.export": "exported", "door_kit.list": "exported"}
RECORD_ACTIONS = (
    "registration.view",
    "registration.check_in",
    "registration.check_in_undo",
    "registration.cancel",
    "registration.promote",
    "registration.promote_check_in",
    "registration.walk_in",  # registered at the door by the door kit
    "data_request.view",  # a participant's data request opened (their name, what they asked)
    "data_request.close_done",
    "data_request.close_refused",
)
COLUMNS = ("registration_id", "event_id", "kabupaten_code", "phone", "email", "preferred_channel", "locale",
           "status", "basis", "viewed", "exported")  # fmt: skip


class UnknownAccount(LookupError):
    pass


def for_staff(staff_id: int, since: datetime, until: datetime) -> tuple[list[dict], list[str]]:
    """Every registration the account could see in the window (its kabupaten's events; a provincial admin: all),
    with what the trail shows it viewed or exported; return (rows, warnings)."""
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise UnknownAccount(f"no staff account {staff_id}")
    warnings = []
    trail = audit.between(db.session, AuditEntry, since, until, staff_id=staff_id)
    changes = audit.between(db.session, AuditEntry, since, until, action="account.role_change", object_id=str(staff_id))
    if changes:
        warnings.append("the account's role or kabupaten changed in the window: it is listed with today's rights")
    query = _existing(until).join(Event, Event.id == Registration.event_id)
    if staff.role != "provincial_admin":
        query = query.where(Event.kabupaten_code == (staff.kabupaten_code or "-"))
    rows = {r.id: _row(r, "could_see") for r in db.session.scalars(query)}
    events = {}
    for entry in trail:
        if entry.action in LIST_ACTIONS and entry.event_id:
            events.setdefault(entry.event_id, set()).add(LIST_ACTIONS[entry.action])
        elif entry.action in RECORD_ACTIONS and entry.object_id:
            _mark(rows, entry.object_id, "viewed")
    for event_id, kinds in events.items():
        for registration in db.session.scalars(_existing(entry_time(trail, event_id)).where(
                Registration.event_id == event_id)):  # fmt: skip
            for kind in kinds:
                _mark(rows, registration.id, kind, registration)
    return sorted(rows.values(), key=lambda row: (row["event_id"], row["registration_id"])), warnings


def entry_time(trail: list, event_id: str) -> datetime:
    """The last time the account opened or exported `event_id`'s list in the window (later people were not on it)."""
    return max(entry.at for entry in trail if entry.event_id == event_id and entry.action in LIST_ACTIONS)


def for_api_key(key_id: int, since: datetime, until: datetime) -> list[dict]:
    """What an API key could see: only the registrations it made itself in the window.

    A key may only register people (scope "registration"): the answer shows the registration it just made, and a
    repeat of someone already registered learns nothing of them; no key can list or read anything else.
    """
    query = sa.select(Registration).where(
        Registration.api_key_id == key_id, Registration.registered_at >= since, Registration.registered_at < until
    )
    return [_row(r, "registered_with_key") for r in db.session.scalars(query.order_by(Registration.registered_at))]


def _existing(until: datetime):
    return sa.select(Registration).where(Registration.registered_at < until)


def _row(registration: Registration, basis: str) -> dict:
    return {
        "registration_id": registration.id, "event_id": registration.event_id,
        "kabupaten_code": registration.event.kabupaten_code, "phone": registration.reach_phone or "",
        "email": registration.reach_email or "", "preferred_channel": registration.preferred_channel,
        "locale": registration.locale, "status": registration.status, "basis": basis, "viewed": "", "exported": "",
    }  # fmt: skip


def _mark(rows: dict, registration_id: str, kind: str, registration: Registration | None = None) -> None:
    if registration_id not in rows:  # seen without the rights listed today (the rights changed): still listed
        registration = registration or db.session.get(Registration, registration_id)
        if registration is None:
            return
        rows[registration_id] = _row(registration, "trail")
    rows[registration_id][kind] = "ya"


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
