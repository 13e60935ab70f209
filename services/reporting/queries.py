"""What the reporting pages, API and metrics read: the store's read-only queries, and nothing that writes.

Views (api/) read through this module, never the store itself (an import-linter contract in pyproject.toml
holds them to it): a view cannot change data but through a use case, which checks who may change it.
"""

from services.reporting.store import (
    get_schedule,
    paused_schedule_count,
    run_counts,
    summary,
)

__all__ = [
    "get_schedule",
    "paused_schedule_count",
    "run_counts",
    "summary",
]
