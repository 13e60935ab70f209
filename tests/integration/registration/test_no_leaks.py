"""A stranger typing someone's phone or email learns nothing about them, by the API or the form; the API is limited."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests
import sqlalchemy as sa
import time_machine
from werkzeug.serving import make_server

from services.registration.extensions import db
from services.registration.models import OutboxMessage, Registration
from shared.messaging.names import EventNames
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_public_form import submit
from tests.integration.registration.test_seats import new_event

VICTIM = {"full_name": "Siti Rahmah", "email": "siti.rahmah@contoh.id", "phone": "0812-1111-2222"}


@pytest.fixture
def served(registration):
    """The registration app behind a real threaded HTTP server on 127.0.0.1."""
    server = make_server("127.0.0.1", 0, registration, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def event_id(registration, auth) -> str:
    return registration.test_client().post("/api/v1/events", json=make_event_body(), headers=auth).json["id"]


def stored_victim(app) -> Registration:
    with app.app_context():
        registration = db.session.scalars(sa.select(Registration)).one()
        db.session.expunge(registration)
        return registration


def secrets_of(person: Registration) -> list[str]:
    """Everything about a person a stranger must not see, in the forms a page or JSON could show it."""
    local = person.phone.replace("+62", "0")
    return [person.full_name, person.email, person.phone, local, person.phone[3:], person.checkin_code, person.id]


def confirmation_requests(app) -> int:
    with app.app_context():
        query = sa.select(sa.func.count()).where(OutboxMessage.type == EventNames.REGISTRATION_CONFIRMATION_REQUESTED)
        return db.session.scalar(query.select_from(OutboxMessage))


def test_the_api_tells_a_stranger_with_someones_email_or_phone_nothing_about_them(registration, event_id):
    client = registration.test_client()
    url = f"/api/v1/events/{event_id}/registrations"
    own = client.post(url, json=make_registration_body(**VICTIM))
    assert own.status_code == 201 and "checkin_code" not in own.json and "cancel_url" not in own.text
    person = stored_victim(registration)

    by_email = client.post(url, json=make_registration_body(full_name="Orang Lain", email=VICTIM["email"]))
    by_phone = client.post(url, json=make_registration_body(full_name="Orang Lain", phone=VICTIM["phone"]))
    for answer in (by_email, by_phone):
        assert answer.status_code == 202
        assert set(answer.json) == {"status", "message"} and answer.json["status"] == "already_registered"
        assert not [secret for secret in secrets_of(person) if secret in answer.text]
    assert by_email.json == by_phone.json  # the same words whichever matched
    with registration.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_the_form_tells_a_stranger_with_someones_phone_nothing_about_them(registration, event_id):
    client = registration.test_client()
    assert submit(client, event_id, **VICTIM).status_code == 303
    person = stored_victim(registration)

    page = submit(registration.test_client(), event_id, full_name="Orang Lain", phone="+62 812 1111 2222", email="")
    assert page.status_code == 200 and "sudah terdaftar" in page.text and "diberikan saat mendaftar" in page.text
    assert not [secret for secret in secrets_of(person) if secret in page.text]
    assert "terkonfirmasi" not in page.text and "daftar tunggu" not in page.text  # not even its status

    english = registration.test_client()
    english.get("/?lang=en")
    page = submit(english, event_id, full_name="Orang Lain", email=VICTIM["email"], phone="", preferred_channel="email")
    assert "already registered" in page.text and "given at registration" in page.text
    assert not [secret for secret in secrets_of(person) if secret in page.text]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_confirmation_is_asked_for_again_at_most_once_per_10_minutes_however_often_it_is_tried(
    registration, event_id
):
    client = registration.test_client()
    url = f"/api/v1/events/{event_id}/registrations"
    repeat = make_registration_body(full_name="Orang Lain", email=VICTIM["email"])
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        assert client.post(url, json=make_registration_body(**VICTIM)).status_code == 201
        for _ in range(5):
            assert client.post(url, json=repeat).status_code == 202
        assert confirmation_requests(registration) == 0  # its confirmation has just gone

        clock.shift(timedelta(minutes=10, seconds=1))
        for _ in range(5):
            assert client.post(url, json=repeat).status_code == 202
            clock.shift(timedelta(minutes=1))
        assert confirmation_requests(registration) == 1

        clock.shift(timedelta(minutes=6))
        assert client.post(url, json=repeat).status_code == 202
        assert confirmation_requests(registration) == 2
    with registration.app_context():
        envelope = db.session.scalars(
            sa.select(OutboxMessage.envelope).where(
                OutboxMessage.type == EventNames.REGISTRATION_CONFIRMATION_REQUESTED
            )
        ).first()
    assert set(envelope["payload"]) == {"registration_id", "event_id", "requested_at"}  # nothing of the caller's


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_twenty_repeats_at_once_ask_for_one_confirmation(registration, served, auth):
    event_id = new_event(served, auth)
    url = f"{served}/api/v1/events/{event_id}/registrations"
    assert requests.post(url, json=make_registration_body(**VICTIM), timeout=30).status_code == 201
    repeat = make_registration_body(full_name="Orang Lain", phone=VICTIM["phone"])

    def post(_):
        with requests.Session() as http:
            return http.post(url, json=repeat, timeout=60).status_code

    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11)), ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(post, range(20)))
    assert statuses == [202] * 20
    assert confirmation_requests(registration) == 1


def test_a_cancelled_registration_is_not_confirmed_again(registration, event_id, auth):
    client = registration.test_client()
    url = f"/api/v1/events/{event_id}/registrations"
    person = client.post(url, json=make_registration_body(**VICTIM)).json
    client.post(f"/api/v1/registrations/{person['id']}/cancel", headers=auth)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11)):
        again = client.post(url, json=make_registration_body(email=VICTIM["email"]))
    assert again.status_code == 202 and confirmation_requests(registration) == 0


def test_the_api_without_a_key_has_the_forms_limit_per_address(make_registration_app, redis_url):
    app = make_registration_app(
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=uuid.uuid4().hex,
        REGISTRATION_FORM_RATE_LIMIT="3 per minute",
    )
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"}).json
    event = client.post("/api/v1/events", json=make_event_body(), headers={"Authorization": f"Bearer {token['token']}"})
    url = f"/api/v1/events/{event.json['id']}/registrations"
    statuses = [client.post(url, json=make_registration_body()).status_code for _ in range(3)]
    refused = client.post(url, json=make_registration_body())
    assert statuses == [201, 201, 201] and refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60 and refused.json["code"] == 429
    bad = client.post(url, json={"full_name": 1})  # counted before the body is read: refused the same
    assert bad.status_code == 429
    other = app.test_client()
    page = other.post(url, json=make_registration_body(), environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert page.status_code == 201  # another address has its own quota
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 4
