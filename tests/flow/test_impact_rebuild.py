"""The evaluation's answers reach reporting through registration's outbox, the relay and the reporting worker, under
the pseudonym and without the registration id; a rebuild of the read model from the replayed history gives the same
impact figures."""

from datetime import timedelta

import sqlalchemy as sa

from services.reporting import service
from services.reporting.figures import Scope
from services.reporting.models import EvaluationFact
from shared.messaging.names import EventNames
from shared.timeutil import WITA, utcnow
from tests.flow.conftest import assert_invariants, staff_headers, wait_for
from tests.flow.test_rebuild import flask
from tests.flow.test_thin_slice import publish_event, register
from tests.integration.registration.test_staff_api import today

#: (material, trainer, venue, pre, post) of the two who came; the third did not come and did not answer.
SCORES = [(4, 5, 3, 1, 3), (5, 4, 4, 2, 2)]


def answer(stack, person: dict, event_id: str, scores: tuple) -> None:
    """Send evaluation.submitted the way registration's evaluation form does: through its bus, in a transaction."""
    from services.registration.bus import bus
    from services.registration.extensions import db

    material, trainer, venue, pre, post = scores
    payload = {"registration_id": person["id"], "event_id": event_id, "material": material, "trainer": trainer}
    payload |= {"venue": venue, "questions": 4, "pre_score": pre, "post_score": post}
    with stack.app("registration").app_context():
        bus.emit(EventNames.EVALUATION_SUBMITTED, payload | {"submitted_at": utcnow().isoformat()})
        db.session.commit()
        bus.nudge()


def test_the_impact_figures_are_learnt_and_rebuilt_from_the_replayed_history(stack):
    event = publish_event(stack, capacity=5, **today())
    people = [register(stack, event["id"], email=f"dampak{n}@contoh.id") for n in range(3)]
    client, headers = stack.app("registration").test_client(), staff_headers(stack)
    for person in people[:2]:
        assert client.post(f"/api/v1/registrations/{person['id']}/check-in", headers=headers).status_code == 200
    for person, scores in zip(people[:2], SCORES, strict=True):
        answer(stack, person, event["id"], scores)
    answer(stack, people[0], event["id"], (1, 1, 1, 0, 0))  # sent again: the first answer stands

    day = utcnow().astimezone(WITA).date()
    scope = Scope(day - timedelta(days=1), day + timedelta(days=1))

    def impact():
        with stack.app("reporting").app_context():
            figures = service.compute_figures(scope)
        total = figures.impact.total
        return figures if (total.attended, total.answers) == (2, 2) else None

    before = wait_for(impact, message="reporting to learn both check-ins and both answers")
    total = before.impact.total
    assert (total.response_rate, total.material, total.trainer, total.venue) == (1.0, 4.5, 4.5, 3.5)
    assert (total.tested, total.gain) == (2, 1.0)  # (3 - 1 + 2 - 2) / 2
    assert_invariants(stack)
    kept = stack.rows("reporting", sa.select(EvaluationFact.pseudonym, EvaluationFact.event_id))
    assert len(kept) == 2 and not {person["id"] for person in people} & {p for p, _ in kept}

    flask(stack, "reporting", "rebuild-read-model", "--yes")
    assert stack.count("reporting", EvaluationFact) == 0
    assert "dikirim ulang" in flask(stack, "registration", "replay-events", "--to", "reporting")
    assert "dikirim ulang" in flask(stack, "notifications", "replay-events", "--to", "reporting")
    after = wait_for(impact, message="the replayed history to be applied")
    assert after.impact == before.impact
    assert_invariants(stack)
