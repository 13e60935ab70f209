"""SMS length and parts as a gateway bills them: GSM-7 160/153, UCS-2 70/67."""

import pytest

from services.notifications.content.sms import gsm_safe, measure


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("{" * 80, "GSM-7", 160, 1),  # the extension table costs two septets each
        ("a" * 152 + "€" + "a" * 10, "GSM-7", 164, 2),  # the € does not fit in part one's last septet: it moves
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),
        ("é" * 160, "GSM-7", 160, 1),  # é is in the GSM alphabet
        ("ê" * 70, "UCS-2", 70, 1),  # ê is not
        ("ê" * 71, "UCS-2", 71, 2),
        ("ê" * 134, "UCS-2", 134, 2),
        ("ê" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
        ("a" * 66 + "😀" + "a" * 5, "UCS-2", 73, 2),  # the pair is not split across parts
    ],
)
def test_length_and_parts(text, encoding, units, segments):
    result = measure(text)
    assert (result.encoding, result.units, result.segments) == (encoding, units, segments)


def test_the_characters_that_force_ucs2_are_named_once_each():
    result = measure("Acara “Literasi Digital” — besok “lagi”")
    assert result.encoding == "UCS-2" and result.non_gsm == ("“", "”", "—")
    assert (result.single_limit, result.part_limit) == (70, 67)


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("Acara \u201cLiterasi Digital\u201d \u2014 Nur\u2019aini", 'Acara "Literasi Digital" - Nur\'aini'),
        ("08.30\u201312.00 \u2026", "08.30-12.00 ..."),
        ("Muh\u0323ammad Ha\u0304san", "Muhammad Hasan"),  # accents GSM-7 lacks go, the letters stay
        ("8:30\u202fAM", "8:30 AM"),  # CLDR's narrow space in English times
        ("Caf\u00e9 \u00e0 \u00f1", "Caf\u00e9 \u00e0 \u00f1"),  # in the GSM alphabet already: kept
        ("Salam \U0001f642", "Salam \U0001f642"),  # nothing reads the same: left, and the SMS is UCS-2
    ],
)
def test_typographic_characters_go_as_their_gsm_look_alikes(typed, sent):
    assert gsm_safe(typed) == sent
    assert measure(gsm_safe(typed)).encoding == ("UCS-2" if "\U0001f642" in typed else "GSM-7")
