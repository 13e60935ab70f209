"""One service's end of the message bus: emit through its outbox, relay, acknowledge, consume once."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from shared.consumer import Handler, dead_letter_refused, handle_message, purge_dead_letters, purge_processed
from shared.messaging.publisher import make_envelope
from shared.nudge import NUDGE_BURST_COMMITS, NUDGE_BURST_GAP_SECONDS, NUDGE_GAP_SECONDS, Nudges, nudge_relay
from shared.outbox import (
    add_envelope_to_outbox,
    add_to_outbox,
    purge_delivered,
    record_acks,
    relay_pending,
)
from shared.retention import cutoff


@dataclass
class ServiceBus:
    """Bundle a service's store, Celery app and messaging tables, so each service wires them once."""

    service: str
    db: object
    celery: object
    outbox_model: type
    processed_model: type
    dead_letter_model: type

    def __post_init__(self) -> None:
        from celery.signals import task_rejected

        self._nudges = Nudges(self._wake_relay, NUDGE_GAP_SECONDS, NUDGE_BURST_GAP_SECONDS, NUDGE_BURST_COMMITS)

        task_rejected.connect(self._refused, weak=False)

    def _refused(self, sender=None, message=None, exc=None, **kwargs) -> None:
        """Keep a message this service's worker refused undecoded in dead_letters (it is dropped after this)."""
        if getattr(sender, "app", None) is not self.celery or message is None:
            return
        with self.celery.flask_app.app_context():
            try:
                dead_letter_refused(self.db.session, self.dead_letter_model, message, exc)
            finally:
                self.db.session.remove()
                self.db.engine.dispose()  # the worker's main process: leave no connection for a forked child

    def emit(self, event_type: str, payload: dict, correlation_id: str | None = None) -> None:
        """Stage an event in the outbox, in the caller's transaction (the caller commits)."""
        add_to_outbox(
            self.db.session, self.outbox_model, event_type, payload, source=self.service, correlation_id=correlation_id
        )

    def envelope(self, event_type: str, payload: dict) -> dict:
        """Validate `payload` and make its envelope now, to be emitted later by `emit_envelope` (so the checks can
        run before a transaction holds any lock)."""
        return make_envelope(event_type, payload, source=self.service)

    def emit_envelope(self, envelope: dict) -> None:
        """Stage an envelope made by `envelope()` in the outbox, in the caller's transaction (the caller commits)."""
        add_envelope_to_outbox(self.db.session, self.outbox_model, envelope)

    def nudge(self) -> None:
        """Wake the relay after a commit, never blocking the caller (a rush's commits share nudges: shared.nudge)."""
        flask_app = getattr(self.celery, "flask_app", None)
        if flask_app is None or flask_app.config.get("OUTBOX_NUDGE", True):
            self._nudges()

    def _wake_relay(self) -> None:
        nudge_relay(self.celery, f"{self.service}.relay_outbox")

    def relay(self) -> int:
        """Send due outbox rows (safe to run twice)."""
        republish_after = current_app.config["OUTBOX_REPUBLISH_SECONDS"]
        return relay_pending(self.db.session, self.outbox_model, self.celery, republish_after=republish_after)

    def ack(self, message_id: str | None = None, subscriber: str | None = None, acks=None) -> int:
        """Record that subscribers applied our messages: one (message_id, subscriber), or a batch of such pairs
        (`acks`); return how many messages that completed (safe to run twice)."""
        pairs = [*(acks or []), *([(message_id, subscriber)] if message_id and subscriber else [])]
        return record_acks(self.db.session, self.outbox_model, pairs)

    def handle(self, message: object, handlers: dict[str, Handler]) -> str:
        """Apply an incoming message once and acknowledge it to its producer (safe to run twice)."""
        return handle_message(
            self.db.session,
            message,
            handlers,
            processed_model=self.processed_model,
            dead_letter_model=self.dead_letter_model,
            celery=self.celery,
            subscriber=f"{self.service}.handle_event",
        )

    def purge(self, now: datetime | None = None) -> dict[str, int]:
        """Delete this service's delivered outbox rows, old processed ids and old dead letters, each on its own
        clock (OUTBOX_, PROCESSED_ and DEAD_LETTER_RETENTION_DAYS); return the counts (safe to run twice)."""
        config, session = current_app.config, self.db.session
        return {
            "outbox": purge_delivered(session, self.outbox_model, cutoff(config["OUTBOX_RETENTION_DAYS"], now)),
            "processed": purge_processed(
                session, self.processed_model, cutoff(config["PROCESSED_RETENTION_DAYS"], now)
            ),
            "dead_letters": purge_dead_letters(
                session, self.dead_letter_model, cutoff(config["DEAD_LETTER_RETENTION_DAYS"], now)
            ),
        }


def replay(session, outbox_model, celery, task_name: str, *, batch_size: int = 500) -> int:
    """Send every event in the outbox, oldest first, to one subscriber task again (to rebuild its read model).

    The acknowledgement state of the rows is left alone: a replay is extra delivery, deduplicated by the consumer
    unless it emptied its processed_messages first.
    """
    from sqlalchemy import select

    from shared.messaging.names import queue_for
    from shared.messaging.publisher import for_subscriber, task_repr
    from shared.messaging.routing import SUBSCRIBERS

    sent, last_seq = 0, 0
    while True:
        rows = session.scalars(
            select(outbox_model).where(outbox_model.seq > last_seq).order_by(outbox_model.seq).limit(batch_size)
        ).all()
        if not rows:
            return sent
        for row in rows:
            if task_name in SUBSCRIBERS.get(row.type, ()):
                message = for_subscriber(row.envelope, task_name)
                celery.send_task(
                    task_name, kwargs={"message": message}, queue=queue_for(task_name), **task_repr(row.envelope)
                )
                sent += 1
        last_seq = rows[-1].seq
        session.rollback()
