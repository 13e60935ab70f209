"""The notifications store's announcements and their audiences (on the session, never commits)."""

import sqlalchemy as sa
import sqlalchemy.exc

from services.notifications.extensions import db
from services.notifications.models import Announcement, Recipient
from services.notifications.states import Audience
from shared.states import RegistrationStatus


def audience_recipients(event_id: str, audience: str) -> list[Recipient]:
    """The people of `event_id` an announcement to `audience` reaches: confirmed seats, the waitlist, or those
    checked in at the door (and not cancelled since); in a stable order."""
    query = sa.select(Recipient).where(Recipient.event_id == event_id)
    if audience == Audience.WAITLIST:
        query = query.where(Recipient.status == RegistrationStatus.WAITLISTED)
    elif audience == Audience.PRESENT:
        query = query.where(Recipient.checked_in_at.is_not(None), Recipient.status != RegistrationStatus.CANCELLED)
    else:
        query = query.where(Recipient.status == RegistrationStatus.CONFIRMED)
    return list(db.session.scalars(query.order_by(Recipient.registration_id)))


def add_announcement(values: dict) -> Announcement | None:
    """Keep a new announcement; None when one with its idempotency key exists (a second submit of the form)."""
    try:
        with db.session.begin_nested():
            announcement = Announcement(**values)
            db.session.add(announcement)
    except sa.exc.IntegrityError:
        return None
    return announcement


def announcement_by_key(idempotency_key: str) -> Announcement | None:
    return db.session.scalars(sa.select(Announcement).where(Announcement.idempotency_key == idempotency_key)).first()


def get_announcement(announcement_id: str) -> Announcement | None:
    return db.session.get(Announcement, announcement_id)


def announcement_by_code(code: str) -> Announcement | None:
    return db.session.scalars(sa.select(Announcement).where(Announcement.code == code)).first()


def list_announcements(event_id: str) -> list[Announcement]:
    query = sa.select(Announcement).where(Announcement.event_id == event_id).order_by(Announcement.created_at.desc())
    return list(db.session.scalars(query))
