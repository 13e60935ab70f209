"""REST API: the message log for staff."""

from flask import g
from flask_smorest import Blueprint, abort

from services.notifications import store
from services.notifications.schemas import NotificationQuerySchema, NotificationSchema
from shared.staffauth import staff_required

bp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="Outgoing messages")


@bp.get("")
@bp.arguments(NotificationQuerySchema, location="query")
@bp.response(200, NotificationSchema(many=True))
@bp.doc(security=[{"bearerAuth": []}])
@staff_required
def list_notifications(filters: dict):
    """List outgoing messages, newest first, filtered by event, person, status, channel or purpose."""
    if not g.staff.is_provincial:  # the log holds every kabupaten's participants
        abort(403, message="Hanya admin provinsi yang dapat melihat seluruh log pesan.")
    return store.list_notifications(filters)
