"""The impact scenario: seven attendees over two kabupaten/kota, five answers with known scores, and the figures
counted by hand from the table below (never through the read model).

Who is who (kabupaten, gender, disability; check-in; certificate; scores material/trainer/venue, test pre -> post):

    a1 63.03 female none      present  certificate        4 5 3   2 -> 4
    a2 63.03 male   physical  present  certificate        5 5 4   1 -> 3
    a3 63.03 female physical  present  certificate        3 4 2   (no pre) -> 3
    a4 63.03 female none      present  certificate, revoked  (no answer)
    a5 63.03 male   none      absent                         (no answer)
    b1 63.71 female none      present  certificate        4 4 5   3 -> 3
    b2 63.71 male   sensory   present  certificate        5 2 4   0 -> 2
    b3 63.71 female none      present  certificate           (no answer)
    c1 at a cancelled event in 63.03, answered 1 1 1: never counted
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from services.reporting import service
from services.reporting.figures import Scope
from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope
from shared.timeutil import WITA
from tests.factories import make_event_published, make_registration_created
from tests.integration.reporting.conftest import feed

NS = uuid.UUID("7a3e9c1d-0000-4000-8000-000000000022")
PERIOD = Scope(date(2026, 12, 14), date(2026, 12, 20))
NOW = datetime(2026, 12, 21, 8, 0, tzinfo=WITA)
ANSWERED = datetime(2026, 12, 16, 10, 0, tzinfo=WITA)


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


@dataclass
class Person:
    key: str
    event: str
    kabupaten: str
    gender: str
    disability: str
    present: bool = True
    certificate: bool = True
    revoked: bool = False
    scores: tuple[int, int, int] | None = None
    test: tuple[int | None, int | None] = (None, None)


EVENTS = {  # key: (kabupaten, start day, cancelled)
    "a": ("63.03", 14, False),
    "b": ("63.71", 15, False),
    "c": ("63.03", 16, True),
}
PEOPLE = [
    Person("a1", "a", "63.03", "female", "none", scores=(4, 5, 3), test=(2, 4)),
    Person("a2", "a", "63.03", "male", "physical", scores=(5, 5, 4), test=(1, 3)),
    Person("a3", "a", "63.03", "female", "physical", scores=(3, 4, 2), test=(None, 3)),
    Person("a4", "a", "63.03", "female", "none", revoked=True),
    Person("a5", "a", "63.03", "male", "none", present=False, certificate=False),
    Person("b1", "b", "63.71", "female", "none", scores=(4, 4, 5), test=(3, 3)),
    Person("b2", "b", "63.71", "male", "sensory", scores=(5, 2, 4), test=(0, 2)),
    Person("b3", "b", "63.71", "female", "none"),
    Person("c1", "c", "63.03", "female", "none", scores=(1, 1, 1), test=(0, 5)),
]


def envelope(key: str, event_type: str, payload: dict) -> dict:
    return make_envelope(event_type, payload, source="registration", message_id=uid(key))


def answer(p: Person, key: str | None = None, scores=None, at: datetime = ANSWERED) -> dict:
    """evaluation.submitted as registration sends it (its registration id is withheld from reporting at relay)."""
    material, trainer, venue = scores or p.scores
    payload = {
        "registration_id": uid(p.key),
        "event_id": uid(p.event),
        "material": material,
        "trainer": trainer,
        "venue": venue,
        "questions": 5,
        "pre_score": p.test[0],
        "post_score": p.test[1],
        "submitted_at": at.isoformat(),
    }
    return envelope(key or f"eval-{p.key}", EventNames.EVALUATION_SUBMITTED, payload)


def history() -> tuple[list[dict], list[dict]]:
    """What registration sends reporting, in its order: (everything but the answers, the answers)."""
    out = []
    for key, (kabupaten, day, _cancelled) in EVENTS.items():
        start = datetime(2026, 12, day, 9, 0, tzinfo=WITA)
        event = make_event_published(
            event_id=uid(key),
            kabupaten_code=kabupaten,
            starts_at=start.isoformat(),
            ends_at=(start + timedelta(hours=6)).isoformat(),
        )
        out.append(envelope(f"pub-{key}", EventNames.EVENT_PUBLISHED, event))
    for p in PEOPLE:
        registered = make_registration_created(
            registration_id=uid(p.key),
            event_id=uid(p.event),
            kabupaten_code=p.kabupaten,
            gender=p.gender,
            disability=p.disability,
            registered_at=datetime(2026, 12, 1, 8, 0, tzinfo=WITA).isoformat(),
        )
        out.append(envelope(f"reg-{p.key}", EventNames.REGISTRATION_CREATED, registered))
    for p in PEOPLE:
        ids = {"registration_id": uid(p.key), "event_id": uid(p.event)}
        day = datetime(2026, 12, EVENTS[p.event][1], 9, 5, tzinfo=WITA)
        if p.present:
            out.append(
                envelope(f"chk-{p.key}", EventNames.ATTENDANCE_CHECKED_IN, ids | {"checked_in_at": day.isoformat()})
            )
        certificate = {"certificate_id": uid(f"cert-{p.key}"), **ids}
        if p.certificate:
            issued = {
                "number": f"{p.key}/DISPERSIP-KS/XII/2026",
                "version": 1,
                "issued_at": (day + timedelta(hours=7)).isoformat(),
            }
            issued |= {"download_url": "http://127.0.0.1:8001/s/X", "verify_url": "http://127.0.0.1:8001/sertifikat/x"}
            out.append(envelope(f"crt-{p.key}", EventNames.CERTIFICATE_ISSUED, certificate | issued))
        if p.revoked:
            revoked = certificate | {"revoked_at": (day + timedelta(days=1)).isoformat()}
            out.append(envelope(f"rvk-{p.key}", EventNames.CERTIFICATE_REVOKED, revoked))
    cancelled = {"event_id": uid("c"), "title": "Bimtek", "reason": "Banjir"}
    out.append(envelope("cnc-c", EventNames.EVENT_CANCELLED, cancelled))
    return out, [answer(p) for p in PEOPLE if p.scores]


def figures_of(app, kabupaten: str | None = None):
    with app.app_context():
        return service.compute_figures(Scope(PERIOD.start, PERIOD.end, kabupaten), now=NOW)


def row(figures, name: str, key: str):
    return next(r for r in figures.impact.breakdowns[name] if r.key == key)


def values(r) -> tuple:
    return (r.attended, r.certificates, r.answers, r.response_rate, r.material, r.trainer, r.venue, r.tested, r.gain)


def feed_all(reporting):
    """Feed reporting the whole scenario, answers last, as registration would send it."""
    facts, answers = history()
    assert set(feed(reporting, facts + answers)) == {"processed"}
    return reporting


#: The hand count. Province: 7 present (a5 absent), 6 standing certificates (a4's revoked), 5 answers (c1's event was
#: cancelled); material (4+5+3+4+5)/5, trainer (5+5+4+4+2)/5, venue (3+4+2+5+4)/5; both tests: a1 +2, a2 +2, b1 0,
#: b2 +2 -> 6/4 (a3 took only the test after).
PROVINCE = (7, 6, 5, 5 / 7, 21 / 5, 20 / 5, 18 / 5, 4, 6 / 4)
BY_KABUPATEN = {
    "63.03": (4, 3, 3, 3 / 4, 12 / 3, 14 / 3, 9 / 3, 2, 4 / 2),  # a1 a2 a3 a4 present; a1 a2 a3 answered
    "63.71": (3, 3, 2, 2 / 3, 9 / 2, 6 / 2, 9 / 2, 2, 2 / 2),  # b1 b2 b3 present; b1 b2 answered
}
BY_GENDER = {
    "female": (5, 4, 3, 3 / 5, 11 / 3, 13 / 3, 10 / 3, 2, 2 / 2),  # a1 a3 a4 b1 b3; a1 a3 b1 answered
    "male": (2, 2, 2, 2 / 2, 10 / 2, 7 / 2, 8 / 2, 2, 4 / 2),  # a2 b2 present (a5 absent)
}
BY_DISABILITY = {
    "none": (4, 3, 2, 2 / 4, 8 / 2, 9 / 2, 8 / 2, 2, 2 / 2),  # a1 a4 b1 b3; a1 b1 answered
    "physical": (2, 2, 2, 2 / 2, 8 / 2, 9 / 2, 6 / 2, 1, 2 / 1),  # a2 a3
    "sensory": (1, 1, 1, 1 / 1, 5 / 1, 2 / 1, 4 / 1, 1, 2 / 1),  # b2
}


def assert_hand_count(figures) -> None:
    assert values(figures.impact.total) == pytest.approx(PROVINCE)
    for name, expected in (("kabupaten", BY_KABUPATEN), ("gender", BY_GENDER), ("disability", BY_DISABILITY)):
        got = {r.key: values(r) for r in figures.impact.breakdowns[name] if r.attended or r.answers}
        assert got.keys() == expected.keys(), name
        for key, counted in expected.items():
            assert got[key] == pytest.approx(counted), (name, key)
