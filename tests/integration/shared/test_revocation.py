"""Sessions end in every service: a disabled account's token is refused by notifications and reporting once they
have applied registration's staff.changed; unknown accounts are refused; the staff cookie never works the JSON API,
and a page's POST without its CSRF token changes nothing; next= and back= lead only to Pelita's own pages."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from services.registration import accounts
from services.registration.extensions import db
from services.registration.models import Event, Staff
from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope
from shared.staffauth import STAFF_COOKIE, StaffClaims, issue_token
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_public_form import csrf
from tests.integration.registration.test_staff_accounts import forward
from tests.integration.registration.test_staff_pages import sign_in

PROBES = {  # a staff-only read of each service's JSON API
    "registration": "/api/v1/events/managed",
    "notifications": "/api/v1/notifications",
    "reporting": "/api/v1/summary",
}


def probe(app, headers) -> int:
    return app.test_client().get(PROBES[app.config["SERVICE"]], headers=headers).status_code


def organiser_token(registration) -> dict:
    with registration.app_context():
        accounts.add_account("org@contoh.id", "Org", "regency_organiser", "63.06", "pw-org")
        db.session.commit()
    body = {"email": "org@contoh.id", "password": "pw-org"}
    response = registration.test_client().post("/api/v1/auth/token", json=body)
    return {"Authorization": f"Bearer {response.json['token']}"}


def staff_id(registration, email: str) -> int:
    with registration.app_context():
        return db.session.scalar(sa.select(Staff.id).where(Staff.email == email))


def test_a_disabled_organisers_token_is_refused_everywhere_once_staff_changed_is_applied(
    registration, notifications, reporting
):
    bearer = organiser_token(registration)
    # the organiser's creation reached the others only as staff.changed; until then they know no such account
    assert probe(notifications, bearer) == 401 and probe(reporting, bearer) == 401
    for app in (notifications, reporting):
        forward(registration, app, EventNames.STAFF_CHANGED)
    assert [probe(app, bearer) for app in (registration, notifications, reporting)] == [200, 200, 200]

    admin = registration.test_client()
    sign_in(admin)
    page = admin.get("/staf/akun")
    organiser = staff_id(registration, "org@contoh.id")
    assert admin.post(f"/staf/akun/{organiser}/nonaktifkan", data={"csrf_token": csrf(page.text)}).status_code == 303
    assert probe(registration, bearer) == 401  # registration checks its own table at once
    for app in (notifications, reporting):
        forward(registration, app, EventNames.STAFF_CHANGED)
    assert probe(notifications, bearer) == 401 and probe(reporting, bearer) == 401


def test_an_older_staff_changed_arriving_late_does_not_bring_a_token_back(notifications):
    claims = StaffClaims(41, "late@contoh.id", "provincial_admin", version=0)
    with notifications.app_context():
        from services.notifications import service

        token = issue_token(claims, 1)[0]
        newer = make_envelope(EventNames.STAFF_CHANGED, {"staff_id": 41, "token_version": 2, "active": False},
                              source="registration")  # fmt: skip
        older = make_envelope(EventNames.STAFF_CHANGED, {"staff_id": 41, "token_version": 0, "active": True},
                              source="registration")  # fmt: skip
        assert service.handle_event(newer) == "processed" and service.handle_event(older) == "processed"
    assert probe(notifications, {"Authorization": f"Bearer {token}"}) == 401


@pytest.mark.parametrize("service", ["registration", "notifications", "reporting"])
def test_a_well_signed_token_of_an_unknown_account_is_refused(service, registration, notifications, reporting):
    app = {"registration": registration, "notifications": notifications, "reporting": reporting}[service]
    with app.app_context():
        token = issue_token(StaffClaims(9999, "hantu@contoh.id", "provincial_admin"), 1)[0]
    assert probe(app, {"Authorization": f"Bearer {token}"}) == 401
    client = app.test_client()
    client.set_cookie(STAFF_COOKIE, token)
    assert client.get("/staf" if service != "reporting" else "/jadwal").status_code == 302


def cookie_client(app, cookie: str):
    """A browser on another site's page: it sends the staff cookie, but has no CSRF token of ours."""
    client = app.test_client()
    client.set_cookie(STAFF_COOKIE, cookie)
    return client


def test_a_cross_site_post_with_only_the_cookie_cancels_and_checks_in_nothing_in_registration(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    person = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body()).json
    signed_in = registration.test_client()
    sign_in(signed_in)
    forged = cookie_client(registration, signed_in.get_cookie(STAFF_COOKIE).value)
    assert forged.post(f"/api/v1/events/{event['id']}/cancel", json={"reason": "x"}).status_code == 401
    assert forged.post(f"/api/v1/registrations/{person['id']}/check-in").status_code == 401
    assert forged.post(f"/staf/acara/{event['id']}/batalkan", data={"reason": "x"}).status_code == 400
    assert forged.post(f"/staf/pendaftaran/{person['id']}/hadir").status_code == 400
    with registration.app_context():
        assert db.session.get(Event, event["id"]).status == "published"
    assert client.get(f"/api/v1/registrations/{person['id']}", headers=auth).json["checked_in_at"] is None


def admin_cookie_for(app, registration) -> str:
    forward(registration, app, EventNames.STAFF_CHANGED)
    with registration.app_context():
        admin = db.session.scalar(sa.select(Staff).where(Staff.email == "admin@pelita.local"))
        return issue_token(admin.claims(), 1)[0]


def test_a_cross_site_post_with_only_the_cookie_changes_nothing_in_notifications(registration, notifications):
    forged = cookie_client(notifications, admin_cookie_for(notifications, registration))
    assert forged.get("/staf").status_code == 200  # the cookie does open the pages
    resend = forged.post("/api/v1/notifications/00000000-0000-4000-8000-000000000000/resend", json={})
    assert resend.status_code == 401
    assert forged.post("/staf/berhenti", data={"address": "siti@contoh.id", "active": "1"}).status_code == 400
    with notifications.app_context():
        from services.notifications import store

        assert store.list_opt_outs() == []


def test_a_cross_site_post_with_only_the_cookie_changes_nothing_in_reporting(registration, reporting):
    forged = cookie_client(reporting, admin_cookie_for(reporting, registration))
    assert forged.get("/jadwal").status_code == 200
    schedule = {"kind": "weekly", "recipients": ["a@contoh.id"]}
    assert forged.post("/api/v1/schedules", json=schedule).status_code == 401
    form = {"kind": "weekly", "kabupaten": "", "recipients": "a@contoh.id"}
    assert forged.post("/jadwal", data=form).status_code == 400
    assert "a@contoh.id" not in forged.get("/jadwal").text


EVIL = [
    "https://evil.example/staf",
    "https:evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://127.0.0.1.evil.example/",
    " //evil.example",
    "/\tevil",
    "data:text/html,x",
]


@pytest.mark.parametrize("target", EVIL)
def test_sign_in_never_sends_anyone_to_another_site(registration, target):
    client = registration.test_client()
    page = client.get(f"/staf/masuk?next={quote(target)}")
    data = {"email": "admin@pelita.local", "password": "rahasia-admin", "next": target, "csrf_token": csrf(page.text)}
    response = client.post("/staf/masuk", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/staf"


@pytest.mark.parametrize("target", ["/staf/acara/baru", "http://127.0.0.1:8002/staf", "http://127.0.0.1:8003/jadwal"])
def test_sign_in_brings_staff_back_to_any_pelita_page(registration, target):
    client = registration.test_client()
    page = client.get("/staf/masuk")
    data = {"email": "admin@pelita.local", "password": "rahasia-admin", "next": target, "csrf_token": csrf(page.text)}
    assert client.post("/staf/masuk", data=data).headers["Location"] == target


@pytest.mark.parametrize("target", EVIL[:6])
def test_the_list_back_link_stays_on_the_site(registration, auth, target):
    client = registration.test_client()
    soon = datetime.now(UTC) + timedelta(hours=1)  # check-in is taken on the event's day
    body = make_event_body(starts_at=soon.isoformat(), ends_at=(soon + timedelta(hours=6)).isoformat())
    event = client.post("/api/v1/events", json=body, headers=auth).json
    person = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body()).json
    sign_in(client)
    page = client.get(f"/staf/acara/{event['id']}")
    done = client.post(f"/staf/pendaftaran/{person['id']}/hadir", data={"csrf_token": csrf(page.text), "back": target})
    assert done.status_code == 303 and done.headers["Location"] == f"/staf/acara/{event['id']}"


def test_the_staff_cookie_is_httponly_and_lax(registration):
    response = sign_in(registration.test_client())
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(STAFF_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain http in tests
    production = sign_in_cookie_flags(registration)
    assert "Secure" in production


def sign_in_cookie_flags(registration) -> str:
    registration.config["SESSION_COOKIE_SECURE"] = True  # as init_web sets it in production or behind https
    try:
        client, https = registration.test_client(), "https://localhost"
        page = client.get("/staf/masuk", base_url=https)
        data = {"email": "admin@pelita.local", "password": "rahasia-admin", "csrf_token": csrf(page.text)}
        referer = {"Referer": f"{https}/staf/masuk"}  # Flask-WTF checks it over https
        response = client.post("/staf/masuk", data=data, base_url=https, headers=referer)
    finally:
        registration.config["SESSION_COOKIE_SECURE"] = False
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(STAFF_COOKIE))
