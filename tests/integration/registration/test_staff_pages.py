"""The organisers' pages: sign in, see only their kabupaten, check in by the QR's link, export safely."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import time_machine
from openpyxl import load_workbook

from services.registration import service
from services.registration.accounts import hash_password
from services.registration.extensions import db
from services.registration.models import Staff
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_public_form import csrf


def sign_in(client, email="admin@pelita.local", password="rahasia-admin"):
    page = client.get("/staf/masuk")
    return client.post("/staf/masuk", data={"email": email, "password": password, "csrf_token": csrf(page.text)})


def add_regency_organiser(app, kabupaten_code="63.06"):
    with app.app_context():
        db.session.add(Staff(email="org@contoh.id", name="Org", role="regency_organiser", kabupaten_code=kabupaten_code,
                             password_hash=hash_password("pw-org")))  # fmt: skip
        db.session.commit()


def setup(registration, auth, **overrides):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(**overrides), headers=auth).json
    body = make_registration_body(
        full_name='=HYPERLINK("http://x","klik")', institution="+62 cmd", accessibility_needs="@SUM(1)"
    )
    person = client.post(f"/api/v1/events/{event['id']}/registrations", json=body).json
    return event, person


def test_staff_pages_need_sign_in_and_a_wrong_password_is_told(registration):
    client = registration.test_client()
    response = client.get("/staf")
    assert response.status_code == 302 and "/staf/masuk?next=" in response.headers["Location"]
    refused = sign_in(client, password="salah")
    assert refused.status_code == 401 and "salah" in refused.text
    assert sign_in(client).status_code == 303
    assert client.get("/staf").status_code == 200


def test_a_regency_organiser_cannot_open_another_kabupatens_list(registration, auth):
    event, _ = setup(registration, auth, kabupaten_code="63.03")
    add_regency_organiser(registration, "63.06")
    client = registration.test_client()
    sign_in(client, "org@contoh.id", "pw-org")
    assert client.get(f"/staf/acara/{event['id']}").status_code == 403
    assert event["title"] not in client.get("/staf").text


def test_scanning_the_qr_opens_a_staff_page_that_checks_the_person_in_once(registration, auth):
    event, person = setup(registration, auth)
    with registration.test_request_context():
        link = service.checkin_url(person["id"]).removeprefix("http://127.0.0.1:8001")
    client = registration.test_client()
    assert client.get(link).status_code == 302  # the public cannot use it
    with time_machine.travel(datetime.fromisoformat(event["starts_at"]) - timedelta(minutes=20)):  # at the door
        sign_in(client)
        page = client.get(link)
        assert "Catat hadir" in page.text
        done = client.post(link, data={"csrf_token": csrf(page.text)})
        assert "tercatat hadir" in done.text and "Tercatat hadir pukul" in done.text
        again = client.post(link, data={"csrf_token": csrf(page.text)})
        assert "sudah tercatat hadir" in again.text


def test_an_expired_link_is_refused_with_a_clear_page(registration, auth):
    _, person = setup(registration, auth)
    with registration.test_request_context():
        link = service.cancel_url(person["id"]).removeprefix("http://127.0.0.1:8001")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=200)):
        page = registration.test_client().get(link)
    assert page.status_code == 410 and "kedaluwarsa" in page.text


def test_exports_never_hold_a_formula(registration, auth):
    event, _ = setup(registration, auth)
    client = registration.test_client()
    sign_in(client)
    text = client.get(f"/staf/acara/{event['id']}/peserta.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://x","klik")' in cells and "'+62 cmd" in cells and "'@SUM(1)" in cells
    assert not [cell for cell in cells if re.match(r"^[=+\-@]", cell)]
    workbook = load_workbook(io.BytesIO(client.get(f"/staf/acara/{event['id']}/peserta.xlsx").data))
    values = [cell for row in workbook.active.iter_rows() for cell in row]
    assert not [c for c in values if c.data_type == "f"]
    name = next(c for c in values if c.value == '=HYPERLINK("http://x","klik")')  # text as typed, no apostrophe
    assert name.data_type == "s" and name.quotePrefix


def test_creating_an_event_on_the_form_shows_errors_in_indonesian(registration):
    client = registration.test_client()
    sign_in(client)
    page = client.get("/staf/acara/baru")
    response = client.post("/staf/acara/baru", data={"csrf_token": csrf(page.text), "title": "Pe", "capacity": "x"})
    assert response.status_code == 400 and "error-summary" in response.text
    good = {"csrf_token": csrf(page.text), "title": "Pelatihan Kain Perca", "kabupaten_code": "63.07",
            "venue": "Balai Desa Haruyan", "starts_at": "2031-03-17T08:30", "ends_at": "2031-03-17T15:00",
            "capacity": "30", "reminder_hours": "48, 3", "waitlist_enabled": "ya", "publish": "ya"}  # fmt: skip
    created = client.post("/staf/acara/baru", data=good)
    assert created.status_code == 303
    listed = client.get("/api/v1/events").json
    assert listed[0]["starts_at"] == "2031-03-17T08:30:00+08:00" and listed[0]["reminder_offsets"] == [2880, 180]


def test_the_events_list_puts_the_events_still_ahead_first_soonest_first_then_the_ended_ones(registration, auth):
    """At the door the organiser finds today's event at the top, not below every event planned for later."""
    client, now = registration.test_client(), datetime.now(UTC).replace(microsecond=0)
    for title, starts in (("Bulan depan", 30 * 24), ("Kemarin", -24), ("Hari ini", -1), ("Minggu depan", 7 * 24),
                          ("Bulan lalu", -30 * 24)):  # fmt: skip
        start = now + timedelta(hours=starts)
        body = make_event_body(
            title=title, starts_at=start.isoformat(), ends_at=(start + timedelta(hours=6)).isoformat()
        )
        assert client.post("/api/v1/events", json=body, headers=auth).status_code == 201
    sign_in(client)
    page = client.get("/staf").text
    titles = re.findall(r'<strong><a href="/staf/acara/[^"]+">([^<]+)</a>', page)
    assert titles == ["Hari ini", "Minggu depan", "Bulan depan", "Kemarin", "Bulan lalu"]
