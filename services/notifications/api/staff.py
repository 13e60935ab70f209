"""Staff pages: the message log, per-event delivery summaries, resending a failed message, opt-outs."""

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.notifications import labels, queries, service
from services.notifications.schemas import LogFilterSchema, search_terms
from shared.staffauth import staff_page
from shared.timeutil import utcnow
from shared.web import safe_redirect_target

bp = Blueprint("staff", __name__, url_prefix="/staf")
PER_PAGE = 50
#: The opt-outs table's address column: an E.164 number or an email address.
OPT_OUT_ADDRESS_MAX = 254


def _hashed(address: str) -> str:
    """An opt-out's address as the trail names it: the keyed hash retention keeps, never the number itself."""
    return queries.hashed_address(address)


@bp.get("")
@staff_page
def log():
    """The message log, newest first, filtered by event, status, channel, purpose and person."""
    filters = LogFilterSchema().load_lenient(request.args)
    page = filters.get("page", 1)
    found = queries.search_log(
        {**filters, "q_terms": search_terms(filters.get("q", ""))},
        g.staff.scope,
        offset=(page - 1) * PER_PAGE,
        limit=PER_PAGE + 1,
    )
    rows = [(n, r, e, service.resendable(n)) for n, r, e in found[:PER_PAGE]]
    service.audit_log_view(g.staff, filters)
    return render_template(
        "staff/log.html",
        rows=rows,
        filters=filters,
        page=page,
        more=len(found) > PER_PAGE,
        first=(page - 1) * PER_PAGE + 1,
        events=queries.visible_events(g.staff.scope),
        budget=_budget(),
        shifted=current_app.extensions["provider_priorities"].shifted(),
        held_count=queries.held_count(kabupaten_code=g.staff.scope),
        labels=labels,
    )


def _budget() -> list[tuple[str, int, int]]:
    """Today's sends per capped channel: (channel, used, cap)."""
    caps = {channel: cap for channel, cap in current_app.config["DAILY_CAPS"].items() if cap}
    if not caps:
        return []
    used = queries.sends_on(utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date())
    return [(channel, used.get(channel, 0), cap) for channel, cap in caps.items()]


@bp.get("/acara")
@staff_page
def events():
    """Every event this staff member sees, with its messages counted by status."""
    visible = queries.visible_events(g.staff.scope)
    totals = queries.status_counts([event.event_id for event in visible])
    return render_template("staff/events.html", events=visible, totals=totals, labels=labels)


@bp.get("/acara/<event_id>")
@staff_page
def event_summary(event_id: str):
    """One event's messages counted by channel and status, each count a link to those messages."""
    event = service.staff_event(event_id, g.staff)
    counts = queries.delivery_counts(event_id)
    channels = [channel for channel in labels.CHANNELS if any(key[0] == channel for key in counts)]
    by_channel = {channel: sum(n for (c, _status), n in counts.items() if c == channel) for channel in channels}
    by_status = {status: sum(n for (_channel, s), n in counts.items() if s == status) for status in labels.STATUSES}
    return render_template(
        "staff/event_summary.html",
        event=event,
        counts=counts,
        channels=channels,
        by_channel=by_channel,
        by_status=by_status,
        held_count=queries.held_count(event_id),
        labels=labels,
    )


@bp.get("/pesan/<notification_id>")
@staff_page
def message(notification_id: str):
    """One message: its text, where it went, each step of its delivery and why it failed."""
    notification = service.staff_notification(notification_id, g.staff)
    recipient = queries.get_recipient(notification.registration_id) if notification.registration_id else None
    event = queries.get_event(notification.event_id) if notification.event_id else None
    fallback_of = queries.get_notification(notification.fallback_of) if notification.fallback_of else None
    service.audit("message.view", g.staff, event_id=notification.event_id, object_id=notification.id, commit=True)
    return render_template(
        "staff/message.html",
        n=notification,
        recipient=recipient,
        event=event,
        fallback_of=fallback_of,
        handed_on=queries.has_fallback(notification.id),
        resendable=service.resendable(notification),
        labels=labels,
    )


@bp.post("/pesan/<notification_id>/kirim-ulang")
@staff_page
def resend(notification_id: str):
    """Send a failed message once more; a second click on the same page sends nothing more."""
    try:
        seen = int(request.form.get("attempts", ""))
    except ValueError:
        seen = -1
    if service.resend(notification_id, g.staff, seen):
        flash(_("Pesan dijadwalkan untuk dikirim ulang sekarang."), "success")
    else:
        flash(_("Pesan ini sudah dijadwalkan ulang atau tidak lagi gagal, jadi tidak dikirim lagi."), "error")
    back = safe_redirect_target(request.form.get("back"), url_for(".message", notification_id=notification_id))
    return redirect(back, 303)


@bp.get("/berhenti")
@staff_page
def opt_outs():
    """List the numbers and addresses that stopped reminders."""
    service.audit("opt_outs.list", g.staff, commit=True)
    return render_template("staff_opt_outs.html", opt_outs=queries.list_opt_outs(g.staff.scope))


@bp.post("/berhenti")
@staff_page
def change_opt_out():
    """Undo (or redo) an opt-out, on the person's own request: a regency organiser only for their own recipients."""
    address, active = request.form.get("address", "").strip(), request.form.get("active") == "1"
    if not address or len(address) > OPT_OUT_ADDRESS_MAX:
        raise service.StaffError(_("Nomor atau alamat email tidak valid."), 400)
    if g.staff.scope is not None and not queries.address_in_kabupaten(address, g.staff.scope):
        raise service.StaffError(_("Nomor atau alamat ini bukan milik peserta acara kabupaten/kota Anda."), 403)
    service.set_opt_out(address, active=active, source="staff", changed_by=g.staff.email)
    service.audit("opt_out.stop" if active else "opt_out.resume", g.staff, object_id=_hashed(address), commit=True)
    flash(
        _("Pengingat ke %(address)s dihentikan.", address=address)
        if active
        else _("Pengingat ke %(address)s dilanjutkan.", address=address),
        "success",
    )
    return redirect(url_for(".opt_outs"), code=303)


@bp.errorhandler(service.StaffError)
def refused(error: service.StaffError):
    return render_template("staff/refused.html", error=error), error.status
