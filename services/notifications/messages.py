"""Message texts: one template per purpose, channel and locale; an email's first line is its subject."""

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from shared.timeutil import format_when

TEMPLATES = Path(__file__).resolve().parent / "templates" / "messages"
_env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True)
_html = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True)
URL = re.compile(r"https?://[^\s<>\"]+")
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


def _linked(line: str) -> Markup:
    """Escape one line of text and make its web addresses links (a trailing full stop stays outside)."""
    out, position = [], 0
    for match in URL.finditer(line):
        url = match.group(0).rstrip(".,;:)!?")
        out += [escape(line[position : match.start()]), Markup('<a href="{0}">{0}</a>').format(url)]
        position = match.start() + len(url)
    out.append(escape(line[position:]))
    return Markup("").join(out)


def html_body(subject: str, text: str, locale: str, *, qr_cid: str | None = None, checkin_code: str | None = None):
    """Return the HTML part of an email: its text in paragraphs with links, and the check-in QR code inline.

    The HTML is made from the text (which staff edit), so the two parts always say the same; the QR code goes
    right after the paragraph that names the check-in code, or at the end.
    """
    paragraphs = [
        Markup("<br>\n").join(_linked(line) for line in block.splitlines())
        for block in re.split(r"\n\s*\n", text.strip())
        if block.strip()
    ]
    qr_after = len(paragraphs) - 1
    if checkin_code:
        qr_after = next((n for n, block in enumerate(paragraphs) if checkin_code in block), qr_after)
    return _html.get_template("_email.html").render(
        subject=subject,
        paragraphs=paragraphs,
        locale=locale if locale in LOCALES else "id",
        qr_cid=qr_cid,
        qr_after=qr_after,
        checkin_code=checkin_code,
    )
