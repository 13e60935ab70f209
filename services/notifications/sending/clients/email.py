"""Email over SMTP (HTML and text, attachments) with a deterministic Message-ID per outgoing message."""

import smtplib
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from services.notifications.sending.clients.base import PermanentSendError, TransientSendError
from shared.forksafe import PerProcess

__all__ = ["Attachment", "Email", "PermanentSendError", "SmtpEmailClient", "TransientSendError"]


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    #: Extra Content-Type parameters, e.g. {"method": "PUBLISH"} for an iCalendar file.
    params: dict[str, str] = field(default_factory=dict)
    #: Set for a part the HTML shows inline (``<img src="cid:...">``), without the angle brackets.
    content_id: str | None = None


@dataclass
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    #: Parts the HTML refers to by Content-ID (the check-in QR code); sent only with an HTML part.
    inline: list[Attachment] = field(default_factory=list)
    #: Stable per outgoing message, so a resend after a crash is recognisable as the same mail.
    reference: str | None = None


class _HeaderClasses(HeaderRegistry):
    """Python's header registry, making each header's class once: the standard one makes a new class every time a
    header is set or read, a fifth of the time it takes to build a mail."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


#: email.policy.default (what EmailMessage uses), with the header classes made once.
POLICY = policy.default.clone(header_factory=_HeaderClasses())
#: A kept connection idle longer than this is closed rather than reused (servers drop idle clients after minutes).
KEEP_IDLE_SECONDS = 30.0


class _KeptConnections(threading.local):
    """Each thread's open SMTP connections, by server and login."""

    def __init__(self) -> None:
        self.by_key: dict[tuple, tuple[smtplib.SMTP, float]] = {}


#: A forked child starts with none: the parent's sockets are not ours to use.
_kept = PerProcess(_KeptConnections)


class SmtpEmailClient:
    """Send mail through one SMTP server, over a connection kept open between mails of the same thread.

    Opening a connection (TCP, EHLO, maybe STARTTLS and login) cost more than a mail; a kept one is checked with
    NOOP before each mail and replaced when the server has dropped it, so a mail is never sent blind on a dead
    connection. A failed mail closes its connection: the next one starts clean.
    """

    name = "smtp"

    def __init__(self, host: str, port: int, mail_from: str, *, user=None, password=None, starttls=False, timeout=10):
        self.host, self.port, self.mail_from = host, port, mail_from
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    @classmethod
    def from_config(cls, config) -> "SmtpEmailClient":
        return cls(
            config["SMTP_HOST"],
            config["SMTP_PORT"],
            config["MAIL_FROM"],
            user=config.get("SMTP_USER"),
            password=config.get("SMTP_PASSWORD"),
            starttls=config.get("SMTP_STARTTLS", False),
            timeout=config.get("SMTP_TIMEOUT", 10),
        )

    def build(self, email: Email) -> EmailMessage:
        message = EmailMessage(policy=POLICY)
        message["From"] = self.mail_from
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False)
        domain = self.mail_from.rsplit("@", 1)[-1].strip(">") or "pelita.local"
        message["Message-ID"] = f"<{email.reference}@{domain}>" if email.reference else make_msgid(domain=domain)
        message.set_content(email.text)
        if email.html:
            message.add_alternative(email.html, subtype="html")
            html = message.get_payload()[-1]
            for part in email.inline:  # text/html becomes multipart/related around it
                maintype, _, subtype = part.content_type.partition("/")
                html.add_related(
                    part.data,
                    maintype=maintype,
                    subtype=subtype,
                    cid=f"<{part.content_id}>",
                    filename=part.filename,
                    disposition="inline",
                )
        for attachment in email.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.data,
                maintype=maintype,
                subtype=subtype,
                filename=attachment.filename,
                params=attachment.params,
            )
        return message

    def send(self, email: Email) -> str:
        """Send `email`; return its Message-ID. Raise TransientSendError or PermanentSendError."""
        message = self.build(email)
        smtp = None
        try:
            smtp = self._connection()
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            _abandon(smtp)
            raise PermanentSendError(f"recipient refused: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            _abandon(smtp)
            kind = PermanentSendError if 500 <= error.smtp_code < 600 else TransientSendError
            raise kind(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
        except (OSError, smtplib.SMTPException) as error:
            _abandon(smtp)
            raise TransientSendError(f"{type(error).__name__}: {error}") from error
        except BaseException:
            _abandon(smtp)
            raise
        _kept.get().by_key[self._key()] = (smtp, time.monotonic())
        return message["Message-ID"]

    def _key(self) -> tuple:
        return (self.host, self.port, self.user, self.password, self.starttls)

    def _connection(self) -> smtplib.SMTP:
        """This thread's open connection to the server if it still answers, else a new one."""
        kept = _kept.get().by_key.pop(self._key(), None)
        if kept is not None:
            smtp, last_used = kept
            if time.monotonic() - last_used > KEEP_IDLE_SECONDS:
                _close(smtp)
            elif _answers(smtp):
                return smtp
            else:
                _abandon(smtp)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
        except BaseException:
            _abandon(smtp)
            raise
        return smtp


def _answers(smtp: smtplib.SMTP) -> bool:
    try:
        return smtp.noop()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


def _abandon(smtp: smtplib.SMTP | None) -> None:
    """Close a connection a mail failed on, without a goodbye: the next mail opens a new one."""
    if smtp is not None:
        smtp.close()


def _close(smtp: smtplib.SMTP) -> None:
    """Say goodbye to a connection no longer needed."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
