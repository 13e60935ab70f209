"""The knowledge test of an event and what organisers read of the evaluation (docs/evaluation.md).

Organisers write a few multiple-choice questions per event; people answer them on the registration form (the
pre-test, optional) and on the evaluation form (the post-test). A score is the number of questions answered right;
a question left unanswered counts as wrong, a test left wholly unanswered has no score. Once anyone has answered,
the questions are fixed, so every score counts the same questions.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _

from services.registration import store
from services.registration.common import RegistrationError, audit, event_for_staff
from services.registration.extensions import db
from services.registration.models import Evaluation, KnowledgeQuestion, Pretest
from services.registration.schemas.evaluation import ASPECTS, MAX_QUESTIONS
from shared.staffauth import StaffClaims
from shared.timeutil import utcnow

#: The form field of a question's answer: `jawaban_<question id>`, its value the option's number from 1.
PREFIX = "jawaban_"


class Unreadable(Exception):
    """An answer that is none of its question's options (a tampered form): refused with a 400."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("unreadable answers")
        self.errors = errors


def read_answers(questions: list[KnowledgeQuestion], form) -> dict[int, int]:
    """The options chosen in `form` ({question id: option index from 0}); a value that is not one of the question's
    options raises Unreadable. Fields of other questions are ignored."""
    answers, errors = {}, {}
    for question in questions:
        value = str(form.get(f"{PREFIX}{question.id}", "")).strip()
        if not value:
            continue
        if not (value.isdigit() and len(value) == 1 and 1 <= int(value) <= len(question.options)):
            errors[f"{PREFIX}{question.id}"] = [_("Pilih salah satu jawaban.")]
            continue
        answers[question.id] = int(value) - 1
    if errors:
        raise Unreadable(errors)
    return answers


def without_answers(form: dict) -> dict:
    """A submitted form without the test's fields (the registration form's own schema refuses unknown fields)."""
    return {key: value for key, value in form.items() if not key.startswith(PREFIX)}


def score(questions: list[KnowledgeQuestion], answers: dict[int, int]) -> int | None:
    """How many questions were answered right; None when there is no test or none was answered."""
    if not questions or not answers:
        return None
    return sum(1 for question in questions if answers.get(question.id) == question.correct)


def record_pretest(registration_id: str, event_id: str, answers: dict[int, int]) -> None:
    """Keep the pre-test score of a registration just made (nothing when the test was left unanswered)."""
    pre = score(store.list_questions(event_id), answers)
    if pre is None or store.get_pretest(registration_id) is not None:
        db.session.rollback()
        return
    db.session.add(Pretest(registration_id=registration_id, event_id=event_id, score=pre, answered_at=utcnow()))
    db.session.commit()


def of_person(registration_id: str) -> dict | None:
    """A person's own evaluation and test scores, for their copy of their data ("Data saya"); None if never asked."""
    row, pretest = store.get_evaluation_of(registration_id), store.get_pretest(registration_id)
    if row is None and pretest is None:
        return None
    answer = {"requested_at": row.requested_at.isoformat(), "answered_at": None} if row else {}
    if row is not None and row.answered_at is not None:
        answer |= {aspect: getattr(row, aspect) for aspect in ASPECTS} | {
            "answered_at": row.answered_at.isoformat(),
            "action_plan": row.action_plan,
            "comments": row.comments,
            "post_score": row.post_score,
        }
    return answer | {"pre_score": pretest.score if pretest else None}


# --- organisers ---------------------------------------------------------------------------------------------------


def questions_for_staff(event_id: str, staff: StaffClaims) -> list[KnowledgeQuestion]:
    event_for_staff(event_id, staff)
    return store.list_questions(event_id)


def add_question(event_id: str, data: dict, staff: StaffClaims) -> KnowledgeQuestion:
    event_for_staff(event_id, staff)
    _still_open(event_id)
    if len(store.list_questions(event_id)) >= MAX_QUESTIONS:
        raise RegistrationError("too_many", _("Paling banyak %(n)s pertanyaan per acara.", n=MAX_QUESTIONS))
    question = KnowledgeQuestion(event_id=event_id, text=data["text"], options=data["options"],
                                 correct=data["correct"])  # fmt: skip
    db.session.add(question)
    audit("knowledge.question_add", staff, event_id=event_id)
    db.session.commit()
    return question


def delete_question(event_id: str, question_id: int, staff: StaffClaims) -> None:
    """Delete a question of the event's test (until someone has answered it); one already gone changes nothing."""
    event_for_staff(event_id, staff)
    question = store.get_question(question_id)
    if question is None or question.event_id != event_id:  # deleted already (a second press): nothing to do
        db.session.rollback()
        return
    _still_open(event_id)
    db.session.delete(question)
    audit("knowledge.question_delete", staff, event_id=event_id, object_id=str(question_id))
    db.session.commit()


def questions_fixed(event_id: str) -> bool:
    """Whether the event's questions are fixed: someone has answered the test, before or after."""
    return store.knowledge_test_taken(event_id)


def _still_open(event_id: str) -> None:
    if questions_fixed(event_id):
        raise RegistrationError(
            "test_taken", _("Sudah ada peserta yang menjawab tes ini, jadi pertanyaannya tidak dapat diubah lagi.")
        )


def set_certificate_waits(event_id: str, waits: bool, staff: StaffClaims) -> None:
    """Make the event's certificates wait for each attendee's evaluation (or not)."""
    event = event_for_staff(event_id, staff)
    event.certificate_after_evaluation = waits
    audit("event.certificate_after_evaluation", staff, event_id=event_id)
    db.session.commit()


@dataclass
class Summary:
    """What organisers read of an event's evaluation: counts and means, and the texts without names."""

    asked: int = 0
    answered: int = 0
    #: aspect -> how many gave 1, 2, 3, 4, 5
    counts: dict[str, list[int]] = field(default_factory=lambda: {aspect: [0] * 5 for aspect in ASPECTS})
    pre: list[int] = field(default_factory=list)
    post: list[int] = field(default_factory=list)
    #: (pre, post) of those who took both
    pairs: list[tuple[int, int]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)

    def mean(self, aspect: str) -> float | None:
        counts = self.counts[aspect]
        return sum((n + 1) * count for n, count in enumerate(counts)) / sum(counts) if sum(counts) else None

    @property
    def gains(self) -> list[int]:
        """Post minus pre of each person who took both."""
        return [post - pre for pre, post in self.pairs]

    @staticmethod
    def average(values) -> float | None:
        values = list(values)
        return sum(values) / len(values) if values else None


def summary(event_id: str, staff: StaffClaims) -> Summary:
    """An event's evaluation for its organisers; opening it (it shows the free texts) goes in the audit trail."""
    event_for_staff(event_id, staff)
    result, pretests = Summary(), store.pretest_scores(event_id)
    result.pre = list(pretests.values())
    for row in store.list_evaluations(event_id):
        result.asked += 1
        if row.answered_at is not None:
            _count(result, row, pretests.get(row.registration_id))
    audit("evaluation.read", staff, event_id=event_id, commit=True)
    return result


def _count(result: Summary, row: Evaluation, pre: int | None) -> None:
    result.answered += 1
    for aspect in ASPECTS:
        result.counts[aspect][getattr(row, aspect) - 1] += 1
    if row.post_score is not None:
        result.post.append(row.post_score)
        if pre is not None:
            result.pairs.append((pre, row.post_score))
    if row.action_plan or row.comments:
        result.texts.append((row.action_plan, row.comments))
