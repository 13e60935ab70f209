"""REST API for one registration: staff cancel, promote and check in."""

from flask import g
from flask_smorest import Blueprint

from services.registration import service
from services.registration.schemas.registrations import StaffRegistrationSchema
from shared.staffauth import staff_required

bp = Blueprint("registrations", __name__, url_prefix="/api/v1/registrations", description="One registration")
STAFF = [{"bearerAuth": []}]


@bp.get("/<registration_id>")
@bp.response(200, StaffRegistrationSchema)
@bp.doc(security=STAFF)
@staff_required
def get_registration(registration_id: str):
    """Show one registration (staff)."""
    registration = service.get_staff_registration(registration_id, g.staff)
    service.audit("registration.view", g.staff, event_id=registration.event_id, object_id=registration.id, commit=True)
    return registration


@bp.post("/<registration_id>/cancel")
@bp.response(200, StaffRegistrationSchema)
@bp.doc(security=STAFF)
@staff_required
def cancel(registration_id: str):
    """Cancel a registration; a freed seat goes to the first on the waitlist."""
    service.cancel_registration(registration_id, g.staff)
    return service.get_staff_registration(registration_id, g.staff)


@bp.post("/<registration_id>/promote")
@bp.response(200, StaffRegistrationSchema)
@bp.doc(security=STAFF)
@staff_required
def promote(registration_id: str):
    """Give a waitlisted person a free seat by hand."""
    service.promote_registration(registration_id, g.staff)
    return service.get_staff_registration(registration_id, g.staff)


@bp.post("/<registration_id>/check-in")
@bp.response(200, StaffRegistrationSchema)
@bp.doc(security=STAFF)
@staff_required
def check_in(registration_id: str):
    """Record that the person came (once; checking in again changes nothing), on the event's days only."""
    registration, _ = service.check_in(registration_id, g.staff)
    return service.get_staff_registration(registration.id, g.staff)


@bp.delete("/<registration_id>/check-in")
@bp.response(200, StaffRegistrationSchema)
@bp.doc(security=STAFF)
@staff_required
def undo_check_in(registration_id: str):
    """Take back a check-in made by mistake, within CHECKIN_UNDO_MINUTES of it (undoing twice changes nothing)."""
    registration = service.undo_check_in(registration_id, g.staff)
    return service.get_staff_registration(registration.id, g.staff)
