"""The participant's journey in Debian's chromium, on a phone-sized screen, against `make run`'s processes."""

import io
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from services.notifications.content.sms import measure
from services.registration.config import Config
from tests.browser.conftest import (
    ADMIN_PASSWORD,
    ARTIFACTS,
    PUBLIC_HOST,
    axe_violations,
    pdf_screenshots,
    running_pelita,
    screenshot,
)
from tests.conftest import wait_for
from tests.factories import make_event_body, make_registration_body
from tests.support import msisdn

#: A short cancel link as production's host writes it: what an SMS must still fit in two parts with.
PRODUCTION_LINK = f"https://{PUBLIC_HOST}/k/B7QW2MXK4N"


@pytest.fixture(scope="module")
def pelita(tmp_path_factory):
    """`make run` whose links name a host as long as production's (the browser maps it here), so a message's links
    are as long as a participant's."""
    with running_pelita(tmp_path_factory.mktemp("make-run"), public_host=PUBLIC_HOST) as running:
        yield running


def staff_token(pelita) -> dict:
    response = requests.post(
        f"{pelita.urls['registration']}/api/v1/auth/token",
        json={"email": "admin@pelita.local", "password": ADMIN_PASSWORD},
        timeout=10,
    )
    return {"Authorization": f"Bearer {response.json()['token']}"}


def mails_to(pelita, address: str) -> list[dict]:
    mails = requests.get(f"{pelita.urls['sinks']}/api/mails", timeout=5).json()
    return [mail for mail in mails if address in mail["to"]]


def texts_to(pelita, number: str, channel: str) -> list[dict]:
    """The SMS or WhatsApp messages the dev sinks' gateway stand-ins took for `number`, newest first."""
    texts = requests.get(f"{pelita.urls['sinks']}/api/messages", timeout=5).json()
    return [text for text in texts if text["channel"] == channel and msisdn(text["to"]) == msisdn(number)]


def text_fill(page) -> float:
    """How far down a PDF page its text goes, from the top margin (0: empty; 1: to the footer): the running footer
    (the bottom 20 mm) is not counted."""
    height, margin = float(page.mediabox.height), 20 * 72 / 25.4
    lows: list[float] = []
    # Where each piece of text is on the page: its text matrix taken through the current transformation matrix.
    page.extract_text(
        visitor_text=lambda text, cm, tm, *_: text.strip() and lows.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
    )
    body = [y for y in lows if y > margin]
    return (height - 14 * 72 / 25.4 - min(body)) / (height - 14 * 72 / 25.4 - margin) if body else 0.0


def take_a_moment(since: float) -> None:
    """Let the form have been open as long as a person needs to fill it: one sent sooner (FORM_MIN_SECONDS after it
    was shown, docs/reliability.md) is taken for a bot's, thanked and not registered."""
    time.sleep(max(0.0, since + Config().FORM_MIN_SECONDS - time.monotonic()))


def test_a_participant_registers_cancels_and_the_next_in_line_is_checked_in(pelita, phone):
    base = pelita.urls["registration"]
    headers = staff_token(pelita)
    start = (datetime.now(UTC) + timedelta(hours=6)).replace(microsecond=0)  # today: check-in is taken on its day
    body = make_event_body(title="Pelatihan Literasi Digital Desa", capacity=1, starts_at=start.isoformat(),
                           ends_at=(start + timedelta(hours=6)).isoformat())  # fmt: skip
    event = requests.post(f"{base}/api/v1/events", json=body, headers=headers, timeout=10).json()

    # 1. The event page, on a phone, in Indonesian.
    phone.goto(f"{base}/acara/{event['id']}")
    assert phone.locator("html").get_attribute("lang") == "id"
    expect(phone.locator("main").first).to_contain_text("WITA", use_inner_text=True)
    assert axe_violations(phone) == []
    screenshot(phone, "01-acara")

    # 2. The form, filled as a person would, the kecamatan and desa lists filled without JavaScript.
    phone.get_by_role("link", name="Daftar sekarang").click()
    opened = time.monotonic()
    phone.get_by_label("Nama lengkap").fill("Siti Rahmah")
    phone.get_by_label("Nomor HP").fill("0812-3456-7890")
    phone.get_by_role("textbox", name="Email").fill("siti.rahmah@contoh.id")
    phone.get_by_label("Kabupaten/kota", exact=True).select_option(label="Kabupaten Banjar")
    phone.get_by_role("button", name="Tampilkan kecamatan").click()
    phone.get_by_label("Kecamatan", exact=True).select_option(label="Martapura")
    phone.get_by_role("button", name="Tampilkan desa/kelurahan").click()
    phone.get_by_label("Desa/kelurahan", exact=True).select_option(label="Sungai Sipai")
    assert phone.get_by_label("Nama lengkap").input_value() == "Siti Rahmah"  # kept across the refreshes
    phone.get_by_label("Email", exact=True).check() if False else phone.locator(
        "#field-preferred_channel-email"
    ).check()
    phone.get_by_label("Perempuan").check()
    phone.get_by_label("26–35 tahun").check()
    phone.get_by_label("Bukan penyandang disabilitas").check()
    phone.get_by_label("Pengelola perpustakaan desa/kelurahan").check()
    assert axe_violations(phone) == []
    take_a_moment(opened)
    phone.get_by_role("button", name="Kirim pendaftaran").click()

    # 3. Forgot the consent: the error is summarised, linked and beside the field; nothing typed is lost.
    expect(phone.get_by_role("alert")).to_be_visible()
    expect(phone.locator(".error-summary").first).to_contain_text("Centang persetujuan", use_inner_text=True)
    assert phone.get_by_label("Nama lengkap").input_value() == "Siti Rahmah"
    assert axe_violations(phone) == []
    screenshot(phone, "02-formulir-kesalahan")
    phone.get_by_label(re.compile("untuk pendaftaran, kehadiran")).check()
    phone.get_by_label(re.compile("menerima konfirmasi dan pengingat")).check()
    phone.get_by_role("button", name="Kirim pendaftaran").click()

    # 4. The confirmation with the kode hadir and the QR.
    expect(phone.locator("h1").first).to_contain_text("kursi Anda terkonfirmasi", use_inner_text=True)
    expect(phone.locator(".qr svg")).to_be_visible()
    assert axe_violations(phone) == []
    screenshot(phone, "03-konfirmasi-qr")

    # 5. The confirmation mail in the dev sinks' page.
    mails = wait_for(lambda: mails_to(pelita, "siti.rahmah@contoh.id"), timeout=60, message="the confirmation mail")
    phone.goto(pelita.urls["sinks"])
    phone.get_by_role("link", name=re.compile("Pendaftaran terkonfirmasi")).first.click()
    expect(phone.locator("main").first).to_contain_text("Kode hadir", use_inner_text=True)
    screenshot(phone, "04-email-konfirmasi")
    cancel_link = re.search(r"https?://\S+/k/[A-Z0-9]{10}", mails[0]["text"]).group(0)  # the short link

    # 6. Someone else joins the waitlist, then Siti cancels with the link from her mail.
    waiting = requests.post(
        f"{base}/api/v1/events/{event['id']}/registrations",
        json=make_registration_body(full_name="Ahmad Fauzi", email="ahmad.fauzi@contoh.id"), timeout=10,
    ).json()  # fmt: skip
    assert waiting["status"] == "waitlisted"
    phone.goto(cancel_link)
    phone.get_by_role("button", name="Ya, batalkan pendaftaran saya").click()
    expect(phone.locator("h1").first).to_contain_text("sudah dibatalkan", use_inner_text=True)
    screenshot(phone, "05-dibatalkan")

    # 7. Ahmad is promoted and told.
    wait_for(
        lambda: any("Pendaftaran terkonfirmasi" in m["subject"] or "kursi" in m["subject"].lower()
                    for m in mails_to(pelita, "ahmad.fauzi@contoh.id") if "tunggu" not in m["subject"].lower()),
        timeout=60, message="Ahmad's message that he has a seat",
    )  # fmt: skip

    # 8. An organiser signs in and checks Ahmad in at the door.
    phone.goto(f"{base}/staf/masuk")
    phone.get_by_role("textbox", name="Email").fill("admin@pelita.local")
    phone.get_by_label("Kata sandi").fill(ADMIN_PASSWORD)
    phone.get_by_role("button", name="Masuk").click()
    phone.get_by_role("link", name="Pelatihan Literasi Digital Desa", exact=True).click()
    screenshot(phone, "06-daftar-peserta")
    phone.get_by_role("row").filter(has_text="Ahmad Fauzi").get_by_role("button", name=re.compile("^Hadir")).click()
    expect(phone.locator("main").first).to_contain_text("Ahmad Fauzi: tercatat hadir pukul", use_inner_text=True)
    screenshot(phone, "07-check-in")
    checked = requests.get(f"{base}/api/v1/registrations/{waiting['id']}", headers=headers, timeout=10).json()
    assert checked["checked_in_at"]


def test_on_whatsapp_the_code_and_a_short_cancel_link_arrive_and_the_sms_fits_in_two_parts(pelita, phone):
    base = pelita.urls["registration"]
    body = make_event_body(
        title="Pelatihan Literasi Digital untuk Pengelola Perpustakaan Desa",
        venue="Aula Dinas Perpustakaan dan Kearsipan Kabupaten Banjar, Martapura",
    )
    event = requests.post(f"{base}/api/v1/events", json=body, headers=staff_token(pelita), timeout=10).json()

    # 1. Rina registers on her phone and chooses WhatsApp; she gives no email.
    phone.goto(f"{base}/acara/{event['id']}/daftar")
    opened = time.monotonic()
    phone.get_by_label("Nama lengkap").fill("Rina Marlina")
    phone.get_by_label("Nomor HP").fill("0813-4567-8901")
    phone.locator("#field-preferred_channel-whatsapp").check()
    phone.get_by_label("Kabupaten/kota", exact=True).select_option(label="Kabupaten Banjar")
    phone.get_by_role("button", name="Tampilkan kecamatan").click()
    phone.get_by_label("Kecamatan", exact=True).select_option(label="Martapura")
    phone.get_by_role("button", name="Tampilkan desa/kelurahan").click()
    phone.get_by_label("Desa/kelurahan", exact=True).select_option(label="Sungai Sipai")
    phone.get_by_label("Perempuan").check()
    phone.get_by_label("36–45 tahun").check()
    phone.get_by_label("Bukan penyandang disabilitas").check()
    phone.get_by_label("Pengelola perpustakaan desa/kelurahan").check()
    phone.get_by_label(re.compile("untuk pendaftaran, kehadiran")).check()
    phone.get_by_label(re.compile("menerima konfirmasi dan pengingat")).check()
    take_a_moment(opened)
    phone.get_by_role("button", name="Kirim pendaftaran").click()
    expect(phone.locator("h1").first).to_contain_text("kursi Anda terkonfirmasi", use_inner_text=True)
    code = phone.locator("p.code").inner_text().strip()

    # 2. The WhatsApp message as it reached her phone: the approved template with the kode hadir and a cancel button
    #    whose link is the short /k/ link on the service's own host.
    [message] = wait_for(lambda: texts_to(pelita, "+6281345678901", "whatsapp"), timeout=60, message="the WhatsApp")
    assert message["template"]["name"] == "pelita_confirmation" and code in message["template"]["parameters"]
    phone.goto(pelita.urls["sinks"])
    phone.get_by_role(
        "link", name=re.compile(f"Lihat seperti di ponsel \\(whatsapp ke {re.escape(message['to'])}")
    ).click()
    shown = phone.locator("[data-message]")
    assert f"Kode hadir: {code}" in shown.inner_text() and "Rina Marlina" in shown.inner_text()
    button = shown.get_by_role("link", name="Batalkan pendaftaran")
    link = button.get_attribute("href")
    assert re.fullmatch(rf"http://{re.escape(PUBLIC_HOST)}:\d+/k/[A-Z0-9]{{10}}", link), link
    assert axe_violations(phone) == []
    screenshot(phone, "12-whatsapp-konfirmasi")

    # 3. The button asks first, then cancels.
    button.click()
    expect(phone.get_by_role("heading", name="Batalkan pendaftaran?")).to_be_visible()
    expect(phone.locator("main").first).to_contain_text("Rina Marlina", use_inner_text=True)
    expect(phone.get_by_role("link", name="Tidak jadi, pendaftaran saya tetap")).to_be_visible()
    screenshot(phone, "13-whatsapp-batal-tanya-dulu")
    phone.get_by_role("button", name="Ya, batalkan pendaftaran saya").click()
    expect(phone.locator("h1").first).to_contain_text("sudah dibatalkan", use_inner_text=True)
    cancelled = wait_for(
        lambda: [m for m in texts_to(pelita, "+6281345678901", "whatsapp") if m["id"] != message["id"]],
        timeout=60, message="the WhatsApp saying the registration is cancelled",
    )  # fmt: skip
    assert cancelled[0]["template"]["name"] == "pelita_registration_cancelled"

    # 4. Someone with a long name chooses SMS: the code and the short link arrive in at most two GSM-7 parts, with a
    #    link as long as production's (the host is production's; http and a port make it longer still).
    long_name = "Siti Nur'aini Rahmawati Hidayatullah"
    registration = make_registration_body(full_name=long_name, phone="0821-5555-0123", preferred_channel="sms")
    requests.post(f"{base}/api/v1/events/{event['id']}/registrations", json=registration, timeout=10)
    [sms] = wait_for(lambda: texts_to(pelita, "+6282155550123", "sms"), timeout=60, message="the SMS")
    short_link = re.search(r"https?://\S+/k/[A-Z0-9]{10}", sms["text"]).group(0)
    assert len(short_link) >= len(PRODUCTION_LINK)
    assert re.search(r"Kode hadir: [A-Z0-9]{8}\.", sms["text"])
    length = measure(sms["text"])
    assert length.encoding == "GSM-7" and length.segments <= 2, (length, sms["text"])
    phone.goto(f"{pelita.urls['sinks']}/pesan/{sms['id']}")
    screenshot(phone, "14-sms-konfirmasi")


def test_a_pkk_cadre_registers_two_villagers_one_without_a_phone_and_her_sms_says_for_whom(pelita, phone):
    base = pelita.urls["registration"]
    body = make_event_body(title="Pelatihan Membaca untuk Warga Desa", capacity=5)
    event = requests.post(f"{base}/api/v1/events", json=body, headers=staff_token(pelita), timeout=10).json()

    # 1. From the event page, the form for registering others; Ibu Rina gives her phone and chooses SMS.
    phone.goto(f"{base}/acara/{event['id']}")
    phone.get_by_role("link", name=re.compile("Daftarkan orang lain")).click()
    opened = time.monotonic()
    phone.get_by_label("Nama Anda").fill("Rina Kader PKK")
    phone.get_by_label("Nomor HP Anda").fill("0852-4444-1010")
    phone.locator("#field-registrant_channel-sms").check()

    # 2. The first person has no phone; the place lists fill without JavaScript.
    phone.locator("#field-p0-full_name").fill("Siti Aminah")
    phone.locator("#field-p0-kabupaten_code").select_option(label="Kabupaten Banjar")
    phone.locator("#p0-block").get_by_role("button", name="Tampilkan kecamatan").click()
    phone.locator("#field-p0-kecamatan_code").select_option(label="Martapura")
    phone.locator("#p0-block").get_by_role("button", name="Tampilkan desa/kelurahan").click()
    phone.locator("#field-p0-desa_code").select_option(label="Sungai Sipai")
    for choice in ("gender-female", "age_group-56_plus", "disability-none", "participant_type-public"):
        phone.locator(f"#field-p0-{choice}").check()
    phone.locator("#field-p0-consent_training").check()
    phone.locator("#field-p0-consent_messages").check()

    # 3. "Tambah orang": a second block, in the first one's village, what was typed kept.
    phone.get_by_role("button", name="Tambah orang").click()
    assert phone.locator("#field-p0-full_name").input_value() == "Siti Aminah"
    assert phone.locator("#field-p1-desa_code").input_value() == phone.locator("#field-p0-desa_code").input_value()
    phone.locator("#field-p1-full_name").fill("Abdul Gani")
    phone.locator("#field-p1-phone").fill("0853-7777-2020")
    for choice in ("gender-male", "age_group-46_55", "disability-physical", "participant_type-public"):
        phone.locator(f"#field-p1-{choice}").check()
    phone.locator("#field-p1-consent_training").check()
    phone.locator("#field-p1-consent_messages").check()
    phone.locator("#field-registrant_declaration").check()
    assert axe_violations(phone) == []
    screenshot(phone, "16-daftarkan-orang-lain")
    take_a_moment(opened)
    phone.get_by_role("button", name="Kirim pendaftaran").click()

    # 4. One page with each person's own code and links.
    expect(phone.locator("h1").first).to_contain_text("Orang yang Anda daftarkan", use_inner_text=True)
    codes = [code.strip() for code in phone.locator(".people strong.code").all_inner_texts()]
    assert len(codes) == 2 and len(set(codes)) == 2
    expect(phone.locator("main").first).to_contain_text("untuk Siti Aminah", use_inner_text=True)
    assert axe_violations(phone) == []
    screenshot(phone, "17-orang-yang-didaftarkan")

    # 5. Siti's SMS reaches Rina's phone and says whom it is for, with Siti's own code; Abdul's reaches his own.
    [sms] = wait_for(lambda: texts_to(pelita, "+6285244441010", "sms"), timeout=60, message="the SMS for Siti")
    assert sms["text"].startswith("Untuk Siti Aminah:") and codes[0] in sms["text"]
    assert measure(sms["text"]).segments <= 2
    [own] = wait_for(lambda: texts_to(pelita, "+6285377772020", "sms"), timeout=60, message="Abdul's SMS")
    assert own["text"].startswith("Halo Abdul Gani") and codes[1] in own["text"]


def test_an_organiser_sends_a_report_and_opens_the_xlsx_and_pdf_it_mailed(pelita, phone):
    phone.goto(f"{pelita.urls['registration']}/staf/masuk")
    phone.get_by_role("textbox", name="Email").fill("admin@pelita.local")
    phone.get_by_label("Kata sandi").fill(ADMIN_PASSWORD)
    phone.get_by_role("button", name="Masuk").click()

    # The same sign-in opens reporting (a signed cookie each service checks on its own).
    phone.goto(f"{pelita.urls['reporting']}/dasbor")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert axe_violations(phone) == []
    screenshot(phone, "08-dasbor")

    phone.goto(f"{pelita.urls['reporting']}/jadwal")
    weekly = phone.get_by_role("row").filter(has_text="Mingguan")
    weekly.get_by_text("Ubah penerima").click()
    weekly.get_by_label("Email penerima, satu per baris").fill("kabid.layanan@dispersip.contoh.id")
    weekly.get_by_role("button", name="Simpan penerima").click()
    phone.get_by_role("row").filter(has_text="Mingguan").get_by_role(
        "button", name=re.compile("^Kirim sekarang")
    ).click()
    expect(phone.locator("main").first).to_contain_text(
        "akan dikirim lewat email ke kabid.layanan@dispersip.contoh.id", use_inner_text=True
    )
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # the table stacks
    screenshot(phone, "09-jadwal-laporan")

    mails = wait_for(
        lambda: mails_to(pelita, "kabid.layanan@dispersip.contoh.id"), timeout=120, message="the report mail"
    )
    kinds = {a["filename"].rsplit(".", 1)[-1]: index for index, a in enumerate(mails[0]["attachments"])}
    assert set(kinds) >= {"xlsx", "pdf"}
    base = f"{pelita.urls['sinks']}/mail/{mails[0]['id']}/lampiran"
    workbook = load_workbook(io.BytesIO(requests.get(f"{base}/{kinds['xlsx']}", timeout=10).content))
    assert len(workbook.sheetnames) > 1
    pdf = PdfReader(io.BytesIO(requests.get(f"{base}/{kinds['pdf']}", timeout=10).content))
    assert "Laporan" in pdf.pages[0].extract_text()
    (ARTIFACTS / "15-laporan-resmi.pdf").write_bytes(requests.get(f"{base}/{kinds['pdf']}", timeout=10).content)
    fills = [text_fill(page) for page in pdf.pages]  # no page before the last is left half empty by a break
    assert len(pdf.pages) <= 4 and min(fills[:-1], default=1) >= 0.5, [round(fill, 2) for fill in fills]
    assert len(pdf.pages[-1].extract_text().split()) >= 20  # and the last holds a table with its rows, not a stray line
    phone.goto(f"{pelita.urls['sinks']}/mail/{mails[0]['id']}")
    screenshot(phone, "10-email-laporan")

    # The official report as the Kepala Dinas opens it: every page, in chromium's PDF viewer.
    url, landscape = f"{base}/{kinds['pdf']}?buka=1", pdf.pages[0].mediabox.width > pdf.pages[0].mediabox.height
    pdf_screenshots(phone.context.browser, url, "15-laporan-resmi-halaman", len(pdf.pages), landscape=landscape)


def test_staff_read_each_api_in_swagger_ui_with_nothing_from_another_site(pelita, browser):
    """Swagger UI renders each service's OpenAPI 3.1 document from files the service serves itself."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    refused: list[str] = []  # what the pages' Content-Security-Policy blocked: nothing Swagger UI needs
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    for name in ("registration", "notifications", "reporting"):
        page.goto(f"{pelita.urls[name]}/api/docs")
        page.locator(".swagger-ui .info .title").filter(has_text=f"Pelita {name} API").wait_for(timeout=15_000)
        assert page.locator(".opblock").count() > 0  # the operations are listed
        assert "Unable to render" not in page.inner_text("body")
        screenshot(page, f"11-api-docs-{name}")
    context.close()
    foreign = [url for url in fetched if not url.startswith(tuple(pelita.urls.values())) and url.startswith("http")]
    assert foreign == []
    assert refused == []
