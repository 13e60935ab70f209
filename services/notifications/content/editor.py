"""The template editor's use cases: preview a text with sample data, check it, save it, go back to the default."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import URLSafeTimedSerializer

from services.notifications import planning, store
from services.notifications.content import checking, messages
from services.notifications.content.sms import SmsLength, measure
from services.notifications.extensions import db
from services.notifications.models import AuditEntry
from shared import audit as trail
from shared.config import env
from shared.states import Channel, Purpose
from shared.timeutil import WITA, format_when, utcnow

SAMPLE_ID = "3f6c2a9e-8b1d-4c7e-9a52-1d0e6b7f4a21"
SUBJECT_MAX = 300
BODY_MAX = 10_000


class EditorError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def known(purpose: str, channel: str, locale: str) -> bool:
    return purpose in messages.PURPOSES and channel in messages.channels_for(purpose) and locale in messages.LOCALES


@dataclass
class Preview:
    subject: str = ""
    body: str = ""
    sms: SmsLength | None = None
    #: {"subject" | "body": [messages]}: what staff must fix before it can be saved.
    errors: dict[str, list[str]] = field(default_factory=dict)


def _sample_start() -> datetime:
    """A Tuesday at 08.30 WITA at least three days ahead, so the sample reads like a real invitation."""
    day = (utcnow().astimezone(WITA) + timedelta(days=3)).date()
    day += timedelta(days=(1 - day.weekday()) % 7)
    return datetime.combine(day, time(8, 30), tzinfo=WITA)


def sample_context(purpose: str, channel: str, locale: str) -> dict:
    """Realistic values for every placeholder: links as long as real signed links, an Indonesian name and venue."""
    registration = env("REGISTRATION_PUBLIC_URL", "http://127.0.0.1:8001").rstrip("/")
    reporting = env("REPORTING_PUBLIC_URL", "http://127.0.0.1:8003").rstrip("/")
    token = URLSafeTimedSerializer("contoh", salt="contoh").dumps(SAMPLE_ID)
    start = _sample_start()
    if purpose == Purpose.REPORT:
        end = start.date() - timedelta(days=2)
        return {
            "subject": _("Laporan mingguan Pelita %(period)s", period=messages.format_day(end, locale)),
            "body_text": _("Terlampir laporan mingguan program pelatihan: 212 peserta dari 9 kabupaten/kota."),
            "download_url": f"{reporting}/laporan/{token}",
            "period_start": messages.format_day(end - timedelta(days=6), locale),
            "period_end": messages.format_day(end, locale),
        }
    event = SimpleNamespace(
        title="Pelatihan Pengelolaan Perpustakaan Desa Berbasis Inklusi Sosial",
        venue="Aula Dispersip Kabupaten Banjar, Martapura",
        kabupaten_name="Kabupaten Banjar",
        url=f"{registration}/acara/{SAMPLE_ID}",
        starts_at=start,
    )
    recipient = SimpleNamespace(
        full_name="Siti Rahmah",
        checkin_code="KX7P2M9Q",
        cancel_url=f"{registration}/r/{token}/batal",
        waitlist_position=3,
    )
    address = "siti.rahmah@contoh.id" if channel == Channel.EMAIL else "+6281234567890"
    context = {
        "event": event,
        "recipient": recipient,
        "opt_out_url": planning.opt_out_url(address),
        "when": format_when(start, locale),
    }
    if purpose == Purpose.REMINDER:
        context["lead"] = messages.lead_text("days", 3, locale)
    if purpose == Purpose.EVALUATION:
        context["evaluation_url"] = f"{registration}/e/H7M2QX9KPA"
    if purpose == Purpose.EVENT_CANCELLED:
        context["reason"] = (
            "Gedung dipakai untuk posko banjir" if locale == "id" else "The hall is needed as a flood shelter"
        )
    return context


def check(purpose: str, channel: str, subject: str, body: str) -> dict[str, list[str]]:
    """Return the problems of a submitted text by field (empty when it may be saved)."""
    errors: dict[str, list[str]] = {}
    if channel == Channel.EMAIL:
        if not subject.strip():
            errors["subject"] = [_("Subjek wajib diisi.")]
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = [_("Subjek paling banyak %(n)s karakter.", n=SUBJECT_MAX)]
        elif problems := checking.check(purpose, subject):
            errors["subject"] = [str(problem) for problem in problems]
    if not body.strip():
        errors["body"] = [_("Isi pesan wajib diisi.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("Isi pesan paling banyak %(n)s karakter.", n=BODY_MAX)]
    elif problems := checking.check(purpose, body):
        errors["body"] = [str(problem) for problem in problems]
    return errors


def preview(purpose: str, channel: str, locale: str, subject: str, body: str) -> Preview:
    """Check a text and render it with the sample data; SMS also gets its length and parts."""
    errors = check(purpose, channel, subject, body)
    if errors:
        return Preview(errors=errors)
    source = messages.Source(subject if channel == Channel.EMAIL else "", _normalise(body))
    try:
        rendered_subject, rendered_body = messages.render_source(
            source, channel, **sample_context(purpose, channel, locale)
        )
    except Exception as error:  # a placeholder used in a way the sample cannot fill (e.g. arithmetic on text)
        return Preview(errors={"body": [_("Templat tidak dapat ditampilkan: %(detail)s", detail=str(error))]})
    sms = measure(rendered_body) if channel == Channel.SMS else None
    return Preview(rendered_subject, rendered_body, sms)


def _normalise(body: str) -> str:
    """Browsers send CRLF line ends; the texts keep LF."""
    return body.replace("\r\n", "\n").replace("\r", "\n")


def save(purpose: str, channel: str, locale: str, subject: str, body: str, staff) -> tuple[Preview, int]:
    """Save a checked text and give pending messages of this template the new text; return (preview, re-rendered)."""
    _may_edit(staff)
    result = preview(purpose, channel, locale, subject, body)
    if result.errors:
        return result, 0
    store.save_template(
        purpose, channel, locale, subject.strip() if channel == Channel.EMAIL else "", _normalise(body), staff.email
    )
    db.session.flush()
    changed = planning.rerender_pending(purpose, channel, locale)
    trail.record(
        db.session, AuditEntry, "template.save", staff, object_id=f"{purpose}/{channel}/{locale}", commit=False
    )
    db.session.commit()
    current_app.logger.info("template %s/%s/%s saved by %s", purpose, channel, locale, staff.email)
    return result, changed


def reset(purpose: str, channel: str, locale: str, staff) -> int:
    """Go back to the file default; pending messages of this template get it again. Return how many changed."""
    _may_edit(staff)
    store.delete_template(purpose, channel, locale)
    db.session.flush()
    changed = planning.rerender_pending(purpose, channel, locale)
    trail.record(
        db.session, AuditEntry, "template.reset", staff, object_id=f"{purpose}/{channel}/{locale}", commit=False
    )
    db.session.commit()
    return changed


def _may_edit(staff) -> None:
    if not staff.is_provincial:  # the texts serve every kabupaten
        raise EditorError(_("Hanya admin provinsi yang dapat mengubah templat pesan."), 403)


def is_default(purpose: str, channel: str, locale: str, source: messages.Source) -> bool:
    default = messages.file_source(purpose, channel, locale)
    return (source.subject, source.body) == (default.subject, default.body)


def overview() -> dict[tuple[str, str, str], messages.Source | None]:
    """Every purpose × channel × locale with the text staff changed, or None where the default is used."""
    stored = {(row.purpose, row.channel, row.locale): row for row in store.list_templates()}
    result: dict[tuple[str, str, str], messages.Source | None] = {}
    for purpose in messages.PURPOSES:
        for channel in messages.channels_for(purpose):
            for locale in messages.LOCALES:
                row = stored.get((purpose, channel, locale))
                source = row and messages.Source(row.subject, row.body, row.updated_by, row.updated_at)
                changed = source is not None and not is_default(purpose, channel, locale, source)
                result[(purpose, channel, locale)] = source if changed else None
    return result


def seed() -> int:
    """Store the file default of every template not in the store yet (safe to run twice); return how many.

    WhatsApp gets no row of its own: until staff write one, its text follows the SMS text.
    """
    added = 0
    for purpose in messages.PURPOSES:
        for channel in messages.channels_for(purpose):
            for locale in messages.LOCALES:
                if channel != Channel.WHATSAPP and store.get_template(purpose, channel, locale) is None:
                    default = messages.file_source(purpose, channel, locale)
                    store.save_template(purpose, channel, locale, default.subject, default.body, None)
                    added += 1
    db.session.commit()
    return added
