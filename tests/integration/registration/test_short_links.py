"""The short cancel link in texts (/k/<code>) and the page a participant sees after registering."""

import re
import uuid

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import OutboxMessage, Registration
from tests.factories import make_event_body
from tests.integration.registration.test_public_form import csrf, staff_event, submit


def stored(app, phone: str) -> Registration:
    with app.app_context():
        registration = db.session.scalars(sa.select(Registration).filter_by(phone=phone)).one()
        db.session.expunge(registration)
        return registration


def created_payloads(app) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).filter_by(type="registration.created")).all()
        return [row.envelope["payload"] for row in rows]


def test_the_short_link_opens_that_registrations_own_cancel_page(registration, auth):
    event_id, client = staff_event(registration), registration.test_client()
    submit(client, event_id, phone="0812-1111-2222", full_name="Siti Rahmah")
    submit(client, event_id, phone="0812-3333-4444", full_name="Budi Santoso")
    siti = stored(registration, "+6281211112222")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{10}", siti.cancel_code) and siti.cancel_code not in siti.checkin_code
    (payload, _) = created_payloads(registration)
    assert payload["cancel_url"] == f"http://127.0.0.1:8001/k/{siti.cancel_code}"
    opened = client.get(f"/k/{siti.cancel_code}")
    assert opened.status_code == 303 and "/r/" in opened.headers["Location"]
    page = client.get(opened.headers["Location"])
    assert "Batalkan pendaftaran?" in page.text and "Siti Rahmah" in page.text and "Budi" not in page.text
    done = client.post(opened.headers["Location"], data={"csrf_token": csrf(page.text)})
    assert "sudah dibatalkan" in done.text
    assert client.get(f"/k/{siti.cancel_code.lower()}").status_code == 303  # typed in small letters, still hers


def test_an_unknown_or_malformed_short_link_is_a_plain_404(registration, auth):
    client = registration.test_client()
    for code in ("ABCDEFGHJK", "ABC", "ABCDEFGHJK0", "ABCDEFGHI1", "x" * 5000):
        page = client.get(f"/k/{code}")
        assert page.status_code == 404 and "tidak sah" in page.text
    assert client.get("/k/%00%27--").status_code == 400  # a NUL is refused at the door, before any look-up


def test_guessing_short_links_is_rate_limited(make_registration_app, redis_url):
    app = make_registration_app(
        RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=uuid.uuid4().hex, SHORT_LINK_RATE_LIMIT="3 per minute"
    )
    client = app.test_client()
    statuses = [client.get(f"/k/ABCDEFGH{n:02d}".replace("0", "A").replace("1", "B")).status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_a_waitlisted_person_sees_their_place_and_no_code_or_qr_to_show_at_the_door(make_registration_app):
    app = make_registration_app()
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    event_id = client.post("/api/v1/events", json=make_event_body(capacity=1), headers=headers).json["id"]
    client.get(submit(client, event_id, phone="0812-1111-2222").headers["Location"])
    page = client.get(submit(client, event_id, phone="0812-3333-4444").headers["Location"])
    waiting = stored(app, "+6281233334444")
    assert "daftar tunggu, urutan ke-1" in page.text and "jangan datang dulu" in page.text
    assert "<svg" not in page.text and waiting.checkin_code not in page.text and "Kode hadir</h2>" not in page.text
    assert "Keluar dari daftar tunggu" in page.text
    again = submit(client, event_id, phone="0812-3333-4444")  # the same number again: whoever sends it learns nothing
    assert again.status_code == 200 and "sudah terdaftar" in again.text and "daftar tunggu" not in again.text


def test_a_confirmed_person_sees_the_kode_hadir_and_the_qr(registration, auth):
    event_id, client = staff_event(registration), registration.test_client()
    page = client.get(submit(client, event_id, phone="0812-1111-2222").headers["Location"])
    person = stored(registration, "+6281211112222")
    assert "Kode hadir" in page.text and person.checkin_code in page.text and "<svg" in page.text


def test_the_cancel_page_says_what_cancelling_does_and_offers_to_keep_the_registration(registration, auth):
    event = registration.test_client().post("/api/v1/events", json=make_event_body(capacity=1), headers=auth).json
    client = registration.test_client()
    submit(client, event["id"], phone="0812-1111-2222", full_name="Siti Rahmah")
    submit(client, event["id"], phone="0812-3333-4444", full_name="Budi Santoso")
    for phone, says in (
        ("+6281211112222", "Kursi Anda akan diberikan kepada orang pertama di daftar tunggu."),
        ("+6281233334444", "Anda akan keluar dari daftar tunggu."),
    ):
        person = stored(registration, phone)
        page = client.get(client.get(f"/k/{person.cancel_code}").headers["Location"])
        assert says in page.text
        keep = re.search(r'<a href="([^"]+)">Tidak jadi, pendaftaran saya tetap</a>', page.text).group(1)
        kept = client.get(keep.removeprefix("http://127.0.0.1:8001"))
        assert kept.status_code == 200 and person.full_name in kept.text and "dibatalkan" not in kept.text
