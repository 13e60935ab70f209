"""Helpers of the retention tests: everything a store holds, as text to search for someone's name or number."""

import sqlalchemy as sa


def every_value(db) -> str:
    """Every non-null value of every column of every table of `db`'s store, one per line (JSON values as text)."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            values.extend(str(value) for value in row if value is not None)
    db.session.rollback()
    return "\n".join(values)


def leftovers(db, secrets: list[str]) -> list[str]:
    """Which of `secrets` (names, phones, emails, codes, links) the store still holds anywhere."""
    held = every_value(db)
    return [secret for secret in secrets if secret and secret in held]


def table_rows(db, table: str) -> list[dict]:
    """The rows of `table`, as dicts, in a stable order."""
    found = db.session.execute(sa.select(db.metadata.tables[table])).mappings().all()
    db.session.rollback()
    return sorted((dict(row) for row in found), key=repr)
