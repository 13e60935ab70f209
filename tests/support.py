"""Helpers the tests share: the SMTP sink, Postgres schemas, app builders."""

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from devsinks.mailbox import Mailbox, start_smtp
from scripts.redis_local import free_port


@dataclass
class SmtpSink:
    mailbox: Mailbox
    controller: object
    host: str
    port: int

    @classmethod
    def start(cls) -> "SmtpSink":
        mailbox, port = Mailbox(), free_port()
        return cls(mailbox, start_smtp(mailbox, "127.0.0.1", port), "127.0.0.1", port)

    def stop(self) -> None:
        self.controller.stop()

    def mails_to(self, address: str) -> list:
        return [mail for mail in self.mailbox.mails() if address in mail.rcpt_tos]


def postgres_schema_url(base_url: str, prefix: str) -> tuple[str, str]:
    """Create a fresh schema in the test PostgreSQL and return (url using it, schema name)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{schema}", schema


def drop_postgres_schema(base_url: str, schema: str) -> None:
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()
