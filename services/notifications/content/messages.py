"""Message texts: one template per purpose, channel and locale, staff-edited in the store or the file default.

An email's file template holds its subject on the first line. Staff edit templates in the browser, so the texts
are rendered in Jinja's sandbox and checked before they are saved: only the placeholders a purpose offers, only
simple `{% if %}` logic and a few filters.
"""

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import g
from flask_babel import lazy_gettext as _l
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from services.notifications import store
from services.notifications.content import behalf
from services.notifications.content.sms import gsm_safe, measure
from services.notifications.replies import button_payloads
from shared.states import Channel, Purpose
from shared.timeutil import format_when

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "messages"
_env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True)
_html = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True)
_sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)
URL = re.compile(r"https?://[^\s<>\"]+")
LOCALES = ("id", "en")
CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)
PURPOSES = (
    Purpose.CONFIRMATION,
    Purpose.WAITLISTED,
    Purpose.PROMOTED,
    Purpose.REMINDER,
    Purpose.EVENT_CHANGED,
    Purpose.EVENT_CANCELLED,
    Purpose.REGISTRATION_CANCELLED,
    Purpose.CERTIFICATE,
    Purpose.EVALUATION,
    Purpose.REPORT,
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
    Purpose.WAITLISTED: {"recipient.waitlist_position": _l("Urutan peserta di daftar tunggu")},
    Purpose.REMINDER: {"lead": _l("Sisa waktu sebelum acara, mis. 3 hari lagi, besok, 2 jam lagi")},
    "event_cancelled": {"reason": _l("Alasan pembatalan dari panitia (bisa kosong)")},
    Purpose.CERTIFICATE: {
        "certificate_url": _l("Tautan pendek untuk mengunduh sertifikat (PDF)"),
        "certificate_number": _l("Nomor sertifikat"),
    },
    Purpose.EVALUATION: {"evaluation_url": _l("Tautan pendek ke formulir evaluasi pelatihan")},
}
REPORT_PLACEHOLDERS = {
    "subject": _l("Judul laporan dari layanan pelaporan"),
    "body_text": _l("Ringkasan laporan dari layanan pelaporan"),
    "download_url": _l("Tautan unduhan laporan (berlaku terbatas)"),
    "period_start": _l("Awal periode laporan"),
    "period_end": _l("Akhir periode laporan"),
}


def channels_for(purpose: str) -> tuple[str, ...]:
    """Report mails go by email only; every message to a participant has a text per channel."""
    return (Channel.EMAIL,) if purpose == Purpose.REPORT else CHANNELS


def placeholders(purpose: str) -> dict[str, str]:
    """Return the placeholders a `purpose` template may use, each with what it stands for."""
    if purpose == Purpose.REPORT:
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
    kind = "txt" if channel == Channel.EMAIL else "sms.txt"  # WhatsApp's default is the SMS text
    name = f"{purpose}.{locale}.{kind}"
    return name if (TEMPLATES / name).exists() else f"{purpose}.id.{kind}"


def file_source(purpose: str, channel: str, locale: str) -> Source:
    """Return the default text shipped with the service: the seed of every staff-edited template."""
    text = (TEMPLATES / file_name(purpose, locale, channel)).read_text(encoding="utf-8")
    if channel != Channel.EMAIL:
        return Source("", text)
    subject, _, body = text.partition("\n")
    return Source(subject.strip(), body.lstrip("\n"))


def template_source(purpose: str, channel: str, locale: str) -> Source:
    """The text a message is rendered from: staff's for this channel (WhatsApp: else SMS's), else the file's.

    Read once per app context (a task, a request): a registration's confirmation and its reminders share it.
    Saving or resetting a template forgets what was read.
    """
    known = g.setdefault("template_sources", {})
    key = (purpose, channel, locale)
    if key not in known:
        known[key] = _read_template_source(purpose, channel, locale)
    return known[key]


def _read_template_source(purpose: str, channel: str, locale: str) -> Source:
    for candidate in (channel, Channel.SMS) if channel == Channel.WHATSAPP else (channel,):
        row = store.get_template(purpose, candidate, locale)
        if row is not None:
            return Source(row.subject if channel == Channel.EMAIL else "", row.body, row.updated_by, row.updated_at)
    return file_source(purpose, channel, locale)


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
    if channel == Channel.SMS:  # a curly quote in a name must not make it UCS-2: 67 characters a part instead of 153
        return "", gsm_safe(" ".join(body.split()))
    if channel != Channel.EMAIL:
        return "", " ".join(body.split())
    subject = " ".join(_compiled(source.subject).render(**context).split())
    return subject, body.lstrip("\n")


def render(purpose: str, locale: str, channel: str = Channel.EMAIL, **context) -> tuple[str, str]:
    """Return (subject, body) of the `purpose` message on `channel` in `locale`; SMS and WhatsApp have no subject.

    The text staff saved for this purpose, channel and locale is used when there is one, else the file default.
    """
    locale = locale if locale in LOCALES else "id"
    event = context.get("event")
    if event is not None:
        context.setdefault("when", format_when(event.starts_at, locale))
    if "lead_kind" in context:
        context.setdefault("lead", lead_text(context["lead_kind"], context["lead_n"], locale))
    source = template_source(purpose, channel, locale)
    subject, body = render_source(source, channel, **context)
    if channel == Channel.SMS:  # someone reached through their registrant's phone: the SMS says whom it is for
        prefix = behalf.sms_prefix(context.get("recipient"), locale)
        return subject, _fit_sms(source, gsm_safe(prefix) + body, context, prefix)
    return behalf.with_whom(context.get("recipient"), locale, channel, subject, body)


#: An SMS is at most this many parts (2 GSM-7 parts: 306 characters): long names, titles and venues are cut to fit.
MAX_SMS_SEGMENTS = 2
#: The lengths a long name, title or venue is cut to, one after the other, until the SMS fits.
SMS_CUTS = (60, 45, 32, 20)
SMS_SHORTENED = {"recipient": ("full_name",), "event": ("title", "venue")}


def _fit_sms(source: Source, body: str, context: dict, prefix: str = "") -> str:
    """Return `body`, or the SMS rendered again with the longest free-text fields cut, until it fits in
    MAX_SMS_SEGMENTS parts; the code and the links are never cut."""
    for cut in SMS_CUTS:
        if measure(body).segments <= MAX_SMS_SEGMENTS:
            break
        shortened = {
            key: _Shortened(context[key], fields, cut) for key, fields in SMS_SHORTENED.items() if key in context
        }
        # A cut field ends in "..."; the sentence's own full stop after it would make four dots.
        body = gsm_safe(prefix) + render_source(source, Channel.SMS, **(context | shortened))[1].replace("....", "...")
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
    Purpose.CONFIRMATION: ("recipient.full_name", "event.title", "when", "event.venue", "recipient.checkin_code"),
    Purpose.PROMOTED: ("recipient.full_name", "event.title", "when", "event.venue", "recipient.checkin_code"),
    Purpose.REMINDER: ("recipient.full_name", "event.title", "lead", "when", "event.venue", "recipient.checkin_code"),
    Purpose.WAITLISTED: ("recipient.full_name", "event.title", "recipient.waitlist_position"),
    Purpose.EVENT_CHANGED: ("recipient.full_name", "event.title", "when", "event.venue"),
    Purpose.EVENT_CANCELLED: ("recipient.full_name", "event.title", "when"),
    Purpose.REGISTRATION_CANCELLED: ("recipient.full_name", "event.title"),
    Purpose.CERTIFICATE: ("recipient.full_name", "event.title", "certificate_number"),
    Purpose.EVALUATION: ("recipient.full_name", "event.title"),
    Purpose.ANNOUNCEMENT: ("recipient.full_name", "event.title", "subject", "text"),
}
#: Templates with a "Batalkan pendaftaran" URL button: its fixed part is the registration service's /k/, the
#: dynamic suffix the registration's cancel code.
WHATSAPP_CANCEL_BUTTON = (
    Purpose.CONFIRMATION,
    Purpose.PROMOTED,
    Purpose.REMINDER,
    Purpose.WAITLISTED,
    Purpose.EVENT_CHANGED,
)
#: Templates with the quick-reply buttons "Hadir" and "Batal" after the URL button (replies.button_payloads).
WHATSAPP_REPLY_BUTTONS = (Purpose.REMINDER,)
_SHORT_LINK = re.compile(r"/k/([A-Za-z0-9]{4,20})$")
#: Templates with a "Unduh sertifikat" URL button: its fixed part is the registration service's /s/, the dynamic
#: suffix the certificate's download code.
WHATSAPP_CERTIFICATE_BUTTON = (Purpose.CERTIFICATE,)
_CERTIFICATE_LINK = re.compile(r"/s/([A-Za-z0-9]{4,20})$")
#: Templates with an "Isi evaluasi" URL button: fixed part the registration service's /e/, the dynamic suffix the
#: evaluation's code.
WHATSAPP_EVALUATION_BUTTON = (Purpose.EVALUATION,)
_EVALUATION_LINK = re.compile(r"/e/([A-Za-z0-9]{4,20})$")


def whatsapp_parameters(purpose: str, locale: str, **context) -> dict[str, list[str]]:
    """Return the values of the `purpose` template's body parameters and URL button suffixes, as Meta takes them.

    A parameter may hold no line break, tab or run of spaces, and may not be empty.
    """
    locale = locale if locale in LOCALES else "id"
    context.setdefault("when", format_when(context["event"].starts_at, locale))
    if "lead_kind" in context:
        context.setdefault("lead", lead_text(context["lead_kind"], context["lead_n"], locale))
    values = [" ".join(str(_value(context, name) or "-").split()) or "-" for name in WHATSAPP_BODY.get(purpose, ())]
    if values and (whom := behalf.for_whom(context.get("recipient"), locale, "whatsapp")):  # {{1}}: "Rina (untuk Siti)"
        values[0] = " ".join(whom.split())
    match = _SHORT_LINK.search(getattr(context.get("recipient"), "cancel_url", "") or "")
    # A registration made before short links has none: its template goes without the button and Meta refuses it,
    # so the message falls back to SMS, which carries the long link.
    buttons = [match.group(1)] if match and purpose in WHATSAPP_CANCEL_BUTTON else []
    if purpose in WHATSAPP_CERTIFICATE_BUTTON:
        link = _CERTIFICATE_LINK.search(context.get("certificate_url") or "")
        buttons = [link.group(1)] if link else []
    if purpose in WHATSAPP_EVALUATION_BUTTON:
        link = _EVALUATION_LINK.search(context.get("evaluation_url") or "")
        buttons = [link.group(1)] if link else []
    recipient = context.get("recipient")
    if purpose in WHATSAPP_REPLY_BUTTONS and getattr(recipient, "registration_id", None):
        return {"body": values, "buttons": buttons, "quick_replies": button_payloads(recipient.registration_id)}
    return {"body": values, "buttons": buttons}


def _value(context: dict, name: str):
    head, _, attr = name.partition(".")
    value = context.get(head)
    return getattr(value, attr, None) if attr else value


#: Where, in text that is not one of Pelita's links, a mail client could see a web or mail address: a dot, an @ or
#: a colon between two visible characters ("evil.example", "a@b.c", "https://"). Each is wrapped in its own
#: <span> (below) so the address is no longer one run of text.
