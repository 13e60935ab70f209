"""The daily purge of the reporting store (docs/data.md).

The read model holds no one's name, phone, email or code (models.py), so its figures are never touched: only the
bus records and the audit trail's old rows go, each on its own clock. Report files and schedules are staff matters,
kept as they are.
"""

import logging
from datetime import datetime

from flask import current_app

from services.reporting.bus import bus
from services.reporting.extensions import db
from services.reporting.models import AuditEntry
from shared import audit

logger = logging.getLogger(__name__)


def purge_old_data(now: datetime | None = None) -> dict[str, int]:
    """Delete delivered outbox rows, old processed ids, dead letters and the audit trail's old rows; log one line
    of counts and return them."""
    counts = bus.purge(now)
    counts["audit_rows_deleted"] = audit.purge(db.session, AuditEntry, current_app.config["AUDIT_RETENTION_DAYS"], now)
    logger.info("retention purge done: %s", " ".join(f"{key}={value}" for key, value in counts.items()))
    return counts
