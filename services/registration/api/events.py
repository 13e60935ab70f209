"""REST API for events and registrations."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from services.registration import service, store
from services.registration.schemas import EventCreateSchema, EventSchema, RegistrationCreateSchema, RegistrationSchema
from shared.staffauth import staff_required
from shared.timeutil import utcnow

bp = Blueprint("events", __name__, url_prefix="/api/v1/events", description="Training events and registrations")
STAFF = [{"bearerAuth": []}]


@bp.route("")
class Events(MethodView):
    @bp.response(200, EventSchema(many=True))
    def get(self):
        """List the published events that have not ended, soonest first."""
        return store.list_open_events(utcnow())

    @bp.arguments(EventCreateSchema)
    @bp.response(201, EventSchema)
    @bp.doc(security=STAFF)
    @staff_required
    def post(self, data: dict):
        """Create an event (a draft, or published at once with `publish: true`)."""
        return service.create_event(data, g.staff)


@bp.get("/<event_id>")
@bp.response(200, EventSchema)
@bp.alt_response(404, description="No such published event")
def get_event(event_id: str):
    """Show one published event with its seats left."""
    return service.get_public_event(event_id)


@bp.post("/<event_id>/publish")
@bp.response(200, EventSchema)
@bp.doc(security=STAFF)
@staff_required
def publish_event(event_id: str):
    """Publish a draft event: it opens for registration and participants can be told about it."""
    return service.publish_event(event_id, g.staff)


@bp.post("/<event_id>/registrations")
@bp.arguments(RegistrationCreateSchema)
@bp.response(201, RegistrationSchema)
@bp.alt_response(200, schema=RegistrationSchema, description="Already registered: the existing registration")
@bp.alt_response(409, description="Registration closed, event cancelled or full")
def register(data: dict, event_id: str):
    """Register a participant (public). The same phone or email gets its existing registration back."""
    registration, created = service.register(event_id, data)
    return service.registration_view(registration), 201 if created else 200
