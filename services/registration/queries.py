"""What the registration pages and API read: the store's read-only queries, and nothing that writes.

Views (api/) read through this module, never the store itself (an import-linter contract in pyproject.toml
holds them to it): a view cannot change data but through a use case, which checks who may change it.
"""

from services.registration.store import (
    get_staff,
    list_events,
    list_open_events,
    list_questions,
    poster_sizes,
    waitlist_position,
)

__all__ = [
    "get_staff",
    "list_events",
    "list_open_events",
    "list_questions",
    "poster_sizes",
    "waitlist_position",
]
