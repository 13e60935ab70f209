"""Staff accounts' life cycle: invitations, sign-in (throttled, two-step for those who turn it on), passwords,
disabling, signing out. Every change that should end sessions raises the account's token version and tells the other
services with `staff.changed`; the invitation mail goes out through notifications (`staff.invited`).
"""

import functools
import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pyotp
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from services.registration import store
from services.registration.bus import bus, nudge
from services.registration.common import RegistrationError, audit
from services.registration.extensions import db
from services.registration.models import Staff
from shared import regions
from shared.messaging.names import EventNames
from shared.staffauth import ROLES, StaffClaims, issue_token
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)

PASSWORD_MIN = 12
#: Long enough for any passphrase, short enough that hashing it costs nothing unusual.
PASSWORD_MAX = 200
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
TOTP_ISSUER = "Pelita Dispersip Kalsel"
SET_PASSWORD, SECOND_STEP = "staff-set-password", "staff-second-step"
#: How long the page asking for the two-step code stays usable after the password was right.
SECOND_STEP_SECONDS = 300


def _refuse(code: str, message: str, status: int = 400) -> RegistrationError:
    return RegistrationError(code, message, status)


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


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown emails against, so they take as long as known ones."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _unusable_hash() -> str:
    """The password hash of an account whose owner has not chosen one yet: nobody knows what it was made from."""
    return generate_password_hash(secrets.token_urlsafe(32))


# -- the registration service's own token check ---------------------------------------------------------------------


def staff_check(claims: StaffClaims) -> bool:
    """Registration's answer for shared.staffauth: the account exists, is active, and the token is current."""
    staff = store.get_staff(claims.id)
    return staff is not None and staff.active and claims.version >= staff.token_version


def _claims(staff: Staff) -> StaffClaims:
    """Who acted, for the audit trail, when the account acts on itself without a session (a set-password link)."""
    return StaffClaims(id=staff.id, email=staff.email, role=staff.role, kabupaten_code=staff.kabupaten_code)


def _changed(staff: Staff, *, bump: bool = True) -> None:
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
        _changed(staff, bump=False)
    db.session.commit()
    nudge()
    return len(accounts)


def add_account(email: str, name: str, role: str, kabupaten_code: str | None, password: str | None = None) -> Staff:
    """Create an account (no commit); the other services hear of it, so its tokens are known everywhere."""
    staff = Staff(email=email.strip().lower(), name=name.strip(), role=role, kabupaten_code=kabupaten_code)
    staff.password_hash = generate_password_hash(password) if password else _unusable_hash()
    db.session.add(staff)
    db.session.flush()
    _changed(staff, bump=False)
    return staff


# -- sign-in --------------------------------------------------------------------------------------------------------


class SignInLimiter:
    """Failed sign-ins counted per account (a hash of the email) and per address, in Redis like the form's limit.

    When Redis cannot be reached the counts are kept in this process meanwhile: a lock-out still holds.
    """

    def __init__(self, app) -> None:
        uri = app.config["RATELIMIT_STORAGE_URI"] or app.config["REDIS_URL"]
        options = app.config["RATELIMIT_STORAGE_OPTIONS"] if uri.startswith("redis") else {}
        self.store = FixedWindowRateLimiter(storage_from_string(uri, wrap_exceptions=True, **options))
        self.memory = FixedWindowRateLimiter(MemoryStorage())
        self.prefix = app.config["RATELIMIT_KEY_PREFIX"]
        self.limits = {
            "account": parse(app.config["STAFF_SIGNIN_ACCOUNT_LIMIT"]),
            "address": parse(app.config["STAFF_SIGNIN_ADDRESS_LIMIT"]),
        }

    def _call(self, method: str, kind: str, key: str):
        for limiter in (self.store, self.memory):
            try:
                return getattr(limiter, method)(self.limits[kind], self.prefix, "staff-signin", kind, key)
            except StorageError:
                logger.warning("signin_limit_storage_down: counting sign-in failures in memory meanwhile")
        return None

    def locked(self, keys: dict[str, str]) -> str | None:
        """Return the kind of key ("account" or "address") that is locked out, or None."""
        return next((kind for kind, key in keys.items() if self._call("test", kind, key) is False), None)

    def failed(self, keys: dict[str, str]) -> None:
        for kind, key in keys.items():
            self._call("hit", kind, key)

    def succeeded(self, keys: dict[str, str]) -> None:
        self._call("clear", "account", keys["account"])


def _limiter() -> SignInLimiter:
    app = current_app._get_current_object()
    if "signin_limiter" not in app.extensions:
        app.extensions["signin_limiter"] = SignInLimiter(app)
    return app.extensions["signin_limiter"]


def _digest(value: str) -> str:
    """A short keyed hash: what the logs and counters hold instead of an email or address."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


def _keys(email: str, address: str) -> dict[str, str]:
    return {"account": _digest(email), "address": _digest(address or "-")}


def _locked_out(keys: dict[str, str], staff_id: int | None = None) -> None:
    kind = _limiter().locked(keys)
    if kind is not None:
        logger.warning("staff_signin_locked", extra={"scope": kind, "account": keys["account"], "staff_id": staff_id})
        minutes = max(1, round(_limiter().limits[kind].get_expiry() / 60))
        message = _("Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi %(n)d menit lagi.", n=minutes)
        raise _refuse("signin_locked", message, 429)


@dataclass
class SignIn:
    """A sign-in whose password was right: done, or waiting for the two-step code (`pending` carries it on)."""

    staff: Staff
    pending: str | None = None


def check_password(email: str, password: str, address: str) -> SignIn:
    """Check an email and password, throttled; unknown emails cost the same hash check as known ones."""
    email = email.strip()[:254]
    keys = _keys(email, address)
    _locked_out(keys)
    staff = store.get_staff_by_email(email) if email else None
    right = check_password_hash(staff.password_hash if staff else _dummy_hash(), password[: PASSWORD_MAX * 4])
    if staff is None or not right:
        _limiter().failed(keys)
        logger.info("staff_signin_failed", extra={"account": keys["account"], "staff_id": staff and staff.id})
        raise _refuse("invalid_credentials", _("Email atau kata sandi salah."), 401)
    if not staff.active:
        raise _refuse("account_disabled", _("Akun ini sudah dinonaktifkan. Hubungi admin provinsi."), 403)
    if staff.totp_enabled:
        pending = _signer(SECOND_STEP).dumps({"id": staff.id, "v": staff.token_version})
        return SignIn(staff, pending)
    _limiter().succeeded(keys)
    return SignIn(staff)


def check_second_step(pending: str, code: str, address: str) -> Staff:
    """Finish a two-step sign-in with the code from the authenticator app (each code works once)."""
    try:
        data = _signer(SECOND_STEP).loads(pending[:500], max_age=SECOND_STEP_SECONDS)
        staff = store.get_staff(int(data["id"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        staff = None
    if staff is None or not staff.active or data.get("v") != staff.token_version:
        raise _refuse("second_step_expired", _("Langkah masuk sudah kedaluwarsa. Silakan masuk lagi."), 401)
    keys = _keys(staff.email, address)
    _locked_out(keys, staff.id)
    if not _take_code(staff, code):
        _limiter().failed(keys)
        db.session.rollback()
        raise _refuse("invalid_code", _("Kode verifikasi salah atau sudah dipakai."), 401)
    _limiter().succeeded(keys)
    return staff


def issue_session(staff: Staff) -> dict:
    """Record the sign-in and return a bearer token (the same value the pages keep in the staff cookie)."""
    staff.last_signed_in_at = utcnow()
    db.session.commit()
    token, expires_at = issue_token(staff.claims(), current_app.config["STAFF_TOKEN_HOURS"])
    return {"token": token, "expires_at": expires_at}


def token_for(email: str, password: str, code: str | None, address: str) -> dict:
    """The API's sign-in: email and password, plus the current code for accounts with two-step sign-in."""
    signed = check_password(email, password, address)
    if signed.pending is not None:
        if not code:
            raise _refuse("code_required", _("Akun ini memakai verifikasi dua langkah: sertakan kode."), 401)
        return issue_session(check_second_step(signed.pending, code, address))
    return issue_session(signed.staff)


def sign_out(claims: StaffClaims) -> None:
    """End every session of the account, in every service (its token version goes up)."""
    staff = store.get_staff(claims.id)
    if staff is not None:
        _changed(staff)
        db.session.commit()
        nudge()


# -- invitations and passwords --------------------------------------------------------------------------------------


def _signer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(staff: Staff) -> str:
    """Changes whenever the password does: a set-password link stops working once used."""
    return hashlib.sha256(staff.password_hash.encode()).hexdigest()[:16]


def set_password_link(staff: Staff) -> tuple[str, datetime]:
    token = _signer(SET_PASSWORD).dumps({"id": staff.id, "p": _fingerprint(staff)})
    expires_at = utcnow() + timedelta(hours=current_app.config["STAFF_INVITE_HOURS"])
    return f"{current_app.config['PUBLIC_BASE_URL']}/staf/atur-sandi/{token}", expires_at


def _require_admin(by: StaffClaims) -> None:
    if not by.is_provincial:
        raise _refuse("forbidden", _("Hanya admin provinsi yang dapat mengelola akun staf."), 403)


def _check_account_fields(data: dict) -> tuple[str, str, str, str | None]:
    email, name, role = data["email"].strip().lower(), data["name"].strip(), data["role"]
    kabupaten = data.get("kabupaten_code") or None
    if role not in ROLES:
        raise _refuse("invalid_role", _("Peran tidak dikenal."))
    if role == "regency_organiser" and kabupaten not in {area.code for area in regions.kabupaten()}:
        raise _refuse("kabupaten_required", _("Pilih kabupaten/kota untuk panitia kabupaten."))
    return email, name, role, (kabupaten if role == "regency_organiser" else None)


def invite(data: dict, by: StaffClaims, locale: str = "id") -> Staff:
    """Create an account for a new staff member and mail them a one-time link to set their password."""
    _require_admin(by)
    email, name, role, kabupaten = _check_account_fields(data)
    if store.get_staff_by_email(email) is not None:
        raise _refuse("email_taken", _("Email ini sudah punya akun staf."), 409)
    try:
        staff = add_account(email, name, role, kabupaten)
        _send_invitation(staff, locale)
        audit("account.invite", by, object_id=staff.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _refuse("email_taken", _("Email ini sudah punya akun staf."), 409) from None
    nudge()
    logger.info("staff_invited", extra={"staff_id": staff.id, "by": by.id})
    return staff


def send_invitation_again(staff_id: int, by: StaffClaims, locale: str = "id") -> Staff:
    """Mail a fresh set-password link (a forgotten password, or a lost invitation)."""
    _require_admin(by)
    staff = _account(staff_id)
    if not staff.active:
        raise _refuse("account_disabled", _("Aktifkan akun ini dulu."), 409)
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
        data = _signer(SET_PASSWORD).loads(token[:1000], max_age=max_age)
        staff = store.get_staff(int(data["id"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        staff = None
    if staff is None or not staff.active or not hmac.compare_digest(str(data.get("p")), _fingerprint(staff)):
        raise _refuse(
            "link_invalid",
            _("Tautan ini sudah dipakai atau tidak berlaku lagi. Minta admin provinsi mengirim tautan baru."),
            410,
        )
    return staff


def set_password_from_link(token: str, password: str) -> Staff:
    """Set the password of an invited account; the link is used up, and older sessions end."""
    staff = invited_account(token)
    _set_password(staff, password)
    audit("account.password_set", _claims(staff), object_id=staff.id)
    db.session.commit()
    nudge()
    logger.info("staff_password_set", extra={"staff_id": staff.id})
    return staff


def change_password(claims: StaffClaims, current: str, new: str, address: str = "") -> Staff:
    """Change one's own password after giving the current one (guesses count as failed sign-ins); every other
    session ends."""
    staff = _account(claims.id)
    keys = _keys(staff.email, address)
    _locked_out(keys, staff.id)
    if not check_password_hash(staff.password_hash, current[: PASSWORD_MAX * 4]):
        _limiter().failed(keys)
        raise _refuse("invalid_credentials", _("Kata sandi saat ini salah."), 400)
    _set_password(staff, new)
    audit("account.password_change", claims, object_id=staff.id)
    db.session.commit()
    nudge()
    logger.info("staff_password_changed", extra={"staff_id": staff.id})
    return staff


def _set_password(staff: Staff, password: str) -> None:
    problem = password_problem(password, staff)
    if problem:
        raise _refuse("weak_password", problem)
    staff.password_hash = generate_password_hash(password)
    _changed(staff)


# -- administration -------------------------------------------------------------------------------------------------


def _account(staff_id: int) -> Staff:
    staff = store.get_staff(staff_id)
    if staff is None:
        raise _refuse("not_found", _("Akun staf tidak ditemukan."), 404)
    return staff


def account_for_admin(staff_id: int, by: StaffClaims) -> Staff:
    _require_admin(by)
    return _account(staff_id)


def list_accounts(by: StaffClaims) -> list[Staff]:
    _require_admin(by)
    return store.list_staff()


def set_role(staff_id: int, data: dict, by: StaffClaims) -> Staff:
    """Change an account's role or kabupaten; its sessions end, so its tokens never carry the old rights."""
    _require_admin(by)
    staff = _account(staff_id)
    role, kabupaten = _check_account_fields({**data, "email": staff.email, "name": staff.name})[2:]
    if staff.id == by.id and role != staff.role:
        raise _refuse("own_account", _("Anda tidak dapat mengubah peran akun Anda sendiri."), 409)
    if (staff.role, staff.kabupaten_code) != (role, kabupaten):
        staff.role, staff.kabupaten_code = role, kabupaten
        _changed(staff)
        audit("account.role_change", by, object_id=staff.id)
        db.session.commit()
        nudge()
        logger.info("staff_role_changed", extra={"staff_id": staff.id, "role": role, "by": by.id})
    return staff


def set_active(staff_id: int, active: bool, by: StaffClaims) -> Staff:
    """Disable (every session ends at once, everywhere) or enable an account."""
    _require_admin(by)
    staff = _account(staff_id)
    if staff.id == by.id and not active:
        raise _refuse("own_account", _("Anda tidak dapat menonaktifkan akun Anda sendiri."), 409)
    if staff.active != active:
        staff.active = active
        _changed(staff)
        audit("account.enable" if active else "account.disable", by, object_id=staff.id)
        db.session.commit()
        nudge()
        logger.info("staff_active_changed", extra={"staff_id": staff.id, "active": active, "by": by.id})
    return staff


# -- two-step sign-in (TOTP) ----------------------------------------------------------------------------------------


def _take_code(staff: Staff, code: str) -> bool:
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
    staff = _account(claims.id)
    if staff.totp_enabled:
        return staff, ""
    _require_admin(claims)
    if staff.totp_secret is None:
        staff.totp_secret = pyotp.random_base32()
        db.session.commit()
    uri = pyotp.TOTP(staff.totp_secret).provisioning_uri(name=staff.email, issuer_name=TOTP_ISSUER)
    return staff, uri


def confirm_two_step(claims: StaffClaims, code: str) -> Staff:
    """Turn two-step sign-in on once the app's code matches; other sessions end."""
    _require_admin(claims)
    staff = _account(claims.id)
    if staff.totp_enabled or staff.totp_secret is None:
        return staff
    if not _take_code(staff, code):
        db.session.rollback()
        raise _refuse("invalid_code", _("Kode verifikasi salah. Periksa jam ponsel Anda, lalu coba lagi."), 400)
    staff.totp_enabled = True
    _changed(staff)
    audit("account.two_step_on", claims, object_id=staff.id)
    db.session.commit()
    nudge()
    logger.info("staff_two_step_on", extra={"staff_id": staff.id})
    return staff


def stop_two_step(claims: StaffClaims, code: str) -> Staff:
    """Turn two-step sign-in off, with a current code (a stolen session alone cannot)."""
    staff = _account(claims.id)
    if not staff.totp_enabled:
        return staff
    if not _take_code(staff, code):
        db.session.rollback()
        raise _refuse("invalid_code", _("Kode verifikasi salah atau sudah dipakai."), 400)
    staff.totp_enabled, staff.totp_secret = False, None
    _changed(staff)
    audit("account.two_step_off", claims, object_id=staff.id)
    db.session.commit()
    nudge()
    logger.info("staff_two_step_off", extra={"staff_id": staff.id})
    return staff
