"""A WhatsApp template message as the participant's phone shows it: the approved text with its variables filled in
and its "Visit website" button, read from docs/whatsapp-templates.md (the text submitted to Meta).

Meta sends only the template's name, language, variables and the button's URL suffix; the phone shows the approved
body with those filled in, and the button opens the fixed URL part (the registration service's /k/) plus the suffix.
"""

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

DOC = Path(__file__).resolve().parent.parent / "docs" / "whatsapp-templates.md"
_SECTION = re.compile(r"^### `(?P<name>[a-z_]+)`", re.MULTILINE)
_LANGUAGE = re.compile(r"^\w+ \(`(?P<code>[a-z]{2})`\):\s*\n\s*```\n(?P<body>.*?)\n```", re.MULTILINE | re.DOTALL)
#: "Button text: `…`", or "Button texts: `…`, `…`" for a template with quick replies after it: the first is the URL
#: button's (the quick replies carry no link).
_BUTTON = re.compile(r"^Button texts?: `(?P<text>[^`]+)`", re.MULTILINE)
_VARIABLE = re.compile(r"\{\{(\d+)\}\}")
_BOLD = re.compile(r"\*([^*\n]+)\*")
DOC_PREFIX = "pelita_"


@dataclass(frozen=True)
class Approved:
    body: str
    button: str | None


@cache
def approved_templates(path: Path = DOC) -> dict[tuple[str, str], Approved]:
    """{(purpose, language): the approved body and button text} of every template the document lists."""
    if not path.exists():  # an image without the docs: the page shows the raw variables
        return {}
    text = path.read_text(encoding="utf-8")
    heads = list(_SECTION.finditer(text))
    found = {}
    for head, after in zip(heads, [*heads[1:], None], strict=True):
        section = text[head.end() : after.start() if after else len(text)]
        purpose = head.group("name").removeprefix(DOC_PREFIX)
        languages = list(_LANGUAGE.finditer(section))
        for language, following in zip(languages, [*languages[1:], None], strict=True):
            rest = section[language.end() : following.start() if following else len(section)]
            button = _BUTTON.search(rest)
            found[(purpose, language.group("code"))] = Approved(language.group("body"), button and button.group("text"))
    return found


def registration_url() -> str:
    """The fixed part of the button's URL: the registration service's public address (as the template at Meta)."""
    port = os.environ.get("REGISTRATION_PORT", "8001")
    return (os.environ.get("REGISTRATION_PUBLIC_URL") or f"http://127.0.0.1:{port}").rstrip("/")


def as_on_the_phone(template: dict | None) -> dict | None:
    """The message as the phone shows it: {"html": body, "buttons": [(text, url)]}; None when the template is not
    in the document (the page then shows the raw variables)."""
    if not template:
        return None
    prefix = os.environ.get("WHATSAPP_TEMPLATE_PREFIX", DOC_PREFIX)
    purpose = str(template.get("name") or "").removeprefix(prefix)
    approved = approved_templates().get((purpose, template.get("language") or ""))
    if approved is None:
        return None
    values = template.get("parameters") or []

    def fill(match: re.Match) -> str:
        index = int(match.group(1)) - 1
        return values[index] if index < len(values) else match.group(0)

    # The approved text is escaped and its *bold* marked first; the variables (someone's typed text) are escaped
    # and put in after, so an asterisk in a name makes nothing bold.
    html = _BOLD.sub(r"<strong>\1</strong>", str(escape(approved.body)))
    html = _VARIABLE.sub(lambda match: str(escape(fill(match))), html)
    # The certificate's button opens its download (/s/), the evaluation's its form (/e/), every other one the cancel
    # link (/k/).
    path = {"certificate": "s", "evaluation": "e"}.get(purpose, "k")
    buttons = [
        (approved.button, f"{registration_url()}/{path}/{button['text']}")
        for button in template.get("buttons") or []
        if approved.button and button.get("sub_type") == "url"
    ]
    return {"html": Markup(html), "buttons": buttons}


_URL = re.compile(r"https?://[^\s<>\"']+")


def text_as_on_the_phone(text: str) -> Markup:
    """An SMS as a phone shows it: its web addresses made links, as every phone's messages app does."""
    escaped = str(escape(text))
    return Markup(_URL.sub(lambda match: f'<a href="{match.group(0)}">{match.group(0)}</a>', escaped))
