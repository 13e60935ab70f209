"""The organiser at the door: the list's filters, actions that ask first, check-in on the event's days only and
undone for a few minutes, a waitlisted person seated from the QR's page, and the spreadsheets staff download."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from services.registration import checkin, service
from services.registration.extensions import db
from services.registration.models import Event, OutboxMessage, Registration
from shared.timeutil import WITA
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_public_form import csrf
from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in

#: The event of these tests: Tuesday 17 March 2026, 08:30-15:00 WITA, registration open until then.
STARTS = datetime(2026, 3, 17, 8, 30, tzinfo=WITA)
BEFORE = datetime(2026, 3, 10, 9, 0, tzinfo=WITA)  # a week ahead: people register
AT_THE_DOOR = datetime(2026, 3, 17, 8, 10, tzinfo=WITA)


def outbox(app, event_type: str) -> list[dict]:
    with app.app_context():
        query = sa.select(OutboxMessage.envelope).where(OutboxMessage.type == event_type).order_by(OutboxMessage.seq)
        return [envelope["payload"] for envelope in db.session.scalars(query)]


def stored(app, registration_id: str) -> Registration:
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        db.session.expunge(registration)
        return registration


def capacity(app, event_id: str) -> int:
    with app.app_context():
        return db.session.get(Event, event_id).capacity


@pytest.fixture
def event(registration):
    """A published event of 2 seats, Siti and Budi confirmed, Ahmad waiting; made a week before it starts."""
    with time_machine.travel(BEFORE, tick=False):
        client = registration.test_client()
        token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
        auth = {"Authorization": f"Bearer {token.json['token']}"}
        body = make_event_body(
            title="Pelatihan Literasi Digital", capacity=2, starts_at=STARTS.isoformat(),
            ends_at=STARTS.replace(hour=15, minute=0).isoformat(),
        )  # fmt: skip
        created = client.post("/api/v1/events", json=body, headers=auth).json
        people = {}
        for name, disability in (("Siti Rahmah", "none"), ("Budi Santoso", "physical"), ("Ahmad Fauzi", "none")):
            body = make_registration_body(
                full_name=name, disability=disability, phone="0812-3456-78" + str(len(people))
            )
            people[name.split()[0]] = client.post(f"/api/v1/events/{created['id']}/registrations", json=body).json
    assert people["Ahmad"]["status"] == "waitlisted"
    return created | {"people": people}


def staff(registration):
    client = registration.test_client()
    sign_in(client)
    return client


def token_of(client, path: str) -> str:
    return csrf(client.get(path).text)


def test_the_list_filters_with_semua_and_ignores_a_value_it_does_not_offer(registration, event):
    with time_machine.travel(BEFORE):
        client = staff(registration)
        url = f"/staf/acara/{event['id']}"
        every = client.get(url, query_string={"q": "", "status": "", "disability": ""})  # "Terapkan" as it comes
        assert every.status_code == 200
        assert all(name in every.text for name in ("Siti Rahmah", "Budi Santoso", "Ahmad Fauzi"))
        waiting = client.get(url, query_string={"q": "", "status": "waitlisted", "disability": ""})
        assert "Ahmad Fauzi" in waiting.text and "Siti Rahmah" not in waiting.text
        disabled = client.get(url, query_string={"status": "", "disability": "physical"})
        assert "Budi Santoso" in disabled.text and "Siti Rahmah" not in disabled.text
        odd = client.get(url, query_string={"status": "hadir", "disability": "x", "q": "Siti" * 100})
        assert odd.status_code == 200 and "Ahmad Fauzi" in odd.text


def test_the_event_page_links_to_the_announcement_page_of_the_notifications_service(registration, event):
    with time_machine.travel(BEFORE):
        page = staff(registration).get(f"/staf/acara/{event['id']}")
    [link] = re.findall(r'href="([^"]+/pengumuman)"', page.text)
    assert link.endswith(f"/staf/acara/{event['id']}/pengumuman") and not link.startswith("/")  # the other service's
    assert "Kirim pengumuman" in page.text


def test_cancelling_a_registration_asks_first_and_says_what_follows(registration, event):
    siti = event["people"]["Siti"]
    with time_machine.travel(BEFORE):
        client = staff(registration)
        page = client.get(f"/staf/pendaftaran/{siti['id']}/batalkan")
        assert "Batalkan pendaftaran Siti Rahmah?" in page.text and "orang pertama di daftar tunggu" in page.text
        unconfirmed = client.post(f"/staf/pendaftaran/{siti['id']}/batalkan", data={"csrf_token": csrf(page.text)})
        assert unconfirmed.status_code == 200 and stored(registration, siti["id"]).status == "confirmed"
        done = client.post(
            f"/staf/pendaftaran/{siti['id']}/batalkan",
            data={"csrf_token": csrf(page.text), "confirm": "ya", "back": "https://contoh.id/"},
        )
    assert done.status_code == 303 and done.headers["Location"] == f"/staf/acara/{event['id']}"  # never off-site
    assert stored(registration, siti["id"]).status == "cancelled"
    assert stored(registration, event["people"]["Ahmad"]["id"]).status == "confirmed"


def test_cancelling_an_event_asks_first_with_who_will_be_told(registration, event):
    with time_machine.travel(BEFORE):
        client = staff(registration)
        url = f"/staf/acara/{event['id']}/batalkan"
        page = client.get(url)
        assert "2 peserta terkonfirmasi dan 1 di daftar tunggu diberi tahu" in page.text
        client.post(url, data={"csrf_token": csrf(page.text), "reason": "Banjir"})
        assert outbox(registration, "event.cancelled") == []
        client.post(url, data={"csrf_token": csrf(page.text), "reason": "Banjir", "confirm": "ya"})
    assert [p["reason"] for p in outbox(registration, "event.cancelled")] == ["Banjir"]


def test_promoting_into_a_full_room_says_it_adds_a_seat_and_asks(registration, event):
    ahmad = event["people"]["Ahmad"]
    with time_machine.travel(BEFORE):
        client = staff(registration)
        page = client.get(f"/staf/pendaftaran/{ahmad['id']}/naikkan")
        assert "kapasitas menjadi 3" in page.text
        client.post(f"/staf/pendaftaran/{ahmad['id']}/naikkan", data={"csrf_token": csrf(page.text)})
        assert capacity(registration, event["id"]) == 2 and stored(registration, ahmad["id"]).status == "waitlisted"
        client.post(f"/staf/pendaftaran/{ahmad['id']}/naikkan", data={"csrf_token": csrf(page.text), "confirm": "ya"})
    assert capacity(registration, event["id"]) == 3 and stored(registration, ahmad["id"]).status == "confirmed"


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        (datetime(2026, 3, 15, 23, 0, tzinfo=WITA), "baru dimulai Selasa, 17 Maret 2026"),
        (datetime(2026, 3, 19, 0, 5, tzinfo=WITA), "sudah berlalu"),
    ],
)
def test_check_in_is_refused_with_the_reason_outside_the_event_day_and_one_day_around(
    registration, event, moment, reason
):
    siti = event["people"]["Siti"]
    with time_machine.travel(moment):
        client = staff(registration)
        page = client.post(f"/staf/pendaftaran/{siti['id']}/hadir", data={"csrf_token": token_of(client, "/staf")})
    assert page.status_code == 409 and reason in page.text
    assert (
        stored(registration, siti["id"]).checked_in_at is None and outbox(registration, "attendance.checked_in") == []
    )


def test_check_in_is_taken_the_day_before_and_the_window_is_configurable(make_registration_app):
    app = make_registration_app(CHECKIN_WINDOW_DAYS=0)
    with app.app_context():
        event = Event(title="Pelatihan", kabupaten_code="63.03", venue="Aula", starts_at=STARTS, capacity=5,
                      ends_at=STARTS + timedelta(hours=6), status="published", reminder_offsets=[])  # fmt: skip
        db.session.add(event)
        db.session.commit()
        with time_machine.travel(datetime(2026, 3, 16, 16, 0, tzinfo=WITA)), app.test_request_context():
            assert service.check_in_window(event) == (STARTS.date(), STARTS.date())
            with pytest.raises(service.RegistrationError, match="baru dimulai"):
                checkin.check_in_window_open(event)
        app.config["CHECKIN_WINDOW_DAYS"] = 1
        with time_machine.travel(datetime(2026, 3, 16, 0, 1, tzinfo=WITA)), app.test_request_context():
            checkin.check_in_window_open(event)  # the day before, WITA, is inside


def test_a_check_in_can_be_undone_for_ten_minutes_once_and_reporting_is_told(registration, event):
    siti = event["people"]["Siti"]
    list_url = f"/staf/acara/{event['id']}"
    with time_machine.travel(AT_THE_DOOR, tick=False) as clock:
        client = staff(registration)
        done = client.post(
            f"/staf/pendaftaran/{siti['id']}/hadir",
            data={"csrf_token": token_of(client, list_url), "back": list_url},
            follow_redirects=True,
        )
        assert "Siti Rahmah: tercatat hadir pukul 08.10 WITA." in done.text and "Urungkan hadir" in done.text
        clock.shift(timedelta(minutes=9))
        undone = client.post(
            f"/staf/pendaftaran/{siti['id']}/urungkan-hadir",
            data={"csrf_token": csrf(done.text), "back": list_url},
            follow_redirects=True,
        )
        assert "catatan hadir diurungkan" in undone.text
        client.post(f"/staf/pendaftaran/{siti['id']}/urungkan-hadir", data={"csrf_token": csrf(done.text)})
        assert stored(registration, siti["id"]).checked_in_at is None
        (checked_in,) = outbox(registration, "attendance.checked_in")
        assert outbox(registration, "attendance.check_in_undone") == [
            {"registration_id": siti["id"], "event_id": event["id"], "checked_in_at": checked_in["checked_in_at"],
             "undone_at": "2026-03-17T00:19:00+00:00", "pseudonym": checked_in["pseudonym"]}
        ]  # fmt: skip

        client.post(f"/staf/pendaftaran/{siti['id']}/hadir", data={"csrf_token": csrf(done.text)})
        clock.shift(timedelta(minutes=11))
        assert "Urungkan hadir" not in client.get(list_url).text
        late = client.post(f"/staf/pendaftaran/{siti['id']}/urungkan-hadir", data={"csrf_token": csrf(done.text)})
    assert late.status_code == 409 and "dalam 10 menit" in late.text
    assert stored(registration, siti["id"]).checked_in_at is not None


def scanned_link(app, registration_id: str) -> str:
    with app.test_request_context():
        return service.checkin_url(registration_id).removeprefix(app.config["PUBLIC_BASE_URL"])


def test_a_waitlisted_person_at_the_door_gets_a_free_seat_and_is_checked_in_at_once(registration, event):
    ahmad = event["people"]["Ahmad"]
    with registration.app_context():  # a seat the waitlist has not taken yet (the room was made bigger by hand)
        db.session.execute(sa.update(Event).where(Event.id == event["id"]).values(capacity=3))
        db.session.commit()
    with time_machine.travel(AT_THE_DOOR):
        link = scanned_link(registration, ahmad["id"])
        client = staff(registration)
        page = client.get(link)
        assert "ada 1 kursi kosong" in page.text and "Beri kursi dan catat hadir" in page.text
        done = client.post(link, data={"csrf_token": csrf(page.text), "action": "kursi"})
    assert "Ahmad Fauzi tercatat hadir" in done.text and "Tercatat hadir pukul 08.10 WITA" in done.text
    seated = stored(registration, ahmad["id"])
    assert seated.status == "confirmed" and seated.checked_in_at is not None
    assert [p["registration_id"] for p in outbox(registration, "registration.promoted")] == [ahmad["id"]]
    assert capacity(registration, event["id"]) == 3


def test_at_the_door_a_full_room_asks_before_adding_a_seat(registration, event):
    ahmad = event["people"]["Ahmad"]
    with time_machine.travel(AT_THE_DOOR):
        link = scanned_link(registration, ahmad["id"])
        client = staff(registration)
        page = client.get(link)
        assert "kursi sudah penuh (kapasitas 2)" in page.text
        asked = client.post(link, data={"csrf_token": csrf(page.text), "action": "kursi"})
        assert "kapasitas menjadi 3" in asked.text and stored(registration, ahmad["id"]).status == "waitlisted"
        client.post(link, data={"csrf_token": csrf(page.text), "action": "kursi", "confirm": "ya"})
    assert stored(registration, ahmad["id"]).checked_in_at is not None and capacity(registration, event["id"]) == 3


def test_the_xlsx_has_text_phones_real_dates_widths_and_a_filter(registration, event):
    with time_machine.travel(BEFORE):
        client = staff(registration)
        response = client.get(f"/staf/acara/{event['id']}/peserta.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[4]]
    siti = next(row for row in sheet.iter_rows(min_row=5) if row[0].value == "Siti Rahmah")
    phone = siti[header.index("HP")]
    assert phone.data_type == "s" and phone.value == "0812-3456-780" and not phone.quotePrefix
    registered = siti[header.index("Terdaftar (WITA)")]
    assert registered.is_date and registered.value == datetime(2026, 3, 10, 9, 0)
    assert registered.number_format == "dd/mm/yyyy hh:mm"
    assert sheet.auto_filter.ref == f"A4:T{sheet.max_row}" and sheet.freeze_panes == "B5"
    assert sheet.column_dimensions["A"].width >= 20 and sheet.column_dimensions["E"].width >= 20
    assert "Kode hadir" in header and "Kode check-in" not in header


def test_the_csv_is_semicolon_separated_with_a_bom_and_iso_dates(registration, event):
    with time_machine.travel(BEFORE):
        client = staff(registration)
        page = client.get(f"/staf/acara/{event['id']}")
        response = client.get(f"/staf/acara/{event['id']}/peserta.csv")
    assert 'peserta.xlsx" download>Unduh daftar peserta (Excel)' in page.text  # XLSX is the download offered first
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    siti = next(row for row in rows if row["Nama"] == "Siti Rahmah")
    assert siti["HP"] == "0812-3456-780" and siti["Terdaftar (WITA)"] == "2026-03-10 09:00"
    assert datetime.fromisoformat(siti["Terdaftar (WITA)"]).replace(tzinfo=WITA).astimezone(UTC).hour == 1


def test_staff_pages_say_kode_hadir_and_have_no_english_word(registration, event):
    with time_machine.travel(BEFORE):
        client = staff(registration)
        pages = [client.get(f"/staf/acara/{event['id']}").text,
                 client.get(scanned_link(registration, event["people"]["Siti"]["id"])).text]  # fmt: skip
    for text in pages:
        assert "Kode hadir" in text
        for word in ("check-in", "Check-in", "sent", "link", "Hadir sejak"):
            assert f">{word}" not in text and f" {word} " not in text


def test_the_qr_page_offers_the_undo_until_its_time_and_takes_it_back(registration, event):
    siti = event["people"]["Siti"]
    with time_machine.travel(AT_THE_DOOR, tick=False):
        link = scanned_link(registration, siti["id"])
        client = staff(registration)
        page = client.get(link)
        done = client.post(link, data={"csrf_token": csrf(page.text), "action": "hadir"})
        assert "dapat diurungkan sampai pukul 08.20 WITA" in done.text
        undone = client.post(link, data={"csrf_token": csrf(page.text), "action": "urungkan"}, follow_redirects=True)
        assert "Catat hadir" in undone.text and "Urungkan hadir" not in undone.text
        odd = client.post(link, data={"csrf_token": csrf(page.text), "action": "hapus"})
    assert odd.status_code == 400 and "Internal Server Error" not in odd.text
    assert stored(registration, siti["id"]).checked_in_at is None


def test_another_kabupatens_organiser_can_neither_see_nor_act_on_a_registration(registration, event):
    add_regency_organiser(registration, "63.06")
    siti = event["people"]["Siti"]
    with time_machine.travel(AT_THE_DOOR):
        client = registration.test_client()
        sign_in(client, "org@contoh.id", "pw-org")
        token = token_of(client, "/staf")
        assert client.get(f"/staf/pendaftaran/{siti['id']}/batalkan").status_code == 403
        for action in ("hadir", "urungkan-hadir", "batalkan", "naikkan"):
            response = client.post(
                f"/staf/pendaftaran/{siti['id']}/{action}", data={"csrf_token": token, "confirm": "ya"}
            )
            assert response.status_code == 403 and "Siti" not in response.text
    assert stored(registration, siti["id"]).checked_in_at is None
    assert stored(registration, siti["id"]).status == "confirmed"
