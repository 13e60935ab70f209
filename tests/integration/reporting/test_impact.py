"""The programme's impact (certificates, the evaluation, the knowledge test) in the figures equals a hand count: seven
attendees over two kabupaten/kota, five answers with known scores. An answer delivered twice or sent again counts
once, an answer that arrives before its registration still counts, and a rebuild from replay gives the same figures.

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
import sqlalchemy as sa

from services.reporting import handlers, service
from services.reporting.extensions import db
from services.reporting.figures import Scope, compute
from services.reporting.models import DeliveryFact, EvaluationFact, EventFact, RegistrationFact
from services.reporting.suppression import HIDDEN, SMALL, suppress
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


@pytest.fixture
def evaluated(reporting):
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


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_the_impact_figures_equal_a_hand_count(evaluated):
    figures = figures_of(evaluated)
    assert_hand_count(figures)
    assert values(figures_of(evaluated, "63.71").impact.total) == pytest.approx(BY_KABUPATEN["63.71"])
    with evaluated.app_context():  # the store's GROUP BY counts what a count of the plain rows counts
        rows = {
            model: db.session.scalars(sa.select(model)).all()
            for model in (EventFact, RegistrationFact, DeliveryFact, EvaluationFact)
        }
        plain = compute(PERIOD, rows[EventFact], rows[RegistrationFact], rows[DeliveryFact], NOW, rows[EvaluationFact])
    assert plain.impact == figures.impact


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_small_cells_of_people_with_a_disability_are_suppressed_with_what_is_worked_out_from_them(evaluated):
    public = suppress(figures_of(evaluated))
    rows = {r.key: values(r) for r in public.impact.breakdowns["disability"]}
    assert "none" not in rows  # as in the participants' table: the total minus it would give the rest away
    # two physical and one sensory: every count "<5", and their means and rates hidden (a mean of one is an answer)
    assert rows["physical"] == (SMALL, SMALL, SMALL, HIDDEN, HIDDEN, HIDDEN, HIDDEN, SMALL, HIDDEN)
    assert rows["sensory"] == (SMALL, SMALL, SMALL, HIDDEN, HIDDEN, HIDDEN, HIDDEN, SMALL, HIDDEN)
    assert rows["mental"] == (0, 0, 0, None, None, None, None, 0, None)
    # the province, kabupaten/kota and gender figures are not about disability: shown as counted
    assert values(public.impact.total) == pytest.approx(PROVINCE)
    assert values(row(public, "kabupaten", "63.03")) == pytest.approx(BY_KABUPATEN["63.03"])


def test_an_answer_delivered_twice_or_sent_again_counts_once(evaluated):
    a1 = PEOPLE[0]
    again = answer(a1, key="eval-a1-again", scores=(1, 1, 1), at=ANSWERED + timedelta(hours=1))
    assert feed(evaluated, [answer(a1), again]) == ["duplicate", "processed"]
    assert_hand_count(figures_of(evaluated))


def test_an_earlier_answer_arriving_late_is_the_one_that_stands(reporting):
    """Whatever order the copies arrive in, the figures are those of the first answer given."""
    facts, answers = history()
    a1 = PEOPLE[0]
    later = answer(a1, key="eval-a1-later", scores=(1, 1, 1), at=ANSWERED + timedelta(hours=1))
    # the answers first (before the registrations they belong to), the later copy of a1's before the first
    assert set(feed(reporting, [later, *answers, *facts])) == {"processed"}
    assert_hand_count(figures_of(reporting))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_rebuild_from_replay_gives_the_same_impact_figures(evaluated):
    live = figures_of(evaluated)
    with evaluated.app_context():
        removed = handlers.rebuild_read_model()
    assert removed["evaluation_facts"] == 6  # c1 at the cancelled event is stored too, never counted
    assert figures_of(evaluated).impact.total.answers == 0
    facts, answers = history()
    assert set(feed(evaluated, facts + answers)) == {"processed"}  # replayed: applied again, not "duplicate"
    assert figures_of(evaluated) == live


def test_erasure_keeps_the_anonymous_counts_and_a_withdrawn_consent_hides_the_disability(evaluated):
    a1, a2 = PEOPLE[0], PEOPLE[1]
    erased = {"registration_id": uid(a1.key), "event_id": uid(a1.event), "erased_at": NOW.isoformat()}
    withdrawn = {"registration_id": uid(a2.key), "event_id": uid(a2.event), "purpose": "statistics"}
    withdrawn |= {"channel": "email", "disability": "prefer_not_to_say", "withdrawn_at": NOW.isoformat()}
    messages = [
        envelope("era-a1", EventNames.REGISTRATION_ERASED, erased),
        envelope("wdr-a2", EventNames.REGISTRATION_CONSENT_WITHDRAWN, withdrawn),
    ]
    assert feed(evaluated, messages) == ["processed", "processed"]
    figures = figures_of(evaluated)
    assert values(figures.impact.total) == pytest.approx(PROVINCE)  # the figures already reported stand
    # a2 (physical, 5 5 4, 1 -> 3) now counts as "not said": a3 alone is left under physical
    assert values(row(figures, "disability", "physical")) == pytest.approx((1, 1, 1, 1.0, 3.0, 4.0, 2.0, 0, None))
    assert values(row(figures, "disability", "prefer_not_to_say")) == pytest.approx(
        (1, 1, 1, 1.0, 5.0, 5.0, 4.0, 1, 2.0)
    )
    with evaluated.app_context():
        kept = db.session.scalars(sa.select(EvaluationFact)).all()
    assert len(kept) == 6 and {column.name for column in EvaluationFact.__table__.columns}.isdisjoint(
        {"registration_id", "full_name", "phone", "email", "comment", "free_text"}
    )
