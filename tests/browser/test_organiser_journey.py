"""The organiser at the door in Debian's chromium, on a desktop (1366x768) and a phone (390x844), against `make run`:
sign in, open an event, filter with "Semua", check someone in and undo it, and open the QR page of a waitlisted person.
"""

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import requests
from itsdangerous import URLSafeTimedSerializer
from pypdf import PdfReader

from services.registration import service
from services.registration.config import DevelopmentConfig
from tests.browser.conftest import ADMIN_PASSWORD, ARTIFACTS, axe_violations, screenshot
from tests.browser.test_participant_journey import staff_token
from tests.factories import make_event_body, make_registration_body

SCREENS = {"desktop": {"width": 1366, "height": 768}, "ponsel": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SCREENS))
def screen(request, browser):
    """A page of the screen's size, Indonesian first; yields (name, page)."""
    context = browser.new_context(viewport=SCREENS[request.param], locale="id-ID", is_mobile=request.param == "ponsel")
    yield request.param, context.new_page()
    context.close()


def an_event_today(pelita, title: str) -> tuple[dict, dict]:
    """An event starting in a few hours with one seat: Siti has it, Ahmad waits."""
    base, headers = pelita.urls["registration"], staff_token(pelita)
    start = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    body = make_event_body(title=title, capacity=1, starts_at=start.isoformat(),
                           ends_at=(start + timedelta(hours=5)).isoformat())  # fmt: skip
    event = requests.post(f"{base}/api/v1/events", json=body, headers=headers, timeout=10).json()
    people = {}
    for name in ("Siti Rahmah", "Ahmad Fauzi"):
        body = make_registration_body(full_name=name, disability="sensory" if name == "Ahmad Fauzi" else "none")
        people[name] = requests.post(f"{base}/api/v1/events/{event['id']}/registrations", json=body, timeout=10).json()
    assert people["Ahmad Fauzi"]["status"] == "waitlisted"
    return event, people


def scanned_link(pelita, registration_id: str) -> str:
    """The address the QR code on a confirmation carries (signed with `make run`'s development key)."""
    signer = URLSafeTimedSerializer(DevelopmentConfig().SECRET_KEY, salt=service.CHECKIN)
    return f"{pelita.urls['registration']}/staf/hadir/{signer.dumps(registration_id)}"


def pdf_page_one(pdf: bytes, name: str) -> None:
    """Page 1 of a PDF as a PNG beside the screenshots (pdftoppm, when installed), to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        command = ["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", "1", "-l", "1", f"{name}.pdf", name]
        subprocess.run(command, cwd=ARTIFACTS, check=True)


def fits_the_screen(page) -> bool:
    """Nothing makes the whole page scroll sideways (a wide table scrolls inside its own box, or stacks)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_organiser_filters_checks_in_undoes_and_seats_a_waitlisted_person(pelita, screen):
    name, page = screen
    shot = lambda step: screenshot(page, f"organiser-{name}-{step}")  # noqa: E731
    title = f"Pelatihan Menulis Kreatif ({name})"
    _, people = an_event_today(pelita, title)
    base = pelita.urls["registration"]

    # 1. Sign in; the events list, with the one navigation of every staff page.
    page.goto(f"{base}/staf/masuk")
    page.get_by_role("textbox", name="Email").fill("admin@pelita.local")
    page.get_by_label("Kata sandi").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    nav = page.get_by_role("navigation", name="Menu staf")
    for link in ("Acara", "Pesan", "Laporan", "Akun staf", "Kata sandi"):
        assert nav.get_by_role("link", name=link, exact=True).is_visible()
    assert nav.get_by_role("button", name="Keluar").is_visible()
    assert fits_the_screen(page) and axe_violations(page) == []
    shot("01-daftar-acara")

    # 2. The event, then "Terapkan" with every filter on "Semua": everyone is listed.
    page.get_by_role("link", name=title).click()
    page.get_by_label("Status", exact=True).select_option(label="Semua")
    page.get_by_role("button", name="Terapkan").click()
    assert page.get_by_role("heading", name=title).is_visible()
    assert "Siti Rahmah" in page.inner_text("main") and "Ahmad Fauzi" in page.inner_text("main")
    assert fits_the_screen(page) and axe_violations(page) == []
    shot("02-peserta-semua")

    # 3. Siti is checked in from the list; for a few minutes it can be undone.
    siti = page.get_by_role("row").filter(has_text="Siti Rahmah")
    siti.get_by_role("button", name=re.compile("^Hadir")).click()
    assert re.search(r"Siti Rahmah: tercatat hadir pukul \d\d\.\d\d WITA", page.inner_text("main"))
    assert fits_the_screen(page) and axe_violations(page) == []
    shot("03-tercatat-hadir")
    page.get_by_role("row").filter(has_text="Siti Rahmah").get_by_role("button", name=re.compile("Urungkan")).click()
    assert "Siti Rahmah: catatan hadir diurungkan." in page.inner_text("main")
    assert page.get_by_role("row").filter(has_text="Siti Rahmah").get_by_role("button", name=re.compile("^Hadir"))
    shot("04-hadir-diurungkan")

    # 4. Cancelling asks first.
    page.get_by_role("row").filter(has_text="Siti Rahmah").get_by_role("link", name=re.compile("Batalkan")).click()
    assert page.get_by_role("heading", name="Batalkan pendaftaran Siti Rahmah?").is_visible()
    assert axe_violations(page) == []
    shot("05-batalkan-tanya-dulu")
    page.get_by_role("link", name="Jangan, kembali ke daftar peserta").click()

    # 5. Ahmad, waiting, shows his QR at the door: the room is full, so a seat is added only once asked.
    page.goto(scanned_link(pelita, people["Ahmad Fauzi"]["id"]))
    assert "masih di daftar tunggu" in page.inner_text("main")
    assert fits_the_screen(page) and axe_violations(page) == []
    shot("06-qr-daftar-tunggu")
    page.get_by_role("button", name="Tambah kursi dan catat hadir…").click()
    assert "kapasitas menjadi 2" in page.inner_text("main")
    shot("07-qr-tambah-kursi-tanya")
    page.get_by_role("button", name="Ya, tambah satu kursi dan catat hadir").click()
    assert page.get_by_role("heading", name="Ahmad Fauzi tercatat hadir").is_visible()
    assert "Kode hadir" in page.inner_text("main") and axe_violations(page) == []
    shot("08-qr-diberi-kursi-dan-hadir")
    checked = requests.get(
        f"{base}/api/v1/registrations/{people['Ahmad Fauzi']['id']}", headers=staff_token(pelita), timeout=10
    ).json()
    assert checked["status"] == "confirmed" and checked["checked_in_at"]

    # 6. The daftar hadir of the event, printed at the door: Ahmad, seated and checked in, is marked present.
    page.goto(f"{base}/staf")
    page.get_by_role("link", name=title).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Daftar hadir (PDF)").click()
    pdf = download.value.path().read_bytes()
    text = " ".join(page_text for page_text in (p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "DAFTAR HADIR PESERTA" in text and "Ahmad Fauzi" in text and "Siti Rahmah" in " ".join(text.split())
    assert "✓" in text and "Seluruhnya 2 1" in " ".join(text.split())
    pdf_page_one(pdf, f"organiser-{name}-10-daftar-hadir")

    # 7. The same navigation on the messages and reports pages.
    page.get_by_role("navigation", name="Menu staf").get_by_role("link", name="Laporan").click()
    assert page.get_by_role("navigation", name="Menu staf").get_by_role("link", name="Acara").is_visible()
    assert fits_the_screen(page)
    shot("09-laporan-navigasi-sama")
