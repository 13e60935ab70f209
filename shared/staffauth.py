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


#: The staff session cookie: the same signed token as the API's, readable by every service on the host.
STAFF_COOKIE = "pelita_staff"


def current_staff() -> StaffClaims | None:
    """Return the staff member of this request: a bearer token, or the staff session cookie; else None."""
    hours = current_app.config["STAFF_TOKEN_HOURS"]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return verify_token(token.strip(), hours)
    cookie = request.cookies.get(STAFF_COOKIE)
    return verify_token(cookie, hours) if cookie else None


def staff_required(view):
    """Let an API view run only for a request with a valid staff token (JSON 401 otherwise); sets g.staff."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        claims = current_staff()
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
            return redirect(f"{login}?next={request.url}")
        g.staff = claims
        return view(*args, **kwargs)

    return wrapper


def _registration_url() -> str:
    from shared.config import env

    return env("REGISTRATION_PUBLIC_URL", f"http://127.0.0.1:{env('REGISTRATION_PORT', '8001')}")
