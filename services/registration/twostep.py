"""Two-step sign-in: a staff member turns on an authenticator app's codes, and each code counts once."""

import hmac
import logging
from datetime import datetime

import pyotp
from flask_babel import gettext as _

from services.registration.accounts import TOTP_ISSUER, get_account, mark_changed, refuse, require_admin
from services.registration.bus import nudge
from services.registration.common import audit
from services.registration.extensions import db
from services.registration.models import Staff
from shared.staffauth import StaffClaims
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)


def take_code(staff: Staff, code: str) -> bool:
    """Accept a current code (one step of clock drift either way) not used before; remember its step (no commit)."""
    code = "".join((code or "").split())
    if staff.totp_secret is None or len(code) != 6 or not code.isdigit():
        return False
    totp, now = pyotp.TOTP(staff.totp_secret), totp_now()
    step = totp.timecode(now)
    for candidate in (step - 1, step, step + 1):
        fresh = staff.totp_last_step is None or candidate > staff.totp_last_step
        if fresh and hmac.compare_digest(totp.generate_otp(candidate), code):
            staff.totp_last_step = candidate
            return True
    return False


def totp_now() -> datetime:
    return utcnow()


def start_two_step(claims: StaffClaims) -> tuple[Staff, str]:
    """Give a provincial admin a new secret to put in their authenticator app; in force only once confirmed.

    An account that has two-step sign-in on (an admin since made an organiser, say) is shown it, to turn it off.
    """
    staff = get_account(claims.id)
    if staff.totp_enabled:
        return staff, ""
    require_admin(claims)
    if staff.totp_secret is None:
        staff.totp_secret = pyotp.random_base32()
        db.session.commit()
    uri = pyotp.TOTP(staff.totp_secret).provisioning_uri(name=staff.email, issuer_name=TOTP_ISSUER)
    return staff, uri


def confirm_two_step(claims: StaffClaims, code: str) -> Staff:
    """Turn two-step sign-in on once the app's code matches; other sessions end."""
    require_admin(claims)
    staff = get_account(claims.id)
    if staff.totp_enabled or staff.totp_secret is None:
        return staff
    if not take_code(staff, code):
        db.session.rollback()
        raise refuse("invalid_code", _("Kode verifikasi salah. Periksa jam ponsel Anda, lalu coba lagi."), 400)
    staff.totp_enabled = True
    mark_changed(staff)
    audit("account.two_step_on", claims, object_id=staff.id)
    db.session.commit()
    nudge()
    logger.info("staff_two_step_on", extra={"staff_id": staff.id})
    return staff


def stop_two_step(claims: StaffClaims, code: str) -> Staff:
    """Turn two-step sign-in off, with a current code (a stolen session alone cannot)."""
    staff = get_account(claims.id)
    if not staff.totp_enabled:
        return staff
    if not take_code(staff, code):
        db.session.rollback()
        raise refuse("invalid_code", _("Kode verifikasi salah atau sudah dipakai."), 400)
    staff.totp_enabled, staff.totp_secret = False, None
    mark_changed(staff)
    audit("account.two_step_off", claims, object_id=staff.id)
    db.session.commit()
    nudge()
    logger.info("staff_two_step_off", extra={"staff_id": staff.id})
    return staff
