"""The fault suite (docs/reliability.md): crashes, a flushed broker, two beats, storms, races; invariants after each."""

import time
import uuid

import redis
import sqlalchemy as sa

from services.notifications.models import DeadLetter, Notification
from services.registration.models import OutboxMessage
from shared.messaging.names import TaskNames
from tests.factories import make_registration_body
from tests.flow.conftest import assert_invariants, staff_headers, wait_for
from tests.flow.test_thin_slice import publish_event, register, stays_true
from tests.flow.test_worker_crash import arm


def confirmation_mails(stack, address: str) -> list:
    return [m for m in stack.smtp.mails_to(address) if "terkonfirmasi" in m.subject.lower()]


def test_relay_killed_after_publishing_before_marking_sends_again_and_nothing_doubles(stack):
    stack.processes["registration_worker"].terminate()
    stack.processes["registration_worker"].wait(20)
    stack.start_worker("registration", PELITA_FAULT_POINTS="relay_after_publish_before_mark")
    event = publish_event(stack)
    wait_for(lambda: stack.count("registration", OutboxMessage, OutboxMessage.sent_at.is_(None)) == 0,
             message="the event relayed")  # fmt: skip
    arm(stack, "relay_after_publish_before_mark")
    register(stack, event["id"], email="relay@contoh.id")
    wait_for(lambda: "SIGKILL" in stack.log("registration-worker"), message="the relay to die mid-batch")
    wait_for(lambda: confirmation_mails(stack, "relay@contoh.id"), timeout=60, message="the mail")
    assert stays_true(lambda: len(confirmation_mails(stack, "relay@contoh.id")) == 1, 4)
    assert_invariants(stack)


def test_a_flushed_broker_loses_nothing(stack):
    event = publish_event(stack)
    stack.processes["notifications_worker"].terminate()  # messages pile up in Redis...
    stack.processes["notifications_worker"].wait(20)
    people = [register(stack, event["id"], email=f"flush{n}@contoh.id") for n in range(5)]
    wait_for(lambda: stack.count("registration", OutboxMessage, OutboxMessage.sent_at.is_(None)) == 0,
             message="the registrations handed to Redis")  # fmt: skip
    redis.Redis.from_url(stack.redis_url).flushall()  # ...and Redis forgets them
    stack.start_worker("notifications")
    for n in range(len(people)):
        wait_for(lambda n=n: confirmation_mails(stack, f"flush{n}@contoh.id"), timeout=90, message=f"mail {n}")
    assert_invariants(stack)


def test_two_beats_per_service_send_each_message_once(stack):
    for service in ("registration", "notifications", "reporting"):
        process = stack.start_beat(service, suffix="-second")
        assert process.poll() is None
    event = publish_event(stack)
    for n in range(4):
        register(stack, event["id"], email=f"dua{n}@contoh.id")
    for n in range(4):
        wait_for(lambda n=n: confirmation_mails(stack, f"dua{n}@contoh.id"), timeout=60, message=f"mail {n}")
    assert stays_true(lambda: all(len(confirmation_mails(stack, f"dua{n}@contoh.id")) == 1 for n in range(4)), 4)
    assert_invariants(stack)


def test_a_duplicate_delivery_storm_has_one_effect(stack):
    event = publish_event(stack)
    register(stack, event["id"], email="badai@contoh.id")
    wait_for(lambda: confirmation_mails(stack, "badai@contoh.id"), message="the first mail")
    envelope = stack.scalar(
        "registration", sa.select(OutboxMessage.envelope).where(OutboxMessage.type == "registration.created")
    )
    celery = stack.app("registration").extensions["celery"]
    for _ in range(50):
        celery.send_task(TaskNames.NOTIFICATIONS_HANDLE_EVENT, kwargs={"message": envelope}, queue="notifications")
    wait_for(lambda: stack.log("notifications-worker").count("duplicate message skipped") >= 50, timeout=90,
             message="the storm to pass")  # fmt: skip
    assert len(confirmation_mails(stack, "badai@contoh.id")) == 1
    assert stack.count("notifications", Notification, Notification.purpose == "confirmation") == 1
    assert_invariants(stack)


def test_a_cancellation_racing_the_dispatcher_leaves_no_reminder_to_send(stack):
    event = publish_event(stack, capacity=1)
    person = register(stack, event["id"], email="balapan@contoh.id")
    client = stack.app("registration").test_client()
    assert client.post(f"/api/v1/registrations/{person['id']}/cancel", headers=staff_headers(stack)).status_code == 200

    def reminders_settled():
        open_ = Notification.status.in_(("pending", "sending"))
        pending = stack.count("notifications", Notification, Notification.purpose == "reminder", open_)
        return stack.count("notifications", Notification, Notification.purpose == "reminder") > 0 and pending == 0

    wait_for(reminders_settled, timeout=60, message="the reminders to be cancelled")
    assert stack.count("notifications", Notification, Notification.purpose == "reminder",
                       Notification.status == "sent") == 0  # fmt: skip
    assert_invariants(stack)


def test_a_worker_killed_after_smtp_took_the_mail_resends_once_and_flags_it(stack):
    stack.processes["notifications_worker"].terminate()
    stack.processes["notifications_worker"].wait(20)
    stack.start_worker("notifications", PELITA_FAULT_POINTS="after_provider_call_before_commit")
    event = publish_event(stack)
    arm(stack, "after_provider_call_before_commit")
    register(stack, event["id"], email="setelah@contoh.id")
    mails = wait_for(lambda: len(confirmation_mails(stack, "setelah@contoh.id")) >= 2 and confirmation_mails(
        stack, "setelah@contoh.id"), timeout=60, message="the resend")  # fmt: skip
    assert mails[0].message_id == mails[1].message_id  # the same message, recognisable as such by the receiver
    assert stays_true(lambda: len(confirmation_mails(stack, "setelah@contoh.id")) == 2, 6)  # resent once, not forever
    flagged = stack.scalar("notifications", sa.select(Notification.possible_duplicate).where(
        Notification.purpose == "confirmation"))  # fmt: skip
    assert flagged is True
    assert_invariants(stack, allow_possible_duplicates=True)


def test_the_form_keeps_taking_registrations_while_redis_is_down_and_mails_follow(stack):
    from tests.integration.registration.test_public_form import form_fields, hidden

    event = publish_event(stack)
    wait_for(lambda: stack.count("registration", OutboxMessage, OutboxMessage.sent_at.is_(None)) == 0,
             message="the event relayed")  # fmt: skip
    client, url = stack.app("registration").test_client(), f"/acara/{event['id']}/daftar"
    stack.stop_redis()  # the broker and the rate limiter's store are both gone
    forms = [hidden(client.get(url).text) for _ in range(10)]  # ten people open the form...
    time.sleep(stack.app("registration").config["FORM_MIN_SECONDS"])  # ...and take a moment to fill it in
    statuses = []
    for n, shown in enumerate(forms):
        fields = form_fields(**shown, phone=f"0812-3456-70{n:02d}", email=f"form{n}@contoh.id",
                             preferred_channel="email")  # fmt: skip
        statuses.append(client.post(url, data=fields).status_code)
    assert statuses == [303] * 10  # no 5xx, nothing refused
    stack.start_redis()
    for n in range(10):
        wait_for(lambda n=n: stack.smtp.mails_to(f"form{n}@contoh.id"), timeout=90, message=f"mail {n}")
    assert_invariants(stack)


def test_redis_killed_with_aof_while_registrations_flow_loses_and_doubles_nothing(stack):
    aof = ("--appendonly", "yes", "--appendfsync", "everysec")
    stack.stop_redis()
    stack.start_redis(*aof)
    assert redis.Redis.from_url(stack.redis_url).info("persistence")["aof_enabled"] == 1
    event = publish_event(stack)
    client = stack.app("registration").test_client()
    statuses: list[int] = []

    def burst(start: int) -> None:
        for n in range(start, start + 15):
            body = make_registration_body(email=f"aof{n}@contoh.id")
            statuses.append(client.post(f"/api/v1/events/{event['id']}/registrations", json=body).status_code)

    burst(0)
    stack.stop_redis()  # SIGKILL while those are being relayed: what Redis had not yet written to its AOF is gone
    burst(15)  # the API goes on while Redis is down
    stack.start_redis(*aof)  # back, with what the AOF kept
    burst(30)
    assert statuses == [201] * 45
    for n in range(45):
        wait_for(lambda n=n: confirmation_mails(stack, f"aof{n}@contoh.id"), timeout=120, message=f"mail {n}")
    assert_invariants(stack)


def test_unknown_versions_and_unreadable_messages_are_set_aside_while_valid_ones_flow(stack):
    """T16: a message of a contract version we do not know, one without an id, and a body that is not JSON at all
    go aside (each to dead_letters once; the third refused by the worker before any task sees it) and valid ones
    flow on."""
    from kombu import Queue

    event = publish_event(stack)
    register(stack, event["id"], email="sebelum@contoh.id")
    wait_for(lambda: confirmation_mails(stack, "sebelum@contoh.id"), message="the first mail")
    envelope = stack.scalar(
        "registration", sa.select(OutboxMessage.envelope).where(OutboxMessage.type == "registration.created")
    )
    future = {**envelope, "id": str(uuid.uuid4()), "version": 99}
    anonymous = {key: value for key, value in envelope.items() if key != "id"}
    celery = stack.app("registration").extensions["celery"]
    for message in (future, anonymous):
        celery.send_task(TaskNames.NOTIFICATIONS_HANDLE_EVENT, kwargs={"message": message}, queue="notifications")
    pickled = str(uuid.uuid4())
    with celery.connection_for_write() as connection:  # what no Celery client sends: a pickle, not JSON
        connection.Producer().publish(
            b"\x80\x04\x95not json",
            exchange="",
            routing_key="notifications",
            declare=[Queue("notifications")],
            content_type="application/x-python-serialize",
            content_encoding="binary",
            headers={"task": TaskNames.NOTIFICATIONS_HANDLE_EVENT, "id": pickled, "lang": "py"},
        )
    for n in range(5):
        register(stack, event["id"], email=f"sesudah{n}@contoh.id")
    for n in range(5):
        wait_for(lambda n=n: confirmation_mails(stack, f"sesudah{n}@contoh.id"), timeout=60, message=f"mail {n}")

    wait_for(lambda: stack.count("notifications", DeadLetter) == 3, message="three dead letters")
    reasons = {
        row.message_id: (row.reason, row.count, row.body)
        for row in stack.rows(
            "notifications", sa.select(DeadLetter.message_id, DeadLetter.reason, DeadLetter.count, DeadLetter.body)
        )
    }
    assert "unknown message type/version registration.created v99" in reasons[future["id"]][0]
    assert "'id': ['Missing data for required field.']" in reasons[None][0]
    reason, _, body = reasons[pickled]
    assert "ContentDisallowed" in reason and "pickle" in reason
    assert body["content_type"] == "application/x-python-serialize" and "not json" in body["raw"]
    assert body["task"] == TaskNames.NOTIFICATIONS_HANDLE_EVENT
    assert {count for _, count, _ in reasons.values()} == {1}  # refused once each: no requeue loop
    assert "rejected content-type application/x-python-serialize" in stack.log("notifications-worker")
    queue = redis.Redis.from_url(stack.redis_url)
    wait_for(lambda: queue.llen("notifications") == 0, message="the queue empty again: nothing left to loop on")
    log = stack.log("notifications-worker")
    assert log.count("message refused and dead-lettered") == 3
    assert "Received invalid task message: Refusing to deserialize untrusted content" in log, log[-3000:]
    assert log.count("The message has been ignored and discarded") == 1  # once: not redelivered
    assert stack.count("notifications", Notification, Notification.purpose == "confirmation") == 6
