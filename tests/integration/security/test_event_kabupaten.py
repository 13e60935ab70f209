"""A regency organiser cannot move an event into another kabupaten, by the API or the staff page; an admin can."""

import pytest
from bs4 import BeautifulSoup

from services.registration.accounts import hash_password
from services.registration.extensions import db
from services.registration.models import Staff
from shared.staffauth import STAFF_COOKIE
from tests.factories import make_event_body


@pytest.fixture
def banjar_organiser(registration):
    with registration.app_context():
        db.session.add(
            Staff(
                email="banjar@contoh.id",
                name="Panitia Banjar",
                role="regency_organiser",
                kabupaten_code="63.03",
                password_hash=hash_password("pw-banjar"),
            )
        )
        db.session.commit()
    token = registration.test_client().post(
        "/api/v1/auth/token", json={"email": "banjar@contoh.id", "password": "pw-banjar"}
    )
    return token.json["token"]


@pytest.fixture
def event_id(registration, banjar_organiser):
    headers = {"Authorization": f"Bearer {banjar_organiser}"}
    created = registration.test_client().post("/api/v1/events", json=make_event_body(), headers=headers)
    assert created.status_code == 201
    return created.json["id"]


def kabupaten_of(registration, event_id, auth) -> str:
    return registration.test_client().get(f"/api/v1/events/{event_id}", headers=auth).json["kabupaten_code"]


def test_an_organiser_cannot_move_their_event_by_the_api(registration, banjar_organiser, event_id, auth):
    headers = {"Authorization": f"Bearer {banjar_organiser}"}
    client = registration.test_client()
    refused = client.patch(f"/api/v1/events/{event_id}", json={"kabupaten_code": "63.06"}, headers=headers)
    assert refused.status_code == 403
    assert kabupaten_of(registration, event_id, auth) == "63.03"
    # Their own kabupaten, and other fields, remain theirs to change.
    kept = client.patch(f"/api/v1/events/{event_id}", json={"kabupaten_code": "63.03", "capacity": 40}, headers=headers)
    assert kept.status_code == 200


def test_a_provincial_admin_may_move_an_event(registration, event_id, auth):
    moved = registration.test_client().patch(
        f"/api/v1/events/{event_id}", json={"kabupaten_code": "63.06"}, headers=auth
    )
    assert moved.status_code == 200
    assert kabupaten_of(registration, event_id, auth) == "63.06"


def form_values(html: str) -> dict:
    form = next(f for f in BeautifulSoup(html, "html.parser").find_all("form") if f.find(attrs={"name": "title"}))
    values = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or (field.get("type") == "checkbox" and not field.has_attr("checked")):
            continue
        if field.name == "textarea":
            values[name] = field.text
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            values[name] = chosen.get("value", "")
        else:
            values[name] = field.get("value", "")
    return values


def test_an_organiser_cannot_move_their_event_from_the_staff_page(registration, banjar_organiser, event_id, auth):
    client = registration.test_client()
    client.set_cookie(STAFF_COOKIE, banjar_organiser)
    page = client.get(f"/staf/acara/{event_id}/ubah")
    assert page.status_code == 200
    values = form_values(page.text)
    assert values["kabupaten_code"] == "63.03"
    refused = client.post(f"/staf/acara/{event_id}/ubah", data=values | {"kabupaten_code": "63.06"})
    assert refused.status_code == 403
    assert "Hanya admin provinsi" in refused.text
    assert kabupaten_of(registration, event_id, auth) == "63.03"
    saved = client.post(f"/staf/acara/{event_id}/ubah", data=values | {"title": "Pelatihan Literasi Digital"})
    assert saved.status_code == 303


def test_a_provincial_admin_moves_an_event_from_the_staff_page(registration, event_id, auth, staff_token):
    client = registration.test_client()
    client.set_cookie(STAFF_COOKIE, staff_token)
    values = form_values(client.get(f"/staf/acara/{event_id}/ubah").text)
    moved = client.post(f"/staf/acara/{event_id}/ubah", data=values | {"kabupaten_code": "63.06"})
    assert moved.status_code == 303
    assert kabupaten_of(registration, event_id, auth) == "63.06"
