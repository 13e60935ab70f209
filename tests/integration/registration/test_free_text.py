"""What people type is one clean line where it must be: line breaks, control, bidi and invisible characters refused."""

import json

import pytest
import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import Event, Registration
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_public_form import submit

#: One of every kind of character a single line refuses, each inside an otherwise good name.
BAD = {
    "line feed": "Siti\nKlik di sini",
    "carriage return": "Siti\rRahmah",
    "tab": "Siti\tRahmah",
    "NUL": "Siti\x00Rahmah",
    "DEL": "Siti\x7fRahmah",
    "C1 next line": "Siti\x85Rahmah",
    "escape": "Siti\x1b[31mRahmah",
    "right-to-left override": "Siti \u202eelpmaxe.live",
    "left-to-right embedding": "Siti \u202aRahmah",
    "first strong isolate": "Siti \u2068Rahmah\u2069",
    "zero-width space": "Siti\u200bRahmah",
    "zero-width joiner": "Siti\u200dRahmah",
    "word joiner": "Siti\u2060Rahmah",
    "byte-order mark": "\ufeffSiti Rahmah",
    "line separator": "Siti\u2028Rahmah",
    "lone surrogate": "Siti\ud800Rahmah",
}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def event_id(registration, auth) -> str:
    return registration.test_client().post("/api/v1/events", json=make_event_body(), headers=auth).json["id"]


@pytest.mark.parametrize("kind", BAD)
def test_the_api_refuses_a_name_with_a_bad_character_with_422_and_stores_nothing(registration, event_id, kind):
    body = json.dumps(make_registration_body(full_name=BAD[kind]))  # \ud800 travels as JSON's own escape
    response = registration.test_client().post(
        f"/api/v1/events/{event_id}/registrations", data=body, content_type="application/json"
    )
    if kind == "NUL":  # refused at the door, before any view reads the body (no store can keep one)
        assert response.status_code == 400 and "tidak valid" in response.json["message"]
    else:
        assert response.status_code == 422, response.text
        assert response.json["errors"]["json"]["full_name"]
    assert count(registration, Registration) == 0


@pytest.mark.parametrize("field", ["institution", "accessibility_needs"])
def test_other_free_text_of_the_api_is_checked_too(registration, event_id, field):
    url = f"/api/v1/events/{event_id}/registrations"
    client = registration.test_client()
    assert client.post(url, json=make_registration_body(**{field: "Desa\u202eSungai"})).status_code == 422
    assert client.post(url, json=make_registration_body(**{field: "x" * 1001})).status_code == 422
    assert count(registration, Registration) == 0


def test_access_needs_may_span_lines_a_name_may_not(registration, event_id):
    url = f"/api/v1/events/{event_id}/registrations"
    client = registration.test_client()
    body = make_registration_body(full_name="  Siti Rahmah  ", accessibility_needs="Kursi roda\r\nJuru bahasa isyarat")
    assert client.post(url, json=body).status_code == 201
    with registration.app_context():
        person = db.session.scalars(sa.select(Registration)).one()
        assert (person.full_name, person.accessibility_needs) == ("Siti Rahmah", "Kursi roda\nJuru bahasa isyarat")


@pytest.mark.parametrize("kind", ["line feed", "right-to-left override", "zero-width space"])
def test_the_form_refuses_a_bad_name_beside_the_field_in_indonesian_and_english(registration, event_id, kind):
    client = registration.test_client()
    page = submit(client, event_id, full_name=BAD[kind])
    assert page.status_code == 400
    assert "Tulis dalam satu baris" in page.text or "karakter tersembunyi" in page.text
    english = registration.test_client()
    english.get("/?lang=en")
    page = submit(english, event_id, full_name=BAD[kind])
    assert page.status_code == 400 and ("on one line" in page.text or "hidden or control characters" in page.text)
    assert count(registration, Registration) == 0


@pytest.mark.parametrize("field", ["title", "venue"])
@pytest.mark.parametrize("kind", ["line feed", "right-to-left override", "zero-width space", "lone surrogate"])
def test_an_events_title_and_venue_are_one_clean_line(registration, auth, field, kind):
    client = registration.test_client()
    body = json.dumps(make_event_body(**{field: f"Aula {BAD[kind]}"}))
    response = client.post("/api/v1/events", data=body, content_type="application/json", headers=auth)
    assert response.status_code == 422 and response.json["errors"]["json"][field]
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    changed = client.patch(f"/api/v1/events/{event['id']}", data=body, content_type="application/json", headers=auth)
    assert changed.status_code == 422
    assert count(registration, Event) == 1


def test_an_events_description_keeps_its_lines_but_not_hidden_characters(registration, auth):
    client = registration.test_client()
    good = client.post(
        "/api/v1/events", json=make_event_body(description="Hari 1: teori\nHari 2: praktik"), headers=auth
    )
    assert good.status_code == 201 and good.json["description"] == "Hari 1: teori\nHari 2: praktik"
    for text in ("Hari 1\u202e", "x" * 10_001):
        assert client.post("/api/v1/events", json=make_event_body(description=text), headers=auth).status_code == 422
    assert client.post("/api/v1/events", json=make_event_body(description="Hari\x00"), headers=auth).status_code == 400
    assert count(registration, Event) == 1
