"""The QR code in a mail is exactly the one segno makes for the same text (only chosen faster)."""

import random
import string

import pytest
import segno

from services.notifications.qr import qr_matrix


def segno_matrix(text: str) -> list[list[int]]:
    return [list(row) for row in segno.make(text, error="m").matrix]


@pytest.mark.parametrize(
    "text",
    [
        "KX7P2M9Q",  # a check-in code alone: a Micro QR code
        "http://127.0.0.1:8001/staf/hadir/" + "eyJyIjoiNmQ2YzQ1ZGUtZjVhNy00ZDI0In0.Zx9kQw.abcdefghijklmnop",
        "https://pelita.dispersip.kalselprov.go.id/staf/hadir/" + "A" * 200,
        "Pelatihan Perpustakaan Berbasis Inklusi Sosial, Aula Dispersip — Kabupaten Banjar",  # not ASCII: bytes
    ],
)
def test_the_matrix_is_segnos(text):
    assert [list(row) for row in qr_matrix(text)] == segno_matrix(text)


def test_the_matrix_is_segnos_for_many_texts_of_every_length():
    rng = random.Random(20261125)
    alphabet = string.ascii_letters + string.digits + "/:.-_~?=&%"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 250))) for _ in range(40)]
    assert [text for text in texts if [list(row) for row in qr_matrix(text)] != segno_matrix(text)] == []
