"""A participant's answer to the reminder, read by notifications (reply.received): "no" cancels the registration
exactly as the cancel link does (the seat freed, the next person on the waitlist promoted); "yes" records that they
will attend, which organisers see in the participant list and count."""

from services.registration import store
from services.registration.bus import nudge
from services.registration.extensions import db
from services.registration.waitlist import cancel_locked
from shared.messaging.names import EventNames
from shared.states import RegistrationStatus


def _on_reply_received(envelope: dict, payload: dict):
    registration = store.get_registration(str(payload["registration_id"]))
    if registration is None or registration.status == RegistrationStatus.CANCELLED or registration.full_name is None:
        return None  # unknown, already cancelled (a second "batal"), or erased: nothing to do
    if payload["intent"] == "yes":
        if registration.will_attend_at is None:
            registration.will_attend_at = payload["received_at"]
        return None
    event = store.lock_event(registration.event_id)  # cancellations of one event take turns: one promotion each
    registration = store.get_registration(registration.id, lock=True)
    if registration.status == RegistrationStatus.CANCELLED:
        return None
    cancel_locked(registration, event)
    db.session.flush()
    return nudge


HANDLERS = {EventNames.REPLY_RECEIVED: _on_reply_received}
