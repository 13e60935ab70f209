"""The organisers' pages: sign in, events, the registration list, check-in at the door, exports."""

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from services.registration import accounts, exports, labels, service
from services.registration.api.accounts import start_session
from services.registration.schemas import EventEditFormSchema, EventFormSchema, LoginSchema, RegistrationQuerySchema
from shared import regions
from shared.staffauth import STAFF_COOKIE, staff_page
from shared.web import field_errors, safe_redirect_target

bp = Blueprint("staff", __name__, url_prefix="/staf")


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    """Sign staff in; the signed session cookie also opens the notifications and reporting pages."""
    values = request.form if request.method == "POST" else request.args
    if request.method == "GET":
        return render_template("staff/login.html", values=values, error=None)
    try:
        credentials = LoginSchema().load(request.form.to_dict(), unknown="exclude")
        signed = accounts.check_password(credentials["email"], credentials["password"], request.remote_addr)
    except ValidationError:
        return render_template("staff/login.html", values=values, error=_("Isi email dan kata sandi Anda.")), 400
    except service.RegistrationError as error:
        return render_template("staff/login.html", values=values, error=error.message), error.status
    if signed.pending is not None:
        return render_template("staff/login_code.html", pending=signed.pending, next=credentials["next"], error=None)
    return start_session(signed.staff, credentials["next"])


@bp.post("/keluar")
def logout():
    """Sign out: every session of this account ends, in every service, on every device."""
    if g.get("staff") is not None:
        accounts.sign_out(g.staff)
    response = redirect(url_for(".login"), 303)
    response.delete_cookie(STAFF_COOKIE)
    return response


@bp.get("")
@staff_page
def events():
    """List the events this organiser manages."""
    return render_template("staff/events.html", events=service.list_staff_events(g.staff), labels=labels)


@bp.route("/acara/baru", methods=["GET", "POST"])
@staff_page
def new_event():
    """Create an event (a draft, or published at once)."""
    if request.method == "GET":
        return _event_form(None, {"capacity": "55", "reminder_hours": "72, 24, 2", "waitlist_enabled": "ya"}, {})
    try:
        data = EventFormSchema().load(request.form.to_dict())
    except ValidationError as error:
        return _event_form(None, request.form, field_errors(error.messages)), 400
    event = service.create_event(data, g.staff)
    flash(_("Acara tersimpan."), "success")
    return redirect(url_for(".event", event_id=event.id), 303)


@bp.route("/acara/<event_id>/ubah", methods=["GET", "POST"])
@staff_page
def edit_event(event_id: str):
    """Change an event; participants are told when its time or venue changes."""
    event = service.get_staff_event(event_id, g.staff)
    if request.method == "GET":
        return _event_form(event, _event_values(event), {})
    try:
        data = EventEditFormSchema().load(request.form.to_dict())
    except ValidationError as error:
        return _event_form(event, request.form, field_errors(error.messages)), 400
    service.update_event(event_id, data, g.staff)
    flash(_("Perubahan tersimpan."), "success")
    return redirect(url_for(".event", event_id=event_id), 303)


def _event_form(event, values, errors):
    kabupaten = [(a.code, a.name) for a in regions.kabupaten() if g.staff.may_see(a.code)]
    return render_template("staff/event_form.html", event=event, values=values, errors=errors, kabupaten=kabupaten)


def _event_values(event) -> dict:
    from shared.timeutil import to_local

    def local(value):
        return to_local(value).strftime("%Y-%m-%dT%H:%M") if value else ""

    hours = ", ".join(f"{minutes / 60:g}" for minutes in event.reminder_offsets or [])
    return {
        "title": event.title, "description": event.description, "speakers": event.speakers,
        "target_audience": event.target_audience, "kabupaten_code": event.kabupaten_code, "venue": event.venue,
        "starts_at": local(event.starts_at), "ends_at": local(event.ends_at),
        "registration_opens_at": local(event.registration_opens_at),
        "registration_closes_at": local(event.registration_closes_at),
        "capacity": str(event.capacity), "waitlist_enabled": "ya" if event.waitlist_enabled else "",
        "reminder_hours": hours,
    }  # fmt: skip


@bp.post("/acara/<event_id>/publikasikan")
@staff_page
def publish_event(event_id: str):
    service.publish_event(event_id, g.staff)
    flash(_("Acara dipublikasikan: pendaftaran dibuka."), "success")
    return redirect(url_for(".event", event_id=event_id), 303)


@bp.post("/acara/<event_id>/batalkan")
@staff_page
def cancel_event(event_id: str):
    service.cancel_event(event_id, g.staff, request.form.get("reason", "")[:500])
    flash(_("Acara dibatalkan. Peserta diberi tahu."), "success")
    return redirect(url_for(".event", event_id=event_id), 303)


@bp.get("/acara/<event_id>")
@staff_page
def event(event_id: str):
    """The registration list of one event, with search and filters."""
    event = service.get_staff_event(event_id, g.staff)
    filters = RegistrationQuerySchema().load(request.args.to_dict(), unknown="exclude")
    registrations = service.list_registrations(event_id, filters, g.staff)
    counts = service.registration_counts(event_id)
    return render_template(
        "staff/event.html", event=event, registrations=registrations, filters=filters, counts=counts, labels=labels
    )


@bp.get("/acara/<event_id>/peserta.<fmt>")
@staff_page
def export(event_id: str, fmt: str):
    """Download the registration list as CSV or XLSX (formulas neutralised)."""
    event = service.get_staff_event(event_id, g.staff)
    registrations = service.list_registrations(event_id, {}, g.staff)
    if fmt == "csv":
        body, mimetype = exports.to_csv(registrations), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mimetype = exports.to_xlsx(registrations, event.title), exports.XLSX_MIMETYPE
    else:
        return Response(status=404)
    disposition = f'attachment; filename="peserta-{event.id[:8]}.{fmt}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.post("/pendaftaran/<registration_id>/<action>")
@staff_page
def act(registration_id: str, action: str):
    """Check in, cancel or promote one registration from the list."""
    actions = {"hadir": _check_in, "batalkan": service.cancel_registration, "naikkan": service.promote_registration}
    if action not in actions:
        return Response(status=404)
    registration = actions[action](registration_id, g.staff)
    registration = registration[0] if isinstance(registration, tuple) else registration
    flash(_("%(name)s: %(status)s", name=registration.full_name, status=_status_line(registration)), "success")
    return redirect(
        safe_redirect_target(request.form.get("back"), url_for(".event", event_id=registration.event_id)), 303
    )


def _check_in(registration_id: str, staff):
    return service.check_in(registration_id, staff)


def _status_line(registration) -> str:
    if registration.checked_in_at:
        return _("hadir")
    return str(labels.STATUSES.get(registration.status, registration.status))


@bp.route("/hadir/<token>", methods=["GET", "POST"])
@staff_page
def scanned(token: str):
    """The page the QR code on a confirmation opens: staff confirm the person's attendance with one button."""
    registration = service.unsign(service.CHECKIN, token)
    service.get_staff_registration(registration.id, g.staff)
    first = None
    if request.method == "POST":
        registration, first = service.check_in(registration.id, g.staff)
    return render_template("staff/scanned.html", registration=registration, first=first, labels=labels)
