"""The programme's figures for a period and area, from the counts the store groups in SQL (pure: no store, no Flask).

Definitions (what the reports and the dashboard promise):
- the scope is every event whose start falls in [start, end] (dates in WITA, both inclusive), optionally in one
  kabupaten/kota; cancelled events are counted apart and their registrations are left out of the participation
  figures;
- an event is held (Terlaksana) once it has ended by `now`, not when it was published; one still to come or under
  way is counted as upcoming, and its registrations count (people did register);
- registrations = confirmed + waitlisted (not cancelled); attended = checked in;
- no-shows = confirmed, not checked in, at an event that had started by `now`; the no-show rate divides them by
  the confirmed registrations of those started events;
- breakdowns count each participant by the attributes they registered with: registered (not cancelled) and
  attended;
- villages reached = distinct desa/kelurahan codes of registered participants (and of those who attended);
- delivery rate = delivered / (delivered + failed) messages about the events in scope."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.reporting import impact as impact_figures
from shared.messaging.vocabulary import AGE_GROUPS, CHANNELS, DISABILITIES, GENDERS, PARTICIPANT_TYPES
from shared.regions import kabupaten
from shared.states import EventStatus, MessageStatus, RegistrationStatus
from shared.timeutil import WITA

ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


#: "prefer_not_to_say" (an answer withheld, or not consented to for statistics) counts neither as a disability nor as
#: none: it is a category of its own in the breakdown, outside both.
NOT_SAID = "prefer_not_to_say"
DISABILITY_KINDS = tuple(kind for kind in DISABILITIES if kind not in ("none", NOT_SAID))
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
    #: held (ended by `now`), upcoming (not ended yet) or cancelled
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
    events_upcoming: int
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
    #: Certificates, the evaluation and the knowledge test (impact.py).
    impact: impact_figures.Impact = field(default_factory=impact_figures.Impact)
    suppressed: bool = False


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Counts:
    """What every figure is made of: counts of registrations and messages grouped by the attributes the figures
    read. The store counts them with SQL GROUP BY; count_rows() counts the same from plain rows.

    - per_event: (event_id, *the PER_EVENT counts) of each held event that has registrations;
    - attributes: (kabupaten_code, gender, age_group, disability, participant_type, status, checked in, n) of the
      registrations at held events;
    - villages: (desa_code, status, checked in, n) of the registrations at held events that name a desa/kelurahan;
    - deliveries: (event_id, channel, status, n) of the messages about every event in scope, cancelled ones too;
    - impact: (kabupaten_code, gender, disability, *impact.TALLIES) of the registrations at held events.
    """

    per_event: list[tuple] = field(default_factory=list)
    attributes: list[tuple] = field(default_factory=list)
    villages: list[tuple] = field(default_factory=list)
    deliveries: list[tuple] = field(default_factory=list)
    impact: list[tuple] = field(default_factory=list)


ATTRIBUTES = ("kabupaten_code", "gender", "age_group", "disability", "participant_type")
#: What is counted per event (registrations of one held event); the store writes each as a SQL condition.
PER_EVENT = {
    RegistrationStatus.CONFIRMED: lambda r: r.status == RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED: lambda r: r.status == RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED: lambda r: r.status == RegistrationStatus.CANCELLED,
    "attended": lambda r: r.checked_in_at is not None,
    "not_checked_in": lambda r: r.status == RegistrationStatus.CONFIRMED and r.checked_in_at is None,
    "disability_registered": lambda r: r.status in ACTIVE and r.disability in DISABILITY_KINDS,
    "disability_attended": lambda r: r.checked_in_at is not None and r.disability in DISABILITY_KINDS,
}


def in_scope(scope: Scope, events) -> list:
    """The events whose start falls in the scope's period (and area)."""
    start, end = scope.bounds()
    return [e for e in events if start <= e.starts_at < end and scope.kabupaten_code in (None, e.kabupaten_code)]


def count_rows(events, registrations, deliveries, evaluations=()) -> Counts:
    """Count plain rows the way the store's GROUP BY queries do (`events`: those in scope; other rows are ignored)."""
    held = {e.event_id for e in events if e.status != EventStatus.CANCELLED}
    regs = [r for r in registrations if r.event_id in held]
    all_ids = {e.event_id for e in events}
    per_event: dict[str, list[int]] = defaultdict(lambda: [0] * len(PER_EVENT))
    for r in regs:
        tally = per_event[r.event_id]
        for i, counted in enumerate(PER_EVENT.values()):
            tally[i] += counted(r)
    attributes = Counter(
        (*(getattr(r, name) for name in ATTRIBUTES), r.status, r.checked_in_at is not None) for r in regs
    )
    villages = Counter((r.desa_code, r.status, r.checked_in_at is not None) for r in regs if r.desa_code)
    sent = Counter((d.event_id, d.channel, d.status) for d in deliveries if d.event_id in all_ids)
    return Counts(
        per_event=[(event_id, *tally) for event_id, tally in per_event.items()],
        attributes=[(*key, n) for key, n in attributes.items()],
        villages=[(*key, n) for key, n in villages.items()],
        deliveries=[(*key, n) for key, n in sent.items()],
        impact=impact_figures.count_rows(regs, evaluations),
    )


def compute(scope: Scope, events, registrations, deliveries, now: datetime, evaluations=()) -> Figures:
    """Compute every figure of `scope` from the rows of the read model (rows outside the scope are ignored)."""
    events = in_scope(scope, events)
    return from_counts(scope, events, count_rows(events, registrations, deliveries, evaluations), now)


def from_counts(scope: Scope, events, counts: Counts, now: datetime) -> Figures:
    """Compute every figure of `scope` from its events (all in scope) and the counts of their facts."""
    held = {
        e.event_id: e for e in events if e.status != EventStatus.CANCELLED
    }  # not cancelled: their registrations count
    ended = sum(e.ends_at <= now for e in held.values())
    per_event = {
        event_id: Counter(dict(zip(PER_EVENT, values, strict=True)))
        for event_id, *values in counts.per_event
        if event_id in held
    }
    total = Counter()
    started = no_shows = 0
    for event_id, tally in per_event.items():
        total.update(tally)
        if held[event_id].starts_at <= now:
            started += tally["confirmed"]
            no_shows += tally["not_checked_in"]
    mail: dict[str, Counter] = defaultdict(Counter)
    channels: dict[str, Counter] = defaultdict(Counter)
    for event_id, channel, status, n in counts.deliveries:
        outcome = MessageStatus.DELIVERED if status == MessageStatus.DELIVERED else MessageStatus.FAILED
        mail[event_id][outcome] += n
        channels[channel][outcome] += n
    sent = Counter()
    for tally in mail.values():
        sent.update(tally)
    return Figures(
        scope=scope,
        events_held=ended,
        events_cancelled=len(events) - len(held),
        events_upcoming=len(held) - ended,
        registrations=total["confirmed"] + total["waitlisted"],
        confirmed=total["confirmed"],
        waitlisted=total["waitlisted"],
        cancelled=total["cancelled"],
        attended=total["attended"],
        no_shows=no_shows,
        no_show_rate=rate(no_shows, started),
        attendance_rate=rate(started - no_shows, started),
        villages_registered=len({desa for desa, status, _c, n in counts.villages if status in ACTIVE and n}),
        villages_attended=len({desa for desa, _s, checked_in, n in counts.villages if checked_in and n}),
        disability_registered=total["disability_registered"],
        disability_attended=total["disability_attended"],
        delivered=sent["delivered"],
        failed=sent["failed"],
        delivery_rate=rate(sent["delivered"], sent["delivered"] + sent["failed"]),
        breakdowns=_breakdowns(counts.attributes),
        channels=[
            ChannelRow(
                c, channels[c]["delivered"], channels[c]["failed"], rate(channels[c]["delivered"], channels[c].total())
            )
            for c in CHANNELS
        ],
        events=[
            _event_row(e, per_event.get(e.event_id, Counter()), mail.get(e.event_id, Counter()), now)
            for e in sorted(events, key=lambda e: (e.starts_at, e.title))
        ],
        impact=impact_figures.from_counts(counts.impact, categories),
    )


def categories(name: str) -> tuple[str, ...]:
    """Return the keys of a breakdown in display order (every category, even when nobody is in it)."""
    if name == "kabupaten":
        return tuple(area.code for area in kabupaten())
    return {"gender": GENDERS, "age_group": AGE_GROUPS, "disability": DISABILITIES}.get(name, PARTICIPANT_TYPES)


def _breakdowns(attributes: list[tuple]) -> dict[str, list[BreakdownRow]]:
    """Each breakdown's rows: every known category in order, then any other value met, sorted."""
    registered = {name: Counter() for name in BREAKDOWNS}
    came = {name: Counter() for name in BREAKDOWNS}
    for *values, status, checked_in, n in attributes:
        for name, value in zip(BREAKDOWNS, values, strict=True):
            if status in ACTIVE:
                registered[name][value] += n
            if checked_in:
                came[name][value] += n
    rows = {}
    for name in BREAKDOWNS:
        known = categories(name)
        keys = list(known) + sorted(set(registered[name]) - set(known))
        rows[name] = [BreakdownRow(key, registered[name][key], came[name][key]) for key in keys]
    return rows


def _event_row(event, tally: Counter, mail: Counter, now: datetime) -> EventRow:
    """One event's row, from the counts of its own registrations (none for a cancelled event) and messages."""
    started = event.starts_at <= now and event.status != EventStatus.CANCELLED
    status = (
        EventStatus.CANCELLED
        if event.status == EventStatus.CANCELLED
        else "held"
        if event.ends_at <= now
        else "upcoming"
    )
    return EventRow(
        event_id=event.event_id,
        title=event.title,
        kabupaten_code=event.kabupaten_code,
        starts_at=event.starts_at,
        status=status,
        capacity=event.capacity,
        confirmed=tally["confirmed"],
        waitlisted=tally["waitlisted"],
        cancelled=tally["cancelled"],
        attended=tally["attended"],
        no_shows=tally["not_checked_in"] if started else 0,
        disability_registered=tally["disability_registered"],
        delivered=mail["delivered"],
        failed=mail["failed"],
    )
