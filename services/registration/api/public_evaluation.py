"""The public evaluation form (/e/<code>): no account, no JavaScript, answered once. Routes of the public blueprint
(api/public.py); docs/evaluation.md describes them."""

from flask import make_response, render_template, request
from marshmallow import ValidationError

from services.registration import evaluation, knowledge
from services.registration.api.public import bp
from services.registration.ratelimit import link_rate_limit
from services.registration.schemas.evaluation import EvaluationFormSchema
from shared.web import field_errors

FORM = EvaluationFormSchema()


@bp.route("/e/<code>", methods=["GET", "POST"])
def evaluation_form(code: str):
    """The form an attendee's message links to; once answered, the thank-you page (a second answer changes
    nothing)."""
    link_rate_limit.check()
    form = evaluation.open_form(code[:20])
    if form.evaluation.answered_at is not None:
        return _page("public/evaluation_done.html", form=form)
    if request.method == "GET":
        return _page("public/evaluation.html", form=form, values={}, errors={})
    values = {key: value[:5000] for key, value in request.form.items()}
    try:
        scores = FORM.load(values)
        answers = knowledge.read_answers(form.questions, values)
    except ValidationError as error:
        return _page("public/evaluation.html", form=form, values=values, errors=field_errors(error.messages)), 400
    except knowledge.Unreadable as error:
        return _page("public/evaluation.html", form=form, values=values, errors=error.errors), 400
    evaluation.answer(form, scores, answers)
    return _page("public/evaluation_done.html", form=form)


def _page(template: str, **context):
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
