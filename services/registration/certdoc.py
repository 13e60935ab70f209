"""What an e-sertifikat says and looks like: its number, check code and links, its page (HTML) and its PDF.

Pure of the store: certificates.py issues, corrects and revokes certificates and calls on this module to draw them.
"""

import base64
import hashlib
import hmac
import re
from datetime import datetime

from babel.dates import format_date
from flask import current_app, render_template
from markupsafe import Markup

from services.registration import certtext
from services.registration.links import CHECKIN_ALPHABET
from services.registration.models import Certificate
from shared.timeutil import to_local

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
CHECK_LENGTH = 10
SLUG_MAX = 100
_NOT_SLUG = re.compile(r"[^A-Za-z0-9]+")


def number_for(seq: int, last_day: datetime) -> str:
    """The certificate number of running number `seq` for a training whose last day is `last_day` (WITA)."""
    local = to_local(last_day)
    return current_app.config["CERTIFICATE_NUMBER_FORMAT"].format(
        seq=seq, month=local.month, roman_month=ROMAN_MONTHS[local.month - 1], year=local.year
    )


def slug_for(number: str) -> str:
    """The number as it appears in the verification address: letters and digits, every other run one "-"."""
    return _NOT_SLUG.sub("-", number).strip("-")


def check_code(number: str, version: int) -> str:
    """The code printed under the QR code: without the service's secret, nobody can make one for a number."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"certificate:{number}:{version}".encode(), hashlib.sha256).digest()
    # The check-in alphabet (32 letters and digits without 0/O or 1/I): a code read off paper is typed right.
    return "".join(CHECKIN_ALPHABET[byte % 32] for byte in digest[:CHECK_LENGTH])


def verify_url(certificate: Certificate, version: int | None = None) -> str:
    version = version or certificate.version
    code = check_code(certificate.number, version)
    return f"{current_app.config['PUBLIC_BASE_URL']}/sertifikat/{certificate.slug}?c={code}&v={version}"


def download_url(certificate: Certificate) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/s/{certificate.download_code}"


def format_days(starts_at: datetime, ends_at: datetime) -> str:
    """The training's days the Indonesian way: "17 Desember 2026", or "17 – 19 Desember 2026"."""
    first, last = to_local(starts_at).date(), to_local(ends_at).date()
    if first == last:
        return format_date(first, "d MMMM y", locale="id")
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} – {format_date(last, 'd MMMM y', locale='id')}"
    return f"{format_date(first, 'd MMMM y', locale='id')} – {format_date(last, 'd MMMM y', locale='id')}"


def page_html(certificate: Certificate, signature: bytes | None = None, wording: certtext.Wording | None = None) -> str:
    """The certificate's page as HTML (templates/certificates/certificate.html): Indonesian, an official document.

    `signature`: the event's scanned signature (a PNG), printed above the signatory's name; `wording`: the texts as
    staff set them (current_wording), else the defaults."""
    import segno

    # A fixed data mask: any of the eight reads alike, and choosing the best costs segno 13 ms a code (scoring all
    # eight), a tenth of a certificate's whole render.
    qr = segno.make(verify_url(certificate), error="m", mask=0).svg_data_uri(scale=3, border=1)
    wording = wording or certtext.default()
    days = format_days(certificate.starts_at, certificate.ends_at)
    facts = {"title": certificate.title, "place": certificate.kabupaten_name, "days": days, "jp": certificate.jp_hours}
    return render_template(
        "certificates/certificate.html",
        certificate=certificate,
        heading=certtext.render(wording.heading, **facts),
        given_to=certtext.render(wording.given_to, **facts),
        body=certtext.render(wording.body, **facts),
        issued_on=format_date(to_local(certificate.version_at).date(), "d MMMM y", locale="id"),
        letterhead=[line.strip() for line in current_app.config["CERTIFICATE_LETTERHEAD"].split("|") if line.strip()],
        check=check_code(certificate.number, certificate.version),
        qr=qr,
        signature=f"data:image/png;base64,{base64.b64encode(signature).decode()}" if signature else None,
    )


def to_pdf(html: str) -> bytes:
    from PIL import ImageFile
    from weasyprint import HTML  # imported late: it loads Pango, which only the certificate and report builders need

    # WeasyPrint turns on Pillow's loading of truncated images for the whole process when it is imported; a poster
    # or signature cut short must still be refused (posters.py), and WeasyPrint here only reads our own PNGs.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML(string=html).write_pdf()


def render(certificate: Certificate, signature: bytes | None = None, wording: certtext.Wording | None = None) -> bytes:
    return to_pdf(page_html(certificate, signature, wording))


def preview_html(wording: certtext.Wording) -> str:
    """The three texts filled with a sample training, as staff check them before saving."""
    facts = {"title": "Pelatihan Literasi Digital", "place": "Kabupaten Banjar", "days": "15 – 17 Desember 2026",
             "jp": 32}  # fmt: skip
    return certtext.render(wording.heading, **facts) + Markup("<br>") + certtext.render(wording.given_to, **facts) + \
        Markup("<br><em>Siti Aminah</em><br>") + certtext.render(wording.body, **facts)  # fmt: skip
