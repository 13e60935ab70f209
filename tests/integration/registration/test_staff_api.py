"""Staff actions through the API: edit, cancel, promote, check in — each announced once through the outbox."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from services.registration.accounts import hash_password
from services.registration.extensions import db
from services.registration.models import OutboxMessage, Staff
from tests.factories import make_event_body, make_registration_body


def events_of(app, event_type: str) -> list[dict]:
    with app.app_context():
        query = sa.select(OutboxMessage.envelope).where(OutboxMessage.type == event_type).order_by(OutboxMessage.seq)
        return [envelope["payload"] for envelope in db.session.scalars(query)]


def setup_event(client, auth, **overrides):
    event = client.post("/api/v1/events", json=make_event_body(**overrides), headers=auth).json
    people = [
        client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body()).json for _ in range(3)
    ]
    return event, people


def test_moving_a_published_event_announces_the_change(registration, auth):
    client = registration.test_client()
    event, _ = setup_event(client, auth)
    response = client.patch(f"/api/v1/events/{event['id']}", json={"venue": "Gedung Wanita, Martapura"}, headers=auth)
    assert response.status_code == 200 and response.json["venue"] == "Gedung Wanita, Martapura"
    updates = events_of(registration, "event.updated")
    assert (
        len(updates) == 1 and updates[0]["changed"] == ["venue"] and updates[0]["venue"] == "Gedung Wanita, Martapura"
    )
    client.patch(f"/api/v1/events/{event['id']}", json={"description": "Bawa alat tulis."}, headers=auth)
    assert len(events_of(registration, "event.updated")) == 1  # a description is not news for participants


def test_raising_capacity_gives_the_new_seats_to_the_waitlist_in_order(registration, auth):
    client = registration.test_client()
    event, people = setup_event(client, auth, capacity=1)
    client.patch(f"/api/v1/events/{event['id']}", json={"capacity": 2}, headers=auth)
    statuses = [client.get(f"/api/v1/registrations/{p['id']}", headers=auth).json["status"] for p in people]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert [p["registration_id"] for p in events_of(registration, "registration.promoted")] == [people[1]["id"]]


def test_capacity_cannot_drop_below_the_confirmed(registration, auth):
    client = registration.test_client()
    event, _ = setup_event(client, auth, capacity=3)
    response = client.patch(f"/api/v1/events/{event['id']}", json={"capacity": 2}, headers=auth)
    assert response.status_code == 409 and response.json["reason"] == "capacity_too_small"


def test_cancelled_event_is_announced_and_takes_no_more_registrations(registration, auth):
    client = registration.test_client()
    event, _ = setup_event(client, auth)
    assert (
        client.post(f"/api/v1/events/{event['id']}/cancel", json={"reason": "Banjir"}, headers=auth).status_code == 200
    )
    assert events_of(registration, "event.cancelled")[0]["reason"] == "Banjir"
    response = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body())
    assert response.status_code == 409 and response.json["reason"] == "event_cancelled"
    assert client.get("/api/v1/events").json == []


def today(hours: float = 3) -> dict:
    """An event starting in a few hours: check-in is taken on the event's day (CHECKIN_WINDOW_DAYS around it)."""
    start = (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=5)).isoformat()}


def test_check_in_is_recorded_and_announced_once(registration, auth):
    client = registration.test_client()
    _, people = setup_event(client, auth, **today())
    for _ in range(2):
        response = client.post(f"/api/v1/registrations/{people[0]['id']}/check-in", headers=auth)
        assert response.status_code == 200 and response.json["checked_in_at"]
    assert [p["registration_id"] for p in events_of(registration, "attendance.checked_in")] == [people[0]["id"]]


def test_a_check_in_is_undone_through_the_api_once(registration, auth):
    client = registration.test_client()
    _, people = setup_event(client, auth, **today())
    client.post(f"/api/v1/registrations/{people[0]['id']}/check-in", headers=auth)
    for _ in range(2):
        response = client.delete(f"/api/v1/registrations/{people[0]['id']}/check-in", headers=auth)
        assert response.status_code == 200 and response.json["checked_in_at"] is None
    assert [p["registration_id"] for p in events_of(registration, "attendance.check_in_undone")] == [people[0]["id"]]


def test_check_in_a_week_ahead_is_refused_with_the_reason(registration, auth):
    client = registration.test_client()
    _, people = setup_event(client, auth)
    response = client.post(f"/api/v1/registrations/{people[0]['id']}/check-in", headers=auth)
    assert response.status_code == 409 and response.json["reason"] == "check_in_too_early"


def test_a_waitlisted_person_cannot_be_checked_in(registration, auth):
    client = registration.test_client()
    _, people = setup_event(client, auth, capacity=1)
    response = client.post(f"/api/v1/registrations/{people[1]['id']}/check-in", headers=auth)
    assert response.status_code == 409 and response.json["reason"] == "not_confirmed"


def test_promoting_out_of_turn_adds_a_chair_and_keeps_the_queue(registration, auth):
    client = registration.test_client()
    event, people = setup_event(client, auth, capacity=1)
    response = client.post(f"/api/v1/registrations/{people[2]['id']}/promote", headers=auth)
    assert response.status_code == 200 and response.json["status"] == "confirmed"
    assert client.get(f"/api/v1/events/{event['id']}").json["capacity"] == 2
    assert client.get(f"/api/v1/registrations/{people[1]['id']}", headers=auth).json["waitlist_position"] == 1
    again = client.post(f"/api/v1/registrations/{people[2]['id']}/promote", headers=auth)
    assert again.status_code == 409 and again.json["reason"] == "not_waitlisted"
    assert [p["registration_id"] for p in events_of(registration, "registration.promoted")] == [people[2]["id"]]


def test_list_search_and_filters(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(capacity=1), headers=auth).json
    url = f"/api/v1/events/{event['id']}/registrations"
    client.post(url, json=make_registration_body(full_name="Rahmat Hidayat", phone="0812-1111-2222"))
    client.post(url, json=make_registration_body(full_name="Nur Aini", disability="sensory"))
    assert [r["full_name"] for r in client.get(url, headers=auth).json] == ["Rahmat Hidayat", "Nur Aini"]
    assert [r["full_name"] for r in client.get(f"{url}?q=rahmat", headers=auth).json] == ["Rahmat Hidayat"]
    assert [r["full_name"] for r in client.get(f"{url}?q=1111-2222", headers=auth).json] == ["Rahmat Hidayat"]
    waiting = client.get(f"{url}?status=waitlisted", headers=auth).json
    assert [(r["full_name"], r["waitlist_position"]) for r in waiting] == [("Nur Aini", 1)]
    assert [r["full_name"] for r in client.get(f"{url}?disability=sensory", headers=auth).json] == ["Nur Aini"]


def test_regency_organiser_cannot_see_another_kabupatens_registrations(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(kabupaten_code="63.03"), headers=auth).json
    with registration.app_context():
        db.session.add(
            Staff(
                email="hst@contoh.id",
                name="Org HST",
                role="regency_organiser",
                kabupaten_code="63.06",
                password_hash=hash_password("pw-hst"),
            )
        )
        db.session.commit()
    token = client.post("/api/v1/auth/token", json={"email": "hst@contoh.id", "password": "pw-hst"}).json["token"]
    other = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/events/{event['id']}/registrations", headers=other).status_code == 403
    assert client.get("/api/v1/events/managed", headers=other).json == []
