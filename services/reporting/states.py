"""The states only the reporting service keeps (the shared ones are in shared.states)."""

from enum import StrEnum


class RunStatus(StrEnum):
    """A scheduled report's run: pending -> building -> sent; building -> failed -> building (retried by beat)."""

    PENDING = "pending"
    BUILDING = "building"
    SENT = "sent"
    FAILED = "failed"
