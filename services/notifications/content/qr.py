"""The check-in QR code a mail carries inline: made by segno, drawn by a few lines of our own.

The QR code is the largest single item of the notifications worker's CPU per confirmation (a py-spy profile of
bench/pipeline.py, docs/performance.md), and segno's own PNG writer, which walks every pixel in Python, was about a
third of it. The picture here is a one-bit greyscale PNG whose rows are built whole, module by module, then
compressed once with zlib at its default level: the same pixels, about a quarter of the writer's time.
"""

import struct
import zlib

import segno

#: Medium error correction: the code still scans from a creased printout or a cracked phone screen.
QR_ERROR = "m"
#: 8 px modules and the standard's four-module quiet zone.
QR_SCALE = 8
QR_BORDER = 4


def qr_png(text: str) -> bytes:
    """Return a black-and-white PNG of the QR code of `text`."""
    return png(segno.make(text, error=QR_ERROR).matrix, QR_SCALE, QR_BORDER)


def png(matrix, scale: int, border: int) -> bytes:
    """A one-bit greyscale PNG of `matrix` (rows of 1 = dark), `scale` px a module, `border` light modules around."""
    width = (len(matrix[0]) + 2 * border) * scale
    light, dark = "1" * scale, "0" * scale
    padding = "1" * (-width % 8)
    quiet = b"\x00" + int("1" * width + padding, 2).to_bytes((width + 7) // 8, "big")
    lines = [quiet] * (border * scale)
    edge = light * border
    for row in matrix:
        bits = edge + "".join(dark if module else light for module in row) + edge + padding
        lines += [b"\x00" + int(bits, 2).to_bytes((width + 7) // 8, "big")] * scale  # filter byte 0: none
    lines += [quiet] * (border * scale)
    height = len(lines)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(lines), 6))
        + (_chunk(b"IEND", b""))
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
