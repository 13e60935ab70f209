"""Every name that crosses a service boundary: queues, tasks and event types."""

from typing import Final


class QueueNames:
    REGISTRATION: Final = "registration"
    NOTIFICATIONS: Final = "notifications"
    REPORTING: Final = "reporting"

    @classmethod
    def all(cls) -> list[str]:
        return [cls.REGISTRATION, cls.NOTIFICATIONS, cls.REPORTING]


class TaskNames:
    # registration
    REGISTRATION_HANDLE_EVENT: Final = "registration.handle_event"
    REGISTRATION_RELAY_OUTBOX: Final = "registration.relay_outbox"
    REGISTRATION_ACK_OUTBOX: Final = "registration.ack_outbox"
    REGISTRATION_ISSUE_CERTIFICATES: Final = "registration.issue_certificates"
    # notifications
    NOTIFICATIONS_HANDLE_EVENT: Final = "notifications.handle_event"
    NOTIFICATIONS_RELAY_OUTBOX: Final = "notifications.relay_outbox"
    NOTIFICATIONS_ACK_OUTBOX: Final = "notifications.ack_outbox"
    NOTIFICATIONS_SEND_MESSAGE: Final = "notifications.send_message"
    NOTIFICATIONS_SEND_BATCH: Final = "notifications.send_batch"
    NOTIFICATIONS_DISPATCH_PENDING: Final = "notifications.dispatch_pending"
    NOTIFICATIONS_TEND_PROVIDER_PRIORITIES: Final = "notifications.tend_provider_priorities"
    # reporting
    REPORTING_HANDLE_EVENT: Final = "reporting.handle_event"
    REPORTING_RELAY_OUTBOX: Final = "reporting.relay_outbox"
    REPORTING_ACK_OUTBOX: Final = "reporting.ack_outbox"
    REPORTING_RUN_DUE_REPORTS: Final = "reporting.run_due_reports"
    REPORTING_BUILD_REPORT: Final = "reporting.build_report"
    # every service: the daily purge of old data (docs/data.md)
    REGISTRATION_PURGE_OLD_DATA: Final = "registration.purge_old_data"
    NOTIFICATIONS_PURGE_OLD_DATA: Final = "notifications.purge_old_data"
    REPORTING_PURGE_OLD_DATA: Final = "reporting.purge_old_data"

    @classmethod
    def all(cls) -> list[str]:
        return [value for key, value in vars(cls).items() if key.isupper()]


class EventNames:
    EVENT_PUBLISHED: Final = "event.published"
    EVENT_UPDATED: Final = "event.updated"
    EVENT_CANCELLED: Final = "event.cancelled"
    REGISTRATION_CREATED: Final = "registration.created"
    REGISTRATION_PROMOTED: Final = "registration.promoted"
    REGISTRATION_CANCELLED: Final = "registration.cancelled"
    REGISTRATION_CONFIRMATION_REQUESTED: Final = "registration.confirmation_requested"
    REGISTRATION_ACCESS_CODE_REQUESTED: Final = "registration.access_code_requested"
    REGISTRATION_CORRECTED: Final = "registration.corrected"
    REGISTRATION_ERASED: Final = "registration.erased"
    REGISTRATION_CONSENT_WITHDRAWN: Final = "registration.consent_withdrawn"
    REGISTRATION_REQUEST_ANSWERED: Final = "registration.request_answered"
    ATTENDANCE_CHECKED_IN: Final = "attendance.checked_in"
    ATTENDANCE_CHECK_IN_UNDONE: Final = "attendance.check_in_undone"
    CERTIFICATE_ISSUED: Final = "certificate.issued"
    CERTIFICATE_REVOKED: Final = "certificate.revoked"
    NOTIFICATION_DELIVERED: Final = "notification.delivered"
    NOTIFICATION_FAILED: Final = "notification.failed"
    REPORT_GENERATED: Final = "report.generated"
    STAFF_CHANGED: Final = "staff.changed"
    STAFF_INVITED: Final = "staff.invited"
    REPLY_RECEIVED: Final = "reply.received"
    EVALUATION_REQUESTED: Final = "evaluation.requested"
    EVALUATION_SUBMITTED: Final = "evaluation.submitted"

    @classmethod
    def all(cls) -> list[str]:
        return [value for key, value in vars(cls).items() if key.isupper()]


def queue_for(task_name: str) -> str:
    """Return the queue of the service that owns `task_name` (the part before the dot)."""
    service = task_name.split(".", 1)[0]
    if service not in QueueNames.all():
        raise ValueError(f"task {task_name!r} does not belong to a known service")
    return service


TASK_ROUTES: Final = {f"{queue}.*": {"queue": queue} for queue in QueueNames.all()}
