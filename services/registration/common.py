"""What every use case of registration shares: the refusal it raises, the one check of a staff member's reach over an
event, the audit trail and the WITA day as people read it."""

from datetime import datetime

from flask_babel import gettext as _

from services.registration import store
from services.registration.extensions import db
from services.registration.models import AuditEntry, Event
from shared import audit as trail
from shared.staffauth import StaffClaims
from shared.timeutil import to_local


class RegistrationError(Exception):
    """A request the rules refuse; `code` is stable for the API, `message` is for people."""

    def __init__(self, code: str, message: str, status: int = 409, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        #: Seconds until trying again makes sense (a 429's Retry-After header), when the refusal is for a while.
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        """What a response refusing with this error carries besides its body."""
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


def require_scope(staff: StaffClaims, kabupaten_code: str | None, refusal: str | None = None) -> None:
    """The one staff scoping of this service, which every staff read and write goes through: a provincial admin may
    see every kabupaten/kota, a regency organiser only their own; anything else is refused with 403 (`refusal` says
    what the staff member reached for)."""
    if not staff.may_see(kabupaten_code):
        raise RegistrationError("forbidden", refusal or _("Data ini milik kabupaten/kota lain."), 403)


def event_for_staff(event_id: str, staff: StaffClaims) -> Event:
    event = store.get_event(event_id)
    if event is None:
        raise RegistrationError("not_found", _("Acara tidak ditemukan."), 404)
    require_scope(staff, event.kabupaten_code, _("Acara ini milik kabupaten/kota lain."))
    return event


def format_day(value: datetime) -> str:
    """A WITA date the Indonesian way ("Selasa, 17 Maret 2026"), or in English on an English page."""
    from babel.dates import format_date
    from flask_babel import get_locale

    return format_date(to_local(value).date(), "EEEE, d MMMM y", locale=str(get_locale() or "id"))


def audit(action: str, staff: StaffClaims | None, *, event_id=None, object_id=None, commit: bool = False) -> None:
    """Note a staff action in this service's audit trail (shared/audit.py); by default in the caller's transaction,
    so the action and its record are committed together."""
    trail.record(db.session, AuditEntry, action, staff, event_id=event_id, object_id=object_id, commit=commit)
