"""A fixed week of the programme as the envelopes reporting receives, and its figures worked out by hand.

The week is Monday 9 to Sunday 15 March 2026 (WITA); the report is made on Monday 16 March at 08.00 WITA.
The expected figures are computed here from the plain participant list, never through the read model.
"""

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope
from shared.timeutil import WITA

NS = uuid.UUID("5f1c1d2e-0000-4000-8000-000000000000")
PERIOD = (date(2026, 3, 9), date(2026, 3, 15))
NOW = datetime(2026, 3, 16, 8, 0, tzinfo=WITA)
FORMULA_TITLE = '=HYPERLINK("http://x")'


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


@dataclass
class Event:
    key: str
    title: str
    kabupaten: str
    starts: datetime
    capacity: int
    cancelled: bool = False

    @property
    def id(self) -> str:
        return uid(self.key)

    @property
    def in_period(self) -> bool:
        return PERIOD[0] <= self.starts.date() <= PERIOD[1]

    @property
    def ends(self) -> datetime:
        return self.starts + timedelta(hours=6)


@dataclass
class Person:
    key: str
    event: Event
    status: str  # how they registered: confirmed or waitlisted
    gender: str
    age_group: str
    disability: str
    participant_type: str
    kabupaten: str
    desa: str | None
    cancelled: bool = False
    promoted: bool = False
    checked_in: bool = False

    @property
    def final_status(self) -> str:
        if self.cancelled:
            return "cancelled"
        return "confirmed" if self.promoted else self.status


E1 = Event("e1", "Pelatihan Pengelolaan Perpustakaan Desa", "63.03", datetime(2026, 3, 10, 9, 0, tzinfo=WITA), 10)
E2 = Event("e2", FORMULA_TITLE, "63.71", datetime(2026, 3, 12, 13, 0, tzinfo=WITA), 5)
E3 = Event("e3", "Bimtek Kader PKK (dibatalkan)", "63.05", datetime(2026, 3, 13, 9, 0, tzinfo=WITA), 20, True)
E4 = Event("e4", "Di luar periode: Senin 00.30 WITA", "63.03", datetime(2026, 3, 16, 0, 30, tzinfo=WITA), 20)
E5 = Event("e5", "+Kain perca: Senin 00.30 WITA", "63.03", datetime(2026, 3, 9, 0, 30, tzinfo=WITA), 20)
EVENTS = [E1, E2, E3, E4, E5]

GENDERS = ["female", "male", "female"]
AGES = ["18_25", "26_35", "36_45", "46_55", "56_plus", "under_18"]
TYPES = ["library_manager", "pkk_cadre", "public", "teacher", "student"]
BANJAR_DESA = ["63.03.01.2001", "63.03.01.2002", "63.03.01.2009", None]


def _people() -> list[Person]:
    people: list[Person] = []

    def add(event: Event, n: int, **overrides) -> Person:
        i = len(people)
        values = {
            "status": "confirmed",
            "gender": GENDERS[i % 3],
            "age_group": AGES[i % 6],
            "disability": "none",
            "participant_type": TYPES[i % 5],
            "kabupaten": event.kabupaten,
            "desa": BANJAR_DESA[i % 4] if event.kabupaten == "63.03" else "63.71.01.1001",
        }
        person = Person(f"{event.key}-p{n}", event, **(values | overrides))
        people.append(person)
        return person

    # E1: ten seats; twelve register (two waitlisted); one confirmed cancels and the first waitlisted is promoted.
    disabilities = ["physical"] * 5 + ["sensory"] * 3 + ["none"] * 4
    for n in range(12):
        add(E1, n, status="confirmed" if n < 10 else "waitlisted", disability=disabilities[n])
    people[9].cancelled = True
    people[10].promoted = True
    for n in (0, 1, 2, 3, 5, 6, 10):  # seven of the ten confirmed come: four physical, two sensory
        people[n].checked_in = True
    # one participant from Tanah Laut travelled to Martapura
    people[11].kabupaten, people[11].desa = "63.01", "63.01.01.2001"
    # E2: five confirmed in Banjarmasin, four come
    for n in range(5):
        add(E2, n).checked_in = n < 4
    # E3 (cancelled event) and E4 (after the period) must not count
    for n in range(2):
        add(E3, n, disability="mental")
    for n in range(3):
        add(E4, n).checked_in = True
    # E5: six confirmed just after midnight WITA on Monday (still Sunday in UTC), five come; one mental disability
    for n in range(6):
        add(E5, n, disability="mental" if n == 0 else "none").checked_in = n < 5
    return people


PEOPLE = _people()


@dataclass
class Delivery:
    key: str
    event: Event | None
    channel: str
    delivered: bool


DELIVERIES = (
    [Delivery(f"d1-{n}", E1, "email" if n % 2 else "whatsapp", n < 10) for n in range(12)]
    + [Delivery(f"d2-{n}", E2, "sms", n < 4) for n in range(5)]
    + [Delivery(f"d3-{n}", E3, "whatsapp", True) for n in range(2)]
    + [Delivery(f"d4-{n}", E4, "email", True) for n in range(3)]
    + [Delivery("d-none", None, "email", False)]
)


def envelopes() -> list[dict]:
    """Return every message reporting receives for the scenario, in the order registration would send them."""
    out = [_envelope(f"pub-{e.key}", EventNames.EVENT_PUBLISHED, _snapshot(e)) for e in EVENTS]
    for p in PEOPLE:
        out.append(_envelope(f"reg-{p.key}", EventNames.REGISTRATION_CREATED, _registration(p)))
    for p in PEOPLE:
        if p.cancelled:
            payload = {"registration_id": uid(p.key), "event_id": p.event.id, "was_confirmed": True}
            out.append(_envelope(f"can-{p.key}", EventNames.REGISTRATION_CANCELLED, payload | {"cancelled_at": _at()}))
        if p.promoted:
            payload = {"registration_id": uid(p.key), "event_id": p.event.id, "promoted_at": _at()}
            out.append(_envelope(f"pro-{p.key}", EventNames.REGISTRATION_PROMOTED, payload))
    for e in EVENTS:
        if e.cancelled:
            payload = {"event_id": e.id, "title": e.title, "reason": "Banjir"}
            out.append(_envelope(f"cnc-{e.key}", EventNames.EVENT_CANCELLED, payload))
    for p in PEOPLE:
        if p.checked_in:
            payload = {
                "registration_id": uid(p.key),
                "event_id": p.event.id,
                "checked_in_at": p.event.starts.isoformat(),
            }
            out.append(_envelope(f"chk-{p.key}", EventNames.ATTENDANCE_CHECKED_IN, payload))
    for d in DELIVERIES:
        out.append(_delivery(d))
    return out


def _at() -> str:
    return datetime(2026, 3, 1, 8, 0, tzinfo=WITA).isoformat()


def _envelope(key: str, event_type: str, payload: dict) -> dict:
    return make_envelope(event_type, payload, source="registration", message_id=uid(key))


def _snapshot(e: Event) -> dict:
    return {
        "event_id": e.id,
        "title": e.title,
        "kabupaten_code": e.kabupaten,
        "kabupaten_name": e.kabupaten,
        "venue": "Aula Dispersip",
        "starts_at": e.starts.isoformat(),
        "ends_at": e.ends.isoformat(),
        "capacity": e.capacity,
        "reminder_offsets_minutes": [1440],
        "url": f"http://127.0.0.1:8001/acara/{e.key}",
    }


def _registration(p: Person) -> dict:
    return {
        "registration_id": uid(p.key),
        "event_id": p.event.id,
        "status": p.status,
        "waitlist_position": 1 if p.status == "waitlisted" else None,
        "full_name": "Siti Rahmah",
        "phone": "+6281234567890",
        "email": None,
        "preferred_channel": "whatsapp",
        "locale": "id",
        "kabupaten_code": p.kabupaten,
        "kecamatan_code": p.desa[:8] if p.desa else None,
        "desa_code": p.desa,
        "gender": p.gender,
        "age_group": p.age_group,
        "disability": p.disability,
        "participant_type": p.participant_type,
        "checkin_code": "ABCD2345",
        "cancel_url": "http://127.0.0.1:8001/r/x/batal",
        "registered_at": _at(),
    }


def _delivery(d: Delivery) -> dict:
    payload = {
        "notification_id": uid(d.key),
        "registration_id": None,
        "event_id": d.event.id if d.event else None,
        "purpose": "reminder",
        "channel": d.channel,
    }
    if d.delivered:
        return make_envelope(
            EventNames.NOTIFICATION_DELIVERED,
            payload | {"delivered_at": _at()},
            source="notifications",
            message_id=uid(d.key),
        )
    payload |= {"reason": "timeout", "failed_at": _at()}
    return make_envelope(EventNames.NOTIFICATION_FAILED, payload, source="notifications", message_id=uid(d.key))


def expected(kabupaten: str | None = None, period: tuple[date, date] = PERIOD, now: datetime = NOW) -> dict:
    """Work out the scenario's figures from the participant list (independently of the service).

    `held` are the events that are not cancelled (their registrations count); events_held those of them that
    ended by `now`."""
    events = [e for e in EVENTS if period[0] <= e.starts.date() <= period[1] and kabupaten in (None, e.kabupaten)]
    held = [e for e in events if not e.cancelled]
    regs = [p for p in PEOPLE if p.event in held]
    active = [p for p in regs if p.final_status != "cancelled"]
    came = [p for p in regs if p.checked_in]
    confirmed = [p for p in regs if p.final_status == "confirmed"]
    no_shows = [p for p in confirmed if not p.checked_in]
    mail = [d for d in DELIVERIES if d.event in events]
    figures = {
        "events_held": sum(e.ends <= now for e in held),
        "events_upcoming": sum(e.ends > now for e in held),
        "events_cancelled": len(events) - len(held),
        "registrations": len(active),
        "confirmed": len(confirmed),
        "waitlisted": sum(p.final_status == "waitlisted" for p in regs),
        "cancelled": sum(p.final_status == "cancelled" for p in regs),
        "attended": len(came),
        "no_shows": len(no_shows),
        "no_show_rate": len(no_shows) / len(confirmed) if confirmed else None,
        "villages_registered": len({p.desa for p in active if p.desa}),
        "villages_attended": len({p.desa for p in came if p.desa}),
        "delivered": sum(d.delivered for d in mail),
        "failed": sum(not d.delivered for d in mail),
        "delivery_rate": sum(d.delivered for d in mail) / len(mail) if mail else None,
    }
    for name, attribute in (
        ("kabupaten", "kabupaten"),
        ("gender", "gender"),
        ("age_group", "age_group"),
        ("disability", "disability"),
        ("participant_type", "participant_type"),
    ):
        registered = Counter(getattr(p, attribute) for p in active)
        attended = Counter(getattr(p, attribute) for p in came)
        figures[name] = {key: (registered[key], attended[key]) for key in set(registered) | set(attended)}
    figures["per_event"] = {
        e.title: {
            "confirmed": sum(p.event is e and p.final_status == "confirmed" for p in regs),
            "attended": sum(p.event is e and p.checked_in for p in regs),
        }
        for e in held
    }
    return figures
