"""Staff bearer tokens that every service can check on its own: signed by registration, verified locally.

Registration owns staff accounts and issues a token after checking a password; the token is an itsdangerous
signature (STAFF_TOKEN_SECRET, shared by the services) over the staff member's id, role, kabupaten and token
version, so notifications and reporting authorise staff without calling registration or reading its tables.

A signature alone cannot be taken back, so each service also asks its own staff check (`install_staff_check`)
whether the account is still active and the token's version still current: registration reads its staff table,
the others a small copy kept from `staff.changed` events (`StaffAccessMixin`). A service that installed no check
accepts no token.

The JSON API takes only a bearer token (a browser never sends one by itself, so a forged cross-site request carries
none); the staff cookie opens only the HTML pages, whose POSTs carry a CSRF token.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Flask, current_app, g, request
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import UTCDateTime
from shared.timeutil import utcnow

SALT = "pelita-staff-api"
ROLES = ("provincial_admin", "regency_organiser")


@dataclass(frozen=True)
class StaffClaims:
    id: int
    email: str
    role: str
    kabupaten_code: str | None = None
    #: The account's token version when the token was issued; a later sign-out, disabling or password change
    #: raises the account's version, and every older token stops working.
    version: int = 0

    @property
    def is_provincial(self) -> bool:
        return self.role == "provincial_admin"

    @property
    def scope(self) -> str | None:
        """The one regency this staff member's reads and writes are limited to; None: every regency (a provincial
        admin). An organiser without a regency gets "-", which no regency's code is: they see nothing.

        Every service scopes staff by this alone: list queries filter by it, and `may_see` checks one record."""
        return None if self.is_provincial else (self.kabupaten_code or "-")

    def may_see(self, kabupaten_code: str | None) -> bool:
        """Whether a record of `kabupaten_code` (None: of no regency) is within this staff member's scope."""
        return self.scope is None or (kabupaten_code is not None and kabupaten_code == self.scope)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["STAFF_TOKEN_SECRET"], salt=SALT)


def issue_token(claims: StaffClaims, hours: float) -> tuple[str, datetime]:
    return _serializer().dumps(asdict(claims)), utcnow() + timedelta(hours=hours)


def verify_token(token: str, hours: float) -> StaffClaims | None:
    """Return the claims of a well-signed, unexpired token (whether the account still holds them is not asked)."""
    try:
        claims = StaffClaims(**_serializer().loads(token, max_age=int(hours * 3600)))
    except (BadSignature, TypeError):
        return None
    return claims if isinstance(claims.id, int) and isinstance(claims.version, int) else None


#: Answers whether the account behind well-signed claims may still use them (active, version current).
StaffCheck = Callable[[StaffClaims], bool]


def install_staff_check(app: Flask, check: StaffCheck) -> None:
    """Register the service's own answer to "is this token's account still active, at this version?"."""
    app.extensions["pelita_staff_check"] = check


def _accepted(claims: StaffClaims | None) -> StaffClaims | None:
    if claims is None:
        return None
    check = current_app.extensions.get("pelita_staff_check")
    return claims if check is not None and check(claims) else None


#: The staff session cookie: the same signed token as the API's, readable by every service on the host.
STAFF_COOKIE = "pelita_staff"


def bearer_staff() -> StaffClaims | None:
    """The staff member of this request's `Authorization: Bearer` token, if it is valid and current."""
    if "_bearer_staff" not in g:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        valid = scheme.lower() == "bearer" and 0 < len(token) <= 2000
        g._bearer_staff = _accepted(verify_token(token, current_app.config["STAFF_TOKEN_HOURS"])) if valid else None
    return g._bearer_staff


def cookie_staff() -> StaffClaims | None:
    """The staff member of this request's session cookie, if it is valid and current."""
    if "_cookie_staff" not in g:
        token = request.cookies.get(STAFF_COOKIE, "")
        valid = 0 < len(token) <= 2000
        g._cookie_staff = _accepted(verify_token(token, current_app.config["STAFF_TOKEN_HOURS"])) if valid else None
    return g._cookie_staff


def current_staff() -> StaffClaims | None:
    """Return the staff member of this request (a bearer token, or the session cookie) for the pages' layout."""
    return bearer_staff() or cookie_staff()


def staff_required(view):
    """Let an API view run only for a request with a valid bearer token (JSON 401 otherwise); sets g.staff.

    The session cookie does not count here: the API is exempt from CSRF, so a cookie would let any web page post
    to it in a signed-in organiser's name.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        claims = bearer_staff()
        if claims is None:
            abort(401, message="Token staf tidak ada atau tidak berlaku.")
        g.staff = claims
        return view(*args, **kwargs)

    return wrapper


def staff_page(view):
    """Let an HTML view run only for signed-in staff; others are sent to the sign-in page and brought back."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        claims = current_staff()
        if claims is None:
            from flask import redirect

            login = current_app.config.get("STAFF_LOGIN_URL") or _registration_url() + "/staf/masuk"
            return redirect(f"{login}?{urlencode({'next': request.url})}")
        g.staff = claims
        return view(*args, **kwargs)

    return wrapper


def _registration_url() -> str:
    from shared.config import env

    return env("REGISTRATION_PUBLIC_URL", f"http://127.0.0.1:{env('REGISTRATION_PORT', '8001')}")


class StaffAccessMixin:
    """What a service other than registration knows of each staff account, kept from `staff.changed` events."""

    __tablename__ = "staff_access"

    staff_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    token_version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def apply_staff_changed(session: Session, model: type, payload: dict) -> None:
    """Keep the newest state of one account (a replayed or late older event changes nothing); no commit."""
    row = session.get(model, payload["staff_id"])
    if row is None:
        session.add(
            model(staff_id=payload["staff_id"], token_version=payload["token_version"], active=payload["active"])
        )
    elif payload["token_version"] >= row.token_version:
        row.token_version, row.active, row.updated_at = payload["token_version"], payload["active"], utcnow()


def access_check(session_factory: Callable[[], Session], model: type) -> StaffCheck:
    """The staff check of a service that keeps a `StaffAccessMixin` table: known, active, version not older."""

    def check(claims: StaffClaims) -> bool:
        row = session_factory().get(model, claims.id)
        return row is not None and row.active and claims.version >= row.token_version

    return check
