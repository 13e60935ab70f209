"""Reminder times and quiet hours, as pure functions."""

from datetime import UTC, datetime

import pytest

from services.notifications.sending.schedule import lead_key, outside_quiet_hours, parse_quiet_hours, reminder_due
from shared.timeutil import WITA

QUIET = parse_quiet_hours("21:00-07:00")


def wita(*args) -> datetime:
    return datetime(*args, tzinfo=WITA)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (wita(2026, 3, 13, 20, 59), wita(2026, 3, 13, 20, 59)),
        (wita(2026, 3, 13, 21, 0), wita(2026, 3, 14, 7, 0)),
        (wita(2026, 3, 13, 23, 45), wita(2026, 3, 14, 7, 0)),
        (wita(2026, 3, 14, 0, 30), wita(2026, 3, 14, 7, 0)),
        (wita(2026, 3, 14, 6, 59), wita(2026, 3, 14, 7, 0)),
        (wita(2026, 3, 14, 7, 0), wita(2026, 3, 14, 7, 0)),
    ],
)
def test_sms_inside_quiet_hours_moves_to_seven_in_the_morning_wita(moment, expected):
    assert outside_quiet_hours(moment, "sms", QUIET, WITA) == expected


def test_quiet_hours_are_read_in_wita_even_for_a_utc_moment():
    moment = datetime(2026, 3, 13, 14, 0, tzinfo=UTC)  # 22.00 WITA
    assert outside_quiet_hours(moment, "whatsapp", QUIET, WITA) == wita(2026, 3, 14, 7, 0)


def test_email_ignores_quiet_hours_and_none_means_no_quiet_hours():
    late = wita(2026, 3, 13, 23, 0)
    assert outside_quiet_hours(late, "email", QUIET, WITA) == late
    assert outside_quiet_hours(late, "sms", parse_quiet_hours(""), WITA) == late


def test_reminder_offsets_count_back_from_the_start():
    assert reminder_due(wita(2026, 3, 17, 8, 30), 4320) == wita(2026, 3, 14, 8, 30)
    assert reminder_due(wita(2026, 3, 17, 8, 30), 120) == wita(2026, 3, 17, 6, 30)


@pytest.mark.parametrize(
    ("offset", "lead"), [(4320, ("days", 3)), (1440, ("tomorrow", 1)), (120, ("hours", 2)), (45, ("minutes", 45))]
)
def test_lead_describes_the_offset(offset, lead):
    assert lead_key(offset) == lead
