"""Tables of the evaluation after a training (docs/evaluation.md): one evaluation per attendee, the organisers'
knowledge-test questions and the score of the test taken at registration."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.registration.extensions import db
from services.registration.models.core import new_id
from shared.db import UTCDateTime

#: Limits of the form's texts (characters), shared by the form, its checks and the table.
ACTION_PLAN_MAX = 300
COMMENTS_MAX = 2000
QUESTION_MAX = 300
OPTION_MAX = 150


class Evaluation(db.Model):
    """An attendee's evaluation: made (with its link's code) when the training ends, answered at most once.

    Unique on `registration_id`, so the job that asks for it can run twice (or at once) and still asks once; the
    answer is written by one conditional UPDATE on `answered_at IS NULL`, so a second submission changes nothing.
    """

    __tablename__ = "evaluations"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    registration_id: Mapped[str] = mapped_column(sa.String(36), unique=True, nullable=False)
    event_id: Mapped[str] = mapped_column(sa.ForeignKey("events.id"), nullable=False, index=True)
    #: The random part of the form's short link (/e/<code>): whoever holds it may answer, once.
    code: Mapped[str] = mapped_column(sa.String(12), unique=True, nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The satisfaction scores, 1-5 (None until answered).
    material: Mapped[int | None] = mapped_column(sa.Integer)
    trainer: Mapped[int | None] = mapped_column(sa.Integer)
    venue: Mapped[int | None] = mapped_column(sa.Integer)
    #: "What will you do with it" and the free text: personal (they may name people), emptied by the retention job.
    action_plan: Mapped[str] = mapped_column(sa.String(ACTION_PLAN_MAX), default="", nullable=False)
    comments: Mapped[str] = mapped_column(sa.String(COMMENTS_MAX), default="", nullable=False)
    #: Questions of the knowledge test answered right on this form (None: the event had no test).
    post_score: Mapped[int | None] = mapped_column(sa.Integer)


class KnowledgeQuestion(db.Model):
    """A multiple-choice question of an event's knowledge test, asked before (registration) and after (evaluation)."""

    __tablename__ = "knowledge_questions"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.ForeignKey("events.id"), nullable=False, index=True)
    text: Mapped[str] = mapped_column(sa.String(QUESTION_MAX), nullable=False)
    #: 2-5 answers, in the order shown.
    options: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    #: The index (from 0) of the right answer in `options`.
    correct: Mapped[int] = mapped_column(sa.Integer, nullable=False)


class Pretest(db.Model):
    """The score of the knowledge test a person took on the registration form (kept apart from the registration,
    whose form another part of the service owns); compared with the evaluation's post-test score."""

    __tablename__ = "knowledge_pretests"

    registration_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.ForeignKey("events.id"), nullable=False, index=True)
    score: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
