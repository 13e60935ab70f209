"""The pure figures: small-count suppression and the edges of the period."""

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from services.reporting.figures import Scope, compute
from services.reporting.suppression import HIDDEN, SMALL, protect, suppress


def event(event_id: str, starts_at: datetime, kabupaten: str = "63.03", status: str = "published"):
    return SimpleNamespace(
        event_id=event_id,
        title=event_id,
        kabupaten_code=kabupaten,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=6),
        status=status,
        capacity=10,
    )


def registration(event_id: str, disability: str = "none", status: str = "confirmed", checked_in: bool = False):
    return SimpleNamespace(
        pseudonym=uuid.uuid4().hex,
        event_id=event_id,
        status=status,
        kabupaten_code="63.03",
        desa_code=None,
        gender="female",
        age_group="26_35",
        disability=disability,
        participant_type="public",
        checked_in_at=datetime(2026, 3, 10, tzinfo=UTC) if checked_in else None,
        certificate_issued_at=None,
        certificate_revoked_at=None,
    )


def test_counts_of_one_to_four_are_suppressed_and_zero_and_five_are_not():
    assert protect([0, 1, 4, 5], 10) == ([0, SMALL, SMALL, 5], 10)


def test_a_lone_suppressed_cell_beside_a_shown_total_hides_the_next_smallest():
    assert protect([3, 6, 8], 17) == ([SMALL, HIDDEN, 8], 17)


def test_a_small_total_is_suppressed_too():
    assert protect([3, 0], 3) == ([SMALL, 0], SMALL)


def test_the_period_is_read_in_wita_at_both_ends():
    scope = Scope(date(2026, 3, 9), date(2026, 3, 15))
    events = [
        event("sunday-late", datetime(2026, 3, 15, 15, 59, tzinfo=UTC)),  # 23.59 WITA on Sunday: in
        event("monday-early", datetime(2026, 3, 15, 16, 0, tzinfo=UTC)),  # 00.00 WITA on Monday: out
        event("first-minute", datetime(2026, 3, 8, 16, 0, tzinfo=UTC)),  # 00.00 WITA on Monday 9th: in
    ]
    figures = compute(scope, events, [], [], now=datetime(2026, 3, 16, tzinfo=UTC))
    assert [row.event_id for row in figures.events] == ["first-minute", "sunday-late"]


def test_no_shows_count_only_events_that_have_started():
    scope = Scope(date(2026, 3, 9), date(2026, 3, 15))
    events = [event("past", datetime(2026, 3, 9, 1, tzinfo=UTC)), event("later", datetime(2026, 3, 14, tzinfo=UTC))]
    regs = [registration("past", checked_in=True), registration("past"), registration("later")]
    figures = compute(scope, events, regs, [], now=datetime(2026, 3, 12, tzinfo=UTC))
    assert (figures.no_shows, figures.no_show_rate, figures.attendance_rate) == (1, 0.5, 0.5)


def test_suppression_leaves_out_the_none_row_and_is_idempotent():
    scope = Scope(date(2026, 3, 9), date(2026, 3, 15))
    regs = [registration("e", "sensory")] + [registration("e") for _ in range(6)]
    figures = compute(scope, [event("e", datetime(2026, 3, 10, tzinfo=UTC))], regs, [], now=datetime.now(UTC))
    public = suppress(figures)
    kinds = ["physical", "intellectual", "mental", "sensory", "prefer_not_to_say"]
    assert [row.key for row in public.breakdowns["disability"]] == kinds
    assert public.disability_registered == SMALL and public.events[0].disability_registered == SMALL
    assert suppress(public) == public


def test_prefer_not_to_say_counts_neither_as_a_disability_nor_as_none():
    scope = Scope(date(2026, 3, 9), date(2026, 3, 15))
    regs = [
        registration("e", "sensory"),
        registration("e", "prefer_not_to_say"),
        registration("e", "prefer_not_to_say"),
    ]
    figures = compute(scope, [event("e", datetime(2026, 3, 10, tzinfo=UTC))], regs, [], now=datetime.now(UTC))
    rows = {row.key: row.registered for row in figures.breakdowns["disability"]}
    assert (rows["sensory"], rows["none"], rows["prefer_not_to_say"]) == (1, 0, 2)
    assert figures.disability_registered == 1 and figures.events[0].disability_registered == 1
