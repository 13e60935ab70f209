"""Staff change message texts in the browser: preview with sample data, refused placeholders, SMS parts, saving."""

import re

import time_machine
from bs4 import BeautifulSoup

from services.notifications.app import create_app
from tests.integration.notifications.conftest import publish_event, register, rows, run_beat, wita
from tests.integration.notifications.test_delivery import ZENZIVA, ZENZIVA_OK
from tests.integration.notifications.test_staff_log import csrf, signed_in

START = wita(2026, 3, 17, 8, 30)
NOW = wita(2026, 3, 13, 10, 0)
EDIT_SMS = "/staf/templat/confirmation/sms/id"
EDIT_EMAIL = "/staf/templat/reminder/email/id"


def submit(client, path, action, **fields):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf(page), "action": action, **fields})


def preview_of(page) -> str:
    section = BeautifulSoup(page.text, "html.parser").find("section", attrs={"aria-labelledby": "preview-title"})
    return " ".join(section.get_text(" ").split()) if section else ""


def error_summary(page) -> list[tuple[str, str]]:
    summary = BeautifulSoup(page.text, "html.parser").find(class_="error-summary")
    return [(link["href"], " ".join(link.get_text(" ").split())) for link in summary.find_all("a")] if summary else []


def test_the_editor_lists_every_purpose_channel_and_language(app):
    page = signed_in(app).get("/staf/templat")
    soup = BeautifulSoup(page.text, "html.parser")
    links = {a["href"] for a in soup.select("table a")}
    assert len(links) == (9 * 3 + 1) * 2  # nine participant messages on three channels, report mails by email
    assert {EDIT_SMS, EDIT_EMAIL, "/staf/templat/report/email/en"} <= links
    assert "teks bawaan" in page.text and "mengikuti teks SMS" in page.text


def test_the_editor_opens_with_the_current_text_and_its_preview_with_sample_data(app):
    page = signed_in(app).get(EDIT_EMAIL)
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("input", id="field-subject")["value"] == "Pengingat: {{ event.title }} {{ lead }}"
    assert "{{ recipient.full_name }}" in soup.find("textarea", id="field-body").get_text()
    assert soup.find("label", attrs={"for": "field-body"}) and soup.find("label", attrs={"for": "field-subject"})
    preview = preview_of(page)
    assert "Pengingat: Pelatihan Pengelolaan Perpustakaan Desa Berbasis Inklusi Sosial 3 hari lagi" in preview
    assert "Halo Siti Rahmah" in preview and "pukul 08.30 WITA" in preview
    assert "{{ lead }}" in page.text and "Sisa waktu sebelum acara" in page.text  # the placeholders are listed


def test_previewing_shows_the_sms_length_and_parts_and_saves_nothing(app):
    client = signed_in(app)
    short = submit(client, EDIT_SMS, "preview", body="Halo {{ recipient.full_name }}, sampai jumpa {{ when }}.")
    assert short.status_code == 200
    text = preview_of(short)
    assert "Halo Siti Rahmah, sampai jumpa" in text and "GSM-7" in text and "1 bagian" in text
    curly = preview_of(submit(client, EDIT_SMS, "preview", body="“{{ event.title }}” — {{ recipient.full_name }}"))
    assert "GSM-7" in curly and '"Pelatihan' in curly  # curly quotes and dashes go as their GSM look-alikes
    long_emoji = submit(client, EDIT_SMS, "preview", body="🙂 {{ event.title }} {{ recipient.cancel_url }}")
    text = preview_of(long_emoji)
    assert "UCS-2" in text and "🙂" in text
    units = int(re.search(r"Panjang (\d+) karakter", text)[1])
    assert units > 70 and f"{-(-units // 67)} bagian" in text  # 67 characters per part once past one SMS
    with app.app_context():
        from services.notifications import store

        assert store.get_template("confirmation", "sms", "id") is None


def test_an_unknown_placeholder_is_refused_with_a_message_that_leads_to_the_field(app):
    client = signed_in(app)
    page = submit(client, EDIT_SMS, "save", body="Halo {{ recipient.nama }}, {{ event.title }}")
    assert page.status_code == 400
    [(href, message)] = error_summary(page)
    assert href == "#field-body" and "{{ recipient.nama }} tidak dikenal" in message
    assert "Maksud Anda {{ recipient.full_name }}?" in message  # it says what may be meant instead
    field = BeautifulSoup(page.text, "html.parser").find("textarea", id="field-body")
    assert field["aria-invalid"] == "true" and "error-body" in field["aria-describedby"]
    assert field.get_text() == "Halo {{ recipient.nama }}, {{ event.title }}"  # what was typed is kept
    broken = submit(client, EDIT_EMAIL, "preview", subject="", body="Halo\n{% if lead %}besok")
    assert [href for href, _ in error_summary(broken)] == ["#field-subject", "#field-body"]
    assert "baris 2" in error_summary(broken)[1][1]


def test_a_saved_text_is_used_for_new_messages_and_pending_ones(app, gateway):
    gateway.expect_request(ZENZIVA).respond_with_json(ZENZIVA_OK)
    with time_machine.travel(NOW, tick=False):
        event = publish_event(app, START)
        register(app, event, email="lama@contoh.id")  # its reminders are planned with the old text
        client = signed_in(app)
        body = "Halo {{ recipient.full_name }}! {{ event.title }} {{ lead }}.\n\nSampai jumpa, {{ when }}."
        saved = submit(client, EDIT_EMAIL, "save", subject="Jangan lupa: {{ event.title }}", body=body)
        assert saved.status_code == 303
        page = client.get(saved.headers["Location"])
        assert "Templat tersimpan. 3 pesan yang belum terkirim kini memakai teks baru." in page.text
        assert "Diubah oleh admin@pelita.local" in page.text
        register(app, event, preferred_channel="sms", phone="+6281234567890", email=None)
        sms_edit = submit(
            client, EDIT_SMS, "save", body="Terdaftar: {{ event.title }}. Kode {{ recipient.checkin_code }}"
        )
        assert sms_edit.status_code == 303
        run_beat(app)
    reminders = rows(app, purpose="reminder", channel="email")
    assert {row.subject for row in reminders} == {f"Jangan lupa: {event['title']}"}
    assert reminders[0].body.startswith("Halo Ahmad Fauzi! ") and "3 hari lagi" in reminders[0].body
    # the SMS confirmation was planned before its text changed: pending, so it went with the new text
    assert gateway.log[0][0].form["message"] == f"Terdaftar: {event['title']}. Kode ABCD2345"


def test_whatsapp_follows_the_sms_text_until_it_has_its_own(app, gateway):
    client = signed_in(app)
    submit(client, EDIT_SMS, "save", body="SMS baru untuk {{ recipient.full_name }}")
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        register(app, event, preferred_channel="whatsapp", email=None)
    assert rows(app, channel="whatsapp")[0].body == "SMS baru untuk Ahmad Fauzi"
    assert "Belum diubah: WhatsApp memakai teks SMS." in client.get("/staf/templat/confirmation/whatsapp/id").text


def test_going_back_to_the_default_text(app):
    client = signed_in(app)
    submit(client, EDIT_SMS, "save", body="Teks sementara {{ event.title }}")
    page = client.get(EDIT_SMS)
    back = client.post(f"{EDIT_SMS}/bawaan", data={"csrf_token": csrf(page)}, follow_redirects=True)
    assert "Templat kembali ke teks bawaan." in back.text and "Teks bawaan layanan." in back.text
    assert "terkonfirmasi" in BeautifulSoup(back.text, "html.parser").find("textarea").get_text()


def test_a_regency_organiser_may_preview_but_not_change_the_texts(app):
    organiser = signed_in(app, "regency_organiser", "63.03", "banjar@pelita.local")
    page = organiser.get(EDIT_SMS)
    assert 'value="save"' not in page.text and "Hanya admin provinsi" in page.text
    assert submit(organiser, EDIT_SMS, "preview", body="Halo {{ recipient.full_name }}").status_code == 200
    assert submit(organiser, EDIT_SMS, "save", body="Halo {{ recipient.full_name }}").status_code == 403
    assert organiser.get("/staf/templat/nothing/sms/id").status_code == 404


def test_seeding_stores_every_default_once_and_changes_no_message(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-templates"]).output == "38 templat bawaan disimpan.\n"
    assert runner.invoke(args=["seed-templates"]).output == "0 templat bawaan disimpan.\n"
    with time_machine.travel(NOW):
        register(app, publish_event(app, START, reminder_offsets_minutes=[]), email="benih@contoh.id")
        run_beat(app)
    page = signed_in(app).get("/staf/templat")
    assert "diubah" not in BeautifulSoup(page.text, "html.parser").find("tbody").get_text()
    assert create_app  # the app factory registers the command (checked by the invocations above)
