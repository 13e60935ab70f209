"""Seats are never oversold: concurrent registrations and racing cancellations, on SQLite and PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from services.registration.extensions import db
from services.registration.models import OutboxMessage, Registration
from tests.factories import make_event_body, make_registration_body


@pytest.fixture
def served(registration):
    """The registration app behind a real threaded HTTP server on 127.0.0.1."""
    server = make_server("127.0.0.1", 0, registration, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def new_event(base_url: str, auth: dict, **overrides) -> str:
    response = requests.post(f"{base_url}/api/v1/events", json=make_event_body(**overrides), headers=auth, timeout=10)
    assert response.status_code == 201
    return response.json()["id"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_300_concurrent_registrations_fill_55_seats_and_queue_the_rest(registration, served, auth):
    event_id = new_event(served, auth, capacity=55)
    bodies = [
        make_registration_body(phone=f"0813-{4000 + n:04d}-{1000 + n:04d}", email=None, preferred_channel="sms")
        for n in range(300)
    ]

    def post(body):
        with requests.Session() as http:
            return http.post(f"{served}/api/v1/events/{event_id}/registrations", json=body, timeout=60)

    with ThreadPoolExecutor(max_workers=32) as pool:
        responses = list(pool.map(post, bodies))

    assert sorted({r.status_code for r in responses}) == [201], [r.text for r in responses if r.status_code != 201][:3]
    results = [r.json() for r in responses]
    assert sum(r["status"] == "confirmed" for r in results) == 55
    waitlisted = [r for r in results if r["status"] == "waitlisted"]
    assert sorted(r["waitlist_position"] for r in waitlisted) == list(range(1, 246))
    with registration.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 300
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Registration).where(Registration.status == "confirmed")
            )
            == 55
        )
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.type == "registration.created")
            )
            == 300
        )
    listed = requests.get(f"{served}/api/v1/events/{event_id}", timeout=10).json()
    assert listed["seats_left"] == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_two_racing_cancellations_promote_the_first_two_waiting_once_each(registration, served, auth):
    event_id = new_event(served, auth, capacity=2)
    people = [
        requests.post(
            f"{served}/api/v1/events/{event_id}/registrations", json=make_registration_body(), timeout=10
        ).json()
        for _ in range(5)
    ]
    confirmed = [p["id"] for p in people if p["status"] == "confirmed"]
    waiting = [p["id"] for p in people if p["status"] == "waitlisted"]
    assert len(confirmed) == 2 and len(waiting) == 3

    def cancel(registration_id):
        return requests.post(f"{served}/api/v1/registrations/{registration_id}/cancel", headers=auth, timeout=30)

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert [r.status_code for r in pool.map(cancel, confirmed)] == [200, 200]

    statuses = {p: requests.get(f"{served}/api/v1/registrations/{p}", headers=auth, timeout=10).json() for p in waiting}
    assert [statuses[p]["status"] for p in waiting] == ["confirmed", "confirmed", "waitlisted"]
    assert statuses[waiting[2]]["waitlist_position"] == 1
    with registration.app_context():
        promoted = db.session.scalars(
            sa.select(OutboxMessage.envelope).where(OutboxMessage.type == "registration.promoted")
        ).all()
    assert sorted(e["payload"]["registration_id"] for e in promoted) == sorted(waiting[:2])


def test_cancelling_twice_frees_one_seat_and_promotes_one_person(registration, served, auth):
    event_id = new_event(served, auth, capacity=1)
    first, second, third = (
        requests.post(
            f"{served}/api/v1/events/{event_id}/registrations", json=make_registration_body(), timeout=10
        ).json()
        for _ in range(3)
    )
    for _ in range(2):
        assert (
            requests.post(f"{served}/api/v1/registrations/{first['id']}/cancel", headers=auth, timeout=10).status_code
            == 200
        )
    assert (
        requests.get(f"{served}/api/v1/registrations/{second['id']}", headers=auth, timeout=10).json()["status"]
        == "confirmed"
    )
    assert (
        requests.get(f"{served}/api/v1/registrations/{third['id']}", headers=auth, timeout=10).json()["status"]
        == "waitlisted"
    )
