"""The staff account pages: the provincial admin's list and invitations, one's own password, two-step sign-in."""

import segno
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from marshmallow import ValidationError

from services.registration import accounts, labels, queries, signin, twostep
from services.registration.models import Staff
from services.registration.schemas.accounts import InviteFormSchema, NewPasswordSchema
from services.registration.service import RegistrationError
from shared import regions
from shared.staffauth import STAFF_COOKIE, staff_page
from shared.web import field_errors, safe_redirect_target

bp = Blueprint("accounts", __name__, url_prefix="/staf")


def start_session(staff: Staff, target: str | None):
    """Sign a staff member in on this browser: the cookie opens every service's staff pages (never their API)."""
    token = signin.issue_session(staff)["token"]
    response = redirect(safe_redirect_target(target, url_for("staff.events")), 303)
    hours = current_app.config["STAFF_TOKEN_HOURS"]
    secure = current_app.config["SESSION_COOKIE_SECURE"]  # as the form's session cookie: production, or https
    response.set_cookie(STAFF_COOKIE, token, max_age=int(hours * 3600), httponly=True, samesite="Lax", secure=secure)
    return response


@bp.post("/masuk/kode")
def second_step():
    """The second step of signing in for accounts with two-step sign-in: the authenticator app's code."""
    pending, target = request.form.get("pending", ""), request.form.get("next", "")[:2000]
    try:
        staff = signin.check_second_step(pending, request.form.get("code", ""), request.remote_addr)
    except RegistrationError as error:
        if error.code == "second_step_expired":
            return (
                render_template("staff/login.html", values={"next": target}, error=error.message),
                error.status,
                error.headers,
            )
        context = {"pending": pending, "next": target, "error": error.message}
        return render_template("staff/login_code.html", **context), error.status, error.headers
    return start_session(staff, target)


def _locale() -> str:
    return str(get_locale() or "id")


@bp.get("/akun")
@staff_page
def staff_accounts():
    """Every staff account, with the invitation form (provincial admins only)."""
    return _accounts_page({"role": "regency_organiser"}, {})


def _accounts_page(values, errors, status: int = 200):
    kabupaten = [(area.code, area.name) for area in regions.kabupaten()]
    names = dict(kabupaten)
    context = {"values": values, "errors": errors, "kabupaten": kabupaten, "kabupaten_names": names}
    page = render_template("staff/accounts.html", staff_list=accounts.list_accounts(g.staff), labels=labels, **context)
    return page, status


@bp.post("/akun")
@staff_page
def invite():
    try:
        data = InviteFormSchema().load(request.form.to_dict(), unknown="exclude")
        staff = accounts.invite(data, g.staff, _locale())
    except ValidationError as error:
        return _accounts_page(request.form, field_errors(error.messages), 400)
    except RegistrationError as error:
        if error.status == 403:
            raise
        return _accounts_page(request.form, {"_schema": [error.message]}, error.status)
    flash(_("Undangan dikirim ke %(email)s. Tautannya berlaku sekali.", email=staff.email), "success")
    return redirect(url_for(".staff_accounts"), 303)


@bp.post("/akun/<int:staff_id>/<action>")
@staff_page
def change_account(staff_id: int, action: str):
    """Disable, enable, or send a new set-password link."""
    if action == "nonaktifkan":
        staff = accounts.set_active(staff_id, False, g.staff)
        flash(_("Akun %(email)s dinonaktifkan; semua sesinya berakhir.", email=staff.email), "success")
    elif action == "aktifkan":
        staff = accounts.set_active(staff_id, True, g.staff)
        flash(_("Akun %(email)s aktif kembali.", email=staff.email), "success")
    elif action == "undang-lagi":
        staff = accounts.send_invitation_again(staff_id, g.staff, _locale())
        flash(_("Tautan baru untuk mengatur kata sandi dikirim ke %(email)s.", email=staff.email), "success")
    else:
        return render_template("public/refused.html", error=RegistrationError("not_found", "", 404)), 404
    return redirect(url_for(".staff_accounts"), 303)


@bp.route("/akun/<int:staff_id>/peran", methods=["GET", "POST"])
@staff_page
def change_role(staff_id: int):
    """Change an account's role and kabupaten/kota."""
    account = accounts.account_for_admin(staff_id, g.staff)
    kabupaten = [(area.code, area.name) for area in regions.kabupaten()]
    context = {"account": account, "kabupaten": kabupaten, "labels": labels}
    if request.method == "GET":
        values = {"role": account.role, "kabupaten_code": account.kabupaten_code or ""}
        return render_template("staff/account_role.html", values=values, errors={}, **context)
    values = {key: request.form.get(key, "")[:30] for key in ("role", "kabupaten_code")}
    try:
        accounts.set_role(staff_id, values, g.staff)
    except RegistrationError as error:
        if error.status in (403, 404):
            raise
        field = "kabupaten_code" if error.code == "kabupaten_required" else "role"
        return render_template(
            "staff/account_role.html", values=values, errors={field: [error.message]}, **context
        ), 400
    flash(_("Peran %(email)s diubah; sesinya yang lama berakhir.", email=account.email), "success")
    return redirect(url_for(".staff_accounts"), 303)


@bp.route("/kata-sandi", methods=["GET", "POST"])
@staff_page
def change_password():
    """Change one's own password (the current one first); other sessions end, this one goes on."""
    if request.method == "GET":
        return render_template("staff/password.html", errors={})
    try:
        data = NewPasswordSchema().load(request.form.to_dict(), unknown="exclude")
        staff = signin.change_password(g.staff, data["current"], data["password"], request.remote_addr)
    except ValidationError as error:
        return render_template("staff/password.html", errors=field_errors(error.messages)), 400
    except RegistrationError as error:
        field = "current" if error.code in ("invalid_credentials", "signin_locked") else "password"
        return render_template("staff/password.html", errors={field: [error.message]}), error.status, error.headers
    flash(_("Kata sandi diganti. Sesi di perangkat lain sudah berakhir."), "success")
    return start_session(staff, url_for(".change_password"))


@bp.route("/atur-sandi/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """The invitation's one-time link: choose a password, then sign in."""
    staff = accounts.invited_account(token)
    if request.method == "GET":
        return render_template("staff/set_password.html", account=staff, errors={})
    try:
        data = NewPasswordSchema().load(request.form.to_dict(), unknown="exclude")
        accounts.set_password_from_link(token, data["password"])
    except ValidationError as error:
        return render_template("staff/set_password.html", account=staff, errors=field_errors(error.messages)), 400
    except RegistrationError as error:
        if error.status == 410:
            raise
        return render_template("staff/set_password.html", account=staff, errors={"password": [error.message]}), 400
    flash(_("Kata sandi tersimpan. Silakan masuk."), "success")
    return redirect(url_for("staff.login"), 303)


@bp.route("/dua-langkah", methods=["GET", "POST"])
@staff_page
def two_step():
    """Turn on two-step sign-in: scan the QR code (or type the key), then confirm with a code."""
    problem = None
    if request.method == "POST":
        try:
            if request.form.get("action") == "matikan":
                twostep.stop_two_step(g.staff, request.form.get("code", ""))
                flash(_("Verifikasi dua langkah dimatikan."), "success")
                back = url_for(".two_step") if g.staff.is_provincial else url_for("staff.events")
                return start_session(queries.get_staff(g.staff.id), back)
            staff = twostep.confirm_two_step(g.staff, request.form.get("code", ""))
            flash(_("Verifikasi dua langkah aktif. Saat masuk, Anda akan diminta kode dari aplikasi."), "success")
            return start_session(staff, url_for(".two_step"))
        except RegistrationError as error:
            if error.status == 403:
                raise
            problem = error.message
    staff, uri = twostep.start_two_step(g.staff)
    title = _("Kode QR untuk aplikasi autentikator")
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, title=title)) if uri else ""
    key = " ".join(staff.totp_secret[i : i + 4] for i in range(0, len(staff.totp_secret), 4)) if uri else ""
    page = render_template("staff/two_step.html", account=staff, qr=qr, key=key, error=problem)
    return page, 400 if problem else 200
