"""Sharing an event and filling the form on a phone, in Debian's chromium against `make run`'s processes."""

import io
import re
from urllib.parse import unquote

import requests
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD, ARTIFACTS, axe_violations, screenshot
from tests.browser.test_participant_journey import staff_token
from tests.factories import make_event_body


def poster_file(tmp_path):
    """A portrait poster as a designer would send it: a PNG with a title band."""
    image = Image.new("RGB", (1080, 1350), (250, 245, 230))
    image.paste((20, 90, 160), (0, 0, 1080, 360))
    path = tmp_path / "poster-literasi.png"
    image.save(path, "PNG")
    return path


def lands_on(page, anchor: str) -> None:
    """Wait for the page the button brought back, and for the list's top to be on the screen the person sees."""
    page.wait_for_url(re.compile(f"#{anchor}$"))
    page.wait_for_load_state()
    page.wait_for_function(
        "id => { const top = document.getElementById(id).getBoundingClientRect().top;"
        " return top >= 0 && top < window.innerHeight; }",
        arg=anchor,
    )


def test_an_event_with_a_poster_is_shared_and_its_form_lands_on_each_list(pelita, phone, tmp_path):
    base = pelita.urls["registration"]
    body = make_event_body(
        title="Literasi Digital untuk Perpustakaan Desa",
        map_url="https://www.openstreetmap.org/?mlat=-3.4167&mlon=114.85",
        contact_name="Ibu Rahmah",
        contact_whatsapp="0812-3456-7890",
    )
    event = requests.post(f"{base}/api/v1/events", json=body, headers=staff_token(pelita), timeout=10).json()

    # 1. An organiser adds the poster from the event form, on a phone.
    phone.goto(f"{base}/staf/masuk?next=/staf/acara/{event['id']}/ubah")
    phone.get_by_label("Email").fill("admin@pelita.local")
    phone.get_by_label("Kata sandi").fill(ADMIN_PASSWORD)
    phone.get_by_role("button", name="Masuk").click()
    phone.get_by_label("Poster").set_input_files(poster_file(tmp_path))
    phone.get_by_role("button", name="Simpan").click()
    expect(phone.locator("main").first).to_contain_text("Perubahan tersimpan", use_inner_text=True)
    phone.context.clear_cookies()

    # 2. The event page, as a participant opens it from a shared link: poster, map, contact, share link.
    phone.goto(f"{base}/acara/{event['id']}")
    poster = phone.get_by_role("img", name="Poster Literasi Digital untuk Perpustakaan Desa")
    assert poster.evaluate("img => img.complete && img.naturalWidth") == 600
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    share = phone.get_by_role("link", name="Bagikan ke WhatsApp").get_attribute("href")
    assert unquote(share).startswith("https://wa.me/?text=Literasi Digital untuk Perpustakaan Desa\n")
    assert (
        phone.get_by_role("link", name="WhatsApp 0812-3456-7890").get_attribute("href") == "https://wa.me/6281234567890"
    )
    preview = phone.locator('meta[property="og:image"]').get_attribute("content")
    image = requests.get(preview, timeout=10)
    assert image.headers["Content-Type"] == "image/jpeg" and Image.open(io.BytesIO(image.content)).size == (960, 1200)
    assert axe_violations(phone) == []
    screenshot(phone, "sharing-01-acara-dengan-poster")

    # 3. The form: each "Tampilkan" button brings the page back at the list it filled, with what was typed.
    phone.get_by_role("link", name="Daftar sekarang").click()
    phone.get_by_label("Nama lengkap").fill("Siti Rahmah")
    phone.get_by_label("Kabupaten/kota", exact=True).select_option(label="Kabupaten Banjar")
    phone.get_by_role("button", name="Tampilkan kecamatan").click()
    lands_on(phone, "kecamatan")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "sharing-02-formulir-di-kecamatan.png"))  # what the screen shows
    phone.get_by_label("Kecamatan", exact=True).select_option(label="Martapura")
    phone.get_by_role("button", name="Tampilkan desa/kelurahan").click()
    lands_on(phone, "desa")
    expect(phone.get_by_label("Desa/kelurahan", exact=True)).to_be_visible()
    assert phone.get_by_label("Nama lengkap").input_value() == "Siti Rahmah"
    assert axe_violations(phone) == []
    phone.screenshot(path=str(ARTIFACTS / "sharing-03-formulir-di-desa.png"))
