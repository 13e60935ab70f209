"""The "Permintaan data" page: participants' data requests a person must decide, what is due and overdue; closing
one with an outcome tells the participant (services/registration/requests.py)."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from services.registration import labels, requests, service
from services.registration.extensions import db
from shared.staffauth import staff_page
from shared.text import clean_text
from shared.timeutil import utcnow

bp = Blueprint("data_requests", __name__, url_prefix="/staf/permintaan-data")


@bp.get("")
@staff_page
def index():
    """Open requests, soonest due first (overdue ones marked), then the latest closed; a regency organiser sees
    those of their kabupaten's events only."""
    open_, closed = requests.list_for_staff(g.staff)
    service.audit("data_requests.list", g.staff, commit=True)
    return render_template("staff/data_requests.html", open_requests=open_, closed=closed, now=utcnow())


@bp.route("/<int:request_id>", methods=["GET", "POST"])
@staff_page
def detail(request_id: int):
    """One request, and the form to close it: done or refused, with the words the participant is sent."""
    asked = requests.get_for_staff(request_id, g.staff)
    if request.method == "GET":
        service.audit("data_request.view", g.staff, event_id=asked.event_id, object_id=asked.registration_id)
        registration = asked.registration_row
        db.session.commit()
        return _form(asked, registration, {}, {})
    outcome = (request.form.get("outcome") or "").strip()
    answer, errors = (request.form.get("answer") or "")[: requests.MAX_TEXT * 2], {}
    if outcome not in requests.OUTCOMES:
        errors["outcome"] = [_("Pilih hasilnya.")]
    try:
        answer = clean_text(answer, multiline=True)
    except ValidationError as error:
        errors["answer"] = error.messages
    if len(answer) > requests.MAX_TEXT:
        errors["answer"] = [_("Paling banyak 1000 huruf.")]
    if outcome == "refused" and not answer:
        errors["answer"] = [_("Tuliskan alasan penolakan untuk peserta.")]
    if errors:
        return _form(asked, asked.registration_row, request.form, errors), 400
    requests.close(request_id, g.staff, outcome, answer)
    flash(_("Permintaan ditutup. Peserta diberi tahu lewat saluran pesan pilihannya."), "success")
    return redirect(url_for(".index"), 303)


def _form(asked, registration, values, errors):
    return render_template(
        "staff/data_request.html", asked=asked, registration=registration, values=values, errors=errors,
        labels=labels, now=utcnow(),
    )  # fmt: skip
