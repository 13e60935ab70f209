"""Malformed input gets a polite 400/422 in the visitor's language (JSON on the API), never a crash."""

import pytest

from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_public_form import hidden


@pytest.fixture
def event_id(registration, auth):
    return registration.test_client().post("/api/v1/events", json=make_event_body(), headers=auth).json["id"]


def test_a_nul_character_is_refused_at_the_door(registration, event_id, auth):
    client = registration.test_client()
    form = hidden(client.get(f"/acara/{event_id}/daftar").text)
    page = client.post(f"/acara/{event_id}/daftar", data={**form, "full_name": "Siti\x00Rahmah"})
    assert page.status_code == 400 and "Teks yang dikirim tidak valid." in page.text
    api = client.post(
        f"/api/v1/events/{event_id}/registrations", json=make_registration_body(full_name="Siti\x00"), headers=auth
    )
    assert api.status_code == 400 and api.json["message"] == "Teks yang dikirim tidak valid."
    assert client.get("/acara/%00").status_code == 400
    assert client.get("/api/v1/events?q=a%00").status_code == 400


def test_json_of_the_wrong_shape_gets_422(registration, auth):
    client = registration.test_client()
    for body in ([make_event_body()], "teks", 7, {"title": {"a": [[[]]]}}):
        response = client.post("/api/v1/events", json=body, headers=auth)
        assert response.status_code == 422, body
        assert response.json["code"] == 422 and response.json["errors"]


def test_a_date_out_of_range_gets_422(registration, auth):
    body = make_event_body(starts_at="99999-01-01T08:00:00+08:00")
    assert registration.test_client().post("/api/v1/events", json=body, headers=auth).status_code == 422


def test_bad_utf8_in_a_form_body_gets_an_answer(registration, event_id):
    response = registration.test_client().post(
        f"/acara/{event_id}/daftar",
        data=b"full_name=%ff%fe&phone=\xff",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 400)


def test_an_id_past_the_stores_range_is_not_found(reporting, auth):
    response = reporting.test_client().post("/api/v1/schedules/99999999999999999999/resume", headers=auth)
    assert response.status_code == 404


def test_a_form_without_its_csrf_token_gets_a_polite_page(registration, event_id):
    page = registration.test_client().post(f"/acara/{event_id}/daftar?lang=en", data={"full_name": "Siti"})
    assert page.status_code == 400  # the registration form comes back as typed, to send again
    assert 'value="Siti"' in page.text and "needs to be sent once more" in page.text
    assert "CSRF" not in page.text and page.mimetype == "text/html"


def test_a_stranger_gets_401_before_the_reporting_api_reads_the_input(reporting):
    client = reporting.test_client()
    assert client.post("/api/v1/schedules", json=["junk"]).status_code == 401
    assert client.get("/api/v1/reports/csv?start=99999-01-01").status_code == 401
