"""The thin slice over real Redis and real workers: staff publish, a participant registers, a mail arrives once."""

import json
import time

import sqlalchemy as sa

from services.notifications.models import Notification
from services.notifications.models import ProcessedMessage as NotificationsProcessed
from services.registration.models import OutboxMessage, Registration
from services.reporting.models import DeadLetter as ReportingDeadLetter
from services.reporting.models import RegistrationFact
from shared.messaging.names import TaskNames
from tests.factories import make_event_body, make_registration_body
from tests.flow.conftest import staff_headers, summary, wait_for


def publish_event(stack, **overrides) -> dict:
    client = stack.app("registration").test_client()
    response = client.post("/api/v1/events", json=make_event_body(**overrides), headers=staff_headers(stack))
    assert response.status_code == 201, response.json
    return response.json


def register(stack, event_id: str, **overrides) -> dict:
    client = stack.app("registration").test_client()
    response = client.post(f"/api/v1/events/{event_id}/registrations", json=make_registration_body(**overrides))
    assert response.status_code == 201, response.json
    return response.json


def checkin_code(stack, registration: dict) -> str:
    """The code the person is sent (the API answer does not carry it): read from the registration's store."""
    query = sa.select(Registration.checkin_code).where(Registration.id == registration["id"])
    return stack.scalar("registration", query)


def stays_true(predicate, seconds: float) -> bool:
    """Check `predicate` keeps holding for `seconds` (used to show nothing more arrives)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not predicate():
            return False
        time.sleep(0.2)
    return True


def test_registration_flows_to_a_confirmation_mail_and_the_read_model(stack):
    event = publish_event(stack, title="Pelatihan Literasi Digital")
    client = stack.app("registration").test_client()
    assert [e["id"] for e in client.get("/api/v1/events").json] == [event["id"]]

    registration = register(stack, event["id"], email="aminah@contoh.id", full_name="Aminah")

    mails = wait_for(lambda: stack.smtp.mails_to("aminah@contoh.id"), message="the confirmation mail")
    assert "Pendaftaran terkonfirmasi" in mails[0].subject
    body = mails[0].text()
    assert "Halo Aminah" in body and checkin_code(stack, registration) in body and "WITA" in body
    assert "/k/" in body  # the short cancel link

    token = staff_headers(stack)
    figures = wait_for(
        lambda: (r := summary(stack, token)).get("registrations") == 1 and r,
        message="reporting to count the registration",
    )
    assert figures["events"] == 1 and figures["confirmed"] == 1
    assert stays_true(lambda: len(stack.smtp.mails_to("aminah@contoh.id")) == 1, 3)


def test_a_registration_taken_while_redis_is_down_is_mailed_once_redis_is_back(stack):
    event = publish_event(stack)
    wait_for(
        lambda: stack.count("registration", OutboxMessage, OutboxMessage.sent_at.is_(None)) == 0,
        message="the event to be relayed",
    )
    stack.stop_redis()

    started = time.monotonic()
    registration = register(stack, event["id"], email="rusdi@contoh.id")
    assert time.monotonic() - started < 2, "the API must not wait for the broker"
    assert stack.count("registration", OutboxMessage, OutboxMessage.sent_at.is_(None)) == 1

    stack.start_redis()  # empty: it kept nothing
    mails = wait_for(lambda: stack.smtp.mails_to("rusdi@contoh.id"), timeout=90, message="the mail after Redis returns")
    assert checkin_code(stack, registration) in mails[0].text()
    assert stays_true(lambda: len(stack.smtp.mails_to("rusdi@contoh.id")) == 1, 4)


def test_a_message_delivered_twice_has_one_effect(stack):
    event = publish_event(stack)
    register(stack, event["id"], email="dobel@contoh.id")
    wait_for(lambda: stack.smtp.mails_to("dobel@contoh.id"), message="the first mail")
    envelope = stack.scalar(
        "registration", sa.select(OutboxMessage.envelope).where(OutboxMessage.type == "registration.created")
    )

    celery = stack.app("registration").extensions["celery"]
    for _ in range(2):  # republished by hand, twice
        for task in (TaskNames.NOTIFICATIONS_HANDLE_EVENT, TaskNames.REPORTING_HANDLE_EVENT):
            celery.send_task(task, kwargs={"message": envelope}, queue=task.split(".")[0])

    def consumed_twice_more() -> bool:
        skipped = [
            stack.log(f"{name}-worker").count("duplicate message skipped") for name in ("notifications", "reporting")
        ]
        return min(skipped) >= 2

    wait_for(consumed_twice_more, message="both consumers to see the duplicates")
    assert len(stack.smtp.mails_to("dobel@contoh.id")) == 1
    assert stack.count("notifications", Notification, Notification.purpose == "confirmation") == 1
    assert (
        stack.count("notifications", NotificationsProcessed, NotificationsProcessed.message_id == envelope["id"]) == 1
    )
    assert stack.count("reporting", RegistrationFact) == 1
    # The workers log JSON lines carrying the message and correlation ids of the work in hand.
    lines = [json.loads(line) for line in stack.log("notifications-worker").splitlines() if line.startswith("{")]
    skipped = [line for line in lines if line.get("message") == "duplicate message skipped"]
    assert skipped and skipped[0]["message_id"] == envelope["id"]
    assert skipped[0]["correlation_id"] == envelope["correlation_id"] and skipped[0]["service"] == "notifications"


def test_a_message_that_breaks_its_contract_is_set_aside_and_the_worker_keeps_working(stack):
    celery = stack.app("registration").extensions["celery"]
    bad = {
        "id": "5f0c3c1e-2d7e-4a0b-9a51-2b8f4c0e9d11",
        "type": "registration.created",
        "version": 1,
        "occurred_at": "2026-03-17T00:30:00+00:00",
        "source": "registration",
        "correlation_id": "5f0c3c1e-2d7e-4a0b-9a51-2b8f4c0e9d11",
        "payload": {"registration_id": "not-a-uuid"},
    }
    celery.send_task(TaskNames.REPORTING_HANDLE_EVENT, kwargs={"message": bad}, queue="reporting")
    celery.send_task(TaskNames.REPORTING_HANDLE_EVENT, kwargs={"message": "not even an object"}, queue="reporting")

    wait_for(lambda: stack.count("reporting", ReportingDeadLetter) == 2, message="two dead letters")
    reason = stack.scalar(
        "reporting", sa.select(ReportingDeadLetter.reason).where(ReportingDeadLetter.message_id == bad["id"])
    )
    assert "registration_id" in reason and "event_id" in reason
    assert "message refused and dead-lettered" in stack.log("reporting-worker")

    event = publish_event(stack)
    register(stack, event["id"], email="lanjut@contoh.id")
    wait_for(lambda: stack.count("reporting", RegistrationFact) == 1, message="the worker to go on working")
