"""Message texts: one template per purpose, channel and locale; an email's first line is its subject."""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from shared.timeutil import format_when

TEMPLATES = Path(__file__).resolve().parent / "templates" / "messages"
_env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True)
LOCALES = ("id", "en")


def template_name(purpose: str, locale: str, channel: str) -> str:
    """Return the template file of `purpose` on `channel` in `locale` (Indonesian when it has no such text)."""
    kind = "txt" if channel == "email" else "sms.txt"  # WhatsApp's logged text is the SMS text
    name = f"{purpose}.{locale}.{kind}"
    return name if (TEMPLATES / name).exists() else f"{purpose}.id.{kind}"


def render(purpose: str, locale: str, channel: str = "email", **context) -> tuple[str, str]:
    """Return (subject, body) of the `purpose` message on `channel` in `locale`; SMS and WhatsApp have no subject."""
    locale = locale if locale in LOCALES else "id"
    event = context.get("event")
    if event is not None:
        context.setdefault("when", format_when(event.starts_at, locale))
    text = _env.get_template(template_name(purpose, locale, channel)).render(**context)
    if channel != "email":
        return "", " ".join(text.split())
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")
