"""Email over SMTP (HTML and text, attachments) with a deterministic Message-ID per outgoing message."""

import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from services.notifications.clients.base import PermanentSendError, TransientSendError

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


class SmtpEmailClient:
    """Send mail through one SMTP server."""

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
        message = EmailMessage()
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
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentSendError(f"recipient refused: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            kind = PermanentSendError if 500 <= error.smtp_code < 600 else TransientSendError
            raise kind(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise TransientSendError(f"{type(error).__name__}: {error}") from error
        return message["Message-ID"]
