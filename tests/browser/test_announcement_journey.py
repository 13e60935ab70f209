"""An organiser's announcement in Debian's chromium on a phone (390x844), against `make run` with its real workers
and beat: from the event's page to the notifications service's form, a preview that counts who gets it by which
channel and says the SMS goes as a short link, the confirmation, then the email in the SMTP sink, the SMS with its
short link in the message log, and the short link's public page. A check-in at the door reaches notifications over
the bus: the person is then among "those present"."""

import re
from datetime import UTC, datetime, timedelta

import requests
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_organiser_journey import fits_the_screen, sign_in
from tests.browser.test_participant_journey import mails_to, staff_token
from tests.conftest import wait_for
from tests.factories import make_event_body, make_registration_body

LONG = (
    "Ruang pelatihan pindah ke Aula Serbaguna di gedung sebelah, lantai dua. Parkir motor ada di belakang gedung, "
    "parkir mobil di halaman depan. Mohon bawa laptop, kabel charger, dan KTP untuk daftar hadir. Makan siang "
    "disediakan panitia; bila Anda punya pantangan makanan, beri tahu panitia saat registrasi ulang."
)


def an_event_with_two_people(pelita) -> tuple[dict, dict]:
    base, headers = pelita.urls["registration"], staff_token(pelita)
    start = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)  # today: the door takes check-ins
    body = make_event_body(title="Pelatihan Literasi Digital", capacity=5, starts_at=start.isoformat(),
                           ends_at=(start + timedelta(hours=5)).isoformat())  # fmt: skip
    event = requests.post(f"{base}/api/v1/events", json=body, headers=headers, timeout=10).json()
    people = {
        "siti": make_registration_body(full_name="Siti Rahmah"),
        "budi": make_registration_body(full_name="Budi Santoso", preferred_channel="sms", email=None),
    }
    for body in people.values():
        created = requests.post(f"{base}/api/v1/events/{event['id']}/registrations", json=body, timeout=10)
        assert created.status_code == 201, created.text
    return event, people


def test_an_organiser_previews_and_sends_an_announcement_that_reaches_each_by_their_channel(pelita, phone):
    page = phone
    event, people = an_event_with_two_people(pelita)
    wait_for(lambda: mails_to(pelita, people["siti"]["email"]), timeout=60, message="the confirmation")
    sign_in(page, pelita)
    page.goto(f"{pelita.urls['registration']}/staf/acara/{event['id']}")
    page.get_by_role("row").filter(has_text="Siti Rahmah").get_by_role("button", name=re.compile("^Hadir")).click()
    page.get_by_role("link", name="Kirim pengumuman").click()
    expect(page.get_by_role("heading", name="Pengumuman: Pelatihan Literasi Digital")).to_be_visible()
    form = page.url
    assert form.startswith(pelita.urls["notifications"])
    assert fits_the_screen(page) and axe_violations(page) == []
    screenshot(page, "pengumuman-01-tulis")

    def present_by_email() -> bool:
        """Siti's check-in at the door reached the notifications service over the bus: she is "present"."""
        page.goto(form)
        page.get_by_label("Yang sudah hadir (check-in)").check()
        page.get_by_label("Subjek").fill("Ruangan pindah")
        page.get_by_label("Isi pengumuman").fill(LONG)
        page.get_by_role("button", name="Pratinjau").click()
        return page.locator("td[data-channel=email]").inner_text() == "1"

    wait_for(present_by_email, timeout=60, interval=1, message="the check-in to reach notifications")
    assert page.locator("td[data-channel=sms]").inner_text() == "0"  # Budi did not come
    page.goto(form)

    page.get_by_label("Peserta terkonfirmasi").check()
    page.get_by_label("Subjek").fill("Ruangan pindah")
    page.get_by_label("Isi pengumuman").fill(LONG)
    page.get_by_role("button", name="Pratinjau").click()
    expect(page.get_by_role("heading", name="Pratinjau pengumuman: Pelatihan Literasi Digital")).to_be_visible()
    main = page.inner_text("main")
    assert page.locator("td[data-channel=email]").inner_text() == "1"
    assert page.locator("td[data-channel=sms]").inner_text() == "1"
    assert "tautan pendek" in page.locator("#sms-segments").inner_text() and "GSM-7" in main
    assert fits_the_screen(page) and axe_violations(page) == []
    screenshot(page, "pengumuman-02-pratinjau")

    page.get_by_label("Saya sudah memeriksa pengumuman ini; kirim kepada 2 orang.").check()
    page.get_by_role("button", name="Kirim pengumuman").click()
    expect(page.locator("main").first).to_contain_text("Pengumuman dijadwalkan untuk 2 orang.", use_inner_text=True)
    assert axe_violations(page) == []
    screenshot(page, "pengumuman-03-terkirim")

    subject = "Ruangan pindah (Pelatihan Literasi Digital)"
    wait_for(
        lambda: [m for m in mails_to(pelita, people["siti"]["email"]) if m["subject"] == subject],
        timeout=60,
        message="the announcement's email",
    )
    # The SMS as the message log shows it (it waits there during the quiet hours; email never does).
    page.goto(f"{pelita.urls['notifications']}/staf?event_id={event['id']}&purpose=announcement&channel=sms")
    page.locator("main a[href*='/staf/pesan/']").first.click()
    sms = page.inner_text("main")
    link = re.search(r"https?://\S+/u/[A-Za-z0-9_-]+", sms)[0]
    assert "Ruangan pindah" in sms and "Parkir motor" not in sms

    page.goto(link)
    expect(page.get_by_role("heading", name="Ruangan pindah")).to_be_visible()
    assert "Parkir motor ada di belakang gedung" in page.inner_text("main")
    assert "Siti" not in page.content() and "Budi" not in page.content()
    assert fits_the_screen(page) and axe_violations(page) == []
    screenshot(page, "pengumuman-04-tautan-pendek")
