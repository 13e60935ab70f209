"""The calendar file and the HTML part, as pure functions."""

from datetime import datetime

from services.notifications.content.html import html_body
from services.notifications.content.ics import CalendarEvent, calendar, escape_text, fold
from shared.timeutil import WITA


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "Pelatihan Literasi — Perpustakaan Desa Sungai Tabuk " * 4
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_text_values_escape_commas_semicolons_backslashes_and_newlines():
    assert escape_text("Aula, Lt. 2; Ruang\\A\nMartapura") == "Aula\\, Lt. 2\\; Ruang\\\\A\\nMartapura"


def test_an_event_without_a_proper_end_has_only_its_start():
    start = datetime(2026, 3, 17, 8, 30, tzinfo=WITA)
    text = calendar(CalendarEvent("u@x", "Pelatihan", start, start, "Aula"), WITA).decode()
    assert "DTSTART;TZID=Asia/Makassar:20260317T083000\r\n" in text and "DTEND" not in text
    assert "TZNAME:WITA" in text and text.endswith("END:VCALENDAR\r\n")


def test_the_html_part_links_pelitas_addresses_and_keeps_the_full_stop_outside():
    text = "Batal: https://contoh.id/r/abc.\n\nSalam <tim>, lihat https://lain.example/x"
    html = html_body("Subjek", text, "id", origins=frozenset({"https://contoh.id"}))
    assert '<a href="https://contoh.id/r/abc">https://contoh.id/r/abc</a>.' in html
    assert html.count("<a ") == 1 and "lain<span>.</span>example" in html
    assert "Salam &lt;tim&gt;" in html and "<h1" in html and "Subjek" in html
