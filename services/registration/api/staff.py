"""The organisers' pages: sign in, events, the registration list, exports, API keys (the door is in staff_door.py)."""

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError

from services.registration import attendance, exports, labels, posters, service, signin
from services.registration.api.accounts import start_session
from services.registration.schemas.accounts import ApiKeyCreateSchema, LoginSchema
from services.registration.schemas.events import EventEditFormSchema, EventFormSchema
from services.registration.schemas.registrations import RegistrationQuerySchema
from shared import regions
from shared.staffauth import STAFF_COOKIE, staff_page
from shared.states import EventStatus, RegistrationStatus
from shared.web import field_errors

bp = Blueprint("staff", __name__, url_prefix="/staf")


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    """Sign staff in; the signed session cookie also opens the notifications and reporting pages."""
    values = request.form if request.method == "POST" else request.args
    if request.method == "GET":
        return render_template("staff/login.html", values=values, error=None)
    try:
        credentials = LoginSchema().load(request.form.to_dict(), unknown="exclude")
        signed = signin.check_password(credentials["email"], credentials["password"], request.remote_addr)
    except ValidationError:
        return render_template("staff/login.html", values=values, error=_("Isi email dan kata sandi Anda.")), 400
    except service.RegistrationError as error:
        return render_template("staff/login.html", values=values, error=error.message), error.status, error.headers
    if signed.pending is not None:
        return render_template("staff/login_code.html", pending=signed.pending, next=credentials["next"], error=None)
    return start_session(signed.staff, credentials["next"])


@bp.route("/keluar", methods=["GET", "POST"])
def logout():
    """Sign out with a POST (CSRF-checked): every session of this account ends, in every service, on every device.

    A GET, from another service's navigation, asks first.
    """
    if request.method == "GET":
        return render_template("staff/logout.html")
    if g.get("staff") is not None:
        signin.sign_out(g.staff)
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
    data, poster, errors = _read_event_form(EventFormSchema())
    if errors:
        return _event_form(None, request.form, errors), 400
    event = service.create_event(data, g.staff)
    if poster:
        service.set_poster(event.id, poster, g.staff)
    flash(_("Acara tersimpan."), "success")
    return redirect(url_for(".event", event_id=event.id), 303)


@bp.route("/acara/<event_id>/ubah", methods=["GET", "POST"])
@staff_page
def edit_event(event_id: str):
    """Change an event; participants are told when its time or venue changes."""
    event = service.get_staff_event(event_id, g.staff)
    if request.method == "GET":
        return _event_form(event, _event_values(event), {})
    data, poster, errors = _read_event_form(EventEditFormSchema())
    if errors:
        return _event_form(event, request.form, errors), 400
    service.update_event(event_id, data, g.staff)
    if poster:
        service.set_poster(event_id, poster, g.staff)
    elif request.form.get("remove_poster") and event.poster_version:
        service.remove_poster(event_id, g.staff)
    flash(_("Perubahan tersimpan."), "success")
    return redirect(url_for(".event", event_id=event_id), 303)


def _read_event_form(schema) -> tuple[dict | None, posters.Poster | None, dict]:
    """The event form's fields and its poster, checked together so every mistake is shown at once."""
    errors, data, poster = {}, None, None
    try:
        data = schema.load(request.form.to_dict())
    except ValidationError as error:
        errors = field_errors(error.messages)
    upload = request.files.get("poster")
    if upload and upload.filename:
        try:
            poster = posters.prepare(upload.read(posters.MAX_BYTES + 1))
        except posters.PosterRefused as refused:
            errors["poster"] = [str(refused.message)]
    signature = request.files.get("signature")
    if signature and signature.filename:  # the signatory's scan, printed on the certificates
        try:
            png = posters.prepare_signature(signature.read(posters.SIGNATURE_MAX_BYTES + 1))
            data = None if data is None else data | {"signature_png": png}
        except posters.PosterRefused as refused:
            errors["signature"] = [str(refused.message)]
    elif request.form.get("remove_signature") and data is not None:
        data["signature_png"] = None
    return data, poster, errors


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
        "reminder_hours": hours, "map_url": event.map_url, "contact_name": event.contact_name,
        "contact_whatsapp": event.contact_whatsapp or "",
        "jp_hours": str(event.jp_hours or ""), "signatory_name": event.signatory_name,
        "signatory_title": event.signatory_title, "signatory_nip": event.signatory_nip,
    }  # fmt: skip


@bp.post("/acara/<event_id>/publikasikan")
@staff_page
def publish_event(event_id: str):
    service.publish_event(event_id, g.staff)
    flash(_("Acara dipublikasikan: pendaftaran dibuka."), "success")
    return redirect(url_for(".event", event_id=event_id), 303)


@bp.route("/acara/<event_id>/batalkan", methods=["GET", "POST"])
@staff_page
def cancel_event(event_id: str):
    """Call an event off, after a confirmation step that says who will be told."""
    event = service.get_staff_event(event_id, g.staff)
    reason = request.form.get("reason", "")[:500]
    if request.method == "GET" or request.form.get("confirm") != "ya" or event.status == EventStatus.CANCELLED:
        counts = service.registration_counts(event_id)
        return render_template("staff/cancel_event.html", event=event, counts=counts, reason=reason)
    service.cancel_event(event_id, g.staff, reason)
    flash(_("Acara dibatalkan. Peserta diberi tahu."), "success")
    return redirect(url_for(".event", event_id=event_id), 303)


@bp.get("/acara/<event_id>")
@staff_page
def event(event_id: str):
    """The registration list of one event, with search and filters."""
    event = service.get_staff_event(event_id, g.staff)
    filters = _filters(request.args)
    registrations = service.list_registrations(event_id, filters, g.staff)
    service.audit("registrations.list", g.staff, event_id=event_id, commit=True)
    counts = service.registration_counts(event_id)
    return render_template(
        "staff/event.html",
        event=event,
        registrations=registrations,
        filters=filters,
        counts=counts,
        labels=labels,
        can_undo=service.can_undo_check_in,
        phone_text=exports.phone_text,
        attendance_days=[(day.isoformat(), _day_label(day)) for day in attendance.days(event)],
    )


def _day_label(day) -> str:
    from babel.dates import format_date
    from flask_babel import get_locale

    return format_date(day, "EEEE, d MMMM y", locale=str(get_locale() or "id"))


def _filters(args) -> dict:
    """The list's filters from the query string: "Semua" (empty) filters nothing, and a value the form does not
    offer (an old bookmark, a hand-edited address) is left out rather than refused."""
    given = {key: value for key, value in args.to_dict().items() if value.strip()}
    schema = RegistrationQuerySchema()
    try:
        return schema.load(given, unknown=EXCLUDE)
    except ValidationError as error:
        return schema.load({k: v for k, v in given.items() if k not in error.messages}, unknown=EXCLUDE)


@bp.get("/acara/<event_id>/peserta.<fmt>")
@staff_page
def export(event_id: str, fmt: str):
    """Download the registration list as XLSX (the default) or CSV for a spreadsheet (formulas neutralised)."""
    event = service.get_staff_event(event_id, g.staff)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    registrations = service.list_registrations(event_id, {}, g.staff)
    service.audit("registrations.export", g.staff, event_id=event_id, object_id=fmt, commit=True)
    if fmt == "csv":
        body, mimetype = exports.to_csv(registrations), "text/csv; charset=utf-8"
    else:
        body, mimetype = exports.to_xlsx(registrations, event), exports.XLSX_MIMETYPE
    disposition = f'attachment; filename="peserta-{event.id[:8]}.{fmt}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.get("/acara/<event_id>/daftar-hadir.pdf")
@staff_page
def attendance_sheet(event_id: str):
    """The printable attendance list (daftar hadir) of one day of the event: A4, letterhead, signature column."""
    event = service.get_staff_event(event_id, g.staff)
    event_days = attendance.days(event)
    wanted = request.args.get("hari", "")[:10]
    day = next((d for d in event_days if d.isoformat() == wanted), None) if wanted else event_days[0]
    if day is None:
        abort(404)
    registrations = service.list_registrations(event_id, {"status": RegistrationStatus.CONFIRMED}, g.staff)
    service.audit("registrations.export", g.staff, event_id=event_id, object_id=f"daftar-hadir:{day}", commit=True)
    body = attendance.to_pdf(event, registrations, day, labels, day_label=_day_label(day))
    disposition = f'attachment; filename="daftar-hadir-{event.id[:8]}-{day.isoformat()}.pdf"'
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": disposition})


@bp.route("/kunci-api", methods=["GET", "POST"])
@staff_page
def api_keys():
    """Partner systems' API keys (provincial admins only): list, issue (the key shown this once), revoke."""
    keys = service.list_api_keys(g.staff)  # refuses everyone but a provincial admin
    if request.method == "GET":
        return _api_keys_page(keys, {}, {})
    try:
        data = ApiKeyCreateSchema().load({"name": request.form.get("name", "")})
    except ValidationError as error:
        return _api_keys_page(keys, request.form, field_errors(error.messages)), 400
    row, key = service.create_api_key(data["name"], g.staff)
    response = _api_keys_page(service.list_api_keys(g.staff), {}, {}, new_row=row, new_key=key)
    return response, 200, {"Cache-Control": "no-store"}


def _api_keys_page(keys, values, errors, new_row=None, new_key=None):
    return render_template(
        "staff/api_keys.html", keys=keys, values=values, errors=errors, new_row=new_row, new_key=new_key
    )


@bp.post("/kunci-api/<int:key_id>/cabut")
@staff_page
def revoke_api_key(key_id: int):
    row = service.revoke_api_key(key_id, g.staff)
    flash(_("Kunci %(name)s dicabut: permintaan dengannya ditolak mulai sekarang.", name=row.name), "success")
    return redirect(url_for(".api_keys"), 303)
