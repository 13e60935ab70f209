"""Retention in the notifications store: message texts go after a month, whom they went to after a year."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.notifications import retention, service, store
from services.notifications.extensions import db
from services.notifications.models import DeadLetter, Notification, OptOut, OutboxMessage
from shared.messaging.names import TaskNames
from tests.integration.notifications.conftest import publish_event, register, rows, run_beat, wita
from tests.integration.retention import leftovers, table_rows

AHMAD = {
    "full_name": "Ahmad Fauzi",
    "phone": "+6281234567890",
    "email": "ahmad.fauzi@contoh.id",
    "checkin_code": "HJK2345M",
    "checkin_url": "http://127.0.0.1:8001/staf/checkin/HJK2345M.tanda-tangan",
    "cancel_url": "http://127.0.0.1:8001/r/token-ahmad/batal",
}
RINA = {
    "full_name": "Rina Lestari",
    "phone": "+6285298765432",
    "email": "rina.lestari@contoh.id",
    "checkin_code": "PQR7654X",
    "cancel_url": "http://127.0.0.1:8001/r/token-rina/batal",
}
TABLES = ("recipients", "notifications", "opt_outs", "outbox", "dead_letters", "processed_messages")


def snapshot(app) -> dict:
    with app.app_context():
        return {table: table_rows(db, table) for table in TABLES}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_year_after_the_event_nothing_names_its_participants_and_opt_outs_still_hold(app, smtp_server, time_machine):
    time_machine.move_to(wita(2030, 2, 25, 10, 0))
    old_event = publish_event(app, wita(2030, 3, 1, 8, 30))
    register(app, old_event, **AHMAD)
    assert run_beat(app) == ["delivered"]  # the confirmation; the reminders wait
    assert smtp_server.mails_to(AHMAD["email"])
    with app.app_context():
        service.set_opt_out(AHMAD["phone"], active=True, source="sms")
        db.session.add(DeadLetter(message_id="x1", type="registration.created", reason="bad", body=dict(AHMAD)))
        db.session.commit()
        delivered = db.session.scalars(sa.select(OutboxMessage.message_id)).first()
        # notification.delivered, applied by reporting and by registration (the participant's message history)
        for subscriber in (TaskNames.REPORTING_HANDLE_EVENT, TaskNames.REGISTRATION_HANDLE_EVENT):
            service.bus.ack(delivered, subscriber)

    time_machine.move_to(wita(2030, 4, 6, 2, 30))  # 36 days on: texts go, the event's people are still known
    with app.app_context():
        counts = retention.purge_old_data()
    assert counts["messages_emptied"] == 1 and counts["recipients_anonymised"] == 0
    assert counts["outbox"] == 1 and counts["dead_letters"] == 1  # on their own, shorter clocks
    (confirmation,) = [n for n in rows(app) if n.purpose == "confirmation"]
    assert (confirmation.body, confirmation.subject, confirmation.to) == ("", "", AHMAD["email"])
    assert confirmation.status == "delivered" and confirmation.sent_at is not None  # the staff log still shows it went

    time_machine.move_to(wita(2031, 3, 10, 10, 0))
    recent_event = publish_event(app, wita(2031, 4, 1, 8, 30))
    rina = register(app, recent_event, **RINA)
    assert run_beat(app).count("delivered") == 1  # Rina's confirmation (Ahmad's past reminders: cancelled)
    with app.app_context():
        service.set_opt_out(RINA["email"], active=True, source="link")
        db.session.commit()
    before = snapshot(app)

    time_machine.move_to(wita(2031, 3, 20, 2, 30))
    with app.app_context():
        first = retention.purge_old_data()
    after_first = snapshot(app)
    with app.app_context():
        second = retention.purge_old_data()
        left = leftovers(db, list(AHMAD.values()))
        opted_out = store.active_opt_outs({AHMAD["phone"], RINA["email"], "+6281111111111"})
        old_rows = db.session.scalars(sa.select(Notification).where(Notification.event_id == old_event["event_id"]))
        old_rows = [(n.purpose, n.status, n.to, n.body) for n in old_rows]
    assert set(second.values()) == {0} and snapshot(app) == after_first  # a second run changes nothing
    assert first["recipients_anonymised"] == 1 and first["opt_outs_hashed"] == 1
    assert left == []  # searched in every column of every table
    assert opted_out == {AHMAD["phone"], RINA["email"]}  # the hashed opt-out still stops Ahmad's reminders
    assert {status for _, status, _, _ in old_rows} == {"delivered", "cancelled"}  # waiting reminders will never go
    assert all(to == "" and body == "" for _, _, to, body in old_rows)

    def recent(snapshot_, table, key):
        return [row for row in snapshot_[table] if row.get(key) in (rina["registration_id"], RINA["email"])]

    for table, key in (
        ("recipients", "registration_id"),
        ("notifications", "registration_id"),
        ("opt_outs", "address"),
    ):
        assert recent(after_first, table, key) == recent(before, table, key) != []  # the recent event: untouched
    assert [row["address"] for row in after_first["opt_outs"] if row["address"].startswith("hmac:")]
    pending = [row for row in after_first["outbox"] if row["delivered_at"] is None]
    assert len(pending) == len([row for row in before["outbox"] if row["delivered_at"] is None]) >= 1  # all kept


def test_staff_can_still_undo_an_opt_out_kept_as_a_hash(app, time_machine):
    time_machine.move_to(wita(2030, 1, 1, 10, 0))
    with app.app_context():
        service.set_opt_out("+6281234567890", active=True, source="whatsapp")
    time_machine.move_to(wita(2031, 1, 5, 10, 0))
    with app.app_context():
        assert retention.purge_old_data()["opt_outs_hashed"] == 1
        (row,) = db.session.scalars(sa.select(OptOut)).all()
        assert row.address.startswith("hmac:") and "+6281234567890" not in row.address
        service.set_opt_out("+6281234567890", active=False, source="staff", changed_by="admin@pelita.local")
        assert store.active_opt_outs({"+6281234567890"}) == set()  # the person asked for reminders again
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OptOut)) == 1


def test_the_purge_runs_from_beat_daily_and_by_hand(app):
    schedule = app.config["CELERY"]["beat_schedule"]["purge-old-data"]
    assert schedule["task"] == TaskNames.NOTIFICATIONS_PURGE_OLD_DATA
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "messages_emptied: 0" in result.output


def test_a_failed_message_emptied_by_the_purge_is_no_longer_offered_for_resending(app, time_machine):
    time_machine.move_to(wita(2030, 2, 25, 10, 0))
    event = publish_event(app, wita(2030, 3, 1, 8, 30))
    register(app, event, **AHMAD)
    with app.app_context():
        db.session.execute(sa.update(Notification).values(status="failed", sent_at=None))
        db.session.commit()
        notification = db.session.scalars(sa.select(Notification).where(Notification.purpose == "confirmation")).one()
        assert service.resendable(notification)
    time_machine.move_to(wita(2030, 2, 25, 10, 0) + timedelta(days=31))
    with app.app_context():
        retention.purge_old_data()
        notification = db.session.get(Notification, notification.id)
        assert notification.body == "" and not service.resendable(notification)
