"""What travels on the bus: reporting is sent no one's name, number, address, code or link, and Celery's logs and
monitoring see only a message's id and type."""

import hashlib
import hmac
import json

import pytest
import sqlalchemy as sa
from kombu import Connection
from marshmallow import ValidationError

from scripts.redis_local import free_port, start_redis
from services.registration import seed, service, store
from services.registration.app import create_app as registration_app
from services.reporting import service as reporting_service
from services.reporting.app import create_app as reporting_app
from services.reporting.models import RegistrationFact
from shared.messaging.contracts import consume
from shared.messaging.names import TaskNames
from shared.messaging.routing import PSEUDONYMISED, WITHHELD
from tests.factories import make_event_body, make_registration_body
from tests.integration.conftest import build

PERSONAL = ("full_name", "phone", "email", "checkin_code", "checkin_url", "cancel_url")


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of this test's own, so reading a queue takes nobody else's messages."""
    port = free_port()
    process = start_redis(port, tmp_path / "redis", tmp_path / "redis.log")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


@pytest.fixture
def apps(new_store, private_redis):
    settings = {"ADMIN_PASSWORD": "rahasia-admin", "RATELIMIT_STORAGE_URI": "memory://"}
    registration = build(registration_app, new_store("registration"), private_redis, **settings)
    with registration.app_context():
        seed.seed_regions()
        seed.seed_admin()
        service.bus.relay()  # the seeded admin's staff.changed: sent now, taken off the queues below
    reporting = build(reporting_app, new_store("reporting"), private_redis)
    take(private_redis, "reporting"), take(private_redis, "notifications")
    yield registration, reporting
    for app in (registration, reporting):
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()


def take(redis_url: str, queue_name: str) -> list[tuple[dict, str, dict]]:
    """Take every task waiting on a queue: (its headers, its raw body as sent, its envelope)."""
    taken = []
    with Connection(redis_url) as connection:
        queue = connection.SimpleQueue(queue_name)
        while True:
            try:
                message = queue.get(block=True, timeout=0.5)
            except queue.Empty:
                break
            _args, kwargs, _embed = message.decode()
            if message.headers.get("task", "").endswith(".ack_outbox"):
                # Acknowledgements carry only message ids and task names (batched per process, so one may come
                # from an earlier test's app in this process): nothing about a person, nothing to check here.
                assert set(kwargs) == {"acks"}, kwargs
                message.ack()
                continue
            taken.append(
                (
                    message.headers,
                    message.body.decode() if isinstance(message.body, bytes) else message.body,
                    kwargs["message"],
                )
            )
            message.ack()
        queue.close()
    return taken


def register_someone(registration) -> dict:
    client = registration.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
    auth = {"Authorization": f"Bearer {token.json['token']}"}
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    body = make_registration_body(full_name="Nur Aisyah Putri", email="nur.aisyah@contoh.id", phone="0813-2222-7777")
    created = client.post(f"/api/v1/events/{event['id']}/registrations", json=body)
    assert created.status_code == 201
    return created.json


def test_reporting_is_sent_nothing_that_names_or_reaches_a_person_and_still_counts_them(apps, private_redis):
    registration, reporting = apps
    person = register_someone(registration)
    with registration.app_context():
        assert service.bus.relay() == 2  # event.published and registration.created
        code = store.get_registration(person["id"]).checkin_code  # the API does not return it: read in the store
    secrets = ["Nur Aisyah Putri", "nur.aisyah@contoh.id", "+6281322227777", "81322227777", code]

    to_reporting = take(private_redis, "reporting")
    to_notifications = take(private_redis, "notifications")
    assert [envelope["type"] for _, _, envelope in to_reporting] == ["event.published", "registration.created"]
    for _headers, raw, envelope in to_reporting:
        assert not [secret for secret in secrets if secret in raw]  # nowhere in what Redis holds for reporting
        assert "http" not in raw  # no link of any kind: cancel, check-in or the event page
        assert not set(envelope["payload"]) & set(PERSONAL)
    ((_, raw, full),) = [m for m in to_notifications if m[2]["type"] == "registration.created"]
    assert full["payload"]["full_name"] == "Nur Aisyah Putri" in raw  # notifications must reach the person

    for headers, _, envelope in to_reporting + to_notifications:
        assert headers["argsrepr"] == "()"
        assert headers["kwargsrepr"] == repr({"message": {"id": envelope["id"], "type": envelope["type"]}})

    for _, _, envelope in to_reporting:  # reporting applies what it was sent, and counts the person
        with reporting.app_context():
            assert reporting_service.handle_event(envelope) == "processed"
    with reporting.app_context():
        session = reporting.extensions["sqlalchemy"].session
        [fact] = session.scalars(sa.select(RegistrationFact)).all()
        assert (fact.gender, fact.participant_type, fact.status) == ("female", "pkk_cadre", "confirmed")
        assert session.get(RegistrationFact, person["id"]) is None  # keyed by a pseudonym, not the registration id


def test_reporting_keys_people_by_a_pseudonym_only_registration_can_make(apps, private_redis):
    """Reporting is never sent a registration's id, only its pseudonym (a keyed HMAC whose key only registration
    holds); notifications is sent the id but never the pseudonym, so no subscriber can link the two."""
    registration, reporting = apps
    person = register_someone(registration)
    with registration.app_context():
        service.bus.relay()
        service.cancel_registration(person["id"])  # by the person's own cancel link
        service.bus.relay()
        pseudonym = service.pseudonym(person["id"])
    to_reporting = [m for m in take(private_redis, "reporting") if m[2]["type"] in PSEUDONYMISED]
    to_notifications = [m for m in take(private_redis, "notifications") if m[2]["type"] in PSEUDONYMISED]
    assert [m[2]["type"] for m in to_reporting] == ["registration.created", "registration.cancelled"]
    for _headers, raw, envelope in to_reporting:
        assert person["id"] not in raw and envelope["payload"]["pseudonym"] == pseudonym
    for _headers, raw, envelope in to_notifications:
        assert pseudonym not in raw and envelope["payload"]["registration_id"] == person["id"]

    for _, _, envelope in to_reporting:
        with reporting.app_context():
            assert reporting_service.handle_event(envelope) == "processed"
    with reporting.app_context():
        db = reporting.extensions["sqlalchemy"]
        [fact] = db.session.scalars(sa.select(RegistrationFact)).all()
        assert fact.pseudonym == pseudonym and fact.status == "cancelled"  # later events find the same row
        assert "REPORTING_PSEUDONYM_KEY" not in reporting.config  # reporting holds no key to make one
        own_key = reporting.config["SECRET_KEY"].encode()
        guessed = hmac.new(own_key, f"reporting:{person['id']}".encode(), hashlib.sha256).hexdigest()[:32]
        assert guessed != pseudonym  # nor does its own secret make it
        for table in db.metadata.sorted_tables:  # the registration id is nowhere in reporting's store
            for row in db.session.execute(sa.select(table)).all():
                assert person["id"] not in repr(tuple(row)), table.name
    with registration.app_context():  # the key makes the same pseudonym every time; another key another one
        assert service.pseudonym(person["id"]) == pseudonym
        registration.config["REPORTING_PSEUDONYM_KEY"] = "another-key-of-registration"
        assert service.pseudonym(person["id"]) != pseudonym


def test_a_replay_to_reporting_withholds_the_same_fields(apps, private_redis):
    registration, _ = apps
    register_someone(registration)
    result = registration.test_cli_runner().invoke(args=["replay-events", "--to", "reporting"])
    assert result.exit_code == 0
    replayed = [m for m in take(private_redis, "reporting") if not m[2]["type"].startswith("staff.")]
    assert len(replayed) == 2
    for headers, raw, envelope in replayed:
        assert "Nur Aisyah Putri" not in raw and "http" not in raw
        assert headers["kwargsrepr"] == repr({"message": {"id": envelope["id"], "type": envelope["type"]}})


def test_only_the_subscriber_fields_are_withheld_from_may_go_without_them(apps, private_redis):
    registration, _ = apps
    register_someone(registration)
    with registration.app_context():
        service.bus.relay()
    ((_, _, minimised),) = [m for m in take(private_redis, "reporting") if m[2]["type"] == "registration.created"]
    with pytest.raises(ValidationError) as refused:  # notifications needs a name: the same message is refused
        consume(minimised)
    assert "full_name" in json.dumps(refused.value.messages)
    _, payload = consume(minimised, WITHHELD[TaskNames.REPORTING_HANDLE_EVENT])
    assert "full_name" not in payload and payload["gender"] == "female"
