"""Organisers' announcements: write one to an event's people, preview who gets it and how long the SMS is,
confirm and send (once, however often the form is submitted); and the public page of an announcement's full text,
where a long SMS's short link leads."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from services.notifications import labels, queries, service
from services.notifications.content.announcing import SUBJECT_MAX, TEXT_MAX
from services.notifications.schemas import AnnouncementFormSchema
from shared.staffauth import staff_page

bp = Blueprint("announcements", __name__)
AUDIENCES = {
    "confirmed": _l("Peserta terkonfirmasi"),
    "waitlist": _l("Daftar tunggu"),
    "present": _l("Yang sudah hadir (check-in)"),
}


def _page(template: str, event, status: int = 200, **context):
    return (
        render_template(
            template,
            event=event,
            audiences=AUDIENCES,
            labels=labels,
            limits={"subject": SUBJECT_MAX, "text": TEXT_MAX},
            **context,
        ),
        status,
    )


@bp.get("/staf/acara/<event_id>/pengumuman")
@staff_page
def form(event_id: str):
    """The form, and the announcements already sent for the event."""
    event = service.staff_event(event_id, g.staff)
    past = queries.list_announcements(event_id)
    return _page("staff/announcement_form.html", event, values={"audience": "confirmed"}, errors={}, past=past)


@bp.post("/staf/acara/<event_id>/pengumuman")
@staff_page
def submit(event_id: str):
    """Preview (the default), or send after the organiser confirmed on the preview."""
    event = service.staff_event(event_id, g.staff)
    values = AnnouncementFormSchema.cleaned(request.form)
    try:
        draft = service.announcements.Draft(**AnnouncementFormSchema().load(values))
    except ValidationError as error:
        past = queries.list_announcements(event_id)
        return _page("staff/announcement_form.html", event, 400, values=values, errors=error.messages, past=past)
    if request.form.get("action") == "send":
        if request.form.get("confirm") == "ya":
            announcement, new = service.announcements.send(event_id, g.staff, draft, request.form.get("key", ""))
            if new:
                flash(_("Pengumuman dijadwalkan untuk %(n)s orang.", n=sum(announcement.counts.values())), "success")
            else:
                flash(_("Pengumuman ini sudah dikirim; tidak dikirim dua kali."), "success")
            return redirect(url_for(".form", event_id=event_id), 303)
        flash(_("Centang konfirmasi dulu sebelum mengirim."), "error")
    preview = service.announcements.preview(event, draft)
    key = request.form.get("key") or service.announcements.new_key()
    return _page("staff/announcement_preview.html", event, values=values, preview=preview, key=key[:32])


@bp.get("/u/<code>")
def public(code: str):
    """An announcement's full text, by its short link: the event and the words, nothing about anyone."""
    found = service.announcements.public_announcement(code[:40])
    if found is None:
        abort(404)
    announcement, event = found
    return render_template("announcement_public.html", announcement=announcement, event=event)


@bp.errorhandler(service.StaffError)
def refused(error: service.StaffError):
    return render_template("staff/refused.html", error=error), error.status
