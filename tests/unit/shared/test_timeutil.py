from datetime import UTC, datetime

from shared.timeutil import format_when


def test_format_when_speaks_indonesian_in_wita():
    assert format_when(datetime(2026, 3, 17, 0, 30, tzinfo=UTC)) == "Selasa, 17 Maret 2026 pukul 08.30 WITA"


def test_format_when_speaks_english_too():
    assert format_when(datetime(2026, 3, 17, 0, 30, tzinfo=UTC), "en") == "Tuesday, 17 March 2026 at 08:30 WITA"


def test_format_when_crosses_midnight_into_the_next_wita_day():
    assert format_when(datetime(2026, 3, 16, 17, 0, tzinfo=UTC)).startswith("Selasa, 17 Maret 2026 pukul 01.00")
