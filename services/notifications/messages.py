"""Message texts: one template per purpose, channel and locale, staff-edited in the store or the file default.

An email's file template holds its subject on the first line. Staff edit templates in the browser, so the texts
are rendered in Jinja's sandbox and checked before they are saved: only the placeholders a purpose offers, only
simple `{% if %}` logic and a few filters.
"""

import difflib
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import TemplateAssertionError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from services.notifications.sms import gsm_safe, measure
from shared.timeutil import format_when

TEMPLATES = Path(__file__).resolve().parent / "templates" / "messages"
_env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True)
_html = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True)
_sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)
URL = re.compile(r"https?://[^\s<>\"]+")
LOCALES = ("id", "en")
CHANNELS = ("email", "sms", "whatsapp")
PURPOSES = (
    "confirmation",
    "waitlisted",
    "promoted",
    "reminder",
    "event_changed",
    "event_cancelled",
    "registration_cancelled",
    "certificate",
    "report",
)

#: What every message about a registration may say.
PARTICIPANT_PLACEHOLDERS = {
    "recipient.full_name": _l("Nama peserta"),
    "recipient.checkin_code": _l("Kode hadir yang ditunjukkan saat datang"),
    "recipient.cancel_url": _l("Tautan pendek untuk membatalkan pendaftaran"),
    "event.title": _l("Judul acara"),
    "event.venue": _l("Tempat acara"),
    "event.kabupaten_name": _l("Kabupaten/kota acara"),
    "event.url": _l("Halaman acara untuk mendaftar"),
    "when": _l("Waktu mulai acara dalam WITA, mis. Selasa, 17 Maret 2026 pukul 08.30 WITA"),
    "opt_out_url": _l("Tautan untuk berhenti menerima pengingat"),
}
EXTRA_PLACEHOLDERS = {
    "waitlisted": {"recipient.waitlist_position": _l("Urutan peserta di daftar tunggu")},
    "reminder": {"lead": _l("Sisa waktu sebelum acara, mis. 3 hari lagi, besok, 2 jam lagi")},
    "event_cancelled": {"reason": _l("Alasan pembatalan dari panitia (bisa kosong)")},
    "certificate": {
        "certificate_url": _l("Tautan pendek untuk mengunduh sertifikat (PDF)"),
        "certificate_number": _l("Nomor sertifikat"),
    },
}
REPORT_PLACEHOLDERS = {
    "subject": _l("Judul laporan dari layanan pelaporan"),
    "body_text": _l("Ringkasan laporan dari layanan pelaporan"),
    "download_url": _l("Tautan unduhan laporan (berlaku terbatas)"),
    "period_start": _l("Awal periode laporan"),
    "period_end": _l("Akhir periode laporan"),
}
FILTERS = ("upper", "lower", "title", "capitalize", "trim", "default")
TESTS = ("defined", "none", "number", "string")
#: Template constructs staff may use: text, placeholders, conditions and the filters above.
ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Const,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
    nodes.Filter,
    nodes.Test,
)


def channels_for(purpose: str) -> tuple[str, ...]:
    """Report mails go by email only; every message to a participant has a text per channel."""
    return ("email",) if purpose == "report" else CHANNELS


def placeholders(purpose: str) -> dict[str, str]:
    """Return the placeholders a `purpose` template may use, each with what it stands for."""
    if purpose == "report":
        return dict(REPORT_PLACEHOLDERS)
    return {**PARTICIPANT_PLACEHOLDERS, **EXTRA_PLACEHOLDERS.get(purpose, {})}


@dataclass(frozen=True)
class Source:
    """The text of one template: an email's subject and body, or a text message's body (subject empty)."""

    subject: str
    body: str
    #: Who last changed it in the store, and when; None for the file default.
    updated_by: str | None = None
    updated_at: datetime | None = None

    @property
    def stored(self) -> bool:
        return self.updated_at is not None


def file_name(purpose: str, locale: str, channel: str) -> str:
    """Return the default template file of `purpose` on `channel` in `locale` (Indonesian when none exists)."""
    kind = "txt" if channel == "email" else "sms.txt"  # WhatsApp's default is the SMS text
    name = f"{purpose}.{locale}.{kind}"
    return name if (TEMPLATES / name).exists() else f"{purpose}.id.{kind}"


def file_source(purpose: str, channel: str, locale: str) -> Source:
    """Return the default text shipped with the service: the seed of every staff-edited template."""
    text = (TEMPLATES / file_name(purpose, locale, channel)).read_text(encoding="utf-8")
    if channel != "email":
        return Source("", text)
    subject, _, body = text.partition("\n")
    return Source(subject.strip(), body.lstrip("\n"))


def check(purpose: str, source: str) -> list[str]:
    """Return what is wrong with a template's text for `purpose`, in words staff understand (empty when fine)."""
    try:
        tree = _sandbox.parse(source)
    except TemplateSyntaxError as error:
        return [_l("Penulisan templat salah di baris %(line)s: %(detail)s", line=error.lineno, detail=error.message)]
    allowed, problems = placeholders(purpose), []
    objects = {name.partition(".")[0] for name in allowed if "." in name}

    def unknown(name: str):
        close = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.5)
        if close:
            return _l(
                "Placeholder {{ %(name)s }} tidak dikenal. Maksud Anda {{ %(close)s }}?", name=name, close=close[0]
            )
        return _l("Placeholder {{ %(name)s }} tidak dikenal; lihat daftar placeholder yang dapat dipakai.", name=name)

    def refuse(text) -> None:
        if text not in problems:
            problems.append(text)

    for node in _walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            refuse(
                _l(
                    "Bagian %(part)s tidak didukung di templat pesan; pakai teks, placeholder dan {%% if %%}.",
                    part=_describe(node),
                )
            )
        elif isinstance(node, nodes.Getattr):
            name = f"{_dotted(node.node)}.{node.attr}"
            if not isinstance(node.node, nodes.Name) or name not in allowed:
                refuse(unknown(name))
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            if node.name in objects and not _is_getattr_target(tree, node):
                refuse(
                    _l(
                        "Placeholder {{ %(name)s }} perlu nama bagiannya, mis. {{ %(name)s.%(example)s }}.",
                        name=node.name,
                        example=_first_attr(allowed, node.name),
                    )
                )
            elif node.name not in allowed and node.name not in objects:
                refuse(unknown(node.name))
        elif isinstance(node, nodes.Filter) and node.name not in FILTERS:
            refuse(
                _l(
                    "Filter |%(name)s tidak didukung. Yang dapat dipakai: %(known)s.",
                    name=node.name,
                    known=", ".join(FILTERS),
                )
            )
        elif isinstance(node, nodes.Test) and node.name not in TESTS:
            refuse(_l('Uji "is %(name)s" tidak didukung.', name=node.name))
    if not problems:
        try:
            _sandbox.from_string(source)
        except (TemplateSyntaxError, TemplateAssertionError) as error:
            refuse(_l("Penulisan templat salah: %(detail)s", detail=str(error)))
    return problems


def _walk(node: nodes.Node):
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    return "…"


def _is_getattr_target(tree: nodes.Template, name: nodes.Name) -> bool:
    return any(getattr_node.node is name for getattr_node in tree.find_all(nodes.Getattr))


def _first_attr(allowed: dict, obj: str) -> str:
    return next(name.partition(".")[2] for name in allowed if name.startswith(f"{obj}."))


def _describe(node: nodes.Node) -> str:
    words = {
        nodes.For: "{% for %}",
        nodes.Include: "{% include %}",
        nodes.Import: "{% import %}",
        nodes.FromImport: "{% from %}",
        nodes.Extends: "{% extends %}",
        nodes.Macro: "{% macro %}",
        nodes.Assign: "{% set %}",
        nodes.AssignBlock: "{% set %}",
        nodes.Call: "( )",
        nodes.Getitem: "[ ]",
    }
    return next((text for kind, text in words.items() if isinstance(node, kind)), type(node).__name__)


@functools.lru_cache(maxsize=256)
def _compiled(source: str):
    return _sandbox.from_string(source)


def format_day(value, locale: str) -> str:
    """A date the way the locale writes it: "9 Maret 2026"."""
    from babel.dates import format_date

    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return format_date(day, "d MMMM y", locale=locale if locale in LOCALES else "id")


def lead_text(offset_kind: str, n: int, locale: str) -> str:
    """Say how long until the event in `locale`: "3 hari lagi", "besok", "2 jam lagi"."""
    locale = locale if locale in LOCALES else "id"
    return _env.get_template(f"_lead.{locale}.txt").render(lead_kind=offset_kind, lead_n=n).strip()


def render_source(source: Source, channel: str, **context) -> tuple[str, str]:
    """Render a template's text: (subject, body) for email; ("", body on one line) for SMS and WhatsApp."""
    body = _compiled(source.body).render(**context)
    if channel == "sms":  # a curly quote in a name must not make it UCS-2: 67 characters a part instead of 153
        return "", gsm_safe(" ".join(body.split()))
    if channel != "email":
        return "", " ".join(body.split())
    subject = " ".join(_compiled(source.subject).render(**context).split())
    return subject, body.lstrip("\n")


def render(purpose: str, locale: str, channel: str = "email", **context) -> tuple[str, str]:
    """Return (subject, body) of the `purpose` message on `channel` in `locale`; SMS and WhatsApp have no subject.

    The text staff saved for this purpose, channel and locale is used when there is one, else the file default.
    """
    from services.notifications import store  # the store imports this module: a top-level import would loop

    locale = locale if locale in LOCALES else "id"
    event = context.get("event")
    if event is not None:
        context.setdefault("when", format_when(event.starts_at, locale))
    if "lead_kind" in context:
        context.setdefault("lead", lead_text(context["lead_kind"], context["lead_n"], locale))
    source = store.template_source(purpose, channel, locale)
    subject, body = render_source(source, channel, **context)
    if channel == "sms":
        body = _fit_sms(source, body, context)
    return subject, body


#: An SMS is at most this many parts (2 GSM-7 parts: 306 characters): long names, titles and venues are cut to fit.
MAX_SMS_SEGMENTS = 2
#: The lengths a long name, title or venue is cut to, one after the other, until the SMS fits.
SMS_CUTS = (60, 45, 32, 20)
SMS_SHORTENED = {"recipient": ("full_name",), "event": ("title", "venue")}


def _fit_sms(source: Source, body: str, context: dict) -> str:
    """Return `body`, or the SMS rendered again with the longest free-text fields cut, until it fits in
    MAX_SMS_SEGMENTS parts; the code and the links are never cut."""
    for cut in SMS_CUTS:
        if measure(body).segments <= MAX_SMS_SEGMENTS:
            break
        shortened = {
            key: _Shortened(context[key], fields, cut) for key, fields in SMS_SHORTENED.items() if key in context
        }
        body = render_source(source, "sms", **(context | shortened))[1]
    return body


class _Shortened:
    """A recipient or event as an SMS shows it: its free-text `fields` cut to `cut` characters at a word."""

    def __init__(self, target, fields: tuple[str, ...], cut: int) -> None:
        self._target = target
        for name in fields:
            setattr(self, name, _cut(str(getattr(target, name) or ""), cut))

    def __getattr__(self, name: str):
        return getattr(self._target, name)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,.-") + "..."


#: The body parameters ({{1}}, {{2}}, …) of each approved WhatsApp template, in order (docs/whatsapp-templates.md).
WHATSAPP_BODY = {
    "confirmation": ("recipient.full_name", "event.title", "when", "event.venue", "recipient.checkin_code"),
    "promoted": ("recipient.full_name", "event.title", "when", "event.venue", "recipient.checkin_code"),
    "reminder": ("recipient.full_name", "event.title", "lead", "when", "event.venue", "recipient.checkin_code"),
    "waitlisted": ("recipient.full_name", "event.title", "recipient.waitlist_position"),
    "event_changed": ("recipient.full_name", "event.title", "when", "event.venue"),
    "event_cancelled": ("recipient.full_name", "event.title", "when"),
    "registration_cancelled": ("recipient.full_name", "event.title"),
    "certificate": ("recipient.full_name", "event.title", "certificate_number"),
}
#: Templates with a "Batalkan pendaftaran" URL button: its fixed part is the registration service's /k/, the
#: dynamic suffix the registration's cancel code.
WHATSAPP_CANCEL_BUTTON = ("confirmation", "promoted", "reminder", "waitlisted", "event_changed")
_SHORT_LINK = re.compile(r"/k/([A-Za-z0-9]{4,20})$")
#: Templates with a "Unduh sertifikat" URL button: its fixed part is the registration service's /s/, the dynamic
#: suffix the certificate's download code.
WHATSAPP_CERTIFICATE_BUTTON = ("certificate",)
_CERTIFICATE_LINK = re.compile(r"/s/([A-Za-z0-9]{4,20})$")


def whatsapp_parameters(purpose: str, locale: str, **context) -> dict[str, list[str]]:
    """Return the values of the `purpose` template's body parameters and URL button suffixes, as Meta takes them.

    A parameter may hold no line break, tab or run of spaces, and may not be empty.
    """
    locale = locale if locale in LOCALES else "id"
    context.setdefault("when", format_when(context["event"].starts_at, locale))
    if "lead_kind" in context:
        context.setdefault("lead", lead_text(context["lead_kind"], context["lead_n"], locale))
    values = [" ".join(str(_value(context, name) or "-").split()) or "-" for name in WHATSAPP_BODY.get(purpose, ())]
    match = _SHORT_LINK.search(getattr(context.get("recipient"), "cancel_url", "") or "")
    # A registration made before short links has none: its template goes without the button and Meta refuses it,
    # so the message falls back to SMS, which carries the long link.
    buttons = [match.group(1)] if match and purpose in WHATSAPP_CANCEL_BUTTON else []
    if purpose in WHATSAPP_CERTIFICATE_BUTTON:
        link = _CERTIFICATE_LINK.search(context.get("certificate_url") or "")
        buttons = [link.group(1)] if link else []
    return {"body": values, "buttons": buttons}


def _value(context: dict, name: str):
    head, _, attr = name.partition(".")
    value = context.get(head)
    return getattr(value, attr, None) if attr else value


#: Where, in text that is not one of Pelita's links, a mail client could see a web or mail address: a dot, an @ or
#: a colon between two visible characters ("evil.example", "a@b.c", "https://"). Each is wrapped in its own
#: <span> (below) so the address is no longer one run of text.
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
