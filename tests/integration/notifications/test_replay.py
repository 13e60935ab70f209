"""`replay-events`: notifications' outbox sent again, so reporting can rebuild its delivery figures."""

import pytest
import sqlalchemy as sa
import time_machine
from kombu import Connection

from scripts.redis_local import free_port, start_redis
from services.notifications.app import create_app
from services.notifications.extensions import db
from services.reporting import service as reporting_service
from services.reporting.app import create_app as reporting_app
from services.reporting.models import DeliveryFact
from tests.integration.conftest import build
from tests.integration.notifications.conftest import publish_event, register, run_beat, wita
from tests.integration.notifications.test_delivery import TWILIO, ZENZIVA


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of this test's own, so reading the reporting queue takes nobody else's messages."""
    port = free_port()
    process = start_redis(port, tmp_path / "redis", tmp_path / "redis.log")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


@pytest.fixture
def apps(new_store, private_redis, smtp_server, gateway):
    base = gateway.url_for("").rstrip("/")
    notifications = build(
        create_app,
        new_store("notifications"),
        private_redis,
        SMTP_HOST=smtp_server.host,
        SMTP_PORT=smtp_server.port,
        ENQUEUE_AFTER_COMMIT=False,
        ZENZIVA_BASE_URL=base,
        TWILIO_BASE_URL=base,
    )
    reporting = build(reporting_app, new_store("reporting"), private_redis)
    yield notifications, reporting
    for app in (notifications, reporting):
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()


def reporting_queue(redis_url: str) -> list[dict]:
    """Take every task waiting on reporting's queue: [(task name, envelope)]."""
    taken = []
    with Connection(redis_url) as connection:
        queue = connection.SimpleQueue("reporting")
        while True:
            try:
                message = queue.get(block=True, timeout=0.5)
            except queue.Empty:
                break
            _args, kwargs, _embed = message.decode()
            taken.append((message.headers["task"], kwargs["message"]))
            message.ack()
        queue.close()
    return taken


def facts(reporting) -> list[tuple[str, str, str]]:
    with reporting.app_context():
        query = sa.select(DeliveryFact.purpose, DeliveryFact.channel, DeliveryFact.status)
        return sorted(tuple(row) for row in reporting.extensions["sqlalchemy"].session.execute(query))


def test_replaying_the_outbox_lets_reporting_rebuild_the_same_delivery_facts(apps, private_redis, gateway):
    notifications, reporting = apps
    gateway.expect_request(ZENZIVA).respond_with_json({"status": "0", "text": "Nomor tidak aktif"})
    gateway.expect_request(TWILIO).respond_with_json({"code": 21211, "message": "invalid To"}, 400)
    with time_machine.travel(wita(2026, 3, 13, 10, 0)):
        event = publish_event(notifications, wita(2026, 3, 17, 8, 30), reminder_offsets_minutes=[])
        register(notifications, event, email="ulang@contoh.id")
        register(notifications, event, preferred_channel="sms", email=None)
        assert sorted(run_beat(notifications)) == ["delivered", "failed"]
    with notifications.app_context():  # the relay sends the outbox as it would after these commits
        from services.notifications import service

        service.bus.relay()
    for _task, envelope in reporting_queue(private_redis):
        with reporting.app_context():
            reporting_service.handle_event(envelope)
    before = facts(reporting)
    assert before == [("confirmation", "email", "delivered"), ("confirmation", "sms", "failed")]

    with reporting.app_context():
        reporting_service.rebuild_read_model()
    assert facts(reporting) == []
    result = notifications.test_cli_runner().invoke(args=["replay-events", "--to", "reporting"])
    assert result.exit_code == 0 and result.output == "2 peristiwa dikirim ulang ke reporting.\n"
    replayed = reporting_queue(private_redis)
    assert {task for task, _ in replayed} == {"reporting.handle_event"}
    for _task, envelope in replayed:
        with reporting.app_context():
            reporting_service.handle_event(envelope)
    assert facts(reporting) == before
    with notifications.app_context():  # a replay leaves the outbox's acknowledgements alone
        assert db.session.scalar(sa.text("SELECT count(*) FROM outbox")) == 2


def test_replaying_to_a_service_that_consumes_nothing_of_ours_is_refused(apps):
    notifications, _ = apps
    result = notifications.test_cli_runner().invoke(args=["replay-events", "--to", "notifications"])
    assert result.exit_code == 2 and "Invalid value for '--to': 'notifications'" in result.output
