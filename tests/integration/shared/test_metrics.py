"""GET /metrics of every service: what every one shows (its queue, its outbox), behind METRICS_TOKEN when set."""

import re

import pytest
import redis
import yaml

from scripts.redis_local import free_port
from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from shared.messaging.names import TaskNames
from tests.conftest import ROOT
from tests.integration.conftest import build
from tests.support import read_metrics

FACTORIES = {"registration": registration_app, "notifications": notifications_app, "reporting": reporting_app}
RELAY = {
    "registration": TaskNames.REGISTRATION_RELAY_OUTBOX,
    "notifications": TaskNames.NOTIFICATIONS_RELAY_OUTBOX,
    "reporting": TaskNames.REPORTING_RELAY_OUTBOX,
}


@pytest.fixture
def empty_queues(redis_url):
    """The test Redis without the services' Celery queues, before and after (no worker takes them here)."""
    client = redis.Redis.from_url(redis_url)
    client.delete(*FACTORIES)
    yield client
    client.delete(*FACTORIES)
    client.close()


@pytest.mark.parametrize("service", FACTORIES)
def test_the_queue_depth_is_the_tasks_waiting_for_a_worker(service, new_store, redis_url, empty_queues):
    app = build(FACTORIES[service], new_store(service), redis_url)
    client = app.test_client()
    assert read_metrics(client)[("pelita_queue_depth", ("queue", service))] == 0
    celery = app.extensions["celery"]
    for _ in range(3):
        celery.send_task(RELAY[service], queue=service)
    metrics = read_metrics(client)
    assert metrics[("pelita_queue_depth", ("queue", service))] == 3
    assert metrics[("pelita_broker_up", ("service", service))] == 1


@pytest.mark.parametrize("service", FACTORIES)
def test_with_redis_down_metrics_still_answer_and_say_so(service, new_store):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    metrics = read_metrics(build(FACTORIES[service], new_store(service), dead).test_client())
    assert metrics[("pelita_broker_up", ("service", service))] == 0
    assert ("pelita_outbox_backlog", ("service", service)) in metrics  # the store still answers


@pytest.mark.parametrize("service", FACTORIES)
def test_with_metrics_token_set_only_prometheus_reads_the_page(service, new_store, redis_url):
    token = "t0ken-for-prometheus-only-0123456789"
    client = build(FACTORIES[service], new_store(service), redis_url, METRICS_TOKEN=token).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert ("pelita_outbox_backlog", ("service", service)) in read_metrics(client, {"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("service", FACTORIES)
def test_metrics_are_not_in_the_api_spec_and_not_cached(service, new_store, redis_url):
    client = build(FACTORIES[service], new_store(service), redis_url).test_client()
    assert "/metrics" not in client.get("/api/openapi.json").json["paths"]
    assert client.get("/metrics").headers["Cache-Control"] == "no-store"


def test_prometheus_scrapes_every_web_and_alerts_only_on_metrics_the_services_show(new_store, redis_url):
    deploy = ROOT / "deploy"
    prometheus = yaml.safe_load((deploy / "prometheus.yml").read_text())
    assert prometheus["rule_files"] == ["alerts.yml"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    targets = {}
    for job in prometheus["scrape_configs"]:
        assert job["authorization"]["credentials_file"]  # METRICS_TOKEN, never written in the file
        [target] = [t for group in job["static_configs"] for t in group["targets"]]
        targets[job["job_name"]] = target
    for service in FACTORIES:
        host, port = targets[f"pelita-{service}"].split(":")
        assert host == f"{service}-web" and f"--bind 0.0.0.0:{port}" in compose[host]["command"]

    shown = set()
    for service, factory in FACTORIES.items():
        shown |= {key[0] for key in read_metrics(build(factory, new_store(service), redis_url).test_client())}
    rules = [rule for group in yaml.safe_load((deploy / "alerts.yml").read_text())["groups"] for rule in group["rules"]]
    named = {rule["alert"] for rule in rules}
    assert {"PelitaOutboxStuck", "PelitaReminderLag", "PelitaProviderFailing", "PelitaReportSchedulePaused"} <= named
    for rule in rules:
        for metric in re.findall(r"\bpelita_\w+", rule["expr"]):
            assert metric in shown, f"{rule['alert']}: {metric} is not shown by any service"
