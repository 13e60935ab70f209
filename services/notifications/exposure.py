"""Breach readiness in notifications: whose contacts a staff account could see in its message log, for a window.

This service does not know an account's kabupaten (registration does): the controller passes it (--kabupaten, or
--all for a provincial admin), as registration's `audit exposure` shows it. The trail adds whose messages the
account actually opened. The output holds phones and emails on purpose: it is the list the breach notice goes to.
"""

import csv
import io
from datetime import datetime

import sqlalchemy as sa

from services.notifications.extensions import db
from services.notifications.models import AuditEntry, EventInfo, Notification, Recipient
from shared import audit

COLUMNS = ("registration_id", "event_id", "kabupaten_code", "phone", "email", "preferred_channel", "locale",
           "basis", "opened")  # fmt: skip


def for_staff(staff_id: int, since: datetime, until: datetime, kabupaten_code: str | None) -> list[dict]:
    """Every recipient of the kabupaten's events (None: all events) known by `until`, and whose messages the trail
    shows the account opened in the window."""
    query = sa.select(Recipient, EventInfo.kabupaten_code).join(EventInfo, EventInfo.event_id == Recipient.event_id)
    if kabupaten_code is not None:
        query = query.where(EventInfo.kabupaten_code == kabupaten_code)
    found = db.session.execute(query)
    rows = {recipient.registration_id: _row(recipient, code, "could_see") for recipient, code in found}
    for entry in audit.between(db.session, AuditEntry, since, until, staff_id=staff_id):
        registration_id = entry.object_id if entry.action == "messages.person" else None
        if entry.action in ("message.view", "message.resend") and entry.object_id:
            notification = db.session.get(Notification, entry.object_id)
            registration_id = notification.registration_id if notification else None
        if registration_id:
            if registration_id not in rows and (recipient := db.session.get(Recipient, registration_id)):
                event = db.session.get(EventInfo, recipient.event_id)
                rows[registration_id] = _row(recipient, event.kabupaten_code if event else None, "trail")
            if registration_id in rows:
                rows[registration_id]["opened"] = "ya"
    return sorted(rows.values(), key=lambda row: (row["event_id"], row["registration_id"]))


def _row(recipient: Recipient, kabupaten_code: str | None, basis: str) -> dict:
    return {
        "registration_id": recipient.registration_id, "event_id": recipient.event_id,
        "kabupaten_code": kabupaten_code or "", "phone": recipient.phone or "", "email": recipient.email or "",
        "preferred_channel": recipient.preferred_channel, "locale": recipient.locale, "basis": basis, "opened": "",
    }  # fmt: skip


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
