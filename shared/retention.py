"""Retention plumbing: change or delete old rows a batch at a time, so a purge never holds a big table's locks."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shared.timeutil import utcnow

#: Rows per statement: small enough that the web tier never waits long behind a purge.
BATCH_SIZE = 500


def cutoff(days: float, now: datetime | None = None) -> datetime:
    """The moment `days` before `now`: rows older than this are due."""
    return (now or utcnow()) - timedelta(days=days)


def delete_in_batches(session: Session, key, condition, *, batch_size: int | None = None) -> int:
    """Delete the rows of `key`'s table matching `condition`, `batch_size` per transaction; return how many."""
    return _in_batches(session, key, condition, None, batch_size)


def update_in_batches(session: Session, key, condition, values: dict, *, batch_size: int | None = None) -> int:
    """Set `values` on the rows matching `condition`, `batch_size` per transaction; return how many.

    `values` must make `condition` false, or the loop would never end: that is also what makes a second run a no-op.
    """
    return _in_batches(session, key, condition, values, batch_size)


def _in_batches(session: Session, key, condition, values: dict | None, batch_size: int | None) -> int:
    table, total, previous, batch_size = key.class_.__table__, 0, None, batch_size or BATCH_SIZE
    while True:
        keys = session.scalars(sa.select(key).where(condition).limit(batch_size)).all()
        if not keys:
            session.commit()
            return total
        if keys == previous:  # `values` left `condition` true: stop rather than loop for ever
            session.rollback()
            raise RuntimeError(f"retention: updating {table.name} does not take rows out of the batch")
        previous = keys
        column = key.expression
        statement = table.delete() if values is None else table.update().values(**values)
        session.execute(statement.where(column.in_(keys)))
        session.commit()
        total += len(keys)
