"""The registration REST API on a real, migrated store."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import OutboxMessage, Registration, Staff
from tests.factories import make_event_body, make_registration_body


def create_event(client, auth, **overrides) -> dict:
    response = client.post("/api/v1/events", json=make_event_body(**overrides), headers=auth)
    assert response.status_code == 201, response.json
    return response.json


def outbox_types(app) -> list[str]:
    """What registration announced about events and people (not the seeded admin's staff.changed)."""
    with app.app_context():
        query = sa.select(OutboxMessage.type).where(OutboxMessage.type != "staff.changed").order_by(OutboxMessage.seq)
        return list(db.session.scalars(query))


def test_staff_needs_a_token_to_create_an_event(registration):
    response = registration.test_client().post("/api/v1/events", json=make_event_body())
    assert response.status_code == 401
    assert response.json["message"]


def test_wrong_password_gets_no_token(registration):
    response = registration.test_client().post(
        "/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "salah"}
    )
    assert response.status_code == 401
    assert response.json["reason"] == "invalid_credentials"


def test_published_event_is_listed_in_wita_and_announced(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth, starts_at="2030-03-17T08:30:00", ends_at="2030-03-17T15:00:00")
    assert event["starts_at"] == "2030-03-17T08:30:00+08:00"  # entered without an offset: read as WITA
    listed = client.get("/api/v1/events").json
    assert [e["id"] for e in listed] == [event["id"]]
    assert listed[0]["seats_left"] == 55 and listed[0]["kabupaten_name"] == "Kabupaten Banjar"
    assert outbox_types(registration) == ["event.published"]


def test_a_draft_is_not_listed_until_published(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth, publish=False)
    assert client.get("/api/v1/events").json == []
    assert client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body()).status_code == 404
    assert client.post(f"/api/v1/events/{event['id']}/publish", headers=auth).json["status"] == "published"
    assert len(client.get("/api/v1/events").json) == 1


def test_registration_and_its_outbox_row_commit_together(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth)
    response = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body())
    assert response.status_code == 201
    assert response.json["status"] == "confirmed" and "checkin_code" not in response.json  # it goes to the person
    assert outbox_types(registration) == ["event.published", "registration.created"]
    with registration.app_context():
        row = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.type == "registration.created")).one()
        assert row.envelope["payload"]["registration_id"] == response.json["id"]
        assert row.envelope["payload"]["cancel_url"].startswith("http://127.0.0.1:8001/k/")  # short enough for an SMS


def test_same_phone_twice_gets_the_existing_registration_back(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth)
    first = client.post(
        f"/api/v1/events/{event['id']}/registrations", json=make_registration_body(phone="0812-3456-7890")
    )
    again = client.post(
        f"/api/v1/events/{event['id']}/registrations",
        json=make_registration_body(phone="+62 812 3456 7890", email="lain@contoh.id"),
    )
    assert (first.status_code, again.status_code) == (201, 202)
    assert again.json["status"] == "already_registered" and "id" not in again.json
    assert outbox_types(registration).count("registration.created") == 1


def test_beyond_capacity_people_are_waitlisted_in_order(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth, capacity=2)
    statuses = [
        client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body()).json for _ in range(4)
    ]
    assert [s["status"] for s in statuses] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [s["waitlist_position"] for s in statuses] == [None, None, 1, 2]
    assert client.get(f"/api/v1/events/{event['id']}").json["seats_left"] == 0


def test_a_newcomer_is_told_their_place_among_those_still_waiting(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth, capacity=1)
    url = f"/api/v1/events/{event['id']}/registrations"
    seated, first, second, third = [client.post(url, json=make_registration_body()).json for _ in range(4)]
    assert [p["waitlist_position"] for p in (first, second, third)] == [1, 2, 3]
    client.post(f"/api/v1/registrations/{second['id']}/cancel", headers=auth)  # gives up waiting
    client.post(f"/api/v1/registrations/{seated['id']}/cancel", headers=auth)  # the first waiting gets the seat
    newcomer = client.post(url, json=make_registration_body()).json
    assert (newcomer["status"], newcomer["waitlist_position"]) == ("waitlisted", 2)  # behind the third only
    with registration.app_context():
        created = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.type == "registration.created").order_by(OutboxMessage.seq)
        ).all()
        assert created[-1].envelope["payload"]["waitlist_position"] == 2


def test_full_event_without_waitlist_says_so(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth, capacity=1, waitlist_enabled=False)
    client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body())
    response = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body())
    assert response.status_code == 409
    assert response.json["reason"] == "full" and "penuh" in response.json["message"]


def test_registration_outside_the_window_is_refused(registration, auth):
    client = registration.test_client()
    opens = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    event = create_event(client, auth, registration_opens_at=opens)
    response = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body())
    assert response.status_code == 409 and response.json["reason"] == "not_open_yet"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_the_registration_window_decides_seats_and_waitlist_places_alike(registration, auth):
    from services.registration.models import Event

    client = registration.test_client()
    event = create_event(client, auth, capacity=1)
    url = f"/api/v1/events/{event['id']}/registrations"

    def window(opens_in: timedelta | None, closes_in: timedelta | None) -> None:
        now = datetime.now(UTC)
        with registration.app_context():
            db.session.execute(
                sa.update(Event)
                .where(Event.id == event["id"])
                .values(
                    registration_opens_at=now + opens_in if opens_in is not None else None,
                    registration_closes_at=now + closes_in if closes_in is not None else None,
                )
            )
            db.session.commit()

    for opens_in, closes_in, reason in [
        (timedelta(hours=-1), timedelta(seconds=-1), "closed"),
        (timedelta(minutes=5), None, "not_open_yet"),
    ]:  # with its seat still free: the UPDATE that takes a seat checks the window too
        window(opens_in, closes_in)
        refused = client.post(url, json=make_registration_body())
        assert refused.status_code == 409 and refused.json["reason"] == reason
    window(timedelta(hours=-1), timedelta(hours=1))
    assert client.post(url, json=make_registration_body()).json["status"] == "confirmed"
    assert client.post(url, json=make_registration_body()).json["status"] == "waitlisted"
    window(timedelta(hours=-1), timedelta(seconds=-1))  # closed a second ago: no waitlist place either
    closed = client.post(url, json=make_registration_body())
    assert closed.status_code == 409 and closed.json["reason"] == "closed"
    window(timedelta(minutes=5), None)
    early = client.post(url, json=make_registration_body())
    assert early.status_code == 409 and early.json["reason"] == "not_open_yet"
    window(None, None)  # the window ends when the event starts, a week from now
    assert client.post(url, json=make_registration_body()).json["waitlist_position"] == 2
    with registration.app_context():
        counts = db.session.execute(
            sa.select(Event.confirmed_count, Event.waitlist_count).where(Event.id == event["id"])
        ).one()
    assert tuple(counts) == (1, 2)  # the refused ones took nothing


def test_bad_input_gets_field_messages_and_nothing_is_stored(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth)
    consents = {"training": False, "messages": True}
    body = make_registration_body(phone="12", email="bukan-email", consents=consents, gender="x")
    response = client.post(f"/api/v1/events/{event['id']}/registrations", json=body)
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert {"phone", "email", "consents", "gender"} <= set(errors)
    with registration.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_regency_organiser_cannot_create_events_elsewhere(registration):
    from services.registration.accounts import hash_password

    with registration.app_context():
        db.session.add(
            Staff(
                email="tabalong@contoh.id",
                name="Org",
                role="regency_organiser",
                kabupaten_code="63.09",
                password_hash=hash_password("pw-tabalong"),
            )
        )
        db.session.commit()
    client = registration.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "tabalong@contoh.id", "password": "pw-tabalong"}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert (
        client.post("/api/v1/events", json=make_event_body(kabupaten_code="63.03"), headers=headers).status_code == 403
    )
    assert (
        client.post("/api/v1/events", json=make_event_body(kabupaten_code="63.09"), headers=headers).status_code == 201
    )


def test_a_forged_token_is_refused(registration, staff_token):
    headers = {"Authorization": f"Bearer {staff_token[:-2]}xx"}
    assert registration.test_client().post("/api/v1/events", json=make_event_body(), headers=headers).status_code == 401


def test_openapi_document_lists_the_api(registration):
    spec = registration.test_client().get("/api/openapi.json").json
    assert {"/api/v1/events", "/api/v1/events/{event_id}/registrations"} <= set(spec["paths"])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_the_store_migrates_and_takes_registrations_on_both_backends(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth, capacity=1)
    first = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body())
    second = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body())
    assert (first.json["status"], second.json["status"]) == ("confirmed", "waitlisted")


def test_seeding_twice_adds_nothing_the_second_time(registration):
    from services.registration import seed
    from services.registration.models import Event, Region

    with registration.app_context():
        seed.seed_demo_event()
        counts = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Region, Staff, Event)]
        assert seed.seed_regions() == 0
        assert seed.seed_admin()[2] is False
        assert seed.seed_demo_event()[1] is False
        again = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Region, Staff, Event)]
    assert again == counts and counts[0] == 2186
    kabupaten = [e for e in registration.test_client().get("/api/v1/events").json if e["capacity"] == 55]
    assert kabupaten[0]["title"] == "Pelatihan Perpustakaan Berbasis Inklusi Sosial"
    assert kabupaten[0]["kabupaten_name"] == "Kabupaten Banjar" and kabupaten[0]["starts_at"].endswith("+08:00")
