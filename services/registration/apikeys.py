"""Partner systems' API keys: provincial admins issue and revoke them; a request presents one."""

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _

from services.registration import store
from services.registration.common import RegistrationError, audit
from services.registration.extensions import db
from services.registration.models import ApiKey
from shared.staffauth import StaffClaims
from shared.timeutil import utcnow

#: Every key starts so (staff and secret scanners recognise one); the rest is 32 random bytes, URL-safe.
API_KEY_START = "pelita_"
#: A key's last use is written at most this often.
API_KEY_TOUCH_PACE = timedelta(minutes=1)


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _provincial_only(staff: StaffClaims) -> None:
    if not staff.is_provincial:
        raise RegistrationError("forbidden", _("Hanya admin provinsi yang dapat mengelola kunci API."), 403)


def create_api_key(name: str, staff: StaffClaims) -> tuple[ApiKey, str]:
    """Issue a partner system a key to register people; return (its row, the key), the key's only showing."""
    _provincial_only(staff)
    key = API_KEY_START + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=key[: len(API_KEY_START) + 6], key_hash=_hash_key(key), created_by=staff.id)
    store.add(row)
    db.session.flush()
    audit("api_key.issue", staff, object_id=row.id)
    db.session.commit()
    return row, key


def list_api_keys(staff: StaffClaims) -> list[ApiKey]:
    _provincial_only(staff)
    return store.list_api_keys()


def revoke_api_key(key_id: int, staff: StaffClaims) -> ApiKey:
    """Stop a key working from now on (revoking twice changes nothing)."""
    _provincial_only(staff)
    row = store.get_api_key(key_id)
    if row is None:
        raise RegistrationError("not_found", _("Kunci API tidak ditemukan."), 404)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit("api_key.revoke", staff, object_id=row.id)
        db.session.commit()
    return row


def authenticate_api_key(key: str) -> ApiKey:
    """Return the live key `key` is, recording its use; refuse (401) a wrong or revoked one alike."""
    row = store.get_api_key_by_hash(_hash_key(key)) if len(key) <= 200 else None
    if row is None or row.revoked_at is not None or row.scope != "registration":
        db.session.rollback()
        raise RegistrationError("invalid_api_key", _("Kunci API salah atau sudah dicabut."), 401)
    now = utcnow()
    if row.last_used_at is None or row.last_used_at <= now - API_KEY_TOUCH_PACE:  # else no write at all
        store.touch_api_key(row.id, now, now - API_KEY_TOUCH_PACE)
    db.session.commit()
    return row
