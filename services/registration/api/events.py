"""REST API for events: public listing, staff management."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from services.registration import posters, service, store
from services.registration.schemas import (
    EventCancelSchema,
    EventCreateSchema,
    EventSchema,
    EventUpdateSchema,
    PosterUploadSchema,
    RegistrationCreateSchema,
    RegistrationQuerySchema,
    RegistrationSchema,
    StaffRegistrationSchema,
)
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


@bp.get("/managed")
@bp.response(200, EventSchema(many=True))
@bp.doc(security=STAFF)
@staff_required
def managed_events():
    """List every event the staff member manages, drafts and cancelled ones included."""
    return service.list_staff_events(g.staff)


@bp.route("/<event_id>")
class OneEvent(MethodView):
    @bp.response(200, EventSchema)
    @bp.alt_response(404, description="No such published event")
    def get(self, event_id: str):
        """Show one published event with its seats left."""
        return service.get_public_event(event_id)

    @bp.arguments(EventUpdateSchema)
    @bp.response(200, EventSchema)
    @bp.doc(security=STAFF)
    @staff_required
    def patch(self, data: dict, event_id: str):
        """Change an event; participants are told when a published event's time or venue changes."""
        return service.update_event(event_id, data, g.staff)


@bp.route("/<event_id>/poster")
class Poster(MethodView):
    @bp.arguments(PosterUploadSchema, location="files")
    @bp.response(200, EventSchema)
    @bp.alt_response(400, description="Not a whole JPEG, PNG or WebP picture, over 5 MB or over 50 megapixels")
    @bp.doc(security=STAFF)
    @staff_required
    def put(self, files: dict, event_id: str):
        """Give the event its poster, replacing any: kept re-encoded as JPEG without metadata (EXIF, GPS)."""
        service.get_staff_event(event_id, g.staff)  # another kabupaten's event: refused before any decoding
        try:
            poster = posters.prepare(files["poster"].read(posters.MAX_BYTES + 1))
        except posters.PosterRefused as refused:
            raise service.RegistrationError("poster_refused", str(refused.message), 400) from refused
        return service.set_poster(event_id, poster, g.staff)

    @bp.response(200, EventSchema)
    @bp.doc(security=STAFF)
    @staff_required
    def delete(self, event_id: str):
        """Remove the event's poster."""
        return service.remove_poster(event_id, g.staff)


@bp.post("/<event_id>/publish")
@bp.response(200, EventSchema)
@bp.doc(security=STAFF)
@staff_required
def publish_event(event_id: str):
    """Publish a draft event: it opens for registration and participants can be told about it."""
    return service.publish_event(event_id, g.staff)


@bp.post("/<event_id>/cancel")
@bp.arguments(EventCancelSchema)
@bp.response(200, EventSchema)
@bp.doc(security=STAFF)
@staff_required
def cancel_event(data: dict, event_id: str):
    """Call off an event; everyone registered is told."""
    return service.cancel_event(event_id, g.staff, data["reason"])


@bp.route("/<event_id>/registrations")
class EventRegistrations(MethodView):
    @bp.arguments(RegistrationCreateSchema)
    @bp.response(201, RegistrationSchema)
    @bp.alt_response(200, schema=RegistrationSchema, description="Already registered: the existing registration")
    @bp.alt_response(409, description="Registration closed, event cancelled or full")
    def post(self, data: dict, event_id: str):
        """Register a participant (public). The same phone or email gets its existing registration back."""
        registration, created = service.register(event_id, data)
        return service.registration_view(registration), 201 if created else 200

    @bp.arguments(RegistrationQuerySchema, location="query")
    @bp.response(200, StaffRegistrationSchema(many=True))
    @bp.doc(security=STAFF)
    @staff_required
    def get(self, filters: dict, event_id: str):
        """List an event's registrations in arrival order, with search and filters (staff)."""
        return service.list_registrations(event_id, filters, g.staff)
