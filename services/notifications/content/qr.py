"""The check-in QR code a mail carries inline, made and drawn by segno's public API."""

import io

import segno

#: Medium error correction: the code still scans from a creased printout or a cracked phone screen.
QR_ERROR = "m"
#: 8 px modules and the standard's four-module quiet zone.
QR_SCALE = 8
QR_BORDER = 4


def qr_png(text: str) -> bytes:
    """Return a black-and-white PNG of the QR code of `text`."""
    out = io.BytesIO()
    segno.make(text, error=QR_ERROR).save(out, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()
