"""Registering someone else ("daftarkan orang lain"): the form for up to 10 people and the page of their codes.

Works without JavaScript: "Tambah orang" and "Hapus orang terakhir" are submit buttons that show the form again with
one person more or fewer, what was typed kept, as the place lists' refresh buttons do. Those store nothing and are
not counted; a submission counts against the form's rate limit once per person in it.
"""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.registration import formtime, groups, labels, mydata, notices, queries, service
from services.registration.api.public import bp, region_lists, screen
from services.registration.ratelimit import form_rate_limit
from services.registration.schemas import groups as form_schema
from shared.states import RegistrationStatus
from shared.web import select_locale

#: The place fields a new person block starts with: the previous person's (most groups come from one village).
PLACE_FIELDS = ("kabupaten_code", "kecamatan_code", "desa_code")


@bp.route("/acara/<event_id>/daftar-orang-lain", methods=["GET", "POST"])
def register_group(event_id: str):
    """Show and accept the form on which one person registers others (works without JavaScript)."""
    event = service.open_event(event_id)
    if request.method == "GET":
        return _group_form(event, {}, {})
    try:
        count = form_schema.people_count(request.form)
    except form_schema.TooMany:
        errors = {"people": [str(form_schema.TOO_MANY)]}
        return _group_form(event, request.form, errors, count=form_schema.MAX_PEOPLE), 400
    if "refresh" in request.form:  # the place lists of one person, filled in: stores nothing, as a GET
        return _group_form(event, request.form, {}, count=count)
    if "add" in request.form or "remove" in request.form:
        return _resized(event, count)
    form_rate_limit.check(cost=count)  # a group counts as the people in it
    if turned_away := screen(event_id, lambda *args: _group_form(*args, count=count)):
        return turned_away
    try:  # checked before the store is touched: a typing mistake in one block stores nobody
        registrant, people = form_schema.load_group(request.form, count, select_locale())
    except form_schema.Invalid as error:
        return _group_form(event, request.form, error.errors, count=count), 400
    outcomes = groups.register_group(event_id, registrant, people)
    return redirect(url_for(".group_confirmation", token=groups.sign_group(outcomes)), 303)


def _resized(event, count: int):
    """The form with one person more ("Tambah orang": the new block starts in the previous person's place) or the
    last one taken away."""
    values = request.form.to_dict()
    if "remove" in request.form:
        for key in [key for key in values if key.startswith(f"p{count - 1}-")]:
            del values[key]
        return _group_form(event, values, {}, count=max(count - 1, 1))
    if count >= form_schema.MAX_PEOPLE:
        return _group_form(event, values, {"people": [str(form_schema.TOO_MANY)]}, count=count), 400
    for name in PLACE_FIELDS:
        values.setdefault(f"p{count}-{name}", values.get(f"p{count - 1}-{name}", ""))
    return _group_form(event, values, {}, count=count + 1)


def _group_form(event, values, errors: dict, rendered_at: str | None = None, count: int = 1):
    """The form with `count` person blocks filled from `values`, each with its own place lists."""
    people = []
    for index in range(count):
        prefix = f"p{index}-"
        kabupaten, kecamatan = (values.get(prefix + name) or "" for name in PLACE_FIELDS[:2])
        people.append({"prefix": prefix, "number": index + 1, "lists": region_lists(kabupaten, kecamatan)})
    return render_template(
        "public/group_form.html",
        event=event,
        values=values,
        errors=errors,
        people=people,
        count=count,
        max_people=form_schema.MAX_PEOPLE,
        labels=labels,
        rendered_at=rendered_at or formtime.stamp(values.get(formtime.FIELD)),
        notice_version=notices.CURRENT,
    )


def group_form_again(event_id: str):
    """The group form as it was sent, to send once more: its CSRF check failed (its session cookie is gone)."""
    again = _("Isian Anda masih ada, tetapi perlu dikirim sekali lagi. Periksa isian, lalu tekan Kirim pendaftaran.")
    try:
        count = form_schema.people_count(request.form)
    except form_schema.TooMany:
        count = form_schema.MAX_PEOPLE
    return _group_form(service.open_event(event_id), request.form, {"csrf_token": [again]}, count=count)


@bp.get("/pendaftaran-kelompok/<token>")
def group_confirmation(token: str):
    """Each person of a sitting: their status, code, page (with the QR code), cancel link and "Data saya" link."""
    people = []
    for number, (registration, reason) in enumerate(groups.open_group(token), start=1):
        person = {"number": number, "registration": registration, "reason": reason}
        if registration is not None:
            person |= {
                "position": queries.waitlist_position(registration)
                if registration.status == RegistrationStatus.WAITLISTED
                else None,
                "page_url": service.page_url(registration.id),
                "cancel_url": service.cancel_url(registration.id),
                "my_data_url": mydata.link(registration.id),
            }
        people.append(person)
    event = next((p["registration"].event for p in people if p["registration"] is not None), None)
    return render_template("public/group_confirmation.html", people=people, event=event)
