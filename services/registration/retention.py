"""Keep personal data only as long as it is needed (docs/data.md): the daily purge of the registration store."""

import logging
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from services.registration import requests, store
from services.registration.bus import bus
from services.registration.extensions import db
from services.registration.models import (
    AccessCode,
    AuditEntry,
    DataRequest,
    Evaluation,
    Event,
    MessageRecord,
    Registration,
)
from shared import audit
from shared.retention import cutoff, update_in_batches
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)

#: What a registration keeps after anonymisation: the attributes the statistics count, never who it was.
ANONYMOUS = {
    "full_name": None,
    "phone": None,
    "email": None,
    "checkin_code": None,
    "cancel_code": None,
    "accessibility_needs": "",
    "institution": "",
    "registered_by": None,
    "contact_phone": None,
    "contact_email": None,
    "contact_for": "",
}


def anonymise_registrations(before: datetime) -> int:
    """Erase names, phones, emails, free text and check-in codes of registrations for events that ended before
    `before`; keep region codes, gender, age group, disability, type, status and times (safe to run twice)."""
    ended = sa.select(Event.id).where(Event.ends_at < before)
    store.forget_door_records(event_ids=ended)  # the door kit's records say who came: they go with the names
    due = sa.and_(Registration.event_id.in_(ended), Registration.full_name.is_not(None))
    return update_in_batches(db.session, Registration.id, due, ANONYMOUS)


def forget_message_history_and_codes(now: datetime) -> int:
    """Delete the message history of anonymised registrations, empty their data requests' and evaluations' texts,
    and delete every expired "Data saya" code (safe to run twice)."""
    anonymised = sa.select(Registration.id).where(Registration.full_name.is_(None))
    history = db.session.execute(sa.delete(MessageRecord).where(MessageRecord.registration_id.in_(anonymised)))
    codes = db.session.execute(sa.delete(AccessCode).where(AccessCode.expires_at < now))
    asked = sa.and_(
        DataRequest.registration_id.in_(anonymised), sa.or_(DataRequest.details != "", DataRequest.answer != "")
    )
    requests_emptied = db.session.execute(sa.update(DataRequest).where(asked).values(details="", answer=""))
    # the evaluation's texts may name people: they go with the name; the scores (already counted) stay
    written = sa.and_(
        Evaluation.registration_id.in_(anonymised), sa.or_(Evaluation.action_plan != "", Evaluation.comments != "")
    )
    texts = db.session.execute(sa.update(Evaluation).where(written).values(action_plan="", comments=""))
    db.session.commit()
    return history.rowcount + codes.rowcount + requests_emptied.rowcount + texts.rowcount


def purge_old_data(now: datetime | None = None) -> dict[str, int]:
    """Run every retention rule of this service once; log one line of counts (no personal data) and return them."""
    config = current_app.config
    counts = {"registrations_anonymised": anonymise_registrations(cutoff(config["PERSONAL_DATA_RETENTION_DAYS"], now))}
    counts["audit_rows_deleted"] = audit.purge(db.session, AuditEntry, config["AUDIT_RETENTION_DAYS"], now)
    counts["my_data_rows_deleted"] = forget_message_history_and_codes(now or utcnow())
    counts["agreed_erasures"] = requests.erase_agreed(now or utcnow())
    counts |= bus.purge(now)
    logger.info("retention purge done: %s", " ".join(f"{key}={value}" for key, value in counts.items()))
    return counts
