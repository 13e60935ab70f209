"""What the notifications pages, API and metrics read: the store's read-only queries, and nothing that writes.

Views (api/) read through this module, never the store itself (an import-linter contract in pyproject.toml
holds them to it): a view cannot change data but through a use case, which checks who may change it.
"""

from services.notifications.content.messages import template_source
from services.notifications.store import (
    address_in_kabupaten,
    delivery_counts,
    get_event,
    get_notification,
    get_recipient,
    get_template,
    has_fallback,
    hashed_address,
    held_count,
    list_announcements,
    list_opt_outs,
    message_counts,
    oldest_overdue_reminder,
    search_log,
    sends_on,
    status_counts,
    visible_events,
)

__all__ = [
    "address_in_kabupaten",
    "delivery_counts",
    "get_event",
    "get_notification",
    "get_recipient",
    "get_template",
    "has_fallback",
    "hashed_address",
    "held_count",
    "list_announcements",
    "list_opt_outs",
    "message_counts",
    "oldest_overdue_reminder",
    "search_log",
    "sends_on",
    "status_counts",
    "template_source",
    "visible_events",
]
