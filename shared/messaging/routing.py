"""Who consumes what: event type -> the tasks (one per subscribing service) that receive it, and what they are not
sent of it."""

from typing import Final

from shared.messaging.names import EventNames, TaskNames

_NOTIFICATIONS = TaskNames.NOTIFICATIONS_HANDLE_EVENT
_REPORTING = TaskNames.REPORTING_HANDLE_EVENT
_REGISTRATION = TaskNames.REGISTRATION_HANDLE_EVENT

SUBSCRIBERS: Final[dict[str, tuple[str, ...]]] = {
    EventNames.EVENT_PUBLISHED: (_NOTIFICATIONS, _REPORTING),
    EventNames.EVENT_UPDATED: (_NOTIFICATIONS, _REPORTING),
    EventNames.EVENT_CANCELLED: (_NOTIFICATIONS, _REPORTING),
    EventNames.REGISTRATION_CREATED: (_NOTIFICATIONS, _REPORTING),
    EventNames.REGISTRATION_PROMOTED: (_NOTIFICATIONS, _REPORTING),
    EventNames.REGISTRATION_CANCELLED: (_NOTIFICATIONS, _REPORTING),
    EventNames.REGISTRATION_CONFIRMATION_REQUESTED: (_NOTIFICATIONS,),
    EventNames.REGISTRATION_ACCESS_CODE_REQUESTED: (_NOTIFICATIONS,),
    EventNames.REGISTRATION_CORRECTED: (_NOTIFICATIONS, _REPORTING),
    EventNames.REGISTRATION_ERASED: (_NOTIFICATIONS, _REPORTING),
    #: Notifications stops reminders on the channel (purpose "messages"); reporting stops counting the disability
    #: answer (purpose "statistics"). Each ignores the other purpose.
    EventNames.REGISTRATION_CONSENT_WITHDRAWN: (_NOTIFICATIONS, _REPORTING),
    #: Staff answered a data request a person had to decide: notifications tells the participant.
    EventNames.REGISTRATION_REQUEST_ANSWERED: (_NOTIFICATIONS,),
    EventNames.ATTENDANCE_CHECKED_IN: (_NOTIFICATIONS, _REPORTING),
    #: Notifications keeps who is present (an organiser's announcement "to those present").
    EventNames.ATTENDANCE_CHECK_IN_UNDONE: (_NOTIFICATIONS, _REPORTING),
    EventNames.CERTIFICATE_ISSUED: (_NOTIFICATIONS, _REPORTING),
    EventNames.CERTIFICATE_REVOKED: (_REPORTING,),
    #: Registration keeps each participant's message history (channel, purpose, status, time) for "Data saya".
    EventNames.NOTIFICATION_DELIVERED: (_REPORTING, _REGISTRATION),
    EventNames.NOTIFICATION_FAILED: (_REPORTING, _REGISTRATION),
    EventNames.REPORT_GENERATED: (_NOTIFICATIONS,),
    EventNames.STAFF_CHANGED: (_NOTIFICATIONS, _REPORTING),
    EventNames.STAFF_INVITED: (_NOTIFICATIONS,),
    #: A participant answered the reminder ("1"/"ya": will attend, "2"/"batal": cancel); registration applies it.
    EventNames.REPLY_RECEIVED: (_REGISTRATION,),
    #: A training ended: notifications sends the attendee the evaluation form's link.
    EventNames.EVALUATION_REQUESTED: (_NOTIFICATIONS,),
    #: The scores (no free text), counted by reporting under the pseudonym.
    EventNames.EVALUATION_SUBMITTED: (_REPORTING,),
}

#: Events about one registration that reporting counts. Registration sends each with a `pseudonym` of the
#: registration (a keyed HMAC of its id; only registration holds the key): reporting keys its rows by it and is never
#: sent the registration id, so it cannot link a row to a person; notifications, which needs the id, is never sent
#: the pseudonym, so no one subscriber sees both.
PSEUDONYMISED: Final[frozenset[str]] = frozenset(
    {
        EventNames.REGISTRATION_CREATED,
        EventNames.REGISTRATION_PROMOTED,
        EventNames.REGISTRATION_CANCELLED,
        EventNames.REGISTRATION_CORRECTED,
        EventNames.REGISTRATION_ERASED,
        EventNames.REGISTRATION_CONSENT_WITHDRAWN,
        EventNames.ATTENDANCE_CHECKED_IN,
        EventNames.ATTENDANCE_CHECK_IN_UNDONE,
        EventNames.CERTIFICATE_ISSUED,
        EventNames.CERTIFICATE_REVOKED,
        EventNames.EVALUATION_SUBMITTED,
    }
)
_ID = frozenset({"registration_id"})

#: Payload fields a subscriber is never sent (dropped at relay time, publisher.for_subscriber), per task and event
#: type: reporting counts people, it never reaches or names them, so no name, number, address, code or link
#: leaves the producer for it. Its consumer accepts these messages without them (shared.consumer).
WITHHELD: Final[dict[str, dict[str, frozenset[str]]]] = {
    _REPORTING: {
        **dict.fromkeys(PSEUDONYMISED, _ID),
        EventNames.REGISTRATION_CREATED: _ID
        | frozenset({"full_name", "phone", "email", "checkin_code", "checkin_url", "cancel_url", "contact_name"}),
        EventNames.REGISTRATION_CORRECTED: _ID | frozenset({"full_name", "phone", "email", "contact_name"}),
        EventNames.EVENT_PUBLISHED: frozenset({"url"}),
        #: Whoever holds these links reads the certificate, and with it the person's name.
        EventNames.CERTIFICATE_ISSUED: _ID | frozenset({"download_url", "verify_url"}),
        EventNames.EVENT_UPDATED: frozenset({"url"}),
        #: Delivery figures count messages, not people: no registration id. A provider's error text may quote the
        #: number or address it refused.
        EventNames.NOTIFICATION_DELIVERED: _ID,
        EventNames.NOTIFICATION_FAILED: _ID | frozenset({"reason"}),
    },
    _NOTIFICATIONS: {
        event_type: frozenset({"pseudonym"})
        for event_type in PSEUDONYMISED
        if _NOTIFICATIONS in SUBSCRIBERS.get(event_type, ())
    },
    _REGISTRATION: {
        #: The history a participant sees keeps channel, purpose, status and time: not what a provider said.
        EventNames.NOTIFICATION_FAILED: frozenset({"reason"}),
    },
}
