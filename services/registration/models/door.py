"""The door kit's records (docs/organiser.md, "Kit pintu"): each check-in or walk-in a phone recorded at the door,
kept by the id the phone gave it, so a record sent twice (a retry after the signal came back) has one effect."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registration.extensions import db
from shared.db import UTCDateTime
from shared.timeutil import utcnow


class DoorKind(StrEnum):
    """What a phone at the door recorded."""

    CHECK_IN = "check_in"
    WALK_IN = "walk_in"
    UNDO = "undo"  # take back a check-in this phone made by mistake (within CHECKIN_UNDO_MINUTES)


class DoorOutcome(StrEnum):
    """What the server made of one record; the phone shows it beside the record."""

    CHECKED_IN = "checked_in"  # recorded present now
    ALREADY_CHECKED_IN = "already_checked_in"  # present already (another phone, or the list): counted once
    SEATED = "seated"  # a walk-in took a free seat and is recorded present
    WAITLISTED = "waitlisted"  # a walk-in for a full event: on the waitlist
    ALREADY_REGISTERED = "already_registered"  # a walk-in whose phone or email is registered already
    UNDONE = "undone"  # a check-in taken back: the person is no longer recorded present
    NOT_PRESENT = "not_present"  # an undo of someone not recorded present (undone already, on this or another phone)
    REFUSED = "refused"  # not done (the reason goes with it); not kept, so the phone may send it again later


class DoorRecord(db.Model):
    """One record a door kit synced, with the outcome it got. No personal data: the registration's id only."""

    __tablename__ = "door_records"

    #: The UUID the phone made when the organiser tapped: the same record sent again is found by it.
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.ForeignKey("events.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    registration_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    staff_id: Mapped[int | None] = mapped_column(sa.Integer)
    #: When the phone recorded it (its own clock), and when it reached the server.
    made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
