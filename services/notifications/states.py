"""The states only the notifications service keeps (the shared ones are in shared.states)."""

from enum import StrEnum


class Audience(StrEnum):
    """Whom an organiser's announcement goes to: the seats, the waitlist, or the people checked in at the door."""

    CONFIRMED = "confirmed"
    WAITLIST = "waitlist"
    PRESENT = "present"
