"""The period and area a staff member may see (the one check of their reach in reporting), and its figures."""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from services.reporting import figures, store, suppression
from services.reporting.common import ReportingError
from shared.staffauth import StaffClaims
from shared.timeutil import WITA, utcnow


def compute_figures(scope: figures.Scope, now: datetime | None = None) -> figures.Figures:
    """Compute the figures of a period and area from the read model."""
    start, end = scope.bounds()
    events, counts = store.count_facts(start, end, scope.kabupaten_code)
    return figures.from_counts(scope, events, counts, now=now or utcnow())


def today() -> date:
    return utcnow().astimezone(WITA).date()


def scope_for(staff: StaffClaims, query: dict) -> figures.Scope:
    """Return the period and area a staff member asked for, within what they may see (default: a period with data,
    see default_period)."""
    kabupaten_code = query.get("kabupaten_code")
    if not staff.is_provincial:
        if staff.kabupaten_code is None or kabupaten_code not in (None, staff.kabupaten_code):
            raise ReportingError(_("Data ini milik kabupaten/kota lain."))
        kabupaten_code = staff.kabupaten_code
    if not query.get("start") and not query.get("end"):
        return figures.Scope(*default_period(kabupaten_code), kabupaten_code)
    end = query.get("end") or max(today(), query.get("start") or today())
    start = query.get("start") or end.replace(day=1)
    return figures.Scope(start, end, kabupaten_code)


def default_period(kabupaten_code: str | None) -> tuple[date, date]:
    """The period the dashboard opens on: this month so far if an event started in it, else the last 30 days if one
    did, else the month of the latest event (this month so far when there is none): never empty when data exists."""
    day = today()
    for start in (day.replace(day=1), day - timedelta(days=29)):
        if store.has_events(*figures.Scope(start, day).bounds(), kabupaten_code):
            return start, day
    latest = store.latest_event_start(figures.Scope(day, day).bounds()[1], kabupaten_code)
    if latest is None:
        return day.replace(day=1), day
    first = latest.astimezone(WITA).date().replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def figures_for(staff: StaffClaims, scope: figures.Scope) -> tuple[figures.Figures, figures.Figures]:
    """Compute the figures for the dashboard, and those files and mails carry (small counts suppressed): provincial
    staff see every count, others what is shared."""
    computed = compute_figures(scope)
    public = suppression.suppress(computed)
    return (computed if staff.is_provincial else public), public
