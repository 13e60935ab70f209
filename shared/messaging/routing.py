"""Who consumes what: event type -> the tasks (one per subscribing service) that receive it."""

from typing import Final

from shared.messaging.names import EventNames, TaskNames

_NOTIFICATIONS = TaskNames.NOTIFICATIONS_HANDLE_EVENT
_REPORTING = TaskNames.REPORTING_HANDLE_EVENT

SUBSCRIBERS: Final[dict[str, tuple[str, ...]]] = {
    EventNames.EVENT_PUBLISHED: (_NOTIFICATIONS, _REPORTING),
    EventNames.EVENT_UPDATED: (_NOTIFICATIONS, _REPORTING),
    EventNames.EVENT_CANCELLED: (_NOTIFICATIONS, _REPORTING),
    EventNames.REGISTRATION_CREATED: (_NOTIFICATIONS, _REPORTING),
    EventNames.REGISTRATION_PROMOTED: (_NOTIFICATIONS, _REPORTING),
    EventNames.REGISTRATION_CANCELLED: (_NOTIFICATIONS, _REPORTING),
    EventNames.ATTENDANCE_CHECKED_IN: (_NOTIFICATIONS, _REPORTING),
    EventNames.ATTENDANCE_CHECK_IN_UNDONE: (_REPORTING,),
    EventNames.NOTIFICATION_DELIVERED: (_REPORTING,),
    EventNames.NOTIFICATION_FAILED: (_REPORTING,),
    EventNames.REPORT_GENERATED: (_NOTIFICATIONS,),
}
