"""The shared purges of bus records: each on its own clock, in batches, never an undelivered message."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.registration import service
from services.registration.extensions import db
from services.registration.models import DeadLetter, OutboxMessage, ProcessedMessage
from shared import retention
from shared.consumer import purge_dead_letters, purge_processed
from shared.messaging.names import EventNames
from shared.outbox import purge_delivered
from tests.factories import make_event_published

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_each_record_goes_on_its_own_clock_in_batches_and_twice_is_once(registration, time_machine, monkeypatch):
    monkeypatch.setattr(retention, "BATCH_SIZE", 7)  # many batches from a few rows
    time_machine.move_to(T0)
    with registration.app_context():
        for _ in range(20):
            service.bus.emit(EventNames.EVENT_PUBLISHED, make_event_published())
        db.session.commit()
        ids = list(db.session.scalars(sa.select(OutboxMessage.message_id).order_by(OutboxMessage.seq)))
        delivered, waiting = ids[:16], ids[16:]
        db.session.execute(
            sa.update(OutboxMessage).where(OutboxMessage.message_id.in_(delivered)).values(awaiting=[], delivered_at=T0)
        )
        db.session.add_all(ProcessedMessage(message_id=f"p{n}", type="event.published") for n in range(15))
        db.session.add_all(DeadLetter(message_id=f"d{n}", reason="bad", body={}) for n in range(3))
        db.session.commit()

    time_machine.move_to(T0 + timedelta(days=20))  # past the outbox's 7 days, within the others' 30
    with registration.app_context():
        seen_again = db.session.scalars(sa.select(DeadLetter).where(DeadLetter.message_id == "d0")).one()
        seen_again.last_seen, seen_again.count = T0 + timedelta(days=20), 2  # refused once more today
        db.session.commit()
        assert service.bus.purge() == {"outbox": 16, "processed": 0, "dead_letters": 0}

    time_machine.move_to(T0 + timedelta(days=45))
    with registration.app_context():
        assert service.bus.purge() == {"outbox": 0, "processed": 15, "dead_letters": 2}
        assert service.bus.purge() == {"outbox": 0, "processed": 0, "dead_letters": 0}
        assert sorted(db.session.scalars(sa.select(OutboxMessage.message_id))) == sorted(waiting)
        assert list(db.session.scalars(sa.select(DeadLetter.message_id))) == ["d0"]  # last seen 25 days ago
        assert count(ProcessedMessage) == 0


def test_an_undelivered_outbox_row_is_kept_however_old(registration, time_machine):
    time_machine.move_to(T0)
    with registration.app_context():
        undelivered = count(OutboxMessage)  # the seeded admin's staff.changed, never relayed here
        service.bus.emit(EventNames.EVENT_PUBLISHED, make_event_published())
        db.session.commit()
    time_machine.move_to(T0 + timedelta(days=3650))
    with registration.app_context():
        now = datetime.now(UTC)
        assert purge_delivered(db.session, OutboxMessage, now) == 0
        assert purge_processed(db.session, ProcessedMessage, now) == 0
        assert purge_dead_letters(db.session, DeadLetter, now) == 0
        assert count(OutboxMessage) == undelivered + 1


def test_an_update_that_leaves_its_rows_due_stops_instead_of_looping(registration):
    with registration.app_context():
        service.bus.emit(EventNames.EVENT_PUBLISHED, make_event_published())
        db.session.commit()
        due = OutboxMessage.attempts == 0
        with pytest.raises(RuntimeError, match="does not take rows out"):
            retention.update_in_batches(db.session, OutboxMessage.seq, due, {"last_error": "x"})
