"""A worker killed mid-message: after the restart the effect happens exactly once."""

import signal

from services.notifications.models import Notification
from tests.flow.conftest import wait_for
from tests.flow.test_thin_slice import publish_event, register, stays_true


def arm(stack, point: str) -> None:
    import redis

    redis.Redis.from_url(stack.redis_url).set(f"pelita:fault:{point}", 1)


def restart_notifications_worker(stack, points: str) -> None:
    stack.processes["notifications_worker"].terminate()
    stack.processes["notifications_worker"].wait(20)
    stack.start_worker("notifications", PELITA_FAULT_POINTS=points)


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
