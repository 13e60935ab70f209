"""End-to-end acknowledgements in batches: consumers send one ack task per burst, producers apply it at once."""

import sqlalchemy as sa

from services.registration import service
from services.registration.extensions import db
from services.registration.models import OutboxMessage
from shared import outbox
from shared.messaging.names import EventNames, TaskNames
from tests.conftest import wait_for
from tests.factories import make_event_published

NOTIFICATIONS, REPORTING = TaskNames.NOTIFICATIONS_HANDLE_EVENT, TaskNames.REPORTING_HANDLE_EVENT


def emit_three(app) -> list[str]:
    with app.app_context():
        for _ in range(3):
            service.bus.emit(EventNames.EVENT_PUBLISHED, make_event_published())
        db.session.commit()
        query = sa.select(OutboxMessage.message_id).where(OutboxMessage.type == EventNames.EVENT_PUBLISHED)
        return list(db.session.scalars(query.order_by(OutboxMessage.seq)))


def state(app) -> list[tuple[list, bool]]:
    with app.app_context():
        query = sa.select(OutboxMessage).where(OutboxMessage.type == EventNames.EVENT_PUBLISHED)  # not the admin's
        rows = db.session.scalars(query.order_by(OutboxMessage.seq))
        return [(row.awaiting, row.delivered_at is not None) for row in rows]


def test_a_batch_of_acks_completes_what_every_subscriber_applied_and_a_second_time_changes_nothing(registration):
    first, second, third = emit_three(registration)
    acks = [[first, NOTIFICATIONS], [first, REPORTING], [second, REPORTING], [third, "someone.else"]]
    with registration.app_context():
        assert service.bus.ack(acks=acks) == 1
        assert service.bus.ack(acks=acks) == 0  # the same batch again (a redelivered task)
        assert service.bus.ack(second, NOTIFICATIONS) == 1  # one ack alone, as before
    assert state(registration) == [([], True), ([], True), ([NOTIFICATIONS, REPORTING], False)]


class RecordingCelery:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def send_task(self, name, args=None, kwargs=None, **options):
        self.sent.append((name, kwargs))


def test_acks_of_a_burst_leave_as_one_task_per_producer(monkeypatch):
    monkeypatch.setattr(outbox, "ACK_BATCH_SECONDS", 0.2)
    celery = RecordingCelery()
    for n in range(5):
        outbox.send_ack(celery, {"id": f"r{n}", "source": "registration"}, NOTIFICATIONS)
    outbox.send_ack(celery, {"id": "n1", "source": "notifications"}, REPORTING)
    wait_for(lambda: len(celery.sent) == 2, timeout=10, message="the two ack tasks")
    assert sorted(celery.sent) == [
        ("notifications.ack_outbox", {"acks": [["n1", REPORTING]]}),
        ("registration.ack_outbox", {"acks": [[f"r{n}", NOTIFICATIONS] for n in range(5)]}),
    ]


def test_a_worker_process_ending_cleanly_sends_the_acks_still_waiting(monkeypatch):
    monkeypatch.setattr(outbox, "ACK_BATCH_SECONDS", 1.0)
    celery = RecordingCelery()
    outbox.send_ack(celery, {"id": "r1", "source": "registration"}, NOTIFICATIONS)
    outbox.flush_acks()  # what the worker_process_shutdown signal does
    assert celery.sent == [("registration.ack_outbox", {"acks": [["r1", NOTIFICATIONS]]})]
