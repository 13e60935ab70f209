"""An email's HTML part: the text's paragraphs with our own links made clickable and nothing else linkable."""

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from services.notifications.content.messages import LOCALES, URL, _html

_LINKABLE = re.compile(r"(?<=\S)[.@:](?=\S)")


def _unlinkable(text: str) -> Markup:
    """Escape `text` so that no mail client turns any of it into a link.

    Gmail, Outlook and Apple Mail make a link of anything in an HTML mail's text that looks like an address, a
    bare "www.evil.example" or "evil.example" included, and escaping does not stop that. Their linkers read one
    text node at a time, so a dot, @ or colon in an element of its own ("evil<span>.</span>example") leaves no
    node that looks like an address, while the reader sees the same text (no invisible character is added: a
    name copied from the mail is the name). Used for every part of the text that is not a Pelita link, as the
    text carries what people typed: names, titles, venues.
    """
    escaped = str(escape(text))
    return Markup(_LINKABLE.sub(lambda match: f"<span>{match.group(0)}</span>", escaped))


def _own_link(url: str, origins: frozenset[str]) -> bool:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() in origins


def _linked(line: str, origins: frozenset[str] = frozenset()) -> Markup:
    """Escape one line of text and make Pelita's own web addresses links (a trailing full stop stays outside).

    Only an address on one of `origins` (Pelita's services) becomes a link; any other, typed by someone into a
    name or a venue, say, is shown as text that mail clients do not link either (_unlinkable).
    """
    out, position = [], 0
    for match in URL.finditer(line):
        url = match.group(0).rstrip(".,;:)!?")
        if not _own_link(url, origins):
            continue
        out += [_unlinkable(line[position : match.start()]), Markup('<a href="{0}">{0}</a>').format(url)]
        position = match.start() + len(url)
    out.append(_unlinkable(line[position:]))
    return Markup("").join(out)


def own_origins() -> frozenset[str]:
    """The scheme and host of every Pelita service: the only addresses a message links to."""
    from flask import current_app

    urls = [current_app.config.get("PUBLIC_BASE_URL") or "", *current_app.config.get("PELITA_LINK_URLS", ())]
    return frozenset(f"{p.scheme}://{p.netloc}".lower() for p in map(urlsplit, urls) if p.scheme and p.netloc)


def html_body(
    subject: str,
    text: str,
    locale: str,
    *,
    qr_cid: str | None = None,
    checkin_code: str | None = None,
    origins: frozenset[str] | None = None,
):
    """Return the HTML part of an email: its text in paragraphs with Pelita's links, and the check-in QR code inline.

    The HTML is made from the text (which staff edit), so the two parts always say the same; the QR code goes
    right after the paragraph that names the check-in code, or at the end. Only addresses on `origins` (by
    default Pelita's own services) become links.
    """
    origins = own_origins() if origins is None else origins
    paragraphs = [
        Markup("<br>\n").join(_linked(line, origins) for line in block.splitlines())
        for block in re.split(r"\n\s*\n", text.strip())
        if block.strip()
    ]
    qr_after = len(paragraphs) - 1
    if checkin_code:
        qr_after = next((n for n, block in enumerate(paragraphs) if checkin_code in block), qr_after)
    return _html.get_template("_email.html").render(
        subject=subject,
        heading=_unlinkable(subject),
        paragraphs=paragraphs,
        locale=locale if locale in LOCALES else "id",
        qr_cid=qr_cid,
        qr_after=qr_after,
        checkin_code=checkin_code,
    )
