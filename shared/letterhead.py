"""The letterhead (kop surat) on every paper Pelita prints: the official report (reporting) and the daftar hadir
(registration). One set of settings, read the same way by both services, and one way to inline the logo; the markup
and its style are the macros of shared/web/templates/pelita/print.html."""

import base64
import logging
from pathlib import Path

from shared.config import env

logger = logging.getLogger(__name__)

#: The logo when REPORT_LOGO_PATH names none: a plain emblem drawn for Pelita (an open book and a lamp), not the
#: province's coat of arms.
DEFAULT_LOGO = Path(__file__).resolve().parent / "assets" / "logo-dispersip.svg"
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def letterhead_settings() -> dict[str, str]:
    """The settings of the letterhead and of the programme it speaks for (docs/reports.md): set them once in the
    environment and every service that prints reads the same values, with the same defaults."""
    return {
        "REPORT_INSTITUTION": env("REPORT_INSTITUTION", "Dinas Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan"),
        "REPORT_ADDRESS": env("REPORT_ADDRESS", "Jl. Jenderal Ahmad Yani Km 6,4, Banjarmasin, Kalimantan Selatan"),
        "REPORT_LOGO_PATH": env("REPORT_LOGO_PATH") or str(DEFAULT_LOGO),
        "REPORT_PROGRAMME": env("REPORT_PROGRAMME", "Transformasi Perpustakaan Berbasis Inklusi Sosial (TPBIS)"),
    }


def letterhead(config) -> dict:
    """What the letterhead macro draws, from a service's configuration: the institution, its address, the programme
    and the logo inlined."""
    return {
        "institution": config["REPORT_INSTITUTION"],
        "address": config["REPORT_ADDRESS"],
        "programme": config["REPORT_PROGRAMME"],
        "logo": logo_data_uri(config["REPORT_LOGO_PATH"]),
    }


def logo_data_uri(path: str) -> str | None:
    """The logo inlined in the HTML (WeasyPrint fetches nothing); None, and a warning, when it cannot be read."""
    file = Path(path)
    mimetype = LOGO_TYPES.get(file.suffix.lower())
    try:
        content = file.read_bytes() if mimetype else None
    except OSError:
        content = None
    if content is None:
        logger.warning("letterhead logo unreadable or not SVG/PNG/JPEG; the page goes without it")
        return None
    return f"data:{mimetype};base64,{base64.b64encode(content).decode()}"
