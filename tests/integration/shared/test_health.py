"""/livez, /readyz and /healthz tell an orchestrator and an operator what each web can do."""

import pytest

from scripts.redis_local import free_port
from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from tests.factories import make_event_body, make_registration_body
from tests.integration.conftest import build

FACTORIES = [registration_app, notifications_app, reporting_app]


def dead_redis() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.mark.parametrize("factory", FACTORIES)
def test_healthz_is_ok_with_store_and_broker(factory, new_store, redis_url):
    response = build(factory, new_store("health"), redis_url).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["store"] == "ok" and response.json["broker"] == "ok"


@pytest.mark.parametrize("factory", FACTORIES)
def test_healthz_says_503_and_why_when_the_broker_is_gone(factory, new_store):
    response = build(factory, new_store("health"), dead_redis()).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["store"] == "ok" and response.json["broker"].startswith("unreachable")
    assert response.json["status"] == "degraded"


@pytest.mark.parametrize("factory", FACTORIES)
def test_readyz_is_ok_with_store_and_redis(factory, new_store, redis_url):
    response = build(factory, new_store("health"), redis_url).test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "store": "ok", "redis": "ok", "service": response.json["service"]}


@pytest.mark.parametrize("factory", FACTORIES)
def test_without_redis_a_web_is_degraded_but_still_ready_for_traffic(factory, new_store):
    response = build(factory, new_store("health"), dead_redis()).test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "degraded" and response.json["redis"] == "down"
    assert response.json["store"] == "ok"


def test_registration_keeps_taking_registrations_while_readyz_says_degraded(make_registration_app):
    client = make_registration_app(CELERY_BROKER_URL=dead_redis()).test_client()
    assert client.get("/readyz").json["status"] == "degraded"
    signed_in = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
    auth = {"Authorization": f"Bearer {signed_in.json['token']}"}
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth)
    assert event.status_code == 201
    response = client.post(f"/api/v1/events/{event.json['id']}/registrations", json=make_registration_body())
    assert response.status_code == 201 and response.json["status"] == "confirmed"


@pytest.mark.parametrize("factory", FACTORIES)
def test_without_its_store_a_web_is_alive_but_not_ready(factory, redis_url):
    gone = f"postgresql+psycopg://pelita@127.0.0.1:{free_port()}/gone"
    client = factory("test", SQLALCHEMY_DATABASE_URI=gone, REDIS_URL=redis_url, OUTBOX_NUDGE=False).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["status"] == "unready" and ready.json["store"] == "down" and ready.json["redis"] == "ok"
    assert "psycopg" not in ready.get_data(as_text=True)  # says what is down, not the driver's message
    live = client.get("/livez")
    assert live.status_code == 200 and live.json["status"] == "ok"
