"""A real SMTP server (aiosmtpd) that keeps every mail it accepts, in memory, newest first."""

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller


@dataclass
class ReceivedMail:
    id: int
    received_at: datetime
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", "")).strip()

    @property
    def message_id(self) -> str:
        return str(self.message.get("Message-ID", ""))

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self) -> str | None:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else None

    def attachments(self) -> list[dict]:
        return [
            {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "size": len(part.get_payload(decode=True) or b""),
            }
            for part in self.message.iter_attachments()
        ]

    def attachment(self, index: int) -> EmailMessage | None:
        parts = list(self.message.iter_attachments())
        return parts[index] if 0 <= index < len(parts) else None

    def inline_parts(self) -> dict[str, EmailMessage]:
        """The parts the HTML shows by Content-ID (e.g. a QR code), keyed by that id without angle brackets."""
        return {
            str(part["Content-ID"]).strip().strip("<>"): part
            for part in self.message.walk()
            if part.get("Content-ID") and part.get_content_maintype() != "multipart"
        }

    def summary(self) -> dict:
        return {
            "id": self.id,
            "received_at": self.received_at.isoformat(),
            "from": self.mail_from,
            "to": self.rcpt_tos,
            "subject": self.subject,
            "message_id": self.message_id,
            "text": self.text(),
            "attachments": self.attachments(),
            "html": self.html() is not None,
            "inline": [
                {"content_id": cid, "content_type": part.get_content_type()}
                for cid, part in self.inline_parts().items()
            ],
        }


class Mailbox:
    """The aiosmtpd handler: accepts every mail and keeps it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mails: list[ReceivedMail] = []
        self._ids = itertools.count(1)

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        message = BytesParser(policy=policy.default).parsebytes(raw)
        with self._lock:
            mail = ReceivedMail(
                next(self._ids), datetime.now(UTC), envelope.mail_from, list(envelope.rcpt_tos), raw, message
            )
            self._mails.append(mail)
        return "250 Message accepted for delivery"

    def mails(self) -> list[ReceivedMail]:
        """Every mail received, newest first."""
        with self._lock:
            return list(reversed(self._mails))

    def get(self, mail_id: int) -> ReceivedMail | None:
        with self._lock:
            return next((mail for mail in self._mails if mail.id == mail_id), None)

    def clear(self) -> None:
        with self._lock:
            self._mails.clear()


def start_smtp(mailbox: Mailbox, host: str, port: int) -> Controller:
    """Start the SMTP server in its own thread and return its controller (call .stop() to end it)."""
    controller = Controller(mailbox, hostname=host, port=port, decode_data=False)
    controller.start()
    return controller
