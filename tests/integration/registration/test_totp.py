"""Provincial admins can turn on two-step sign-in: enrol with a key (text and QR), confirm a code, then every
sign-in, on the pages and through the API, asks for a current code, and a code works once."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import time_machine

from tests.integration.registration.test_public_form import csrf
from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def enrol(client) -> tuple[pyotp.TOTP, str]:
    page = client.get("/staf/dua-langkah")
    assert page.status_code == 200 and "<svg" in page.text
    key = re.search(r"<code>([A-Z2-7 ]+)</code>", page.text)[1].replace(" ", "")
    return pyotp.TOTP(key), csrf(page.text)


def second_step(client, page, code: str):
    pending = re.search(r'name="pending" value="([^"]+)"', page.text)[1]
    return client.post("/staf/masuk/kode", data={"csrf_token": csrf(page.text), "pending": pending, "code": code})


def test_an_admin_turns_on_two_step_sign_in_and_then_needs_a_code_that_works_once(registration):
    with time_machine.travel(NOW, tick=False) as clock:
        client = registration.test_client()
        sign_in(client)
        totp, token = enrol(client)
        wrong = client.post("/staf/dua-langkah", data={"csrf_token": token, "code": "000000"})
        assert wrong.status_code == 400 and "salah" in wrong.text
        done = client.post("/staf/dua-langkah", data={"csrf_token": token, "code": totp.at(NOW)})
        assert done.status_code == 303 and "aktif" in client.get("/staf/dua-langkah").text

        clock.shift(timedelta(minutes=2))
        phone = registration.test_client()
        asked = sign_in(phone)
        assert asked.status_code == 200 and "kode verifikasi" in asked.text.lower()
        assert phone.get("/staf").status_code == 302  # the password alone signs no one in
        assert second_step(phone, asked, "123456").status_code == 401
        code = totp.at(NOW + timedelta(minutes=2))
        assert second_step(phone, asked, code).status_code == 303
        assert phone.get("/staf").status_code == 200

        onlooker = registration.test_client()  # knows the password and saw the code over a shoulder
        replayed = second_step(onlooker, sign_in(onlooker), code)
        assert replayed.status_code == 401 and "sudah dipakai" in replayed.text


def test_the_api_asks_for_the_code_too(registration):
    with time_machine.travel(NOW, tick=False) as clock:
        client = registration.test_client()
        sign_in(client)
        totp, token = enrol(client)
        client.post("/staf/dua-langkah", data={"csrf_token": token, "code": totp.at(NOW)})
        clock.shift(timedelta(seconds=60))
        api = registration.test_client()
        credentials = {"email": "admin@pelita.local", "password": "rahasia-admin"}
        missing = api.post("/api/v1/auth/token", json=credentials)
        assert missing.status_code == 401 and missing.json["reason"] == "code_required"
        code = totp.at(NOW + timedelta(seconds=60))
        assert api.post("/api/v1/auth/token", json=credentials | {"code": code}).status_code == 201


def test_an_expired_second_step_starts_over(registration):
    with time_machine.travel(NOW, tick=False) as clock:
        client = registration.test_client()
        sign_in(client)
        totp, token = enrol(client)
        client.post("/staf/dua-langkah", data={"csrf_token": token, "code": totp.at(NOW)})
        clock.shift(timedelta(minutes=1))
        phone = registration.test_client()
        asked = sign_in(phone)
        clock.shift(timedelta(minutes=10))
        late = second_step(phone, asked, totp.at(NOW + timedelta(minutes=11)))
        assert late.status_code == 401 and "kedaluwarsa" in late.text


def test_turning_it_off_needs_a_current_code(registration):
    with time_machine.travel(NOW, tick=False) as clock:
        client = registration.test_client()
        sign_in(client)
        totp, token = enrol(client)
        client.post("/staf/dua-langkah", data={"csrf_token": token, "code": totp.at(NOW)})
        clock.shift(timedelta(minutes=1))
        page = client.get("/staf/dua-langkah")
        off = {"csrf_token": csrf(page.text), "action": "matikan"}
        assert client.post("/staf/dua-langkah", data=off | {"code": "999999"}).status_code == 400
        assert (
            client.post("/staf/dua-langkah", data=off | {"code": totp.at(NOW + timedelta(minutes=1))}).status_code
            == 303
        )
        assert sign_in(registration.test_client()).status_code == 303


def test_two_step_enrolment_is_for_provincial_admins(registration):
    add_regency_organiser(registration)
    client = registration.test_client()
    sign_in(client, "org@contoh.id", "pw-org")
    assert client.get("/staf/dua-langkah").status_code == 403


def test_an_admin_made_organiser_can_still_turn_two_step_sign_in_off(registration):
    from services.registration import accounts, store

    with time_machine.travel(NOW, tick=False) as clock:
        client = registration.test_client()
        sign_in(client)
        totp, token = enrol(client)
        client.post("/staf/dua-langkah", data={"csrf_token": token, "code": totp.at(NOW)})
        with registration.app_context():  # a second admin makes this one a regency organiser
            admin = store.get_staff_by_email("admin@pelita.local")
            other = accounts.add_account("kedua@contoh.id", "Admin Kedua", "provincial_admin", None, "x" * 20)
            accounts.set_role(admin.id, {"role": "regency_organiser", "kabupaten_code": "63.03"}, other.claims())
        clock.shift(timedelta(minutes=1))
        phone = registration.test_client()
        assert second_step(phone, sign_in(phone), totp.at(NOW + timedelta(minutes=1))).status_code == 303
        page = phone.get("/staf/dua-langkah")
        assert page.status_code == 200 and "Matikan" in page.text and "<svg" not in page.text
        clock.shift(timedelta(minutes=1))
        off = {"csrf_token": csrf(page.text), "action": "matikan", "code": totp.at(NOW + timedelta(minutes=2))}
        done = phone.post("/staf/dua-langkah", data=off)
        assert done.status_code == 303 and done.headers["Location"].endswith("/staf")
        assert phone.get("/staf/dua-langkah").status_code == 403  # enrolling again is for provincial admins
        assert sign_in(registration.test_client()).status_code == 303  # the password alone signs in again
