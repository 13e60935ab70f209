"""The signed opt-out link in every message: a page that asks, then stops reminders to that address."""

from flask import Blueprint, abort, render_template

from services.notifications import planning, service

bp = Blueprint("optout", __name__, url_prefix="/berhenti")


@bp.get("/<token>")
def confirm(token: str):
    """Ask before opting out (a link previewer that follows the link must not opt anyone out)."""
    try:
        address = planning.opt_out_signer().loads(token)
    except Exception:
        abort(404)
    return render_template("optout.html", address=planning.mask(address), token=token, done=False)


@bp.post("/<token>")
def opt_out(token: str):
    """Stop reminders to the address the signed link names."""
    address = service.opt_out_by_token(token) or abort(404)
    return render_template("optout.html", address=planning.mask(address), token=token, done=True)
