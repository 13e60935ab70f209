"""Staff pages: who opted out of reminders, and undoing it when the person asks again."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.notifications import service, store
from shared.staffauth import staff_page

bp = Blueprint("staff", __name__, url_prefix="/staf")


@bp.get("/berhenti")
@staff_page
def opt_outs():
    """List the numbers and addresses that stopped reminders."""
    return render_template("staff_opt_outs.html", opt_outs=store.list_opt_outs())


@bp.post("/berhenti")
@staff_page
def change_opt_out():
    """Undo (or redo) an opt-out, on the person's own request."""
    address, active = request.form["address"], request.form.get("active") == "1"
    service.set_opt_out(address, active=active, source="staff", changed_by=g.staff.email)
    flash(
        _("Pengingat ke %(address)s dihentikan.", address=address)
        if active
        else _("Pengingat ke %(address)s dilanjutkan.", address=address),
        "success",
    )
    return redirect(url_for(".opt_outs"), code=303)
