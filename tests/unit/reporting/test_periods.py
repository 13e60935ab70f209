"""Weekly reports on Monday 08.00 WITA for the week before; monthly on the 1st for the month before."""

from datetime import UTC, date, datetime

from services.reporting.periods import latest_due
from shared.timeutil import WITA


def test_the_weekly_report_of_last_week_is_due_on_monday_at_eight_wita():
    due, start, end = latest_due("weekly", datetime(2026, 3, 16, 8, 0, tzinfo=WITA))
    assert (due, start, end) == (datetime(2026, 3, 16, 8, 0, tzinfo=WITA), date(2026, 3, 9), date(2026, 3, 15))


def test_a_minute_before_eight_on_monday_the_latest_is_still_the_week_before():
    _, start, end = latest_due("weekly", datetime(2026, 3, 16, 7, 59, tzinfo=WITA))
    assert (start, end) == (date(2026, 3, 2), date(2026, 3, 8))


def test_eight_wita_is_midnight_utc():
    due, start, _ = latest_due("weekly", datetime(2026, 3, 16, 0, 0, tzinfo=UTC))
    assert due == datetime(2026, 3, 16, 0, 0, tzinfo=UTC) and start == date(2026, 3, 9)


def test_the_monthly_report_covers_the_month_before_even_across_a_year():
    due, start, end = latest_due("monthly", datetime(2026, 1, 20, tzinfo=WITA))
    assert (due, start, end) == (datetime(2026, 1, 1, 8, tzinfo=WITA), date(2025, 12, 1), date(2025, 12, 31))
    _, start, end = latest_due("monthly", datetime(2026, 3, 1, 7, 0, tzinfo=WITA))
    assert (start, end) == (date(2026, 1, 1), date(2026, 1, 31))
