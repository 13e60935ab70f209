"""The staff page of an event's evaluation: the answers (scores and the texts, without names), the knowledge test's
questions and the setting that makes the certificate wait for the evaluation.

Routes of the staff blueprint (api/staff.py); every one checks the event is within the staff member's kabupaten
(knowledge.py, through event_for_staff). docs/evaluation.md describes them.
"""

from babel.numbers import format_decimal
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError

from services.registration import knowledge, service
from services.registration.api.staff import bp
from services.registration.schemas.evaluation import ASPECTS, MAX_QUESTIONS, QuestionFormSchema
from shared.staffauth import staff_page
from shared.web import field_errors

QUESTION_FORM = QuestionFormSchema()


@bp.get("/acara/<event_id>/evaluasi")
@staff_page
def evaluation_page(event_id: str):
    """What attendees answered, the knowledge test's questions and the certificate's waiting."""
    return _page(event_id[:36], {}, {})


def _page(event_id: str, values: dict, errors: dict):
    event = service.get_staff_event(event_id, g.staff)
    questions = knowledge.questions_for_staff(event_id, g.staff)
    summary = knowledge.summary(event_id, g.staff)
    page = render_template("staff/evaluation.html", event=event, questions=questions, summary=summary, aspects=ASPECTS,
                           values=values, errors=errors, max_questions=MAX_QUESTIONS, decimal=_decimal,
                           locked=knowledge.questions_fixed(event_id))  # fmt: skip
    return page, 400 if errors else 200


def _decimal(value: float | None) -> str:
    """A mean as people read it here: one decimal, a comma in Indonesian ("4,3"); a dash for none."""
    return "–" if value is None else format_decimal(value, "0.0", locale=str(get_locale() or "id"))


@bp.post("/acara/<event_id>/evaluasi/soal")
@staff_page
def add_question(event_id: str):
    """Add a multiple-choice question to the event's knowledge test (until someone has answered it)."""
    event_id = event_id[:36]
    values = {key: value[:1000] for key, value in request.form.items()}
    try:
        data = QUESTION_FORM.load(values)
    except ValidationError as error:
        return _page(event_id, values, field_errors(error.messages))
    knowledge.add_question(event_id, data, g.staff)
    flash(_("Pertanyaan ditambahkan."), "success")
    return redirect(url_for(".evaluation_page", event_id=event_id), 303)


@bp.post("/acara/<event_id>/evaluasi/soal/<int:question_id>/hapus")
@staff_page
def delete_question(event_id: str, question_id: int):
    knowledge.delete_question(event_id[:36], question_id, g.staff)
    flash(_("Pertanyaan dihapus."), "success")
    return redirect(url_for(".evaluation_page", event_id=event_id[:36]), 303)


@bp.post("/acara/<event_id>/evaluasi/sertifikat")
@staff_page
def certificate_waits(event_id: str):
    """Turn "sertifikat menunggu evaluasi" on or off for the event."""
    waits = request.form.get("certificate_after_evaluation") == "ya"
    knowledge.set_certificate_waits(event_id[:36], waits, g.staff)
    flash(_("Sertifikat kini menunggu evaluasi.") if waits else _("Sertifikat kini terbit tanpa menunggu evaluasi."),
          "success")  # fmt: skip
    return redirect(url_for(".evaluation_page", event_id=event_id[:36]), 303)
