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
    EventNames.ATTENDANCE_CHECKED_IN: (_NOTIFICATIONS, _REPORTING),
    EventNames.ATTENDANCE_CHECK_IN_UNDONE: (_REPORTING,),
    EventNames.CERTIFICATE_ISSUED: (_NOTIFICATIONS, _REPORTING),
    EventNames.CERTIFICATE_REVOKED: (_REPORTING,),
    #: Registration keeps each participant's message history (channel, purpose, status, time) for "Data saya".
    EventNames.NOTIFICATION_DELIVERED: (_REPORTING, _REGISTRATION),
    EventNames.NOTIFICATION_FAILED: (_REPORTING, _REGISTRATION),
    EventNames.REPORT_GENERATED: (_NOTIFICATIONS,),
    EventNames.STAFF_CHANGED: (_NOTIFICATIONS, _REPORTING),
    EventNames.STAFF_INVITED: (_NOTIFICATIONS,),
}

#: Payload fields a subscriber is never sent (dropped at relay time, publisher.for_subscriber), per task and event
#: type: reporting counts people, it never reaches or names them, so no name, number, address, code or link
#: leaves the producer for it. Its consumer accepts these messages without them (shared.consumer).
WITHHELD: Final[dict[str, dict[str, frozenset[str]]]] = {
    _REPORTING: {
        EventNames.REGISTRATION_CREATED: frozenset(
            {"full_name", "phone", "email", "checkin_code", "checkin_url", "cancel_url"}
        ),
        EventNames.REGISTRATION_CORRECTED: frozenset({"full_name", "phone", "email"}),
        EventNames.EVENT_PUBLISHED: frozenset({"url"}),
        #: Whoever holds these links reads the certificate, and with it the person's name.
        EventNames.CERTIFICATE_ISSUED: frozenset({"download_url", "verify_url"}),
        EventNames.EVENT_UPDATED: frozenset({"url"}),
        #: A provider's error text may quote the number or address it refused.
        EventNames.NOTIFICATION_FAILED: frozenset({"reason"}),
    },
    _REGISTRATION: {
        #: The history a participant sees keeps channel, purpose, status and time: not what a provider said.
        EventNames.NOTIFICATION_FAILED: frozenset({"reason"}),
    },
}
