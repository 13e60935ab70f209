"""The daily purge of the reporting store (docs/data.md).

The read model holds no one's name, phone, email or code (models.py), so its figures are never touched: only the
bus records go, each on its own clock. Report files and schedules are staff matters, kept as they are.
"""

import logging
from datetime import datetime

from services.reporting.service import bus

logger = logging.getLogger(__name__)


def purge_old_data(now: datetime | None = None) -> dict[str, int]:
    """Delete delivered outbox rows, old processed ids and dead letters; log one line of counts and return them."""
    counts = bus.purge(now)
    logger.info("retention purge done: %s", " ".join(f"{key}={value}" for key, value in counts.items()))
    return counts
