"""The daftar hadir: a printable A4 attendance list of one event and day, with the letterhead, numbered rows, a
signature column and totals by gender and disability. Blank (for signatures) before the event starts and before
anyone is checked in; from then on each person checked in that day is marked present (docs/organiser.md,
"Daftar hadir")."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, render_template

from services.registration.models import Event, Registration
from shared.letterhead import letterhead
from shared.regions import name_of
from shared.states import RegistrationStatus
from shared.timeutil import to_local, utcnow

#: Disabilities counted as "with a disability" in the totals ("prefer not to say" is not).
NO_DISABILITY = ("none", "prefer_not_to_say")


def days(event: Event) -> list[date]:
    """The event's days in WITA, first to last (one for a one-day event)."""
    first, last = to_local(event.starts_at).date(), to_local(event.ends_at).date()
    return [first + timedelta(days=n) for n in range(max((last - first).days, 0) + 1)]


@dataclass(frozen=True)
class Row:
    number: int
    name: str
    institution: str
    place: str
    participant_type: str
    gender: str
    disability: str
    present: bool


def present_on(registration: Registration, day: date, single_day: bool) -> bool:
    """Whether `registration` was checked in on `day` (any check-in, for a one-day event)."""
    if registration.checked_in_at is None:
        return False
    return single_day or to_local(registration.checked_in_at).date() == day


def sheet(event: Event, registrations: list[Registration], day: date, now: datetime | None = None) -> dict:
    """What the list shows: its rows (confirmed people by name), whether attendance is marked, and the totals."""
    now = now or utcnow()
    single = len(days(event)) == 1
    people = sorted(
        (r for r in registrations if r.status == RegistrationStatus.CONFIRMED),
        key=lambda r: ((r.full_name or "").casefold(), r.id),
    )
    # Marked once the day has begun, or as soon as the door has checked someone in for it (doors open early).
    begun = now >= event.starts_at and to_local(now).date() >= day
    marked = begun or any(present_on(r, day, single) for r in people)
    rows = [
        Row(
            number=n,
            name=r.full_name or "-",
            institution=r.institution or "",
            place=", ".join(name_of(code) for code in (r.desa_code, r.kecamatan_code) if code),
            participant_type=r.participant_type,
            gender=r.gender,
            disability=r.disability,
            present=marked and present_on(r, day, single),
        )
        for n, r in enumerate(people, 1)
    ]
    return {"rows": rows, "marked": marked, "totals": totals(rows)}


def totals(rows: list[Row]) -> dict[str, dict[str, int]]:
    """Registered and present, by gender, with a disability, and all."""
    groups = {
        "female": lambda row: row.gender == "female",
        "male": lambda row: row.gender == "male",
        "disability": lambda row: row.disability not in NO_DISABILITY,
        "all": lambda row: True,
    }
    return {
        key: {"registered": sum(1 for r in rows if test(r)), "present": sum(1 for r in rows if test(r) and r.present)}
        for key, test in groups.items()
    }


def to_pdf(
    event: Event, registrations: list[Registration], day: date, labels, *, day_label: str, now: datetime | None = None
) -> bytes:
    """Render the attendance list of `event` on `day` as an A4 PDF (needs the app context)."""
    from weasyprint import HTML  # imported late: it loads Pango, which only this download needs

    html = render_template(
        "staff/attendance_sheet.html",
        event=event,
        day=day,
        day_label=day_label,
        event_days=days(event),
        letterhead=letterhead(current_app.config),
        printed_at=now or utcnow(),
        labels=labels,
        **sheet(event, registrations, day, now),
    )
    return HTML(string=html).write_pdf()
