"""The free-text fields every schema uses: what they take, what they refuse and why."""

import pytest
from flask import Flask
from flask_babel import Babel
from marshmallow import Schema, ValidationError

from shared.text import MultiLineText, SingleLineText


class Sample(Schema):
    name = SingleLineText(max_length=50, min_length=2)
    notes = MultiLineText(max_length=100, load_default="")


@pytest.fixture(autouse=True)
def app_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    "name",
    ["Siti Rahmah", "Nur\u2019aini", "Muh. Rizki, S.Pd.", "Andi 'Ucok' Saputra", "محمد علي", "Zoë Renée", "Ahmad 😊"],
)
def test_names_people_write_are_taken(name):
    assert Sample().load({"name": f"  {name} "})["name"] == name


def test_text_is_stored_in_one_unicode_form():
    decomposed = "Zoe\u0308"  # e + combining diaeresis
    assert Sample().load({"name": decomposed})["name"] == "Zo\u00eb"


@pytest.mark.parametrize(
    "character",
    ["\n", "\r", "\t", "\x0b", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\ud800", "\udfff"],
)
def test_a_single_line_refuses_breaks_controls_bidi_invisible_and_surrogates(character):
    with pytest.raises(ValidationError) as refused:
        Sample().load({"name": f"Siti{character}Rahmah"})
    [message] = refused.value.messages["name"]
    assert "satu baris" in message or "tersembunyi" in message


def test_multi_line_text_keeps_its_lines_and_tabs_but_not_the_rest():
    assert Sample().load({"name": "Ani", "notes": "Kursi roda\r\n\tJuru bahasa\risyarat"})["notes"] == (
        "Kursi roda\n\tJuru bahasa\nisyarat"
    )
    for character in ("\x00", "\u202e", "\u200b", "\u2028", "\x85"):
        with pytest.raises(ValidationError):
            Sample().load({"name": "Ani", "notes": f"a{character}b"})


def test_every_field_has_a_limit():
    with pytest.raises(ValidationError) as refused:
        Sample().load({"name": "x" * 51, "notes": "y" * 101})
    assert set(refused.value.messages) == {"name", "notes"}
    with pytest.raises(TypeError):
        SingleLineText()  # no field without a maximum
