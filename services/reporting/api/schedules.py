"""Staff pages for report schedules and recipients: list, add, resume a paused one."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from services.reporting import queries, service
from services.reporting.schemas import RecipientsFormSchema, ScheduleFormSchema, SendNowFormSchema, field_errors
from shared.regions import kabupaten
from shared.staffauth import staff_page

bp = Blueprint("schedules", __name__, url_prefix="/jadwal")


@bp.get("")
@staff_page
def index():
    """Show the schedules staff manage, with recent runs and why a schedule is paused."""
    return _page()


@bp.post("")
@staff_page
def create():
    """Add a weekly or monthly report."""
    try:
        data = ScheduleFormSchema().load(request.form.to_dict())
    except ValidationError as error:
        return _page(errors=field_errors(error), form=request.form), 400
    service.create_schedule(g.staff, data)
    flash(_("Jadwal laporan disimpan."), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/<int:schedule_id>/lanjutkan")
@staff_page
def resume(schedule_id: int):
    """Resume a paused schedule."""
    service.resume_schedule(g.staff, schedule_id)
    flash(_("Jadwal laporan dilanjutkan."), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/<int:schedule_id>/penerima")
@staff_page
def recipients(schedule_id: int):
    """Change who receives a schedule's reports."""
    try:
        data = RecipientsFormSchema().load(request.form.to_dict())
    except ValidationError as error:
        return _page(errors=field_errors(error), form=request.form), 400
    service.update_recipients(g.staff, schedule_id, data["recipients"])
    flash(_("Penerima laporan disimpan."), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/<int:schedule_id>/kirim")
@staff_page
def send_now(schedule_id: int):
    """Build and mail the current period so far, or the last finished one, now (once: asking again sends nothing)."""
    try:
        data = SendNowFormSchema().load(request.form.to_dict())
    except ValidationError as error:
        return _page(errors=field_errors(error), form=request.form), 400
    run, added = service.send_now(g.staff, schedule_id, data["period"])
    if added:
        start, end = run.period_start.strftime("%d-%m-%Y"), run.period_end.strftime("%d-%m-%Y")
        to = ", ".join(run.recipients or service.send_now_recipients(g.staff, queries.get_schedule(schedule_id)))
        flash(
            _(
                "Laporan %(start)s – %(end)s sedang dibuat dan akan dikirim lewat email ke %(to)s.",
                start=start,
                end=end,
                to=to,
            ),
            "success",
        )
    else:
        flash(_("Laporan periode ini sudah dibuat; lihat daftar laporan terakhir."), "info")
    return redirect(url_for(".index"), code=303)


def _page(errors: dict | None = None, form=None):
    schedules = service.list_schedules(g.staff)
    runs = service.recent_runs(schedules)
    return render_template(
        "reporting/schedules.html",
        schedules=schedules,
        runs=runs,
        areas=kabupaten(),
        errors=errors or {},
        form=form or {},
    )
