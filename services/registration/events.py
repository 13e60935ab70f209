"""Staff's events: create, publish, edit and call off one, its poster, and whether it takes registrations now."""

from flask_babel import gettext as _

from services.registration import posters, store
from services.registration.bus import emit, nudge
from services.registration.common import RegistrationError, audit, event_for_staff, require_scope
from services.registration.extensions import db
from services.registration.links import event_url
from services.registration.models import DEFAULT_REMINDER_OFFSETS, Event, EventPoster
from services.registration.waitlist import promote_next
from shared.messaging.names import EventNames
from shared.staffauth import StaffClaims
from shared.states import EventStatus
from shared.timeutil import utcnow


def event_snapshot(event: Event) -> dict:
    return {
        "event_id": event.id,
        "title": event.title,
        "kabupaten_code": event.kabupaten_code,
        "kabupaten_name": event.kabupaten.name,
        "venue": event.venue,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": event.capacity,
        "reminder_offsets_minutes": list(event.reminder_offsets),
        "url": event_url(event.id),
    }


def create_event(data: dict, staff: StaffClaims) -> Event:
    """Save a new event as a draft, or publish it at once when `data["publish"]`."""
    require_scope(staff, data["kabupaten_code"], _("Anda hanya dapat membuat acara di kabupaten/kota Anda."))
    publish = data.pop("publish", False)
    event = Event(**data, created_by=staff.id)
    event.reminder_offsets = data.get("reminder_offsets") or list(DEFAULT_REMINDER_OFFSETS)
    store.add(event)
    if publish:
        event.status = EventStatus.PUBLISHED
        emit(EventNames.EVENT_PUBLISHED, event_snapshot(event))
    db.session.flush()
    audit("event.create", staff, event_id=event.id)
    db.session.commit()
    nudge()
    return event


def publish_event(event_id: str, staff: StaffClaims) -> Event:
    """Open a draft event to the public and announce it."""
    event = event_for_staff(event_id, staff)
    if event.status == EventStatus.PUBLISHED:
        return event
    if event.status != EventStatus.DRAFT:
        raise RegistrationError("not_draft", _("Hanya draf yang dapat dipublikasikan."))
    event.status = EventStatus.PUBLISHED
    emit(EventNames.EVENT_PUBLISHED, event_snapshot(event))
    audit("event.publish", staff, event_id=event.id)
    db.session.commit()
    nudge()
    return event


def check_open(event):
    """Refuse registration with the reason unless `event` (an Event, or a row of store.get_event_window) takes it."""
    if event is None or event.status == EventStatus.DRAFT:
        raise RegistrationError("not_found", _("Acara tidak ditemukan."), 404)
    if event.status == EventStatus.CANCELLED:
        raise RegistrationError("event_cancelled", _("Acara ini dibatalkan."))
    if event.registration_opens_at and utcnow() < event.registration_opens_at:
        raise RegistrationError("not_open_yet", _("Pendaftaran belum dibuka."))
    if utcnow() >= (event.registration_closes_at or event.starts_at):
        raise RegistrationError("closed", _("Pendaftaran sudah ditutup."))
    if not event.waitlist_enabled and event.seats_left <= 0:
        raise RegistrationError("full", _("Maaf, kursi sudah penuh."))
    return event


def open_event(event_id: str) -> Event:
    """Return the event if people can register for it now; else refuse with the reason."""
    return check_open(store.get_event(event_id))


def open_event_view(event_id: str):
    """open_event as a row of what the public pages show (store.get_public_event_row), not an ORM object: the form's
    first showing reads only this when its page is cached."""
    return check_open(store.get_public_event_row(event_id))


def public_event_view(event_id: str):
    """get_public_event as a row of what the public pages show (store.get_public_event_row)."""
    row = store.get_public_event_row(event_id)
    if row is None or row.status == EventStatus.DRAFT:
        raise RegistrationError("not_found", _("Acara tidak ditemukan."), 404)
    return row


def is_open(event: Event) -> bool:
    try:
        check_open(event)
    except RegistrationError:
        return False
    return True


def get_public_event(event_id: str) -> Event:
    event = store.get_event(event_id)
    if event is None or event.status == EventStatus.DRAFT:
        raise RegistrationError("not_found", _("Acara tidak ditemukan."), 404)
    return event


def set_poster(event_id: str, poster: posters.Poster, staff: StaffClaims) -> Event:
    """Give an event its poster (replacing the one it had): the page and link previews show it from now on."""
    event = event_for_staff(event_id, staff)
    row = store.get_poster(event_id) or EventPoster(event_id=event_id)
    row.version, row.large, row.small = poster.version, poster.large, poster.small
    (row.large_width, row.large_height), (row.small_width, row.small_height) = poster.large_size, poster.small_size
    row.uploaded_at = utcnow()
    store.add(row)
    event.poster_version = poster.version
    audit("event.poster_set", staff, event_id=event.id)
    db.session.commit()
    return event


def remove_poster(event_id: str, staff: StaffClaims) -> Event:
    event = event_for_staff(event_id, staff)
    if (row := store.get_poster(event_id)) is not None:
        db.session.delete(row)
    event.poster_version = None
    audit("event.poster_remove", staff, event_id=event.id)
    db.session.commit()
    return event


def get_public_poster(event_id: str, version: str) -> EventPoster:
    """The poster of a public event, if `version` is its current one (an address of an old poster is not found)."""
    event = get_public_event(event_id)
    row = store.get_poster(event_id) if event.poster_version == version else None
    if row is None:
        raise RegistrationError("not_found", _("Poster tidak ditemukan."), 404)
    return row


#: Changing these on a published event tells everyone registered (event.updated).
ANNOUNCED_FIELDS = ("title", "venue", "starts_at", "ends_at", "reminder_offsets", "kabupaten_code")


def update_event(event_id: str, data: dict, staff: StaffClaims) -> Event:
    """Edit an event; on a published one, announce changed time/venue and fill any new seats from the waitlist."""
    event = event_for_staff(event_id, staff)
    moving = data.get("kabupaten_code") not in (None, event.kabupaten_code)
    if moving and not staff.is_provincial:  # an organiser would hand their event (and its people) to another regency
        raise RegistrationError(
            "forbidden", "Hanya admin provinsi yang dapat memindahkan acara ke kabupaten/kota lain.", 403
        )
    store.lock_event(event_id)
    if event.status == EventStatus.CANCELLED:
        raise RegistrationError("cancelled", _("Acara yang dibatalkan tidak dapat diubah."))
    if data.get("capacity") is not None and data["capacity"] < event.confirmed_count:
        raise RegistrationError(
            "capacity_too_small",
            _("Sudah ada %(n)s peserta terkonfirmasi; kapasitas tidak dapat lebih kecil.", n=event.confirmed_count),
        )
    changed = [key for key, value in data.items() if getattr(event, key) != value]
    for key in changed:
        setattr(event, key, data[key])
    db.session.flush()
    if event.status == EventStatus.PUBLISHED:
        while event.seats_left > 0 and promote_next(event):
            db.session.refresh(event)
        announced = [key for key in changed if key in ANNOUNCED_FIELDS]
        if announced:
            emit(EventNames.EVENT_UPDATED, event_snapshot(event) | {"changed": announced})
    audit("event.update", staff, event_id=event.id)
    db.session.commit()
    nudge()
    return event


def cancel_event(event_id: str, staff: StaffClaims, reason: str = "") -> Event:
    """Call off an event: registration closes and everyone registered is told (event.cancelled)."""
    event = event_for_staff(event_id, staff)
    if event.status == EventStatus.CANCELLED:
        return event
    was_published, event.status = event.status == EventStatus.PUBLISHED, EventStatus.CANCELLED
    if was_published:
        emit(EventNames.EVENT_CANCELLED, {"event_id": event.id, "title": event.title, "reason": reason})
    audit("event.cancel", staff, event_id=event.id)
    db.session.commit()
    nudge()
    return event


def list_staff_events(staff: StaffClaims) -> list[Event]:
    """Every event staff may manage (all for a provincial admin, their kabupaten's for a regency organiser): those not
    yet ended first, soonest first, then the ended ones, newest first."""
    return store.list_events(staff.scope, now=utcnow())


def get_staff_event(event_id: str, staff: StaffClaims) -> Event:
    return event_for_staff(event_id, staff)
