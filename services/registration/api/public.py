"""The public pages: upcoming events, an event, the registration form, the confirmation, the cancel link."""

import logging
from urllib.parse import quote

import phonenumbers
import segno
from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from marshmallow import ValidationError

from services.registration import certdoc, certificates, formtime, knowledge, labels, mydata, notices, queries, service
from services.registration.metrics import BOT_SUSPECTED
from services.registration.ratelimit import form_rate_limit, link_rate_limit
from services.registration.schemas.registrations import RegistrationFormSchema
from shared import regions
from shared.states import RegistrationStatus
from shared.timeutil import format_when, utcnow
from shared.web import field_errors, select_locale
from shared.web.pagecache import page_cache

logger = logging.getLogger(__name__)
bp = Blueprint("public", __name__)
#: One instance for every request: a marshmallow schema keeps no state between loads, and building one is costly.
FORM = RegistrationFormSchema()


@bp.get("/")
def index():
    """List the events people can still register for."""
    return render_template("public/index.html", events=queries.list_open_events(utcnow()))


@bp.get("/acara/<event_id>")
def event(event_id: str):
    """Show one event: when (WITA), where, seats left; with what a shared link's preview shows (Open Graph)."""
    view = service.public_event_view(event_id)  # a row: the page itself comes from the cache, most often
    # The same page for everyone while the event's row is: rendered once per process, locale and release.
    key = (*view, service.is_open(view))
    return page_cache().render(key, "public/event.html", lambda: _event_context(service.get_public_event(event_id)))


def _event_context(event) -> dict:
    poster = queries.poster_sizes(event.id) if event.poster_version else None
    return {
        "event": event,
        "open_": service.is_open,
        "share": _share(event),
        "poster": poster,
        "contact": _contact(event),
    }


def _share(event) -> dict:
    """The event's address, its link preview and a wa.me link whose message has the title, date and address."""
    url = service.event_url(event.id)
    when = format_when(event.starts_at, str(get_locale() or "id"))
    return {
        "url": url,
        "description": f"{when} · {event.venue}, {event.kabupaten.name}",
        "image": service.poster_url(event),
        "whatsapp": "https://wa.me/?text=" + quote(f"{event.title}\n{when}\n{url}", safe=""),
    }


def _contact(event) -> dict | None:
    """The contact person, their number written as people write it and a wa.me link to chat with them."""
    if not event.contact_name or not event.contact_whatsapp:
        return None
    number = phonenumbers.parse(event.contact_whatsapp, "ID")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return {"name": event.contact_name, "number": national, "link": f"https://wa.me/{event.contact_whatsapp[1:]}"}


@bp.get("/privasi", defaults={"version": None})
@bp.get("/privasi/<version>")
def privacy(version: str | None):
    """The privacy notice: the current one, or the version a person was shown when they consented."""
    notice = notices.NOTICES.get(version or notices.CURRENT)
    if notice is None:
        abort(404)
    days = round(current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
    title, sections = notice.sections(select_locale(), days)
    return render_template(
        "public/privacy.html", notice=notice, title=title, sections=sections, current=notices.CURRENT
    )


@bp.get("/acara/<event_id>/poster/<version>/<any(besar, kecil):size>.jpg")
def poster(event_id: str, version: str, size: str):
    """An event's poster: `besar` for link previews, `kecil` for the page. An address names one version, forever."""
    row = service.get_public_poster(event_id, version)
    response = make_response(row.large if size == "besar" else row.small)
    response.mimetype = "image/jpeg"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.route("/acara/<event_id>/daftar", methods=["GET", "POST"])
def register(event_id: str):
    """Show and accept the registration form (works without JavaScript)."""
    if request.method == "GET":
        return _first_form(service.open_event_view(event_id))
    if "refresh" in request.form:  # the no-JS way to fill the kecamatan/desa lists
        return _form(service.open_event(event_id), request.form, {})  # uncounted: it stores nothing, as a GET
    form_rate_limit.check()  # every submission counts, the honeypot's and the mistyped ones included
    if turned_away := screen(event_id, _form):
        return turned_away
    try:  # checked before the store is touched: no transaction waits on a typing mistake
        data = FORM.load(knowledge.without_answers(request.form.to_dict()))
        pretest = knowledge.read_answers(queries.list_questions(event_id[:36]), request.form)
    except ValidationError as error:
        return _form(service.open_event(event_id), request.form, field_errors(error.messages)), 400
    except knowledge.Unreadable as error:
        return _form(service.open_event(event_id), request.form, error.errors), 400
    data.pop("website", None)
    registration, created = service.register(event_id, data | {"locale": select_locale()})
    if not created:  # the same page whoever registered first: it tells nothing about them
        return render_template("public/already.html", event=service.get_public_event(event_id)), 200
    knowledge.record_pretest(registration.id, event_id, pretest)
    return redirect(url_for(".confirmation", token=service.sign(service.PAGE, registration.id)), 303)


def form_again(event_id: str):
    """The form as it was sent, to send once more: its CSRF check failed (the session cookie it was tied to is gone)."""
    again = _("Isian Anda masih ada, tetapi perlu dikirim sekali lagi. Periksa isian, lalu tekan Kirim pendaftaran.")
    return _form(service.open_event(event_id), request.form, {"csrf_token": [again]})


def screen(event_id: str, form_view):
    """Answer a submission no person made, or one whose render time cannot be believed; None lets it through.

    `form_view(event, values, errors, stamp)` shows the form again (the one person's, or the group's)."""
    if request.form.get("website"):  # the honeypot: a person never sees this field
        return _bot(event_id, "honeypot")
    try:
        seconds = formtime.seconds_open(request.form.get(formtime.FIELD))
    except formtime.Untrusted as error:  # shown again with what they typed: nothing is lost
        logger.info("form_time_untrusted: %s", error.reason, extra={"reason": error.reason, "event_id": event_id})
        errors = {formtime.FIELD: [error.message]}
        return form_view(service.open_event(event_id), request.form, errors, error.stamp), 400
    if seconds < current_app.config["FORM_MIN_SECONDS"]:
        return _bot(event_id, "too_fast")
    return None


def _bot(event_id: str, reason: str):
    """Thank a bot as a person is thanked (it learns nothing to work around) and store nothing; count it."""
    service.open_event(event_id)
    BOT_SUSPECTED.labels(reason=reason).inc()
    logger.warning("bot_suspected: %s", reason, extra={"reason": reason, "event_id": event_id})
    return redirect(url_for(".thanks"), 303)


def region_lists(kabupaten: str, kecamatan: str) -> dict:
    """The three lists of the place fields: kecamatan once a kabupaten is chosen, desa once its kecamatan is."""
    return {
        "kabupaten": _options(regions.kabupaten()),
        "kecamatan": _options(regions.children(kabupaten)) if kabupaten else [],
        "desa": _options(regions.children(kecamatan)) if regions.is_child(kecamatan, kabupaten) else [],
    }


def _form(event, values, errors: dict, rendered_at: str | None = None):
    """The form filled with `values`; it keeps the render time it was first shown with while that is still good."""
    lists = region_lists(values.get("kabupaten_code") or "", values.get("kecamatan_code") or "")
    stamp = rendered_at or formtime.stamp(values.get(formtime.FIELD))
    pretest = queries.list_questions(event.id)
    return render_template(
        "public/form.html", **_form_context(event, values, errors, lists, pretest), rendered_at=stamp
    )


def _first_form(view):
    """The form as first shown: the same for everyone but for the CSRF token and the render time, so it is rendered
    once per event (what the page shows of it: `view`, a row), locale and release, those two fresh for each visitor."""
    pretest = queries.list_questions(view.id)  # added or deleted, never edited: their ids say which are asked
    key = (view.id, view.title, view.starts_at, view.venue, view.kabupaten_code, bool(view.seats_left))
    key += (tuple(question.id for question in pretest),)
    fresh = {"csrf_token": generate_csrf, "rendered_at": formtime.stamp}
    context = lambda: _first_context(view.id, pretest)  # noqa: E731
    return page_cache().render(key, "public/form.html", context, fresh, calls=("csrf_token",))


def _first_context(event_id: str, pretest: list) -> dict:
    """What the form's first showing is rendered with, on a cache miss: the event itself, the kabupaten list, the
    knowledge test's questions asked before the training."""
    lists = {"kabupaten": _options(regions.kabupaten()), "kecamatan": [], "desa": []}
    return _form_context(service.open_event(event_id), {}, {}, lists, pretest)


def _form_context(event, values, errors: dict, lists: dict, pretest: list) -> dict:
    return {"event": event, "values": values, "errors": errors, "lists": lists, "labels": labels,
            "notice_version": notices.CURRENT, "pretest": pretest}  # fmt: skip


def _options(areas) -> list[tuple[str, str]]:
    return [(area.code, area.name) for area in areas]


@bp.get("/terima-kasih")
def thanks():
    return render_template("public/thanks.html")


@bp.get("/pendaftaran/<token>")
def confirmation(token: str):
    """Show a registration: status, and for a seat the check-in code and the QR code staff scan at the door."""
    registration = service.unsign(service.PAGE, token)
    seat = registration.status == RegistrationStatus.CONFIRMED  # someone waiting has nothing to show at the door yet
    qr = segno.make(service.checkin_url(registration.id), error="m").svg_inline(scale=5, border=2) if seat else None
    return render_template(
        "public/confirmation.html",
        registration=registration,
        position=queries.waitlist_position(registration),
        qr=qr,
        cancel_url=service.cancel_url(registration.id),
        my_data_url=mydata.link(registration.id),
    )


@bp.get("/k/<code>")
def short_cancel(code: str):
    """Open the cancel page of the registration a short link in an SMS or WhatsApp message names (and no other)."""
    link_rate_limit.check()
    registration = service.by_cancel_code(code[:20])
    return redirect(service.cancel_url(registration.id), 303)


@bp.route("/r/<token>/batal", methods=["GET", "POST"])
def cancel(token: str):
    """Let a participant give up their seat with the signed link from their messages."""
    registration = service.unsign(service.CANCEL, token)
    my_data_url = mydata.link(registration.id)  # the link in every message leads here: "Data saya" is one step on
    if request.method == "POST" and registration.status != RegistrationStatus.CANCELLED:
        registration = service.cancel_registration(registration.id)
        return render_template("public/cancelled.html", registration=registration, my_data_url=my_data_url)
    keep_url = service.page_url(registration.id)  # changed their mind: back to their registration, seat kept
    return render_template("public/cancel.html", registration=registration, my_data_url=my_data_url, keep_url=keep_url)


@bp.get("/sertifikat/<slug>")
def certificate(slug: str):
    """The verification page a certificate's QR code opens: genuine, replaced or revoked, and only what it shows."""
    link_rate_limit.check()
    verdict = certificates.verify(slug[: certdoc.SLUG_MAX + 1], request.args.get("c", "")[:20],
                                  request.args.get("v"))  # fmt: skip
    response = make_response(
        render_template(
            "public/certificate.html",
            verdict=verdict,
            certificate=verdict.certificate,
            days=certdoc.format_days(verdict.certificate.starts_at, verdict.certificate.ends_at),
            revoked_on=service.format_day(verdict.certificate.revoked_at) if verdict.certificate.revoked_at else "",
        )
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/s/<code>")
def certificate_pdf(code: str):
    """The PDF of the certificate a short link in a message names (its current version)."""
    link_rate_limit.check()
    certificate = certificates.by_download_code(code[:20])
    response = make_response(certificate.pdf)
    response.mimetype = "application/pdf"
    name = certdoc.slug_for(certificate.number)
    response.headers["Content-Disposition"] = f'inline; filename="sertifikat-{name}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
