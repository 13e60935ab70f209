"""The staff pages at the door: check a person in (by the list or the QR code scanned), undo a mistaken check-in, cancel
a registration, seat someone from the waitlist.

Routes of the staff blueprint (api/staff.py), kept apart by role.
"""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.registration import labels, service
from services.registration.api.staff import bp
from shared.staffauth import staff_page
from shared.states import RegistrationStatus
from shared.web import clock


@bp.post("/pendaftaran/<registration_id>/hadir")
@staff_page
def check_in(registration_id: str):
    """Record from the list that a person came; the list then offers to undo it for a few minutes."""
    registration, _first = service.check_in(registration_id, g.staff)
    flash(_checked_in_line(registration), "success")
    return _back(registration)


@bp.post("/pendaftaran/<registration_id>/urungkan-hadir")
@staff_page
def undo_check_in(registration_id: str):
    """Take back a check-in made by mistake (within CHECKIN_UNDO_MINUTES)."""
    registration = service.undo_check_in(registration_id, g.staff)
    flash(_("%(name)s: catatan hadir diurungkan.", name=registration.full_name), "success")
    return _back(registration)


@bp.route("/pendaftaran/<registration_id>/batalkan", methods=["GET", "POST"])
@staff_page
def cancel_registration(registration_id: str):
    """Cancel one registration, after a confirmation step (the person is told, and a seat may go to the next)."""
    registration = service.get_staff_registration(registration_id, g.staff)
    if (
        request.method == "GET"
        or request.form.get("confirm") != "ya"
        or registration.status == RegistrationStatus.CANCELLED
    ):
        service.audit(
            "registration.view", g.staff, event_id=registration.event_id, object_id=registration_id, commit=True
        )
        return render_template("staff/confirm_registration.html", registration=registration, action="batalkan",
                               labels=labels, back=_safe_back(request.values.get("back")))  # fmt: skip
    registration = service.cancel_registration(registration_id, g.staff)
    flash(_("%(name)s: pendaftaran dibatalkan.", name=registration.full_name), "success")
    return _back(registration)


@bp.route("/pendaftaran/<registration_id>/naikkan", methods=["GET", "POST"])
@staff_page
def promote(registration_id: str):
    """Give a waitlisted person a seat; when every seat is taken, first say that it adds one and ask."""
    registration = service.get_staff_registration(registration_id, g.staff)
    full = registration.event.seats_left <= 0
    confirmed = request.form.get("confirm") == "ya"
    if request.method == "GET" or (full and not confirmed) or registration.status != RegistrationStatus.WAITLISTED:
        service.audit(
            "registration.view", g.staff, event_id=registration.event_id, object_id=registration_id, commit=True
        )
        return render_template("staff/confirm_registration.html", registration=registration, action="naikkan",
                               labels=labels, back=_safe_back(request.values.get("back")))  # fmt: skip
    registration = service.promote_registration(registration_id, g.staff, add_chair=confirmed)
    flash(_("%(name)s: mendapat kursi.", name=registration.full_name), "success")
    return _back(registration)


def _checked_in_line(registration) -> str:
    return _("%(name)s: tercatat hadir pukul %(time)s.", name=registration.full_name,
             time=clock(registration.checked_in_at))  # fmt: skip


def _back(registration):
    return redirect(_safe_back(request.form.get("back")) or url_for(".event", event_id=registration.event_id), 303)


def _safe_back(target: str | None) -> str | None:
    """Return to a staff page of this service only (the list with its filters), never to another site."""
    if target and len(target) <= 1000 and target.startswith("/staf/") and "//" not in target and "\\" not in target:
        return target
    return None


@bp.route("/hadir/<token>", methods=["GET", "POST"])
@staff_page
def scanned(token: str):
    """The page the QR code on a confirmation opens: staff confirm the person's attendance with one button.

    A waitlisted person who came can be given a seat and checked in here; a full room asks first for one more chair.
    """
    registration = service.unsign(service.CHECKIN, token)
    registration = service.get_staff_registration(registration.id, g.staff)
    if request.method == "GET":
        service.audit(
            "registration.view", g.staff, event_id=registration.event_id, object_id=registration.id, commit=True
        )
    first, asking = None, False
    action = request.form.get("action", "hadir")
    if action not in ("hadir", "kursi", "urungkan"):
        abort(400)
    if request.method == "POST" and action == "urungkan":
        registration = service.undo_check_in(registration.id, g.staff)
        flash(_("%(name)s: catatan hadir diurungkan.", name=registration.full_name), "success")
    elif request.method == "POST" and action == "kursi" and registration.status == RegistrationStatus.WAITLISTED:
        add_chair = request.form.get("confirm") == "ya"
        if registration.event.seats_left <= 0 and not add_chair:
            asking = True
        else:
            registration, first = service.seat_at_door(registration.id, g.staff, add_chair=add_chair), True
    elif request.method == "POST":
        registration, first = service.check_in(registration.id, g.staff)
    registration = service.get_staff_registration(registration.id, g.staff)
    return render_template("staff/scanned.html", registration=registration, first=first, asking=asking,
                           labels=labels, undo_until=service.undo_deadline(registration),
                           can_undo=service.can_undo_check_in(registration))  # fmt: skip
