""" "Data saya" (my data): a participant sees, downloads, corrects or erases their registration, without an account.

Reached by the signed link on the confirmation page, or by a one-time code sent to the stored phone or email. The
code request answers the same whether the phone or email is registered; every page is for one registration only.
"""

import json

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from services.registration import labels, mydata, queries, requests, rights, service
from services.registration.extensions import db
from services.registration.ratelimit import my_data_rate_limit
from shared.states import EventStatus
from shared.text import clean_text
from shared.timeutil import utcnow
from shared.web import field_errors

bp = Blueprint("mydata", __name__)
#: The longest contact or code a person types here.
MAX_TYPED = 254


@bp.after_request
def _private(response):
    """Nobody's data stays in a shared computer's cache, and the signed link is not sent on to other sites."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _events():
    """The events a person may pick: every one announced, the most recent first."""
    return [event for event in queries.list_events() if event.status != EventStatus.DRAFT][:100]


def _typed(name: str) -> str:
    return (request.form.get(name) or "").strip()[:MAX_TYPED]


@bp.route("/data-saya", methods=["GET", "POST"])
def ask():
    """Ask for a one-time code: the same answer whether or not the phone or email is registered for the event."""
    if request.method == "GET":
        return render_template("public/mydata/ask.html", events=_events(), values={}, errors={})
    my_data_rate_limit.check()
    event_id, contact = _typed("event_id"), _typed("contact")
    if not event_id or not contact:
        missing = [_("Isian ini wajib diisi.")]
        errors = {"contact": missing} if not contact else {"event_id": missing}
        return render_template("public/mydata/ask.html", events=_events(), values=request.form, errors=errors), 400
    name = _typed("for_name")[:200]  # someone registered by another person, with that person's contact
    mydata.request_access_code(event_id, contact, name)
    return render_template("public/mydata/code.html", event_id=event_id, contact=contact, name=name, wrong=False)


@bp.post("/data-saya/kode")
def code():
    """Open the registration whose latest code this is (once, within 10 minutes); else say the code did not work."""
    my_data_rate_limit.check()
    event_id, contact, name = _typed("event_id"), _typed("contact"), _typed("for_name")[:200]
    token = mydata.open_with_code(event_id, contact, _typed("code")[:12], name)
    if token is None:
        page = render_template("public/mydata/code.html", event_id=event_id, contact=contact, name=name, wrong=True)
        return page, 400
    return redirect(url_for(".show", token=token), 303)


@bp.get("/data-saya/<token>")
def show(token: str):
    """Everything held about the person, with ways to download, correct and erase it."""
    registration = mydata.open_link(token)
    service.audit("data_subject.access", None, event_id=registration.event_id, object_id=registration.id, commit=True)
    return render_template(
        "public/mydata/show.html",
        token=token,
        data=mydata.my_data(registration),
        history=mydata.message_history(registration.id),
        processing=mydata.processing_trail(registration),
        registration=registration,
        labels=labels,
        withdrawable=rights.WITHDRAWABLE,
        open_requests=requests.open_requests_of(registration.id),
    )


@bp.get("/data-saya/<token>/unduh")
def download(token: str):
    """The same as a JSON file, to keep or to take elsewhere."""
    registration = mydata.open_link(token)
    service.audit("data_subject.download", None, event_id=registration.event_id, object_id=registration.id, commit=True)
    body = json.dumps(mydata.my_data(registration) | {"exported_at": utcnow().isoformat()}, indent=2)
    response = make_response(body)
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = 'attachment; filename="data-saya-pelita.json"'
    return response


@bp.route("/data-saya/<token>/ubah", methods=["GET", "POST"])
def correct(token: str):
    """Correct contact details and answers; notifications and reporting are told (registration.corrected)."""
    registration = mydata.open_link(token)
    if request.method == "GET":
        values = {key: getattr(registration, key) or "" for key in rights.CORRECTABLE}
        return _correction_form(token, values, {})
    form = request.form.to_dict()
    if registration.contact_for and not (form.get("phone", "").strip() or form.get("email", "").strip()):
        # reached through the registrant's contact, and still none of their own: checked as that contact
        form |= {"phone": registration.contact_phone or "", "email": registration.contact_email or ""}
    try:
        data = rights.CORRECTION.load(form)
    except ValidationError as error:
        return _correction_form(token, request.form, field_errors(error.messages)), 400
    rights.correct(registration.id, data)
    return redirect(url_for(".show", token=token, diubah=1), 303)


def _correction_form(token: str, values, errors: dict):
    return render_template("public/mydata/correct.html", token=token, values=values, errors=errors, labels=labels)


@bp.route("/data-saya/<token>/tarik/<purpose>", methods=["GET", "POST"])
def withdraw(token: str, purpose: str):
    """Withdraw an optional consent (statistics, or reminders by the person's channel): asked first, then at once."""
    registration = mydata.open_link(token)
    if purpose not in rights.WITHDRAWABLE:
        return render_template("public/mydata/withdraw.html", token=token, purpose=None, registration=registration), 404
    if request.method == "GET":
        return render_template(
            "public/mydata/withdraw.html", token=token, purpose=purpose, registration=registration, labels=labels
        )
    rights.withdraw(registration.id, purpose)
    return redirect(url_for(".show", token=token, ditarik=purpose), 303)


@bp.route("/data-saya/<token>/hapus", methods=["GET", "POST"])
def erase(token: str):
    """Ask first; then erase at once (registration.erased takes it to notifications and reporting)."""
    registration = mydata.open_link(token)
    needs_a_person = requests.erasure_needs_a_person(registration, registration.event, utcnow())
    if request.method == "GET":
        return render_template(
            "public/mydata/erase.html", token=token, registration=registration, needs_a_person=needs_a_person
        )
    if needs_a_person:
        asked = requests.open_request(registration, "erasure")
        db.session.commit()
        return render_template("public/mydata/request_received.html", token=token, request=asked)
    rights.erase(registration.id)
    return render_template("public/mydata/erased.html")


@bp.route("/data-saya/<token>/permintaan", methods=["GET", "POST"])
def other_request(token: str):
    """Ask for something else, in one's own words: a person answers within 3 x 24 hours (requests.py)."""
    registration = mydata.open_link(token)
    text, errors = (request.form.get("details") or "")[: requests.MAX_TEXT * 2], {}
    if request.method == "POST":
        try:
            text = clean_text(text, multiline=True)
        except ValidationError as error:
            errors["details"] = error.messages
        if not errors and (not text or len(text) > requests.MAX_TEXT):
            errors["details"] = [_("Tuliskan permintaan Anda, paling banyak 1000 huruf.")]
    if request.method == "GET" or errors:
        status = 400 if errors else 200
        return render_template("public/mydata/other.html", token=token, text=text, errors=errors), status
    asked = requests.open_request(registration, "other", text)
    db.session.commit()
    return render_template("public/mydata/request_received.html", token=token, request=asked)
