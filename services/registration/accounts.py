"""Staff accounts' life cycle: invitations, passwords, roles, disabling. Every change that should end sessions raises
the account's token version and tells the other services with `staff.changed`; the invitation mail goes out through
notifications (`staff.invited`). Signing in and out is in signin.py, two-step sign-in in twostep.py."""

import functools
import hashlib
import hmac
import logging
import secrets
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from services.registration import store
from services.registration.bus import bus, nudge
from services.registration.common import RegistrationError, audit
from services.registration.extensions import db
from services.registration.models import Staff
from shared import regions
from shared.messaging.names import EventNames
from shared.staffauth import ROLES, StaffClaims
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)

PASSWORD_MIN = 12
#: Long enough for any passphrase, short enough that hashing it costs nothing unusual.
PASSWORD_MAX = 200
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
TOTP_ISSUER = "Pelita Dispersip Kalsel"
SET_PASSWORD, SECOND_STEP = "staff-set-password", "staff-second-step"


def refuse(code: str, message: str, status: int = 400, retry_after: int | None = None) -> RegistrationError:
    return RegistrationError(code, message, status, retry_after)


# -- passwords ------------------------------------------------------------------------------------------------------


@functools.cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, staff: Staff | None = None) -> str | None:
    """Say why `password` will not do (too short, too long, too common, made of the account's own name), or None."""
    if len(password) < PASSWORD_MIN:
        return _("Kata sandi minimal %(n)d karakter.", n=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _("Kata sandi paling banyak %(n)d karakter.", n=PASSWORD_MAX)
    lowered = password.lower()
    stem = lowered.rstrip("0123456789!@#$%^&*()-_=+.,?~ ")
    if lowered in _common_passwords() or stem in _common_passwords() or len(set(lowered)) < 5:
        return _("Kata sandi ini terlalu umum dan mudah ditebak. Pilih yang lain, misalnya beberapa kata acak.")
    if staff is not None:
        own = [staff.email.split("@")[0].lower(), *(part.lower() for part in staff.name.split() if len(part) > 3)]
        if any(len(part) >= 4 and part in lowered and len(lowered) - len(part) < 6 for part in own):
            return _("Kata sandi jangan memakai nama atau email Anda.")
    return None


def hash_password(password: str) -> str:
    """The stored hash of a staff password (scrypt; PASSWORD_HASH_METHOD)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _unusable_hash() -> str:
    """The password hash of an account whose owner has not chosen one yet: nobody knows what it was made from."""
    return hash_password(secrets.token_urlsafe(32))


# -- the registration service's own token check ---------------------------------------------------------------------


def staff_check(claims: StaffClaims) -> bool:
    """Registration's answer for shared.staffauth: the account exists, is active, and the token is current."""
    staff = store.get_staff(claims.id)
    return staff is not None and staff.active and claims.version >= staff.token_version


def _claims(staff: Staff) -> StaffClaims:
    """Who acted, for the audit trail, when the account acts on itself without a session (a set-password link)."""
    return StaffClaims(id=staff.id, email=staff.email, role=staff.role, kabupaten_code=staff.kabupaten_code)


def mark_changed(staff: Staff, *, bump: bool = True) -> None:
    """Raise the token version (ending every session of the account) and tell the other services; no commit."""
    if bump:
        staff.token_version += 1
    db.session.flush()
    bus.emit(
        EventNames.STAFF_CHANGED,
        {"staff_id": staff.id, "token_version": staff.token_version, "active": staff.active},
    )


def announce_all() -> int:
    """Tell the other services every account's state again (after an upgrade, or to rebuild their copies)."""
    accounts = store.list_staff()
    for staff in accounts:
        mark_changed(staff, bump=False)
    db.session.commit()
    nudge()
    return len(accounts)


def add_account(email: str, name: str, role: str, kabupaten_code: str | None, password: str | None = None) -> Staff:
    """Create an account (no commit); the other services hear of it, so its tokens are known everywhere."""
    staff = Staff(email=email.strip().lower(), name=name.strip(), role=role, kabupaten_code=kabupaten_code)
    staff.password_hash = hash_password(password) if password else _unusable_hash()
    db.session.add(staff)
    db.session.flush()
    mark_changed(staff, bump=False)
    return staff


def account_signer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(staff: Staff) -> str:
    """Changes whenever the password does: a set-password link stops working once used."""
    return hashlib.sha256(staff.password_hash.encode()).hexdigest()[:16]


def set_password_link(staff: Staff) -> tuple[str, datetime]:
    token = account_signer(SET_PASSWORD).dumps({"id": staff.id, "p": _fingerprint(staff)})
    expires_at = utcnow() + timedelta(hours=current_app.config["STAFF_INVITE_HOURS"])
    return f"{current_app.config['PUBLIC_BASE_URL']}/staf/atur-sandi/{token}", expires_at


def require_admin(by: StaffClaims) -> None:
    if not by.is_provincial:
        raise refuse("forbidden", _("Hanya admin provinsi yang dapat mengelola akun staf."), 403)


def _check_account_fields(data: dict) -> tuple[str, str, str, str | None]:
    email, name, role = data["email"].strip().lower(), data["name"].strip(), data["role"]
    kabupaten = data.get("kabupaten_code") or None
    if role not in ROLES:
        raise refuse("invalid_role", _("Peran tidak dikenal."))
    if role == "regency_organiser" and kabupaten not in {area.code for area in regions.kabupaten()}:
        raise refuse("kabupaten_required", _("Pilih kabupaten/kota untuk panitia kabupaten."))
    return email, name, role, (kabupaten if role == "regency_organiser" else None)


def invite(data: dict, by: StaffClaims, locale: str = "id") -> Staff:
    """Create an account for a new staff member and mail them a one-time link to set their password."""
    require_admin(by)
    email, name, role, kabupaten = _check_account_fields(data)
    if store.get_staff_by_email(email) is not None:
        raise refuse("email_taken", _("Email ini sudah punya akun staf."), 409)
    try:
        staff = add_account(email, name, role, kabupaten)
        _send_invitation(staff, locale)
        audit("account.invite", by, object_id=staff.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise refuse("email_taken", _("Email ini sudah punya akun staf."), 409) from None
    nudge()
    logger.info("staff_invited", extra={"staff_id": staff.id, "by": by.id})
    return staff


def send_invitation_again(staff_id: int, by: StaffClaims, locale: str = "id") -> Staff:
    """Mail a fresh set-password link (a forgotten password, or a lost invitation)."""
    require_admin(by)
    staff = get_account(staff_id)
    if not staff.active:
        raise refuse("account_disabled", _("Aktifkan akun ini dulu."), 409)
    _send_invitation(staff, locale)
    audit("account.invite_again", by, object_id=staff.id)
    db.session.commit()
    nudge()
    return staff


def _send_invitation(staff: Staff, locale: str) -> None:
    link, expires_at = set_password_link(staff)
    payload = {"invitation_id": str(uuid.uuid4()), "email": staff.email, "name": staff.name, "link": link,
               "expires_at": expires_at, "locale": locale if locale in ("id", "en") else "id"}  # fmt: skip
    bus.emit(EventNames.STAFF_INVITED, payload)


def invited_account(token: str) -> Staff:
    """The account a set-password link is for, if the link is genuine, unexpired and not used yet."""
    max_age = int(current_app.config["STAFF_INVITE_HOURS"] * 3600)
    try:
        data = account_signer(SET_PASSWORD).loads(token[:1000], max_age=max_age)
        staff = store.get_staff(int(data["id"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        staff = None
    if staff is None or not staff.active or not hmac.compare_digest(str(data.get("p")), _fingerprint(staff)):
        raise refuse(
            "link_invalid",
            _("Tautan ini sudah dipakai atau tidak berlaku lagi. Minta admin provinsi mengirim tautan baru."),
            410,
        )
    return staff


def set_password_from_link(token: str, password: str) -> Staff:
    """Set the password of an invited account; the link is used up, and older sessions end."""
    staff = invited_account(token)
    store_new_password(staff, password)
    audit("account.password_set", _claims(staff), object_id=staff.id)
    db.session.commit()
    nudge()
    logger.info("staff_password_set", extra={"staff_id": staff.id})
    return staff


def store_new_password(staff: Staff, password: str) -> None:
    problem = password_problem(password, staff)
    if problem:
        raise refuse("weak_password", problem)
    staff.password_hash = hash_password(password)
    mark_changed(staff)


# -- administration -------------------------------------------------------------------------------------------------


def get_account(staff_id: int) -> Staff:
    staff = store.get_staff(staff_id)
    if staff is None:
        raise refuse("not_found", _("Akun staf tidak ditemukan."), 404)
    return staff


def account_for_admin(staff_id: int, by: StaffClaims) -> Staff:
    require_admin(by)
    return get_account(staff_id)


def list_accounts(by: StaffClaims) -> list[Staff]:
    require_admin(by)
    return store.list_staff()


def set_role(staff_id: int, data: dict, by: StaffClaims) -> Staff:
    """Change an account's role or kabupaten; its sessions end, so its tokens never carry the old rights."""
    require_admin(by)
    staff = get_account(staff_id)
    role, kabupaten = _check_account_fields({**data, "email": staff.email, "name": staff.name})[2:]
    if staff.id == by.id and role != staff.role:
        raise refuse("own_account", _("Anda tidak dapat mengubah peran akun Anda sendiri."), 409)
    if (staff.role, staff.kabupaten_code) != (role, kabupaten):
        staff.role, staff.kabupaten_code = role, kabupaten
        mark_changed(staff)
        audit("account.role_change", by, object_id=staff.id)
        db.session.commit()
        nudge()
        logger.info("staff_role_changed", extra={"staff_id": staff.id, "role": role, "by": by.id})
    return staff


def set_active(staff_id: int, active: bool, by: StaffClaims) -> Staff:
    """Disable (every session ends at once, everywhere) or enable an account."""
    require_admin(by)
    staff = get_account(staff_id)
    if staff.id == by.id and not active:
        raise refuse("own_account", _("Anda tidak dapat menonaktifkan akun Anda sendiri."), 409)
    if staff.active != active:
        staff.active = active
        mark_changed(staff)
        audit("account.enable" if active else "account.disable", by, object_id=staff.id)
        db.session.commit()
        nudge()
        logger.info("staff_active_changed", extra={"staff_id": staff.id, "active": active, "by": by.id})
    return staff
