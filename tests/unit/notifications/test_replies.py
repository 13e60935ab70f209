"""Reading a reply to the reminder the ways people write it (services/notifications/replies.py)."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.replies import Reply, answer_text, button_payloads, from_button, parse

YES = ["1", "ya", "Ya", "YA!", "iya", "Iyaaa", "y", "hadir", "Hadir.", " 1 ", "1.", "ya, hadir", "Insya Allah hadir"]
YES += ["saya hadir pak", "ok siap", "👍", "１", "Ya hadir, terima kasih"]
NO = ["2", "batal", "BATAL", "tidak", "tdk", "gak", "Gak bisa", "tidak hadir", "maaf... batal", "2!", "nggak"]
NO += ["saya tidak bisa datang", "berhalangan", "ya batal", "tidak bisa hadir pak"]
UNKNOWN = ["", "halo", "acaranya di mana?", "1 2", "ya atau tidak", "kapan mulai", "3", "saya mau tanya"]


@pytest.mark.parametrize("text", YES)
def test_ways_of_saying_yes(text):
    assert parse(text) == Reply("yes")


@pytest.mark.parametrize("text", NO)
def test_ways_of_saying_no(text):
    assert parse(text) == Reply("no")


@pytest.mark.parametrize("text", UNKNOWN)
def test_what_is_not_clearly_one_answer_is_never_guessed(text):
    assert parse(text).kind == "unknown"


@pytest.mark.parametrize("text", ["Terima kasih", "makasih pak 🙂", "baik bu, terima kasih"])
def test_thanks_alone_is_courtesy_that_needs_no_answer(text):
    assert parse(text) == Reply("courtesy")


@pytest.mark.parametrize("text", ["STOP", "berhenti", "Berhenti ya", "stop!! batal", "UNSUBSCRIBE"])
def test_stop_or_berhenti_opts_out_whatever_else_the_message_says(text):
    assert parse(text) == Reply("stop")


@pytest.mark.parametrize(
    ("text", "reply"), [("1A", Reply("yes", "A")), ("2 b", Reply("no", "B")), ("1-c", Reply("yes", "C"))]
)
def test_a_letter_picks_one_of_several_registrations(text, reply):
    assert parse(text) == reply


def test_a_button_payload_names_its_registration_and_a_foreign_one_is_ignored():
    registration_id = "0f8fad5b-d9cb-469f-a165-70867728950e"
    hadir, batal = button_payloads(registration_id)
    assert from_button(hadir) == Reply("yes", registration_id=registration_id)
    assert from_button(batal) == Reply("no", registration_id=registration_id)
    assert from_button("hadir:not-an-id") is None and from_button("") is None


@given(st.sampled_from(YES + NO), st.text(alphabet=" .,!?-~", max_size=5), st.booleans())
def test_spaces_punctuation_and_capitals_do_not_change_the_answer(text, noise, upper):
    changed = noise + (text.upper() if upper else text) + noise
    assert parse(changed) == parse(text)


@given(st.text(max_size=400))
def test_any_text_gets_one_of_the_four_readings_and_never_an_error(text):
    assert parse(text).kind in ("yes", "no", "stop", "courtesy", "unknown")


def test_the_question_for_several_registrations_names_each_event_with_its_letter():
    events = [
        (
            "Pelatihan Literasi Digital untuk Perpustakaan Desa se-Kabupaten Banjar",
            datetime(2026, 3, 17, 0, 30, tzinfo=UTC),
        ),
        ("Kelas Menulis", datetime(2026, 3, 20, 0, 30, tzinfo=UTC)),
    ]
    text = answer_text("ask", "id", events)
    assert "A) Pelatihan Literasi Digital untuk... (Sel 17 Mar)" in text and "B) Kelas Menulis (Jum 20 Mar)" in text
    assert "Balas 1A" in text and len(text) <= 306
    assert "Reply 1A" in answer_text("ask", "en", events)
