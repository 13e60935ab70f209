"""The participant's rights, as the bus brings them: a correction reaches the person where they now say, an erasure
forgets them, a withdrawn reminders consent moves or stops their reminders, and a data request's answer is sent."""

from services.notifications import planning, retention, store
from services.notifications.extensions import db
from services.notifications.handing import after_commit, known_recipient
from shared.messaging.names import EventNames
from shared.states import Channel, MessageStatus, Purpose

#: Why a reminder waiting was not sent after the person withdrew their reminders consent (staff read it in the log).
CONSENT_WITHDRAWN = "persetujuan pengingat ditarik peserta"


def _on_registration_corrected(envelope: dict, payload: dict) -> None:
    """Reach the person where they now say: the recipient takes the corrections, and messages still waiting go to
    the new address with the new name (or are cancelled when that channel has no address any more)."""
    recipient = known_recipient(payload)
    if recipient.full_name is None:  # erased, or past the retention period
        return
    for key in ("full_name", "phone", "email", "preferred_channel"):
        setattr(recipient, key, payload[key])
    if "contact_name" in payload:  # sent for those someone else registered (older producers leave it out)
        recipient.contact_name = payload["contact_name"]
    event = store.get_event(recipient.event_id)
    for row in store.list_pending(recipient.registration_id):
        address = planning.address_for(recipient, row.channel)
        if not address:
            row.status, row.last_error = MessageStatus.CANCELLED, "kontak diubah peserta"
            continue
        row.to = address
        if event is not None and row.purpose != Purpose.ACCESS_CODE:
            extra = planning.extra_for(row, event, row.channel)
            for key, value in planning.content(recipient, event, row.purpose, row.channel, row.reminder_offset,
                                               **extra).items():  # fmt: skip
                setattr(row, key, value)


def _on_registration_erased(envelope: dict, payload: dict) -> None:
    """Forget the person (retention.erase_registration). Before their registration.created is known here, wait:
    it would otherwise bring their name back after the erasure."""
    known_recipient(payload)
    retention.erase_registration(str(payload["registration_id"]))


def _on_request_answered(envelope: dict, payload: dict):
    """Tell the participant how staff closed their data request, by email if they gave one, else by SMS (WhatsApp
    sends approved templates only); once per request, however often the message is delivered."""
    recipient = known_recipient(payload)
    if recipient.full_name is None:
        return None
    channel = Channel.EMAIL if recipient.email else Channel.SMS
    extra = {key: payload[key] for key in ("kind", "outcome", "answer")}
    row = planning.plan(recipient, Purpose.DATA_REQUEST, channel=channel, tag=str(payload["request_id"]), **extra)
    return after_commit([row], send_here=row)


def _on_consent_withdrawn(envelope: dict, payload: dict):
    """The person withdrew their reminders consent for a channel ("messages"): the reminders still waiting on it are
    cancelled, and planned again by email when they gave one (as after a STOP). Other purposes: nothing here."""
    if payload["purpose"] != "messages":
        return None
    recipient = known_recipient(payload)
    if recipient.full_name is None or recipient.reminders_withdrawn_channel is not None:
        return None
    recipient.reminders_withdrawn_channel = payload["channel"]
    keep = planning.reminder_channel(recipient)
    for row in store.list_pending(recipient.registration_id, Purpose.REMINDER):
        if row.channel != keep:
            row.status, row.last_error = MessageStatus.CANCELLED, CONSENT_WITHDRAWN
    db.session.flush()
    return after_commit(planning.plan_reminders(recipient))


RIGHTS_HANDLERS = {
    EventNames.REGISTRATION_CORRECTED: _on_registration_corrected,
    EventNames.REGISTRATION_ERASED: _on_registration_erased,
    EventNames.REGISTRATION_CONSENT_WITHDRAWN: _on_consent_withdrawn,
    EventNames.REGISTRATION_REQUEST_ANSWERED: _on_request_answered,
}
