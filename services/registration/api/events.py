"""REST API for events: public listing, staff management."""

from functools import wraps

from flask import g, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.registration import posters, queries, service
from services.registration.ratelimit import form_rate_limit
from services.registration.schemas.events import (
    EventCancelSchema,
    EventCreateSchema,
    EventSchema,
    EventUpdateSchema,
    PosterUploadSchema,
    PublicEventSchema,
)
from services.registration.schemas.registrations import (
    AlreadyRegisteredSchema,
    RegistrationCreateSchema,
    RegistrationQuerySchema,
    RegistrationSchema,
    StaffRegistrationSchema,
)
from shared.staffauth import staff_required
from shared.timeutil import utcnow

bp = Blueprint("events", __name__, url_prefix="/api/v1/events", description="Training events and registrations")
STAFF = [{"bearerAuth": []}]
#: Anyone may register; a partner system sends its API key and is counted by the key instead of its address.
PUBLIC_OR_KEY = [{}, {"apiKeyAuth": []}, {"apiKeyHeader": []}]


def api_key_of_request() -> str | None:
    """The API key this request carries (`Authorization: ApiKey <key>` or `X-API-Key: <key>`), if any."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "apikey":
        return value.strip()
    if "X-API-Key" in request.headers:
        return request.headers["X-API-Key"].strip()
    return None


def limited_or_keyed(view):
    """Count a registration before its body is read: by the caller's address as the form's, or by a valid API key
    (a wrong or revoked key is refused with 401, never counted as anonymous)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = api_key_of_request()
        if key is None:
            form_rate_limit.check()
        else:
            g.api_key_id = service.authenticate_api_key(key).id
            form_rate_limit.check_key(g.api_key_id)
        return view(*args, **kwargs)

    return wrapper


@bp.route("")
class Events(MethodView):
    @bp.response(200, PublicEventSchema(many=True))
    def get(self):
        """List the published events that have not ended, soonest first."""
        return queries.list_open_events(utcnow())

    @staff_required
    @bp.arguments(EventCreateSchema)
    @bp.response(201, EventSchema)
    @bp.doc(security=STAFF)
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
    @bp.response(200, PublicEventSchema)
    @bp.alt_response(404, description="No such published event")
    def get(self, event_id: str):
        """Show one published event with its seats left."""
        return service.get_public_event(event_id)

    @staff_required
    @bp.arguments(EventUpdateSchema)
    @bp.response(200, EventSchema)
    @bp.doc(security=STAFF)
    def patch(self, data: dict, event_id: str):
        """Change an event; participants are told when a published event's time or venue changes."""
        return service.update_event(event_id, data, g.staff)


@bp.route("/<event_id>/poster")
class Poster(MethodView):
    @staff_required
    @bp.arguments(PosterUploadSchema, location="files")
    @bp.response(200, EventSchema)
    @bp.alt_response(400, description="Not a whole JPEG, PNG or WebP picture, over 5 MB or over 50 megapixels")
    @bp.doc(security=STAFF)
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
@staff_required
@bp.arguments(EventCancelSchema)
@bp.response(200, EventSchema)
@bp.doc(security=STAFF)
def cancel_event(data: dict, event_id: str):
    """Call off an event; everyone registered is told."""
    return service.cancel_event(event_id, g.staff, data["reason"])


@bp.route("/<event_id>/registrations")
class EventRegistrations(MethodView):
    @limited_or_keyed
    @bp.arguments(RegistrationCreateSchema)
    @bp.response(201, RegistrationSchema)
    @bp.alt_response(
        202,
        schema=AlreadyRegisteredSchema,
        description="The phone or email is already registered: its confirmation goes again to the stored contact"
        " (at most once per 10 minutes); nothing about that registration is returned",
    )
    @bp.alt_response(401, description="Wrong or revoked API key")
    @bp.alt_response(409, description="Registration closed, event cancelled or full")
    @bp.alt_response(429, description="Too many registrations from this address (or this API key)")
    @bp.doc(security=PUBLIC_OR_KEY)
    def post(self, data: dict, event_id: str):
        """Register a participant (public, or a partner system with its API key)."""
        registration, created = service.register(event_id, data | {"api_key_id": g.get("api_key_id")})
        if not created:
            return jsonify(AlreadyRegisteredSchema().dump(service.already_registered_view())), 202
        return service.registration_view(registration), 201

    @staff_required
    @bp.arguments(RegistrationQuerySchema, location="query")
    @bp.response(200, StaffRegistrationSchema(many=True))
    @bp.doc(security=STAFF)
    def get(self, filters: dict, event_id: str):
        """List an event's registrations in arrival order, with search and filters (staff)."""
        registrations = service.list_registrations(event_id, filters, g.staff)
        service.audit("registrations.list", g.staff, event_id=event_id, commit=True)
        return registrations
