"""A person registers: a seat or a waitlist place in one transaction, or (registered already) the confirmation again."""

from collections.abc import Callable
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from services.registration import store
from services.registration.bus import bus, emit, nudge
from services.registration.common import RegistrationError
from services.registration.events import check_open
from services.registration.extensions import db
from services.registration.links import CANCEL_CODE_LENGTH, checkin_url, random_code, short_cancel_url
from services.registration.models import Consent, Registration, new_id
from shared.messaging.names import EventNames
from shared.states import RegistrationStatus
from shared.timeutil import utcnow


def register(
    event_id: str, data: dict, *, at_door: bool = False, also: Callable[[Registration], None] | None = None
) -> tuple[Registration | None, bool]:
    """Register a person; return (registration, True), or (None, False) when the phone or email is registered.

    A repeat learns nothing of the registration it matched (whose it is, its status, its code): it only asks for
    that registration's confirmation to go again to the contact stored with it (see request_confirmation).

    One transaction takes a seat (or a waitlist ticket), adds the registration and its registration.created event.
    A phone or email already registered for the event fails the insert on the unique constraints, and the rollback
    gives the seat back: so there is no look-up first, and two submissions racing each other keep one registration.
    Everything that needs no seat is prepared before the seat is taken, to keep the event's row locked briefly.

    `at_door`: a walk-in the door kit recorded (door.py), after registration closed: a free seat, else the waitlist.
    `also` adds the caller's own rows to the same transaction, after registration.created (the door kit's record).
    """
    registration = _new_registration(event_id, data)
    # registration.created is checked against its contract now, as for a confirmed seat; only status and place
    # change once the seat is taken (both set right here, from the two values the contract admits).
    envelope = bus.envelope(EventNames.REGISTRATION_CREATED, _created_payload(registration) | _CONFIRMED)
    registration.status, registration.waitlist_seq, position = (_take_door_place if at_door else _take_place)(event_id)
    try:
        store.add_registration(registration)
    except IntegrityError:  # already registered, or the same person submitted twice at once and the other won
        db.session.rollback()
        shared = data.get("contact_for", "")  # on the registrant's contact: the same name there is the same person
        contact = ("contact_phone", "contact_email") if shared else ("phone", "email")
        existing = store.find_registration(event_id, *(data.get(key) for key in contact), shared)
        if existing is None:  # not a duplicate person (a check-in code collision, say): let it surface
            raise
        request_confirmation(existing)
        return None, False
    envelope["payload"].update(status=registration.status, waitlist_position=position)
    bus.emit_envelope(envelope)
    if also is not None:
        also(registration)
    db.session.commit()
    registration.waitlist_position = position
    nudge()
    return registration, True


_CONFIRMED = {"status": RegistrationStatus.CONFIRMED, "waitlist_position": None}

#: A registration's confirmation goes again at most this often, however many times it is asked for.
CONFIRMATION_PACE = timedelta(minutes=10)


def request_confirmation(registration: Registration) -> bool:
    """Ask notifications to send `registration`'s confirmation again, to its stored contact; return whether it will.

    Someone typed a phone or email already registered: perhaps its owner, who lost the message, perhaps a
    stranger. Either way the answer tells nothing, and the message goes only where the registration's own
    contact is. One conditional UPDATE lets one request per CONFIRMATION_PACE through (the registration itself
    counts as the first), so repeating cannot flood the person's phone; a cancelled registration gets nothing.
    """
    now = utcnow()
    if not store.request_confirmation(registration.id, now, now - CONFIRMATION_PACE):
        db.session.rollback()
        return False
    payload = {"registration_id": registration.id, "event_id": registration.event_id, "requested_at": now}
    emit(EventNames.REGISTRATION_CONFIRMATION_REQUESTED, payload)
    db.session.commit()
    nudge()
    return True


def _new_registration(event_id: str, data: dict) -> Registration:
    """The registration as the person gave it, with its id, times and check-in code; no seat yet."""
    kept = ("consents", "notice_version", "given_to_registrant")
    fields = {"locale": "id"} | {key: value for key, value in data.items() if key not in kept}
    now = utcnow()
    version, in_person = data["notice_version"], data.get("given_to_registrant", False)
    return Registration(
        **fields,
        id=new_id(),
        event_id=event_id,
        consents=[
            Consent(purpose=purpose, notice_version=version, given_at=now, given_to_registrant=in_person)
            for purpose in data["consents"]
        ],
        registered_at=now,
        checkin_code=random_code(8),
        cancel_code=random_code(CANCEL_CODE_LENGTH),
        confirmation_requested_at=now,  # its confirmation goes now: a repeat soon after does not send another
    )


def _take_place(event_id: str) -> tuple[str, int | None, int | None]:
    """Take a confirmed seat, else a waitlist ticket; return (status, ticket, waitlist position).

    Each is one UPDATE that also checks the event is open (and, for a ticket, full with a waitlist), so most
    submissions take one or two statements. Only when neither takes anything is the event read: to refuse with
    the reason, or to try again when a seat was freed or taken between the two.
    """
    now = utcnow()
    if store.take_open_seat(event_id, now):
        return RegistrationStatus.CONFIRMED, None, None
    if (ticket := store.take_open_waitlist_ticket(event_id, now)) is not None:
        return RegistrationStatus.WAITLISTED, *ticket
    event = check_open(store.get_event_window(event_id))
    if event.seats_left > 0 and store.take_seat(event_id):
        return RegistrationStatus.CONFIRMED, None, None
    if not event.waitlist_enabled:
        raise RegistrationError("full", _("Maaf, kursi sudah penuh."))
    return RegistrationStatus.WAITLISTED, *store.take_waitlist_ticket(event_id)


def _take_door_place(event_id: str) -> tuple[str, int | None, int | None]:
    """_take_place at the door, where the registration window no longer counts (the caller checked the event and
    the check-in window): a free seat, else a waitlist ticket, else (no waitlist) refused as full."""
    if store.take_seat(event_id):
        return RegistrationStatus.CONFIRMED, None, None
    if not store.get_event_window(event_id).waitlist_enabled:
        raise RegistrationError("full", _("Maaf, kursi sudah penuh."))
    return RegistrationStatus.WAITLISTED, *store.take_waitlist_ticket(event_id)


def _created_payload(registration: Registration) -> dict:
    """The registration.created payload, but for status and waitlist_position (known once a seat is taken)."""
    return {
        "registration_id": registration.id,
        "event_id": registration.event_id,
        "full_name": registration.full_name,
        "phone": registration.reach_phone,
        "email": registration.reach_email,
        "preferred_channel": registration.preferred_channel,
        "locale": registration.locale,
        "kabupaten_code": registration.kabupaten_code,
        "kecamatan_code": registration.kecamatan_code,
        "desa_code": registration.desa_code,
        "gender": registration.gender,
        "age_group": registration.age_group,
        "disability": statistics_disability(registration),
        "participant_type": registration.participant_type,
        "checkin_code": registration.checkin_code,
        "checkin_url": checkin_url(registration.id),
        "cancel_url": short_cancel_url(registration),
        "registered_at": registration.registered_at,
    } | contact_name(registration)


def contact_name(registration: Registration) -> dict:
    """{"contact_name": the registrant's name} when the phone and email are the registrant's, not the person's: the
    messages then say whom they are for. Nothing for everyone else (the field is optional on the bus)."""
    return {"contact_name": registration.registered_by} if registration.contact_for else {}


def statistics_disability(registration: Registration) -> str:
    """The disability answer as the statistics may use it: the answer given with the statistics consent, else
    "prefer_not_to_say". The registration keeps the answer itself: organisers use it to prepare the day."""
    return registration.disability if registration.consented("statistics") else "prefer_not_to_say"


def registration_view(registration: Registration) -> dict:
    """Return what the API tells the caller of a new registration: what they gave, its id, status and place."""
    return {
        "id": registration.id,
        "event_id": registration.event_id,
        "status": registration.status,
        "waitlist_position": registration.waitlist_position
        if hasattr(registration, "waitlist_position")  # a new registration knows its place
        else store.waitlist_position(registration),
        "full_name": registration.full_name,
        "phone": registration.phone,
        "email": registration.email,
        "registered_at": registration.registered_at,
    }


def already_registered_view() -> dict:
    """The answer to a repeat: the same words whoever registered first, and nothing about them."""
    message = _(
        "Nomor HP atau email ini sudah terdaftar untuk acara ini. Konfirmasinya dikirim ke kontak yang diberikan "
        "saat mendaftar; jika belum sampai, kami mengirimkannya lagi (paling sering sekali setiap 10 menit)."
    )
    return {"status": "already_registered", "message": message}
