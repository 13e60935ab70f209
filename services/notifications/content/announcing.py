"""What an organiser's announcement says on each channel: the email as written, an SMS of at most two parts (or,
when the text is longer, its subject and a short link to the full text), a WhatsApp template with the text as its
parameter."""

from flask import current_app

from services.notifications.content.messages import MAX_SMS_SEGMENTS, render
from services.notifications.content.sms import SmsLength, gsm_safe, measure
from shared.states import Channel, Purpose

#: The subject fits an email's subject line and the SMS that carries only it and the link.
SUBJECT_MAX = 100
#: The text fits WhatsApp's template body (1,024 characters in all, the frame and the title included).
TEXT_MAX = 640


def public_url(code: str) -> str:
    """The short link to an announcement's full text (a page of this service, the code its only key)."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/u/{code}"


def sms_text(event, locale: str, subject: str, text: str, code: str) -> tuple[str, bool]:
    """The SMS of an announcement and whether it carries the short link instead of the text (too long for
    MAX_SMS_SEGMENTS parts even with the event's title cut)."""
    context = {"event": event, "subject": subject, "text": text, "link": None}
    body = render(Purpose.ANNOUNCEMENT, locale, Channel.SMS, **context)[1]
    if measure(body).segments <= MAX_SMS_SEGMENTS:
        return body, False
    return render(Purpose.ANNOUNCEMENT, locale, Channel.SMS, **context | {"link": public_url(code)})[1], True


def sms_length(event, locale: str, subject: str, text: str, code: str) -> tuple[SmsLength, SmsLength, bool]:
    """For the preview: the length of the text alone (on one line, typographic characters made plain, as an SMS
    sends it), of the SMS as it will go, and whether it goes as a link."""
    body, linked = sms_text(event, locale, subject, text, code)
    return measure(gsm_safe(" ".join(text.split()))), measure(body), linked


def context(announcement, event, locale: str, channel: str) -> dict:
    """The placeholders of one person's copy: the subject and text, and on SMS the short link when it needs one."""
    values = {"subject": announcement.subject, "text": announcement.text, "link": None}
    if channel == Channel.SMS:
        linked = sms_text(event, locale, announcement.subject, announcement.text, announcement.code)[1]
        values["link"] = public_url(announcement.code) if linked else None
    return values
