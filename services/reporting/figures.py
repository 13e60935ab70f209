"""The programme's figures for a period and area, computed from read-model rows (pure: no store, no Flask).

Definitions (what the reports and the dashboard promise):
- the scope is every event whose start falls in [start, end] (dates in WITA, both inclusive), optionally in one
  kabupaten/kota; cancelled events are counted apart and their registrations are left out of the participation
  figures;
- registrations = confirmed + waitlisted (not cancelled); attended = checked in;
- no-shows = confirmed, not checked in, at an event that had started by `now`; the no-show rate divides them by
  the confirmed registrations of those started events;
- breakdowns count each participant by the attributes they registered with: registered (not cancelled) and
  attended;
- villages reached = distinct desa/kelurahan codes of registered participants (and of those who attended);
- delivery rate = delivered / (delivered + failed) messages about the events in scope.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.messaging.contracts import AGE_GROUPS, CHANNELS, DISABILITIES, GENDERS, PARTICIPANT_TYPES
from shared.regions import kabupaten
from shared.timeutil import WITA

ACTIVE = ("confirmed", "waitlisted")
#: What a suppressed small count shows (1 to 4 people with a disability), per UU PDP data minimisation.
SMALL = "<5"
#: A cell hidden only so that a suppressed one cannot be worked out by subtraction.
HIDDEN = "*"
DISABILITY_KINDS = tuple(kind for kind in DISABILITIES if kind != "none")
BREAKDOWNS = ("kabupaten", "gender", "age_group", "disability", "participant_type")


@dataclass(frozen=True)
class Scope:
    start: date
    end: date
    kabupaten_code: str | None = None

    def bounds(self, tz: ZoneInfo = WITA) -> tuple[datetime, datetime]:
        """Return [first moment, first moment after) of the period in `tz`."""
        return datetime.combine(self.start, time(0), tz), datetime.combine(self.end + timedelta(days=1), time(0), tz)


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    registered: int | str
    attended: int | str


@dataclass(frozen=True)
class EventRow:
    event_id: str
    title: str
    kabupaten_code: str
    starts_at: datetime
    status: str
    capacity: int
    confirmed: int
    waitlisted: int
    cancelled: int
    attended: int
    no_shows: int
    disability_registered: int | str
    delivered: int
    failed: int


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    delivered: int
    failed: int
    rate: float | None


@dataclass(frozen=True)
class Figures:
    scope: Scope
    events_held: int
    events_cancelled: int
    registrations: int
    confirmed: int
    waitlisted: int
    cancelled: int
    attended: int
    no_shows: int
    no_show_rate: float | None
    attendance_rate: float | None
    villages_registered: int
    villages_attended: int
    disability_registered: int | str
    disability_attended: int | str
    delivered: int
    failed: int
    delivery_rate: float | None
    breakdowns: dict[str, list[BreakdownRow]] = field(default_factory=dict)
    channels: list[ChannelRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    suppressed: bool = False


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def compute(scope: Scope, events, registrations, deliveries, now: datetime) -> Figures:
    """Compute every figure of `scope` from the rows of the read model (rows outside the scope are ignored)."""
    start, end = scope.bounds()
    in_scope = [e for e in events if start <= e.starts_at < end and scope.kabupaten_code in (None, e.kabupaten_code)]
    held = {e.event_id: e for e in in_scope if e.status != "cancelled"}
    regs = [r for r in registrations if r.event_id in held]
    active = [r for r in regs if r.status in ACTIVE]
    attended = [r for r in regs if r.checked_in_at is not None]
    started = [r for r in regs if r.status == "confirmed" and held[r.event_id].starts_at <= now]
    no_shows = [r for r in started if r.checked_in_at is None]
    all_ids = {e.event_id for e in in_scope}
    sent = [d for d in deliveries if d.event_id in all_ids]
    delivered = sum(d.status == "delivered" for d in sent)
    disabled = [r for r in active if r.disability != "none"]
    regs_by_event, sent_by_event = _by_event(regs), _by_event(sent)  # one pass each, not one per event
    return Figures(
        scope=scope,
        events_held=len(held),
        events_cancelled=len(in_scope) - len(held),
        registrations=len(active),
        confirmed=sum(r.status == "confirmed" for r in regs),
        waitlisted=sum(r.status == "waitlisted" for r in regs),
        cancelled=sum(r.status == "cancelled" for r in regs),
        attended=len(attended),
        no_shows=len(no_shows),
        no_show_rate=rate(len(no_shows), len(started)),
        attendance_rate=rate(len(started) - len(no_shows), len(started)),
        villages_registered=len({r.desa_code for r in active if r.desa_code}),
        villages_attended=len({r.desa_code for r in attended if r.desa_code}),
        disability_registered=len(disabled),
        disability_attended=sum(r.disability != "none" for r in attended),
        delivered=delivered,
        failed=len(sent) - delivered,
        delivery_rate=rate(delivered, len(sent)),
        breakdowns={name: _breakdown(name, active, attended) for name in BREAKDOWNS},
        channels=_channels(sent),
        events=[
            _event_row(e, regs_by_event.get(e.event_id, []), sent_by_event.get(e.event_id, []), now)
            for e in sorted(in_scope, key=lambda e: (e.starts_at, e.title))
        ],
    )


def categories(name: str) -> tuple[str, ...]:
    """Return the keys of a breakdown in display order (every category, even when nobody is in it)."""
    if name == "kabupaten":
        return tuple(area.code for area in kabupaten())
    return {"gender": GENDERS, "age_group": AGE_GROUPS, "disability": DISABILITIES}.get(name, PARTICIPANT_TYPES)


def _attribute(name: str) -> str:
    return "kabupaten_code" if name == "kabupaten" else name


def _breakdown(name: str, active: list, attended: list) -> list[BreakdownRow]:
    registered = Counter(getattr(r, _attribute(name)) for r in active)
    came = Counter(getattr(r, _attribute(name)) for r in attended)
    keys = list(categories(name)) + sorted(set(registered) - set(categories(name)))
    return [BreakdownRow(key, registered[key], came[key]) for key in keys]


def _channels(sent: list) -> list[ChannelRow]:
    rows = []
    for channel in CHANNELS:
        delivered = sum(d.channel == channel and d.status == "delivered" for d in sent)
        failed = sum(d.channel == channel and d.status != "delivered" for d in sent)
        rows.append(ChannelRow(channel, delivered, failed, rate(delivered, delivered + failed)))
    return rows


def _by_event(rows: list) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for row in rows:
        grouped[row.event_id].append(row)
    return grouped


def _event_row(event, regs: list, sent: list, now: datetime) -> EventRow:
    """One event's row, from its own registrations and messages (`regs` and `sent` hold only this event's)."""
    mine = [r for r in regs if r.event_id == event.event_id]
    started = event.starts_at <= now and event.status != "cancelled"
    statuses = Counter(r.status for r in mine)
    mail = [d for d in sent if d.event_id == event.event_id]
    return EventRow(
        event_id=event.event_id,
        title=event.title,
        kabupaten_code=event.kabupaten_code,
        starts_at=event.starts_at,
        status=event.status,
        capacity=event.capacity,
        confirmed=statuses["confirmed"],
        waitlisted=statuses["waitlisted"],
        cancelled=statuses["cancelled"],
        attended=sum(r.checked_in_at is not None for r in mine),
        no_shows=sum(r.status == "confirmed" and r.checked_in_at is None for r in mine) if started else 0,
        disability_registered=sum(r.status in ACTIVE and r.disability != "none" for r in mine),
        delivered=sum(d.status == "delivered" for d in mail),
        failed=sum(d.status != "delivered" for d in mail),
    )


def protect(cells: list[int], total: int) -> tuple[list[int | str], int | str]:
    """Suppress counts of 1-4 people, and one more cell when a lone suppressed cell could be subtracted out."""
    shown: list[int | str] = [SMALL if 1 <= value <= 4 else value for value in cells]
    shown_total: int | str = SMALL if 1 <= total <= 4 else total
    hidden = [i for i, value in enumerate(shown) if value == SMALL]
    if shown_total != SMALL and len(hidden) == 1:
        others = sorted((value, i) for i, value in enumerate(cells) if i not in hidden and value > 0)
        if others:
            shown[others[0][1]] = HIDDEN
    return shown, shown_total


def suppress(figures: Figures) -> Figures:
    """Return the figures as they may leave the service: small counts of people with a disability suppressed.

    The "none" row of the disability breakdown is left out, since registrations minus it would give the total.
    """
    if figures.suppressed:
        return figures
    kinds = [row for row in figures.breakdowns["disability"] if row.key in DISABILITY_KINDS]
    registered, disability_registered = protect([r.registered for r in kinds], figures.disability_registered)
    attended, disability_attended = protect([r.attended for r in kinds], figures.disability_attended)
    rows = [BreakdownRow(r.key, reg, att) for r, reg, att in zip(kinds, registered, attended, strict=True)]
    per_event, _ = protect([e.disability_registered for e in figures.events], figures.disability_registered)
    events = [replace(e, disability_registered=v) for e, v in zip(figures.events, per_event, strict=True)]
    return replace(
        figures,
        breakdowns={**figures.breakdowns, "disability": rows},
        disability_registered=disability_registered,
        disability_attended=disability_attended,
        events=events,
        suppressed=True,
    )
