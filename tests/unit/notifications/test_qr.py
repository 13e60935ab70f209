"""The QR code in a mail is exactly the one segno makes for the same text, drawn at 8 px a module."""

import io

import pytest
import segno
from PIL import Image

from services.notifications.content.qr import QR_BORDER, QR_SCALE, qr_png


def modules_in(png: bytes) -> list[list[int]]:
    picture = Image.open(io.BytesIO(png)).convert("L")
    size = picture.width // QR_SCALE - 2 * QR_BORDER
    middle = QR_SCALE // 2
    return [
        [
            int(picture.getpixel(((QR_BORDER + c) * QR_SCALE + middle, (QR_BORDER + r) * QR_SCALE + middle)) < 128)
            for c in range(size)
        ]
        for r in range(size)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "KX7P2M9Q",  # a check-in code alone: a Micro QR code
        "http://127.0.0.1:8001/staf/hadir/" + "eyJyIjoiNmQ2YzQ1ZGUtZjVhNy00ZDI0In0.Zx9kQw.abcdefghijklmnop",
        "Pelatihan Perpustakaan Berbasis Inklusi Sosial, Aula Dispersip — Kabupaten Banjar",  # not ASCII: bytes
    ],
)
def test_the_picture_shows_segnos_code_with_a_quiet_zone(text):
    png = qr_png(text)
    assert png.startswith(b"\x89PNG")
    expected = [list(row) for row in segno.make(text, error="m").matrix]
    assert modules_in(png) == expected
    picture = Image.open(io.BytesIO(png)).convert("L")
    assert picture.width == (len(expected) + 2 * QR_BORDER) * QR_SCALE
    assert {picture.getpixel((x, 0)) for x in range(picture.width)} == {255}  # the quiet zone is light


@pytest.mark.parametrize("text", ["KX7P2M9Q", "http://127.0.0.1:8001/c/AbCdEfGh12345678XyZ"])
def test_our_drawing_is_pixel_for_pixel_the_picture_segno_draws(text):
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=QR_SCALE, border=QR_BORDER)
    ours, segnos = (Image.open(io.BytesIO(png)).convert("L") for png in (qr_png(text), out.getvalue()))
    assert ours.size == segnos.size
    assert ours.tobytes() == segnos.tobytes()
