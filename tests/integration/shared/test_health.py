"""GET /healthz tells an operator whether each service reaches its store and the broker."""

import pytest

from scripts.redis_local import free_port
from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from tests.integration.conftest import build


@pytest.mark.parametrize("factory", [registration_app, notifications_app, reporting_app])
def test_healthz_is_ok_with_store_and_broker(factory, new_store, redis_url):
    response = build(factory, new_store("health"), redis_url).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["store"] == "ok" and response.json["broker"] == "ok"


@pytest.mark.parametrize("factory", [registration_app, notifications_app, reporting_app])
def test_healthz_says_503_and_why_when_the_broker_is_gone(factory, new_store):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    response = build(factory, new_store("health"), dead).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["store"] == "ok" and response.json["broker"].startswith("unreachable")
    assert response.json["status"] == "degraded"
