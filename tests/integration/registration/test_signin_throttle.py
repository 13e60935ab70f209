"""Sign-in is throttled per account and per address, says so plainly, logs no email, and costs the same hash check
whether the email is known or not."""

import logging

from services.registration import signin
from tests.integration.registration.test_public_form import csrf
from tests.integration.registration.test_staff_pages import sign_in


def token(app, email="admin@pelita.local", password="rahasia-admin", address="10.0.0.1"):
    return app.test_client().post(
        "/api/v1/auth/token", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_an_account_is_locked_after_five_wrong_passwords_even_against_the_right_one(registration, caplog):
    caplog.set_level(logging.INFO)
    for n in range(5):
        assert token(registration, password=f"tebakan-{n}", address=f"10.0.0.{n}").status_code == 401
    locked = token(registration, address="10.9.9.9")  # the right password, from yet another address
    assert locked.status_code == 429 and "Terlalu banyak percobaan" in locked.json["message"]
    assert locked.headers["Retry-After"] == "900"  # a client or script knows when to try again: in 15 minutes
    page = sign_in(registration.test_client())
    assert page.status_code == 429 and "coba lagi 15 menit lagi" in page.text
    assert page.headers["Retry-After"] == "900"
    assert "admin@pelita.local" not in caplog.text
    assert any(record.getMessage() == "staff_signin_locked" for record in caplog.records)


def test_a_right_password_clears_the_accounts_count(registration):
    for n in range(4):
        assert token(registration, password=f"tebakan-{n}").status_code == 401
    assert token(registration).status_code == 201
    for n in range(4):
        assert token(registration, password=f"tebakan-lagi-{n}").status_code == 401
    assert token(registration).status_code == 201


def test_one_address_trying_many_accounts_is_locked_out(make_registration_app):
    app = make_registration_app(STAFF_SIGNIN_ADDRESS_LIMIT="3 per 15 minutes")
    for n in range(3):
        assert token(app, email=f"orang{n}@contoh.id", password="apa-saja", address="10.1.1.1").status_code == 401
    assert token(app, address="10.1.1.1").status_code == 429
    assert token(app, address="10.1.1.2").status_code == 201  # the admin elsewhere is not locked out


def test_an_unknown_email_costs_the_same_password_check_as_a_known_one(registration, monkeypatch):
    checked = []
    real = signin.check_password_hash
    monkeypatch.setattr(signin, "check_password_hash", lambda *args: checked.append(args[0]) or real(*args))
    assert token(registration, email="tidak-ada@contoh.id", password="apa-saja").status_code == 401
    assert token(registration, password="salah-sekali").status_code == 401
    assert len(checked) == 2 and checked[0].split("$")[0] == checked[1].split("$")[0]  # the same method and cost
    unknown, known = token(registration, email="x@contoh.id", password="y").json, token(registration, password="y").json
    assert unknown["message"] == known["message"]


def test_oversized_or_missing_credentials_are_refused_cleanly(registration):
    client = registration.test_client()
    assert client.post("/api/v1/auth/token", json={"email": "a" * 300, "password": "x"}).status_code == 422
    assert client.post("/api/v1/auth/token", json={"email": "admin@pelita.local"}).status_code == 422
    page = client.get("/staf/masuk")
    assert client.post("/staf/masuk", data={"csrf_token": csrf(page.text)}).status_code == 400


def test_guessing_the_current_password_on_the_change_page_counts_as_failed_sign_ins(registration):
    client = registration.test_client()
    sign_in(client)
    page = client.get("/staf/kata-sandi")
    form = {"csrf_token": csrf(page.text), "password": "kapal layar di sungai barito"}
    form["confirm"] = form["password"]
    for n in range(5):
        assert client.post("/staf/kata-sandi", data=form | {"current": f"tebakan-{n}"}).status_code == 400
    locked = client.post("/staf/kata-sandi", data=form | {"current": "rahasia-admin"})
    assert locked.status_code == 429 and "Terlalu banyak percobaan" in locked.text
    assert int(locked.headers["Retry-After"]) > 0
