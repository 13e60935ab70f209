"""The organiser at the door in Debian's chromium, on a desktop (1366x768) and a phone (390x844), against `make run`:
sign in, open an event, filter with "Semua", check someone in and undo it, and open the QR page of a waitlisted person.
"""

import csv
import io
import re
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from itsdangerous import URLSafeTimedSerializer
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from services.registration import service
from services.registration.config import DevelopmentConfig
from tests.browser.conftest import ADMIN_PASSWORD, ARTIFACTS, axe_violations, pdf_pages, pdf_screenshots, screenshot
from tests.browser.test_participant_journey import mails_to, staff_token
from tests.conftest import wait_for
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


def fits_the_screen(page) -> bool:
    """Nothing makes the whole page scroll sideways (a wide table scrolls inside its own box, or stacks)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def sign_in(page, pelita, email: str = "admin@pelita.local", password: str = ADMIN_PASSWORD) -> None:
    page.goto(f"{pelita.urls['registration']}/staf/masuk")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("navigation", name="Menu staf").get_by_role("button", name="Keluar").wait_for()  # signed in


def test_an_organiser_filters_checks_in_undoes_and_seats_a_waitlisted_person(pelita, screen):
    name, page = screen
    shot = lambda step: screenshot(page, f"organiser-{name}-{step}")  # noqa: E731
    title = f"Pelatihan Menulis Kreatif ({name})"
    _, people = an_event_today(pelita, title)
    base = pelita.urls["registration"]

    # 1. Sign in; the events list, with the one navigation of every staff page.
    sign_in(page, pelita)
    nav = page.get_by_role("navigation", name="Menu staf")
    for link in ("Acara", "Pesan", "Laporan", "Akun staf", "Kata sandi"):
        expect(nav.get_by_role("link", name=link, exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Keluar")).to_be_visible()
    assert fits_the_screen(page) and axe_violations(page) == []
    shot("01-daftar-acara")

    # 2. The event, then "Terapkan" with every filter on "Semua": everyone is listed.
    page.get_by_role("link", name=title).click()
    page.get_by_label("Status", exact=True).select_option(label="Semua")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
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
    expect(page.locator("main").first).to_contain_text("Siti Rahmah: catatan hadir diurungkan.", use_inner_text=True)
    assert page.get_by_role("row").filter(has_text="Siti Rahmah").get_by_role("button", name=re.compile("^Hadir"))
    shot("04-hadir-diurungkan")

    # 4. Cancelling asks first.
    page.get_by_role("row").filter(has_text="Siti Rahmah").get_by_role("link", name=re.compile("Batalkan")).click()
    expect(page.get_by_role("heading", name="Batalkan pendaftaran Siti Rahmah?")).to_be_visible()
    assert axe_violations(page) == []
    shot("05-batalkan-tanya-dulu")
    page.get_by_role("link", name="Jangan, kembali ke daftar peserta").click()

    # 5. Ahmad, waiting, shows his QR at the door: the room is full, so a seat is added only once asked.
    page.goto(scanned_link(pelita, people["Ahmad Fauzi"]["id"]))
    expect(page.locator("main").first).to_contain_text("masih di daftar tunggu", use_inner_text=True)
    assert fits_the_screen(page) and axe_violations(page) == []
    shot("06-qr-daftar-tunggu")
    page.get_by_role("button", name="Tambah kursi dan catat hadir…").click()
    expect(page.locator("main").first).to_contain_text("kapasitas menjadi 2", use_inner_text=True)
    shot("07-qr-tambah-kursi-tanya")
    page.get_by_role("button", name="Ya, tambah satu kursi dan catat hadir").click()
    expect(page.get_by_role("heading", name="Ahmad Fauzi tercatat hadir")).to_be_visible()
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
    pdf_pages(pdf, f"organiser-{name}-10-daftar-hadir")  # each page as a picture, to look at

    # 7. The same navigation on the messages and reports pages.
    page.get_by_role("navigation", name="Menu staf").get_by_role("link", name="Laporan").click()
    expect(page.get_by_role("navigation", name="Menu staf").get_by_role("link", name="Acara")).to_be_visible()
    assert fits_the_screen(page)
    shot("09-laporan-navigasi-sama")
    page.get_by_role("navigation", name="Menu staf").get_by_role("link", name="Pesan").click()
    expect(page.get_by_role("heading", name="Riwayat pesan")).to_be_visible()
    assert fits_the_screen(page) and axe_violations(page) == []
    shot("10-riwayat-pesan")


def test_a_provincial_admin_adds_a_regency_organiser_who_sees_only_their_kabupaten(pelita, browser):
    base, headers = pelita.urls["registration"], staff_token(pelita)
    for title, kabupaten in (
        ("Bimtek Pustakawan Desa Banjar", "63.03"),
        ("Bimtek Pustakawan Kota Banjarmasin", "63.71"),
    ):
        body = make_event_body(title=title, kabupaten_code=kabupaten)
        assert requests.post(f"{base}/api/v1/events", json=body, headers=headers, timeout=10).status_code == 201
    desktop = browser.new_context(viewport=SCREENS["desktop"], locale="id-ID")
    admin = desktop.new_page()

    # 1. The provincial admin adds the organiser from the pages, in well under a minute.
    started = time.monotonic()
    sign_in(admin, pelita)
    admin.get_by_role("navigation", name="Menu staf").get_by_role("link", name="Akun staf").click()
    admin.get_by_label("Nama", exact=True).fill("Yusuf Hidayat")
    admin.get_by_role("textbox", name="Email").fill("yusuf.hidayat@banjarkab.contoh.id")
    admin.get_by_label("Panitia kabupaten/kota").check()
    admin.get_by_label("Kabupaten/kota", exact=True).select_option(label="Kabupaten Banjar")
    admin.get_by_role("button", name="Kirim undangan").click()
    expect(admin.locator("main").first).to_contain_text(
        "Undangan dikirim ke yusuf.hidayat@banjarkab.contoh.id", use_inner_text=True
    )
    assert time.monotonic() - started < 60
    row = admin.get_by_role("row").filter(has_text="Yusuf Hidayat")
    assert "Panitia kabupaten/kota" in row.inner_text() and "Kabupaten Banjar" in row.inner_text()
    assert fits_the_screen(admin) and axe_violations(admin) == []
    screenshot(admin, "akun-01-undangan-terkirim")
    desktop.close()

    # 2. The invitation arrives at the mail sink with a one-time link.
    [invite] = wait_for(lambda: mails_to(pelita, "yusuf.hidayat@banjarkab.contoh.id"), timeout=60, message="invite")
    assert invite["subject"] == "Undangan akun staf Pelita"
    link = re.search(r"https?://\S+/staf/atur-sandi/\S+", invite["text"]).group(0)

    # 3. Yusuf, on his phone, sets a password, signs in and sees only Kabupaten Banjar's events.
    context = browser.new_context(viewport=SCREENS["ponsel"], locale="id-ID", is_mobile=True)
    yusuf = context.new_page()
    yusuf.goto(f"{pelita.urls['sinks']}/mail/{invite['id']}")
    screenshot(yusuf, "akun-02-email-undangan")
    yusuf.goto(link)
    expect(yusuf.locator("main").first).to_contain_text("Yusuf Hidayat", use_inner_text=True)
    yusuf.get_by_label("Kata sandi baru", exact=True).fill("lampu-pustaka-martapura-27")
    yusuf.get_by_label("Ulangi kata sandi baru").fill("lampu-pustaka-martapura-27")
    assert axe_violations(yusuf) == []
    screenshot(yusuf, "akun-03-buat-kata-sandi")
    yusuf.get_by_role("button", name="Simpan kata sandi").click()
    expect(yusuf.locator("main").first).to_contain_text("Kata sandi tersimpan. Silakan masuk.", use_inner_text=True)
    sign_in(yusuf, pelita, "yusuf.hidayat@banjarkab.contoh.id", "lampu-pustaka-martapura-27")
    listed = yusuf.inner_text("main")
    assert "Bimtek Pustakawan Desa Banjar" in listed and "Bimtek Pustakawan Kota Banjarmasin" not in listed
    assert "Kota Banjarmasin" not in listed
    nav = yusuf.get_by_role("navigation", name="Menu staf")
    assert nav.get_by_role("link", name="Akun staf", exact=True).count() == 0  # accounts are the province's
    assert fits_the_screen(yusuf) and axe_violations(yusuf) == []
    screenshot(yusuf, "akun-04-panitia-hanya-kabupatennya")
    context.close()


def test_an_organiser_downloads_the_list_as_xlsx_and_semicolon_csv_that_open_cleanly(pelita, browser, tmp_path):
    title = "Pelatihan Ekspor Daftar Peserta"
    _, people = an_event_today(pelita, title)
    base = pelita.urls["registration"]
    requests.post(
        f"{base}/api/v1/registrations/{people['Siti Rahmah']['id']}/check-in", headers=staff_token(pelita), timeout=10
    )
    context = browser.new_context(viewport=SCREENS["desktop"], locale="id-ID", accept_downloads=True)
    page = context.new_page()
    sign_in(page, pelita)
    page.get_by_role("link", name=title).click()

    # 1. The XLSX, the first download offered.
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Unduh daftar peserta (Excel)").click()
    xlsx = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(xlsx)
    assert xlsx.suffix == ".xlsx"
    sheet = load_workbook(xlsx).active
    headings = [cell.value for cell in sheet[4]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=5) if row[0].value}
    siti = rows["Siti Rahmah"]
    phone = siti[headings.index("HP")]
    assert phone.data_type == "s" and re.fullmatch(r"0\d{3}-\d{4}-\d{4}", phone.value), phone.value
    assert not phone.value.startswith("'")
    assert isinstance(siti[headings.index("Terdaftar (WITA)")].value, datetime)
    assert isinstance(siti[headings.index("Tercatat hadir (WITA)")].value, datetime)
    assert siti[headings.index("Terdaftar (WITA)")].number_format == "dd/mm/yyyy hh:mm"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A4:")
    assert sheet.column_dimensions["A"].width >= 20 and sheet.column_dimensions["D"].width >= 15
    assert set(rows) == {"Siti Rahmah", "Ahmad Fauzi"}

    # 2. The CSV, separated by ';', with a byte-order mark so Excel set to Indonesian reads the names right.
    with page.expect_download() as downloading:
        page.get_by_role("link", name="atau CSV (dipisah titik koma)").click()
    raw = downloading.value.path().read_bytes()
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:4] == ["Nama", "Status", "Urutan tunggu", "HP"]
    assert {row[0] for row in table[1:]} == {"Siti Rahmah", "Ahmad Fauzi"}
    assert all(len(row) == len(table[0]) for row in table)
    context.close()

    # 3. In LibreOffice, when it is installed (make test does not install it): the XLSX printed to PDF, page 1.
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office:
        subprocess.run(
            [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)],
            check=True, timeout=120, capture_output=True,
        )  # fmt: skip
        pdf_screenshots(browser, xlsx.with_suffix(".pdf").as_uri(), "ekspor-xlsx-libreoffice", pages=1)


def test_the_door_kit_checks_in_and_registers_without_signal_and_syncs_once_online(pelita, browser):
    """The door kit on a phone: opened online, the network cut, two people checked in (one found by name, one by the
    QR code on their confirmation, photographed) and a walk-in registered, a mistaken tap taken back before it was
    sent; reloaded without signal (the service worker serves the page, the list opens with the session's key); online
    again, everything synced exactly once; then a check-in the server has already taken back by its own record."""
    import segno

    base, headers = pelita.urls["registration"], staff_token(pelita)
    start = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    body = make_event_body(title="Kit Pintu Literasi", capacity=2, starts_at=start.isoformat(),
                           ends_at=(start + timedelta(hours=4)).isoformat())  # fmt: skip
    event = requests.post(f"{base}/api/v1/events", json=body, headers=headers, timeout=10).json()
    people = {}
    for name in ("Siti Rahmah", "Budi Santoso", "Ahmad Fauzi"):
        body = make_registration_body(full_name=name)
        people[name] = requests.post(f"{base}/api/v1/events/{event['id']}/registrations", json=body, timeout=10).json()
    assert people["Ahmad Fauzi"]["status"] == "waitlisted"  # the event is full
    qr = ARTIFACTS / "pintu-qr-budi.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    segno.make(scanned_link(pelita, people["Budi Santoso"]["id"]), error="m").save(qr, scale=6, border=4)

    def server() -> dict[str, dict]:
        url = f"{base}/api/v1/events/{event['id']}/registrations"
        return {r["full_name"]: r for r in requests.get(url, headers=headers, timeout=10).json()}

    context = browser.new_context(viewport=SCREENS["ponsel"], locale="id-ID", is_mobile=True)
    page = context.new_page()
    shot = lambda step: screenshot(page, f"pintu-{step}")  # noqa: E731
    try:
        # 1. Online: from the event's page to its door kit, which keeps its page and the encrypted list.
        sign_in(page, pelita)
        page.goto(f"{base}/staf/acara/{event['id']}")
        page.get_by_role("link", name="Kit pintu (bisa tanpa sinyal)").click()
        page.wait_for_selector("body[data-kit=online]")
        kept = "async () => navigator.serviceWorker.controller !== null && (await caches.keys()).length > 0"
        wait_for(lambda: page.evaluate(kept), timeout=20, message="the service worker to keep the kit")
        expect(page.get_by_role("status").first).to_contain_text("Tersambung")
        assert axe_violations(page) == []
        shot("1-tersambung")

        # 2. The signal drops: Siti found by name, Budi by the QR code on his confirmation, Rina registered.
        context.set_offline(True)
        page.get_by_label("Nama, kode hadir atau nomor HP").fill("siti")
        page.get_by_role("button", name="Catat hadir: Siti Rahmah").click()
        expect(page.locator("#pending-count")).to_have_text("1")
        page.get_by_role("button", name="Urungkan: Siti Rahmah").click()  # a slip of the thumb, taken back
        expect(page.locator("#pending-count")).to_have_text("0")  # never sent: simply dropped from the phone
        page.get_by_role("button", name="Catat hadir: Siti Rahmah").click()
        page.get_by_label("Atau ambil foto kode QR").set_input_files(str(qr))
        expect(page.locator("#scan-result")).to_have_text("Budi Santoso")
        page.get_by_role("button", name="Catat hadir: Budi Santoso").click()
        form = page.locator("#walk-in")
        form.get_by_label("Nama lengkap").fill("Rina Wulandari")
        form.get_by_label("Nomor HP").fill("0813 5000 1111")
        form.get_by_label("Jenis kelamin").select_option("female")
        form.get_by_label("Kelompok umur").select_option("36_45")
        form.get_by_label("Setuju data diproses untuk pelatihan (wajib)").check()
        form.get_by_label("Setuju menerima pesan lewat saluran yang dipilih (wajib)").check()
        form.get_by_role("button", name="Catat pendaftaran").click()
        # Pak Samsul has no phone and no email: registered all the same, told at the door that no message will come
        form.get_by_label("Nama lengkap").fill("Samsul Arifin")
        form.get_by_label("Tidak punya HP maupun email").check()
        form.get_by_label("Jenis kelamin").select_option("male")
        form.get_by_label("Kelompok umur").select_option("56_plus")
        form.get_by_label("Setuju data diproses untuk pelatihan (wajib)").check()
        shot("2a-tanpa-hp-maupun-email")
        form.get_by_role("button", name="Catat pendaftaran").click()
        expect(page.locator("#pending-count")).to_have_text("4")
        shot("2-tanpa-sinyal")
        assert all(server()[name]["checked_in_at"] is None for name in ("Siti Rahmah", "Budi Santoso"))
        assert "Rina Wulandari" not in server()

        # 3. Reloaded without signal: the service worker's page, the list decrypted with the session's key.
        response = page.reload()
        assert response.headers.get("x-pelita-pintu") == "tersimpan"  # from the kept copy, not the server
        page.wait_for_selector("body[data-kit=offline]")
        expect(page.locator("#pending-count")).to_have_text("4")
        page.get_by_label("Nama, kode hadir atau nomor HP").fill("0812")  # by phone: everyone registered
        expect(page.locator("#found li")).to_have_count(3)
        expect(page.locator("#records li[data-state=pending]")).to_have_count(4)
        stored = page.evaluate(STORED_ENTRY)
        assert stored["encrypted"] and "Siti" not in stored["clear"] and stored["pending"] == 4
        shot("3-dimuat-ulang-tanpa-sinyal")

        # 4. Online again: the records go by themselves, each once; the phone shows what the server decided. The
        # first try as the signal returns is lost on the way, as often happens: the kit tries again within seconds,
        # well before its half-minute round.
        tries = []

        def first_lost(route):
            tries.append(route.request.method)
            route.abort() if len(tries) == 1 else route.continue_()

        page.route("**/pintu/sinkron", first_lost)
        context.set_offline(False)
        expect(page.locator("#pending-count")).to_have_text("0", timeout=15000)
        assert tries == ["POST", "POST"]  # lost once, then sent once
        page.unroute("**/pintu/sinkron")
        expect(page.locator("#records")).to_contain_text("Tercatat hadir.")
        expect(page.locator("#records")).to_contain_text("Kursi penuh: masuk daftar tunggu.")
        shot("4-terkirim")
        page.get_by_role("button", name="Kirim sekarang").click()  # nothing left to send: nothing sent again
        page.reload()
        page.wait_for_selector("body[data-kit=online]")
        expect(page.locator("#pending-count")).to_have_text("0")

        # 4b. The photographed QR code was Budi's, shown by his wife: his check-in, already synced, is taken back.
        page.get_by_label("Nama, kode hadir atau nomor HP").fill("budi")
        page.get_by_role("button", name="Urungkan: Budi Santoso").click()
        expect(page.locator("#records li").first).to_contain_text("Catatan hadir diurungkan.", timeout=20000)
        expect(page.get_by_role("button", name="Catat hadir: Budi Santoso")).to_be_visible()
        expect(page.locator("#pending-count")).to_have_text("0")
        assert server()["Budi Santoso"]["checked_in_at"] is None
        shot("4b-hadir-diurungkan")

        # 5. The day after the event, still without signal: the kit wipes the list from the phone.
        context.set_offline(True)
        page.clock.install(time=datetime.now(UTC) + timedelta(days=1))
        page.reload()
        expect(page.get_by_role("status").first).to_contain_text("Hari acara sudah lewat")
        page.get_by_label("Nama, kode hadir atau nomor HP").fill("siti")
        expect(page.locator("#found")).to_have_text("Tidak ditemukan.")
        assert "Siti" not in page.evaluate(STORED_ENTRY)["clear"]
        shot("5-dihapus-setelah-hari-acara")
        context.set_offline(False)
    finally:
        context.close()
    state = server()
    assert state["Siti Rahmah"]["checked_in_at"] and state["Budi Santoso"]["checked_in_at"] is None
    assert state["Ahmad Fauzi"]["checked_in_at"] is None
    assert state["Rina Wulandari"]["status"] == "waitlisted" and state["Rina Wulandari"]["phone"] == "+6281350001111"
    assert state["Samsul Arifin"]["status"] == "waitlisted"  # the event is full: seated from the event's page
    assert (state["Samsul Arifin"]["phone"], state["Samsul Arifin"]["email"]) == (None, None)
    assert len(state) == 5  # Rina and Samsul registered once each


#: What the kit left in IndexedDB for the event, as text: its sealed part must not read as the list.
STORED_ENTRY = """() => new Promise((resolve) => {
  const open = indexedDB.open("pelita-pintu");
  open.onsuccess = () => {
    const get = open.result.transaction("kits").objectStore("kits").getAll();
    get.onsuccess = () => {
      const entry = get.result[0];
      const sealed = new TextDecoder().decode(entry.data);
      resolve({encrypted: entry.data instanceof ArrayBuffer, clear: JSON.stringify(entry) + sealed,
               pending: entry.pending});
    };
  };
})"""
