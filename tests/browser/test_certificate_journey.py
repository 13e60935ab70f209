"""E-sertifikat and the evaluation on a phone: a training ends, the certificate mail arrives, the organiser's page
lists it, the organiser adds a knowledge-test question, the participant answers the evaluation from its mail, the
organiser reads the answers, the certificate's verification page says it is genuine, then revoked (screenshots in
test-artifacts/)."""

import re
from datetime import UTC, datetime, timedelta

import requests

from tests.browser.conftest import ADMIN_PASSWORD, axe_violations, pdf_pages, screenshot
from tests.browser.test_participant_journey import mails_to, staff_token
from tests.conftest import wait_for
from tests.factories import make_event_body, make_registration_body

SIGNATORY = {
    "jp_hours": 32,
    "signatory_name": "Dr. H. Nurliani, M.AP",
    "signatory_title": "Kepala Dinas Perpustakaan dan Kearsipan",
    "signatory_nip": "196805121990032004",
}


def test_a_participant_gets_a_certificate_that_verifies_until_it_is_revoked(pelita, phone):
    base, headers = pelita.urls["registration"], staff_token(pelita)
    now = datetime.now(UTC).replace(microsecond=0)
    ends = now + timedelta(seconds=10)
    body = make_event_body(title="Pelatihan Pengelolaan Arsip Desa", starts_at=(now - timedelta(hours=3)).isoformat(),
                           ends_at=ends.isoformat(), registration_closes_at=(ends - timedelta(seconds=3)).isoformat(),
                           **SIGNATORY)  # fmt: skip
    event = requests.post(f"{base}/api/v1/events", json=body, headers=headers, timeout=10).json()
    person = make_registration_body(full_name="Siti Rahmah", email="sertifikat.siti@contoh.id")
    registration = requests.post(f"{base}/api/v1/events/{event['id']}/registrations", json=person, timeout=10).json()
    checked = requests.post(f"{base}/api/v1/registrations/{registration['id']}/check-in", headers=headers, timeout=10)
    assert checked.status_code == 200

    # 1. Once the training has ended, beat's issuing job sends the certificate mail, with the short link to the PDF.
    mails = wait_for(
        lambda: [m for m in mails_to(pelita, "sertifikat.siti@contoh.id") if m["subject"].startswith("Sertifikat")],
        timeout=90,
        message="the certificate mail",
    )
    phone.goto(pelita.urls["sinks"])
    phone.get_by_role("link", name=re.compile("Sertifikat Anda")).first.click()
    screenshot(phone, "sertifikat-01-email")
    link = re.search(r"https?://\S+/s/[A-Z0-9]{10}", mails[0]["text"]).group(0)
    pdf = requests.get(link, timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pdf_pages(pdf.content, "sertifikat-02", dpi=60)  # the certificate itself, as a picture

    # 2. The organiser's list of the event's certificates, on a phone.
    phone.goto(f"{base}/staf/masuk")
    phone.get_by_role("textbox", name="Email").fill("admin@pelita.local")
    phone.get_by_label("Kata sandi").fill(ADMIN_PASSWORD)
    phone.get_by_role("button", name="Masuk").click()
    phone.goto(f"{base}/staf/acara/{event['id']}/sertifikat")
    assert "Siti Rahmah" in phone.inner_text("main")
    assert axe_violations(phone) == []
    screenshot(phone, "sertifikat-03-daftar-panitia")

    # 2b. The certificate's wording, which a provincial admin may change (text, placeholders, {% if %}), previewed.
    phone.get_by_role("link", name="Teks sertifikat").click()
    assert "diberikan kepada" in phone.inner_text("main")
    assert axe_violations(phone) == []
    screenshot(phone, "sertifikat-03b-teks")
    phone.goto(f"{base}/staf/acara/{event['id']}/sertifikat")

    # 2c. The evaluation's page: the organiser adds a knowledge-test question (asked again on the evaluation form).
    phone.goto(f"{base}/staf/acara/{event['id']}/evaluasi")
    phone.get_by_label("Pertanyaan", exact=True).fill("Apa kepanjangan TPBIS?")
    phone.get_by_label("Pilihan 1", exact=True).fill("Transformasi Perpustakaan Berbasis Inklusi Sosial")
    phone.get_by_label("Pilihan 2", exact=True).fill("Taman Pustaka Bacaan Ibu dan Siswa")
    phone.get_by_label("Pilihan 1 yang benar").check()
    phone.get_by_role("button", name="Tambah pertanyaan").click()
    assert "Pertanyaan ditambahkan" in phone.inner_text("main")
    assert axe_violations(phone) == []
    screenshot(phone, "evaluasi-01-panitia-tes")

    # 2d. The evaluation's mail came with the certificate's; its link opens the form: no account, no JavaScript.
    mails = wait_for(lambda: [m for m in mails_to(pelita, "sertifikat.siti@contoh.id")
                              if m["subject"].startswith("Mohon isi evaluasi")], timeout=60,
                     message="the evaluation mail")  # fmt: skip
    form = re.search(r"https?://\S+/e/[A-Z0-9]{10}", mails[0]["text"]).group(0)
    phone.goto(form)
    assert phone.locator("script").count() == 0 and "Apa kepanjangan TPBIS?" in phone.inner_text("main")
    assert axe_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # nothing wider than it
    screenshot(phone, "evaluasi-02-formulir")
    phone.get_by_role("button", name="Kirim evaluasi").click()
    assert "Ada yang perlu diperbaiki" in phone.inner_text("main")
    assert axe_violations(phone) == []
    screenshot(phone, "evaluasi-03-belum-lengkap")
    for group, score in (("Materi pelatihan", "5 — Sangat baik"), ("Pemateri/narasumber", "4 — Baik"),
                         ("Tempat dan fasilitas", "3 — Cukup")):  # fmt: skip
        phone.get_by_role("group", name=group).get_by_label(score).check()
    phone.get_by_label("Apa yang akan Anda lakukan dengan ilmu ini?").fill("Membuka pojok baca di balai desa")
    phone.get_by_label("Saran, kritik, atau pesan lain").fill("Terima kasih, praktiknya sangat membantu.")
    phone.get_by_label("Transformasi Perpustakaan Berbasis Inklusi Sosial").check()
    phone.get_by_role("button", name="Kirim evaluasi").click()
    assert "Terima kasih atas evaluasi Anda" in phone.inner_text("main")
    assert axe_violations(phone) == []
    screenshot(phone, "evaluasi-04-terima-kasih")

    # 2e. The organiser reads the answers: the scores summed up, the texts without names.
    phone.goto(f"{base}/staf/acara/{event['id']}/evaluasi")
    text = phone.inner_text("main")
    assert "Sudah menjawab: 1 dari 1" in text and "Membuka pojok baca di balai desa" in text
    assert axe_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # the table stacks
    screenshot(phone, "evaluasi-05-jawaban-panitia")
    phone.goto(f"{base}/staf/acara/{event['id']}/sertifikat")

    # 3. The verification page the QR code opens: genuine, and only what the certificate shows.
    verify = phone.get_by_role("link", name="berlaku").first.get_attribute("href")
    phone.goto(verify)
    text = phone.inner_text("main")
    assert "Sertifikat ini asli" in text and "Siti Rahmah" in text and "32 JP" in text
    assert "sertifikat.siti@contoh.id" not in phone.content()
    assert axe_violations(phone) == []
    screenshot(phone, "sertifikat-04-asli")

    # 4. Revoked: the same address now says so.
    phone.goto(f"{base}/staf/acara/{event['id']}/sertifikat")
    phone.get_by_role("button", name="Cabut sertifikat").first.click()
    phone.goto(verify)
    assert "sudah dicabut" in phone.inner_text("main")
    screenshot(phone, "sertifikat-05-dicabut")
