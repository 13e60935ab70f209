"""REST API: the message log, per-event delivery summaries and resending, for staff."""

from flask import g, request
from flask_smorest import Blueprint, abort

from services.notifications import queries, service
from services.notifications.schemas import (
    DeliverySummarySchema,
    NotificationQuerySchema,
    NotificationSchema,
    ResendResultSchema,
    ResendSchema,
    search_terms,
)
from shared.staffauth import staff_required

bp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="Outgoing messages")


def _staff_call(function, *args):
    try:
        return function(*args)
    except service.StaffError as error:
        abort(error.status, message=error.message)


@bp.get("")
@staff_required
@bp.arguments(NotificationQuerySchema, location="query")
@bp.response(200, NotificationSchema(many=True))
@bp.doc(security=[{"bearerAuth": []}])
def list_notifications(filters: dict):
    """List outgoing messages, newest first (500 at most), filtered by event, person, status, channel or purpose.

    A regency organiser sees only the messages of their kabupaten's events.
    """
    found = queries.search_log({**filters, "q_terms": search_terms(filters.get("q", ""))}, g.staff.scope, limit=500)
    service.audit_log_view(g.staff, filters)
    return [notification for notification, _, _ in found]


@bp.get("/events/<event_id>/summary")
@bp.response(200, DeliverySummarySchema)
@bp.doc(security=[{"bearerAuth": []}])
@staff_required
def event_summary(event_id: str):
    """Count one event's messages by status, and by channel and status."""
    event = _staff_call(service.staff_event, event_id, g.staff)
    counts = queries.delivery_counts(event_id)
    by_status: dict[str, int] = {}
    by_channel: dict[str, dict[str, int]] = {}
    for (channel, status), count in counts.items():
        by_status[status] = by_status.get(status, 0) + count
        by_channel.setdefault(channel, {})[status] = count
    return {
        "event_id": event.event_id,
        "title": event.title,
        "total": sum(counts.values()),
        "by_status": by_status,
        "by_channel": by_channel,
    }


@bp.post("/<notification_id>/resend")
@staff_required
@bp.arguments(ResendSchema)
@bp.response(202, ResendResultSchema)
@bp.doc(security=[{"bearerAuth": []}])
def resend(body: dict, notification_id: str):
    """Send a failed message once more, now; `resent` is false when it was already resent or is no longer failed."""
    if not request.headers.get("Authorization", "").lower().startswith("bearer "):
        abort(401, message="Kirim ulang lewat API memerlukan token staf di header Authorization.")
    notification = _staff_call(service.staff_notification, notification_id, g.staff)
    seen = body["attempts"] if body.get("attempts") is not None else notification.attempts
    resent = _staff_call(service.resend, notification_id, g.staff, seen)
    return {"resent": resent, "notification": queries.get_notification(notification_id)}
