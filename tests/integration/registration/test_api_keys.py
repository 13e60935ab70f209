"""Partner systems' API keys: issued by a provincial admin, shown once, stored hashed, own limit, revocable."""

import hashlib
import uuid

import pytest
import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import ApiKey, Registration
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_public_form import csrf
from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in


def limited_app(make_registration_app, redis_url):
    """Anonymous callers may register once a minute per address; a key has its own, larger limit."""
    return make_registration_app(
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=uuid.uuid4().hex,
        REGISTRATION_FORM_RATE_LIMIT="1 per minute",
        REGISTRATION_API_KEY_RATE_LIMIT="4 per minute",
    )


def admin_headers(client, email="admin@pelita.local", password="rahasia-admin") -> dict:
    token = client.post("/api/v1/auth/token", json={"email": email, "password": password}).json["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_keys_life_create_use_last_used_revoke(make_registration_app, redis_url):
    app = limited_app(make_registration_app, redis_url)
    client = app.test_client()
    admin = admin_headers(client)
    event = client.post("/api/v1/events", json=make_event_body(), headers=admin).json
    url = f"/api/v1/events/{event['id']}/registrations"

    created = client.post("/api/v1/api-keys", json={"name": "SIPD Kabupaten Banjar"}, headers=admin)
    assert created.status_code == 201
    key, row = created.json["key"], created.json["api_key"]
    assert key.startswith(row["prefix"]) and len(key) > 40 and row["last_used_at"] is None
    listed = client.get("/api/v1/api-keys", headers=admin)
    assert [k["name"] for k in listed.json] == ["SIPD Kabupaten Banjar"] and key not in listed.text  # shown once
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiKey)).one()
        assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in repr(vars(stored))

    assert client.post(url, json=make_registration_body()).status_code == 201
    assert client.post(url, json=make_registration_body()).status_code == 429  # anonymous: once a minute
    by_key = [
        client.post(url, json=make_registration_body(), headers={"X-API-Key": key}).status_code,
        client.post(url, json=make_registration_body(), headers={"Authorization": f"ApiKey {key}"}).status_code,
    ]
    assert by_key == [201, 201]  # the key skips the address's limit
    used = client.get("/api/v1/api-keys", headers=admin).json[0]
    assert used["last_used_at"] and used["revoked_at"] is None

    statuses = [client.post(url, json=make_registration_body(), headers={"X-API-Key": key}) for _ in range(3)]
    assert [r.status_code for r in statuses] == [201, 201, 429]  # and has a limit of its own
    assert int(statuses[-1].headers["Retry-After"]) > 0

    revoked = client.post(f"/api/v1/api-keys/{row['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    for headers in ({"X-API-Key": key}, {"Authorization": f"ApiKey {key}"}):
        refused = client.post(url, json=make_registration_body(), headers=headers)
        assert refused.status_code == 401 and refused.json["reason"] == "invalid_api_key"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 5


def test_a_wrong_key_is_refused_and_not_taken_for_anonymous(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    url = f"/api/v1/events/{event['id']}/registrations"
    for headers in ({"X-API-Key": "pelita_salah"}, {"Authorization": "ApiKey "}, {"X-API-Key": "x" * 5000}):
        response = client.post(url, json=make_registration_body(), headers=headers)
        assert response.status_code == 401 and "salah" in response.json["message"]
    with registration.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_only_a_provincial_admin_manages_keys(registration, auth):
    add_regency_organiser(registration, "63.03")
    client = registration.test_client()
    organiser = admin_headers(client, "org@contoh.id", "pw-org")
    assert client.post("/api/v1/api-keys", json={"name": "Mitra"}, headers=organiser).status_code == 403
    assert client.get("/api/v1/api-keys", headers=organiser).status_code == 403
    key = client.post("/api/v1/api-keys", json={"name": "Mitra"}, headers=auth).json["api_key"]
    assert client.post(f"/api/v1/api-keys/{key['id']}/revoke", headers=organiser).status_code == 403
    assert client.post("/api/v1/api-keys", json={"name": "Mitra"}).status_code == 401
    assert client.post("/api/v1/api-keys", json={"name": "a\nb"}, headers=auth).status_code == 422
    assert client.post("/api/v1/api-keys/999/revoke", headers=auth).status_code == 404
    assert client.get("/api/v1/api-keys", headers=auth).json[0]["revoked_at"] is None


def test_the_staff_page_lists_issues_once_and_revokes(registration):
    client = registration.test_client()
    sign_in(client)
    page = client.get("/staf/kunci-api")
    assert page.status_code == 200 and "Belum ada kunci" in page.text
    assert client.post("/staf/kunci-api", data={"name": "Mitra Desa"}).status_code == 400  # no CSRF token
    made = client.post("/staf/kunci-api", data={"name": "Mitra Desa", "csrf_token": csrf(page.text)})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    key = made.text.split('<code id="new-key">', 1)[1].split("</code>", 1)[0]
    assert key.startswith("pelita_") and "hanya ditampilkan sekali" in made.text
    again = client.get("/staf/kunci-api")
    assert "Mitra Desa" in again.text and key not in again.text and key[:13] in again.text

    with registration.app_context():
        key_id = db.session.scalar(sa.select(ApiKey.id))
    revoked = client.post(f"/staf/kunci-api/{key_id}/cabut", data={"csrf_token": csrf(again.text)})
    assert revoked.status_code == 303
    assert "dicabut" in client.get("/staf/kunci-api").text

    blank = client.post("/staf/kunci-api", data={"name": " ", "csrf_token": csrf(again.text)})
    assert blank.status_code == 400 and "Beri nama kunci" in blank.text


def test_a_regency_organiser_cannot_open_the_key_page(registration):
    add_regency_organiser(registration, "63.03")
    client = registration.test_client()
    sign_in(client, "org@contoh.id", "pw-org")
    assert client.get("/staf/kunci-api").status_code == 403
    assert "kunci-api" not in client.get("/staf").text
    page = client.get("/staf")
    assert client.post("/staf/kunci-api", data={"name": "X", "csrf_token": csrf(page.text)}).status_code == 403
