"""Staff bearer tokens that every service can check on its own: signed by registration, verified locally.

Registration owns staff accounts and issues a token after checking a password; the token is an itsdangerous
signature (STAFF_TOKEN_SECRET, shared by the services) over the staff member's id, role and kabupaten, so
notifications and reporting authorise staff without calling registration or reading its tables.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app, g, request
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeTimedSerializer

from shared.timeutil import utcnow

SALT = "pelita-staff-api"


@dataclass(frozen=True)
class StaffClaims:
    id: int
    email: str
    role: str
    kabupaten_code: str | None = None

    @property
    def is_provincial(self) -> bool:
        return self.role == "provincial_admin"

    def may_see(self, kabupaten_code: str | None) -> bool:
        return self.is_provincial or (kabupaten_code is not None and kabupaten_code == self.kabupaten_code)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["STAFF_TOKEN_SECRET"], salt=SALT)


def issue_token(claims: StaffClaims, hours: float) -> tuple[str, datetime]:
    return _serializer().dumps(asdict(claims)), utcnow() + timedelta(hours=hours)


def verify_token(token: str, hours: float) -> StaffClaims | None:
    try:
        return StaffClaims(**_serializer().loads(token, max_age=int(hours * 3600)))
    except (BadSignature, TypeError):
        return None


def staff_required(view):
    """Let the view run only for a request with a valid staff bearer token (JSON 401 otherwise); sets g.staff."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        hours = current_app.config["STAFF_TOKEN_HOURS"]
        claims = verify_token(token.strip(), hours) if scheme.lower() == "bearer" and token.strip() else None
        if claims is None:
            abort(401, message="Token staf tidak ada atau tidak berlaku.")
        g.staff = claims
        return view(*args, **kwargs)

    return wrapper
