"""Messages for someone reached through the one who registered them (a village library manager, a PKK cadre): the
person has no phone or email of their own, so every message goes to the registrant's and says whom it is for.

The words are the `_for.<locale>.txt` template's, outside the staff-edited texts: an edited template cannot lose
them, and one person's messages read the same whoever edits what.
"""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from shared.states import Channel

#: An SMS names the person in at most this many characters (it must still fit in two parts).
SMS_NAME = 40
_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates" / "messages"),
    undefined=StrictUndefined,
)


def _template(locale: str):
    return _env.get_template(f"_for.{locale if locale in ('id', 'en') else 'id'}.txt")


def for_whom(recipient, locale: str, part: str, name_limit: int | None = None) -> str:
    """The words saying whom a message is for, as `part` needs them: "subject" (before an email's subject), "email"
    (its first paragraph), "text" (before an SMS or WhatsApp text), "whatsapp" (the template's name parameter).
    "" for a person reached at their own contact."""
    contact_name = getattr(recipient, "contact_name", None)
    name = getattr(recipient, "full_name", None)
    if not contact_name or not name:
        return ""
    if name_limit is not None and len(name) > name_limit:
        name = name[: name_limit - 3].rsplit(" ", 1)[0] + "..."
    return _template(locale).render(part=part, name=name, contact_name=contact_name).strip()


def with_whom(recipient, locale: str, channel: str, subject: str, body: str) -> tuple[str, str]:
    """An email's subject and body, or a WhatsApp message's text, saying whom they are for (SMS: see fit_sms)."""
    if not for_whom(recipient, locale, "text"):
        return subject, body
    if channel == Channel.EMAIL:
        subject = f"{for_whom(recipient, locale, 'subject')} {subject}"
        return subject, f"{for_whom(recipient, locale, 'email')}\n\n{body}"
    return subject, f"{for_whom(recipient, locale, 'text')} {body}"


def sms_prefix(recipient, locale: str) -> str:
    """What an SMS starts with for a person reached through the registrant ("Untuk Siti Aminah: "), else ""."""
    words = for_whom(recipient, locale, "text", SMS_NAME)
    return f"{words} " if words else ""
