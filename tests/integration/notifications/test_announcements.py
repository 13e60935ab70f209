"""An organiser's announcement to an event's people: previewed (recipients per channel, the SMS's parts), confirmed,
sent once by each person's channel through the one send path (quiet hours, opt-outs, the daily cap), its long SMS
a short link to a public page; and only for the organiser's own kabupaten."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from bs4 import BeautifulSoup

from services.notifications import retention, service
from services.notifications.extensions import db
from services.notifications.models import Announcement, Recipient
from shared.messaging.names import EventNames
from shared.staffauth import STAFF_COOKIE
from tests.integration.notifications.conftest import deliver, publish_event, register, rows, run_beat, wita
from tests.integration.notifications.test_delivery import WHATSAPP, ZENZIVA, ZENZIVA_OK
from tests.integration.notifications.test_staff_log import csrf, log_rows, signed_in

START = wita(2026, 3, 17, 8, 30)
NOW = wita(2026, 3, 13, 10, 0)
HERE = "63.03"
SHORT = "Mohon bawa laptop dan kabel charger masing-masing."
LONG = (
    "Ruang pelatihan pindah ke Aula Serbaguna di gedung sebelah, lantai dua. Parkir motor ada di belakang gedung, "
    "parkir mobil di halaman depan. Mohon bawa laptop, kabel charger, dan KTP untuk daftar hadir. Makan siang "
    "disediakan panitia; bila Anda punya pantangan makanan, beri tahu panitia saat registrasi ulang di meja depan."
)


def whatsapp_ok(gateway):
    gateway.expect_request(WHATSAPP).respond_with_json({"messaging_product": "whatsapp", "messages": [{"id": "w1"}]})


def an_event_with_people(app, gateway) -> dict:
    """An event of HERE with two confirmed by email, one by SMS, one by WhatsApp, one on the waitlist (email), and
    one of the confirmed checked in; their first messages already sent."""
    gateway.expect_request(ZENZIVA).respond_with_json(ZENZIVA_OK)
    whatsapp_ok(gateway)
    event = publish_event(app, START, reminder_offsets_minutes=[], kabupaten_code=HERE)
    people = {
        "email": register(app, event, full_name="Siti Aminah", email="siti@contoh.id"),
        "present": register(app, event, full_name="Rudi Hartono", email="rudi@contoh.id", phone="+6281200000009"),
        "sms": register(app, event, full_name="Budi", preferred_channel="sms", phone="+6281200000001", email=None),
        "whatsapp": register(app, event, full_name="Wati", preferred_channel="whatsapp", phone="+6281200000002"),
        "waiting": register(
            app, event, full_name="Dewi", email="dewi@contoh.id", status="waitlisted", waitlist_position=1
        ),
    }
    check_in(app, event, people["present"])
    run_beat(app)
    return {"event": event, **people}


def check_in(app, event, person, at=None):
    at = (at or wita(2026, 3, 13, 9, 0)).isoformat()
    payload = {"registration_id": person["registration_id"], "event_id": event["event_id"], "checked_in_at": at}
    deliver(app, EventNames.ATTENDANCE_CHECKED_IN, payload)
    return payload


def organiser(app, kabupaten_code=HERE):
    return signed_in(app, "regency_organiser", kabupaten_code, email="panitia@contoh.id")


def preview(client, event, audience="confirmed", subject="Bawa laptop", text=SHORT):
    page = client.get(f"/staf/acara/{event['event_id']}/pengumuman")
    assert page.status_code == 200, page.text
    form = {"csrf_token": csrf(page), "audience": audience, "subject": subject, "text": text}
    return client.post(f"/staf/acara/{event['event_id']}/pengumuman", data=form)


def send(client, event, previewed, confirm="ya"):
    """Submit the preview's own send form, as the organiser's click does."""
    soup = BeautifulSoup(previewed.text, "html.parser")
    [form] = [f for f in soup.find_all("form") if f.find("input", attrs={"name": "key"})]
    data = {
        field["name"]: field.get("value", "") for field in form.find_all("input") if field.get("type") != "checkbox"
    }
    data |= {"action": "send", **({"confirm": confirm} if confirm else {})}
    return client.post(f"/staf/acara/{event['event_id']}/pengumuman", data=data)


def per_channel(page) -> dict[str, int]:
    soup = BeautifulSoup(page.text, "html.parser")
    return {cell["data-channel"]: int(cell.get_text()) for cell in soup.select("td[data-channel]")}


def announcement_rows(app, **where):
    return rows(app, purpose="announcement", **where)


def sent_texts(gateway, path) -> list:
    return [request for request, _ in gateway.log if request.path == path]


def test_the_preview_counts_recipients_per_channel_for_each_audience_and_the_sms_parts(app, gateway):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        client = organiser(app)
        confirmed = preview(client, people["event"])
        waiting = preview(client, people["event"], audience="waitlist")
        present = preview(client, people["event"], audience="present")
        emoji = preview(client, people["event"], text="Sampai jumpa besok 🙏 " + "x" * 60)
        long = preview(client, people["event"], text=LONG)
    assert confirmed.status_code == 200
    assert per_channel(confirmed) == {"whatsapp": 1, "sms": 1, "email": 2}
    assert per_channel(waiting) == {"whatsapp": 0, "sms": 0, "email": 1}
    assert per_channel(present) == {"whatsapp": 0, "sms": 0, "email": 1}
    soup = BeautifulSoup(confirmed.text, "html.parser")
    assert soup.find(id="sms-encoding").get_text().startswith("GSM-7")
    assert "1 bagian SMS" in soup.find(id="sms-text-segments").get_text()
    assert "teks lengkap" in soup.find(id="sms-segments").get_text()
    soup = BeautifulSoup(emoji.text, "html.parser")
    assert soup.find(id="sms-encoding").get_text().startswith("UCS-2")
    assert "2 bagian SMS" in soup.find(id="sms-text-segments").get_text()  # 81 UTF-16 units: over UCS-2's 70
    soup = BeautifulSoup(long.text, "html.parser")
    assert "3 bagian SMS" in soup.find(id="sms-text-segments").get_text()
    sent_as = soup.find(id="sms-segments").get_text()
    assert "1 bagian" in sent_as and "tautan pendek" in sent_as
    assert announcement_rows(app) == []  # a preview sends nothing


def test_each_person_gets_it_by_their_channel_and_a_double_submit_sends_once(app, gateway, smtp_server):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        before = len(gateway.log)
        client = organiser(app)
        previewed = preview(client, people["event"], subject="Bawa laptop")
        first = send(client, people["event"], previewed)
        again = send(client, people["event"], previewed)
        assert first.status_code == again.status_code == 303
        assert sorted(run_beat(app)) == ["delivered", "delivered", "sent", "sent"]
        assert run_beat(app) == []
        page = client.get(first.headers["Location"])
        log = client.get("/staf", query_string={"event_id": people["event"]["event_id"], "purpose": "announcement"})
    assert "sudah dikirim; tidak dikirim dua kali" in page.text and "Email: 2" in page.text
    with app.app_context():
        [announcement] = db.session.scalars(sa.select(Announcement)).all()
        assert (announcement.created_by, announcement.audience) == ("panitia@contoh.id", "confirmed")
        assert announcement.counts == {"email": 2, "sms": 1, "whatsapp": 1}
    assert len(announcement_rows(app)) == 4
    subject = f"Bawa laptop ({people['event']['title']})"
    for address in ("siti@contoh.id", "rudi@contoh.id"):
        [mail] = [mail for mail in smtp_server.mails_to(address) if mail.subject == subject]
        assert SHORT in mail.text() and "Halo " in mail.text()
    new = [request for request, _ in gateway.log[before:]]
    [sms] = [r for r in new if r.path == ZENZIVA]
    assert SHORT in sms.form["message"] and sms.form["to"] == "081200000001"
    [whatsapp] = [r.get_json() for r in new if r.path == WHATSAPP]
    assert whatsapp["template"]["name"] == "pelita_announcement"
    values = [p["text"] for p in whatsapp["template"]["components"][0]["parameters"]]
    assert values == ["Wati", people["event"]["title"], "Bawa laptop", SHORT]
    assert len(log_rows(log)) == 4 and "Pengumuman" in log.text


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_two_clicks_at_the_same_moment_send_it_once(app, gateway):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        client = organiser(app)
        previewed = preview(client, people["event"])
        twin = app.test_client()  # the same browser: the same cookies, a second request in flight
        for name in (app.config["SESSION_COOKIE_NAME"], STAFF_COOKIE):
            if (cookie := client.get_cookie(name)) is not None:
                twin.set_cookie(name, cookie.value)
        together = threading.Barrier(2)

        def click(browser):
            together.wait()
            return send(browser, people["event"], previewed).status_code

        with ThreadPoolExecutor(2) as pool:
            assert list(pool.map(click, (client, twin))) == [303, 303]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Announcement.id))) == 1
    assert len(announcement_rows(app)) == 4


def test_a_text_too_long_for_two_sms_parts_goes_as_a_short_link_to_a_page_naming_nobody(app, gateway):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        client = organiser(app)
        send(client, people["event"], preview(client, people["event"], subject="Ruangan pindah", text=LONG))
        run_beat(app)
    [sms] = announcement_rows(app, channel="sms")
    link = re.search(r"http://127\.0\.0\.1:8002(/u/[A-Za-z0-9_-]+)", sms.body)
    assert link and "Ruangan pindah" in sms.body and LONG[:40] not in sms.body
    [whatsapp] = announcement_rows(app, channel="whatsapp")
    assert LONG in whatsapp.params["body"]  # WhatsApp carries the whole text
    public = app.test_client().get(link[1])
    assert public.status_code == 200 and LONG in public.text and "Ruangan pindah" in public.text
    for person in ("Siti", "Budi", "Wati", "Rudi", "0812", "contoh.id"):  # nor the organiser's address
        assert person not in public.text
    assert app.test_client().get(link[1] + "x").status_code == 404
    assert app.test_client().get("/u/" + "a" * 300).status_code == 404


def test_quiet_hours_hold_sms_and_whatsapp_until_morning_while_email_goes_at_once(app, gateway, smtp_server):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
    with time_machine.travel(wita(2026, 3, 13, 22, 0), tick=False):
        client = organiser(app)
        send(client, people["event"], preview(client, people["event"]))
        assert run_beat(app) == ["delivered", "delivered"]
    waiting = announcement_rows(app, status="pending")
    assert sorted(row.channel for row in waiting) == ["sms", "whatsapp"]
    assert {row.due_at for row in waiting} == {wita(2026, 3, 14, 7, 0)}
    with time_machine.travel(wita(2026, 3, 14, 7, 0), tick=False):
        assert run_beat(app) == ["sent", "sent"]


def test_a_stop_moves_the_announcement_to_email_or_leaves_the_person_out_but_a_withdrawn_reminder_consent_does_not(
    app, gateway, smtp_server
):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        with app.app_context():
            service.set_opt_out("+6281200000001", active=True, source="sms")  # Budi: SMS, no email
            service.set_opt_out("+6281200000002", active=True, source="whatsapp")  # Wati: has an email
        consent = {
            "registration_id": people["email"]["registration_id"],
            "event_id": people["event"]["event_id"],
            "purpose": "messages",
            "channel": "email",
            "disability": "none",
            "withdrawn_at": NOW.isoformat(),
        }
        deliver(app, EventNames.REGISTRATION_CONSENT_WITHDRAWN, consent)
        client = organiser(app)
        previewed = preview(client, people["event"])
        assert per_channel(previewed) == {"whatsapp": 0, "sms": 0, "email": 3}
        assert "1 orang tidak dapat dihubungi" in previewed.text
        send(client, people["event"], previewed)
        assert run_beat(app) == ["delivered"] * 3
    assert sorted(row.to for row in announcement_rows(app)) == ["ahmad@contoh.id", "rudi@contoh.id", "siti@contoh.id"]


def test_a_stop_that_arrives_after_sending_was_planned_cancels_the_text_and_sends_the_email(app, gateway, smtp_server):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        client = organiser(app)
        send(client, people["event"], preview(client, people["event"], audience="confirmed", text=LONG))
        with app.app_context():
            service.set_opt_out("+6281200000002", active=True, source="whatsapp")
        run_beat(app)
        run_beat(app)  # the email that replaces it
    [whatsapp] = announcement_rows(app, channel="whatsapp")
    assert whatsapp.status == "cancelled"
    [fallback] = [row for row in announcement_rows(app, channel="email") if row.fallback_of == whatsapp.id]
    assert fallback.status == "delivered" and fallback.to == "ahmad@contoh.id" and LONG in fallback.body


def test_announcements_count_against_the_daily_cap(app, gateway):
    app.config["DAILY_CAPS"] = {"sms": 3, "email": 0, "whatsapp": 0}
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        register(app, people["event"], preferred_channel="sms", phone="+6281200000003", email=None)
        run_beat(app)  # two SMS confirmations use two of the day's three
        client = organiser(app)
        send(client, people["event"], preview(client, people["event"]))
        run_beat(app)
    sms = announcement_rows(app, channel="sms")
    assert sorted((row.status, row.hold_reason) for row in sms) == [("pending", "daily_cap"), ("sent", None)]


def test_those_present_are_who_checked_in_and_an_undone_check_in_takes_a_person_out(app, gateway):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        checked = check_in(app, people["event"], people["sms"], at=wita(2026, 3, 13, 9, 5))
        client = organiser(app)
        assert per_channel(preview(client, people["event"], audience="present")) == {
            "whatsapp": 0,
            "sms": 1,
            "email": 1,
        }
        deliver(app, EventNames.ATTENDANCE_CHECK_IN_UNDONE, checked | {"undone_at": NOW.isoformat()})
        assert per_channel(preview(client, people["event"], audience="present"))["sms"] == 0


def test_an_organiser_of_another_kabupaten_cannot_see_or_send_and_bad_input_is_a_4xx(app, gateway):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        url = f"/staf/acara/{people['event']['event_id']}/pengumuman"
        mine = organiser(app)
        token = csrf(mine.get(url))
        elsewhere = organiser(app, "63.06")
        theirs = publish_event(app, START, kabupaten_code="63.06")
        their_token = csrf(elsewhere.get(f"/staf/acara/{theirs['event_id']}/pengumuman"))  # their own event's form
        assert elsewhere.get(url).status_code == 403
        form = {"csrf_token": token, "audience": "confirmed", "subject": "Bawa laptop", "text": SHORT}
        theirs_form = form | {"csrf_token": their_token, "action": "send", "confirm": "ya", "key": "a" * 32}
        refused = elsewhere.post(url, data=theirs_form)
        assert refused.status_code == 403 and "Bawa laptop" not in refused.text
        assert mine.get("/staf/acara/tidak-ada/pengumuman").status_code == 404
        assert mine.post(url, data=form | {"audience": "semua"}).status_code == 400
        assert mine.post(url, data=form | {"subject": ""}).status_code == 400
        assert mine.post(url, data=form | {"text": "x" * 641}).status_code == 400
        bad_key = mine.post(url, data=form | {"action": "send", "confirm": "ya", "key": "../../x"})
        assert bad_key.status_code == 400
        unconfirmed = send(mine, people["event"], preview(mine, people["event"]), confirm=None)
        assert unconfirmed.status_code == 200 and "Centang konfirmasi" in unconfirmed.text
    assert announcement_rows(app) == []


def test_retention_empties_the_text_and_its_link_then_forgets_who_wrote_it_and_erasure_forgets_a_check_in(
    app, gateway, smtp_server
):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        client = organiser(app)
        send(client, people["event"], preview(client, people["event"], subject="Ruangan pindah", text=LONG))
        run_beat(app)
        ids = {key: people["present"][key] for key in ("registration_id", "event_id")}
        deliver(app, EventNames.REGISTRATION_ERASED, ids | {"erased_at": NOW.isoformat()})
    with app.app_context():
        erased = db.session.get(Recipient, ids["registration_id"])
        assert erased.checked_in_at is None and erased.full_name is None
    [sms] = announcement_rows(app, channel="sms")
    link = re.search(r"/u/[A-Za-z0-9_-]+", sms.body)[0]
    with time_machine.travel(NOW + timedelta(days=40), tick=False), app.app_context():
        counts = retention.purge_old_data()
        [announcement] = db.session.scalars(sa.select(Announcement)).all()
        assert counts["announcements_emptied"] == 1 and counts["announcements_anonymised"] == 0
        assert (announcement.subject, announcement.text, announcement.counts["sms"]) == ("", "", 1)
        assert announcement.created_by == "panitia@contoh.id"
    assert app.test_client().get(link).status_code == 404
    with time_machine.travel(NOW + timedelta(days=400), tick=False), app.app_context():
        assert retention.purge_old_data()["announcements_anonymised"] == 1
        assert db.session.scalars(sa.select(Announcement.created_by)).all() == [None]
        assert retention.purge_old_data()["announcements_anonymised"] == 0  # safe to run twice


def test_an_announcement_to_those_present_goes_during_the_event_when_reminders_would_be_dropped(app, gateway):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
    with time_machine.travel(wita(2026, 3, 17, 9, 30), tick=False):  # an hour into the training
        client = organiser(app)
        send(client, people["event"], preview(client, people["event"], audience="present"))
        assert run_beat(app) == ["delivered"]
    [sent] = announcement_rows(app)
    assert (sent.to, sent.status) == ("rudi@contoh.id", "delivered")


def test_a_whatsapp_meta_refuses_goes_by_sms_with_the_announcement_and_its_link(app, gateway):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        gateway.clear()  # from here Meta refuses (the template not approved yet); the SMS gateway takes it
        gateway.expect_request(WHATSAPP).respond_with_json({"error": {"code": 132001, "message": "no template"}}, 400)
        gateway.expect_request(ZENZIVA).respond_with_json(ZENZIVA_OK)
        client = organiser(app)
        send(client, people["event"], preview(client, people["event"], subject="Ruangan pindah", text=LONG))
        run_beat(app)
        run_beat(app)  # the SMS that replaces the refused WhatsApp message
    [whatsapp] = announcement_rows(app, channel="whatsapp")
    [fallback] = [row for row in announcement_rows(app, channel="sms") if row.fallback_of == whatsapp.id]
    assert whatsapp.status == "failed" and fallback.status == "sent" and fallback.to == "+6281200000002"
    assert "Ruangan pindah" in fallback.body and "/u/" in fallback.body


def test_a_person_who_chose_english_gets_the_frame_in_english_and_the_organisers_words_as_written(app, gateway):
    with time_machine.travel(NOW, tick=False):
        people = an_event_with_people(app, gateway)
        register(app, people["event"], full_name="John", preferred_channel="sms", phone="+6281200000004", locale="en")
        client = organiser(app)
        send(client, people["event"], preview(client, people["event"]))
    [english] = [row for row in announcement_rows(app, channel="sms") if row.to == "+6281200000004"]
    assert english.body == f'Announcement from the organisers of "{people["event"]["title"]}": {SHORT}'
