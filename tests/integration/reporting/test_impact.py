"""The programme's impact (certificates, the evaluation, the knowledge test) in the figures equals the hand count of
impact_scenario.py. An answer delivered twice or sent again counts once, an answer that arrives before its
registration still counts, and a rebuild from replay gives the same figures."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.reporting import handlers
from services.reporting.extensions import db
from services.reporting.figures import compute
from services.reporting.models import DeliveryFact, EvaluationFact, EventFact, RegistrationFact
from services.reporting.suppression import HIDDEN, SMALL, suppress
from shared.messaging.names import EventNames
from tests.integration.reporting.conftest import feed
from tests.integration.reporting.impact_scenario import (
    ANSWERED,
    BY_KABUPATEN,
    NOW,
    PEOPLE,
    PERIOD,
    PROVINCE,
    answer,
    assert_hand_count,
    envelope,
    feed_all,
    figures_of,
    history,
    row,
    uid,
    values,
)


@pytest.fixture
def evaluated(reporting):
    return feed_all(reporting)


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
