"""The evaluation's queries (evaluation.py): who is to be asked, the answers, the knowledge test and its scores."""

from datetime import datetime

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import Evaluation, Event, KnowledgeQuestion, Pretest, Registration
from shared.states import EventStatus


def events_ended(ended_after: datetime, ended_before: datetime) -> list[str]:
    """Ids of the published events that ended between the two moments (each is evaluated, certificate or not)."""
    query = sa.select(Event.id).where(
        Event.status == EventStatus.PUBLISHED, Event.ends_at > ended_after, Event.ends_at <= ended_before
    )
    return list(db.session.scalars(query.order_by(Event.ends_at)))


def attendees_without_evaluation(event_id: str, limit: int) -> list[Registration]:
    """People of `event_id` checked in (and not anonymised) who have not been asked for their evaluation yet."""
    asked = sa.select(Evaluation.id).where(Evaluation.registration_id == Registration.id).exists()
    query = sa.select(Registration).where(
        Registration.event_id == event_id,
        Registration.checked_in_at.is_not(None),
        Registration.full_name.is_not(None),
        ~asked,
    )
    return list(db.session.scalars(query.order_by(Registration.registered_at, Registration.id).limit(limit)))


def get_evaluation_by_code(code: str) -> Evaluation | None:
    return db.session.scalar(sa.select(Evaluation).where(Evaluation.code == code))


def get_evaluation_of(registration_id: str) -> Evaluation | None:
    return db.session.scalar(sa.select(Evaluation).where(Evaluation.registration_id == registration_id))


def answer_evaluation(evaluation_id: str, values: dict) -> bool:
    """Write the answer unless one was written already (a second submission, or two at once); return whether this
    one was."""
    query = (
        sa.update(Evaluation)
        .where(Evaluation.id == evaluation_id, Evaluation.answered_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(query).rowcount == 1


def list_evaluations(event_id: str) -> list[Evaluation]:
    query = sa.select(Evaluation).where(Evaluation.event_id == event_id)
    return list(db.session.scalars(query.order_by(Evaluation.answered_at, Evaluation.id)))


def list_questions(event_id: str) -> list[KnowledgeQuestion]:
    query = sa.select(KnowledgeQuestion).where(KnowledgeQuestion.event_id == event_id)
    return list(db.session.scalars(query.order_by(KnowledgeQuestion.id)))


def get_question(question_id: int) -> KnowledgeQuestion | None:
    return db.session.get(KnowledgeQuestion, question_id)


def knowledge_test_taken(event_id: str) -> bool:
    """Whether anyone answered the event's knowledge test, before or after (its questions are then fixed)."""
    pre = sa.select(Pretest.registration_id).where(Pretest.event_id == event_id).exists()
    post = sa.select(Evaluation.id).where(Evaluation.event_id == event_id, Evaluation.post_score.is_not(None)).exists()
    return bool(db.session.scalar(sa.select(sa.or_(pre, post))))


def pretest_scores(event_id: str) -> dict[str, int]:
    """The pre-test scores of an event's people, by registration id."""
    query = sa.select(Pretest.registration_id, Pretest.score).where(Pretest.event_id == event_id)
    return dict(db.session.execute(query).all())


def get_pretest(registration_id: str) -> Pretest | None:
    return db.session.get(Pretest, registration_id)


def delete_evaluation_of(registration_id: str) -> None:
    """Forget a person's evaluation and pre-test (their erasure)."""
    db.session.execute(sa.delete(Evaluation).where(Evaluation.registration_id == registration_id))
    db.session.execute(sa.delete(Pretest).where(Pretest.registration_id == registration_id))
