"""A worker killed mid-message: after the restart the effect happens exactly once."""

import signal

import pytest
import sqlalchemy as sa

from services.notifications.models import Notification
from tests.flow.conftest import wait_for
from tests.flow.test_thin_slice import publish_event, register, stays_true


def arm(stack, point: str) -> None:
    import redis

    redis.Redis.from_url(stack.redis_url).set(f"pelita:fault:{point}", 1)


def restart_notifications_worker(stack, points: str, **extra_env: str) -> None:
    stack.processes["notifications_worker"].terminate()
    stack.processes["notifications_worker"].wait(20)
    stack.start_worker("notifications", PELITA_FAULT_POINTS=points, **extra_env)


def test_worker_killed_before_committing_an_event_applies_it_once_after_redelivery(stack):
    restart_notifications_worker(stack, "handle_event_before_commit")
    event = publish_event(stack)
    arm(stack, "handle_event_before_commit")
    register(stack, event["id"], email="crash1@contoh.id")

    log = stack.tmp / "notifications-worker.log"
    wait_for(
        lambda: "WorkerLostError" in log.read_text() or ("Process" in log.read_text() and "SIGKILL" in log.read_text()),
        message="the worker child to die",
    )
    mails = wait_for(lambda: stack.smtp.mails_to("crash1@contoh.id"), timeout=120, message="the mail after redelivery")
    assert len(mails) == 1
    assert stays_true(lambda: len(stack.smtp.mails_to("crash1@contoh.id")) == 1, 5)
    assert stack.count("notifications", Notification, Notification.purpose == "confirmation") == 1


def test_worker_killed_before_calling_smtp_sends_the_mail_once_after_restart(stack):
    restart_notifications_worker(stack, "before_provider_call")
    event = publish_event(stack)
    arm(stack, "before_provider_call")
    register(stack, event["id"], email="crash2@contoh.id")

    wait_for(lambda: "SIGKILL" in stack.log("notifications-worker"), message="the kill")
    worker = stack.processes["notifications_worker"]
    worker.send_signal(signal.SIGKILL)  # and the whole worker goes down too, as in a power cut
    worker.wait(10)
    stack.start_worker("notifications")

    mails = wait_for(lambda: stack.smtp.mails_to("crash2@contoh.id"), timeout=120, message="the mail after restart")
    assert len(mails) == 1
    assert stays_true(lambda: len(stack.smtp.mails_to("crash2@contoh.id")) == 1, 5)


@pytest.mark.parametrize(
    "extra_env",
    [
        pytest.param({}, id="sent-at-once-or-by-the-dispatcher"),
        # Nothing is handed to a worker after the commit: only the dispatcher's batches send (send_batch).
        pytest.param({"NOTIFICATIONS_ENQUEUE_AFTER_COMMIT": "false"}, id="sent-in-a-dispatcher-batch"),
    ],
)
def test_worker_killed_right_after_claiming_a_message_sends_it_once_after_the_release(stack, extra_env):
    """after_claim: the message is claimed (`sending`) and nothing has gone out; the redelivered task finds it
    claimed and skips it, the dispatcher releases it after NOTIFICATIONS_STUCK_AFTER_SECONDS, and it goes once."""
    restart_notifications_worker(stack, "after_claim", **extra_env)
    event = publish_event(stack)
    arm(stack, "after_claim")
    register(stack, event["id"], email="klaim@contoh.id")

    wait_for(lambda: "SIGKILL" in stack.log("notifications-worker"), message="the kill right after the claim")
    mails = wait_for(lambda: stack.smtp.mails_to("klaim@contoh.id"), timeout=120, message="the mail after the release")
    assert len(mails) == 1
    assert stays_true(lambda: len(stack.smtp.mails_to("klaim@contoh.id")) == 1, 5)
    status = stack.scalar("notifications", sa.select(Notification.status).where(Notification.purpose == "confirmation"))
    assert status == "delivered"
