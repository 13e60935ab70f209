"""When a scheduled report is due and which period it covers (pure; local time is WITA)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.timeutil import WITA


def latest_due(kind: str, now: datetime, hour: int = 8, minute: int = 0, tz: ZoneInfo = WITA):
    """Return (due moment, first day, last day) of the latest report due at or before `now`.

    Weekly: Monday at hh.mm for the Monday-to-Sunday week before. Monthly: the 1st at hh.mm for the month before.
    """
    today = now.astimezone(tz).date()
    send_day = _send_day(kind, today)
    due = datetime.combine(send_day, time(hour, minute), tz)
    if due > now:
        send_day = _send_day(kind, send_day - timedelta(days=1))
        due = datetime.combine(send_day, time(hour, minute), tz)
    return (due, *period_before(kind, send_day))


def current_period(kind: str, now: datetime, tz: ZoneInfo = WITA) -> tuple[date, date]:
    """Return the first day of the week (Monday) or month `now` falls in, and today: the period so far."""
    today = now.astimezone(tz).date()
    return _send_day(kind, today), today


def period_before(kind: str, send_day: date) -> tuple[date, date]:
    """Return the first and last day of the period a report sent on `send_day` covers."""
    end = send_day - timedelta(days=1)
    return (end - timedelta(days=6), end) if kind == "weekly" else (end.replace(day=1), end)


def _send_day(kind: str, day: date) -> date:
    return day - timedelta(days=day.weekday()) if kind == "weekly" else day.replace(day=1)
