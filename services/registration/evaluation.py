"""The evaluation after a training (docs/evaluation.md): asked once of each attendee when the training ends, answered
once on a public form without an account, its scores sent to reporting; the certificate may wait for it.

The request is made by the job that issues certificates (certificates.issue_due), so the two follow the same clock.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from services.registration import knowledge, store
from services.registration.bus import bus, nudge
from services.registration.common import RegistrationError
from services.registration.extensions import celery, db
from services.registration.links import CANCEL_CODE_LENGTH, CHECKIN_ALPHABET, random_code
from services.registration.models import Evaluation, Event, KnowledgeQuestion, new_id
from services.registration.schemas.evaluation import ASPECTS
from shared.messaging.names import EventNames, TaskNames
from shared.nudge import nudge_relay
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)


def form_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/e/{code}"


# --- asking -------------------------------------------------------------------------------------------------------


def request_due(ended_after: datetime, ended_before: datetime, now: datetime) -> int:
    """Ask every attendee of the trainings that ended between the two moments for their evaluation, once (safe to
    run twice, or at once: the loser of a race rolls back its batch and sends nothing). Return how many were asked."""
    event_ids = store.events_ended(ended_after, ended_before)
    db.session.rollback()
    asked = 0
    for event_id in event_ids:
        while (count := _ask_batch(event_id, now)) > 0:
            asked += count
    return asked


def _ask_batch(event_id: str, now: datetime) -> int:
    people = store.attendees_without_evaluation(event_id, current_app.config["CERTIFICATE_BATCH"])
    for registration in people:
        evaluation = Evaluation(
            id=new_id(),
            registration_id=registration.id,
            event_id=event_id,
            code=random_code(CANCEL_CODE_LENGTH),
            requested_at=now,
        )
        db.session.add(evaluation)
        bus.emit(
            EventNames.EVALUATION_REQUESTED,
            {
                "registration_id": registration.id,
                "event_id": event_id,
                "evaluation_url": form_url(evaluation.code),
                "requested_at": now,
            },
        )
    try:
        db.session.commit()
    except IntegrityError:  # another run asked these people at the same moment: theirs stand
        db.session.rollback()
        logger.info("evaluations of event %s were being requested by another run", event_id)
        return 0
    if people:
        nudge()
    return len(people)


# --- the public form ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    evaluation: Evaluation
    event: Event
    questions: list[KnowledgeQuestion]


def open_form(code: str) -> Form:
    """The evaluation a short link names, its training and the knowledge test; the same 404 for a malformed code,
    an unknown one or one whose person erased their data."""
    code = code.upper()
    known = len(code) == CANCEL_CODE_LENGTH and all(char in CHECKIN_ALPHABET for char in code)
    evaluation = store.get_evaluation_by_code(code) if known else None
    if evaluation is None:
        raise RegistrationError("not_found", _("Formulir evaluasi tidak ditemukan."), 404)
    return Form(evaluation, store.get_event(evaluation.event_id), store.list_questions(evaluation.event_id))


def answer(form: Form, scores: dict, answers: dict[int, int]) -> bool:
    """Keep the person's answer and send its scores to reporting, once: a second submission (or two at once)
    changes nothing. Return whether this submission was the one kept."""
    evaluation, questions = form.evaluation, form.questions
    if evaluation.answered_at is not None:
        return False
    now = utcnow()
    post = knowledge.score(questions, answers)
    values = {aspect: scores[aspect] for aspect in ASPECTS} | {
        "action_plan": scores.get("action_plan", ""),
        "comments": scores.get("comments", ""),
        "post_score": post,
        "answered_at": now,
    }
    if not store.answer_evaluation(evaluation.id, values):
        db.session.rollback()
        return False
    pretest = store.get_pretest(evaluation.registration_id) if questions else None
    bus.emit(
        EventNames.EVALUATION_SUBMITTED,
        {
            "registration_id": evaluation.registration_id,
            "event_id": evaluation.event_id,
            **{aspect: scores[aspect] for aspect in ASPECTS},
            "questions": len(questions),
            "pre_score": pretest.score if pretest else None,
            "post_score": post,
            "submitted_at": now,
        },
    )
    db.session.commit()
    nudge()
    if form.event.certificate_after_evaluation and form.event.signatory_name:
        # the certificate waited for this answer: wake the issuing job now rather than at its next sweep
        nudge_relay(celery, TaskNames.REGISTRATION_ISSUE_CERTIFICATES)
    return True
