"""Reminder bursts: the dispatcher hands a backlog out once, and batches send each reminder once, whatever happens."""

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from werkzeug import Response

from services.notifications import service, store
from services.notifications.extensions import db
from services.notifications.models import Notification
from services.notifications.sending import send as send_path
from shared.messaging.names import EventNames
from shared.timeutil import utcnow
from tests.integration.notifications.conftest import deliver, publish_event, register, rows, run_beat, wita
from tests.integration.notifications.test_delivery import ZENZIVA

START = wita(2026, 3, 17, 8, 30)
NOW = wita(2026, 3, 13, 10, 0)
DUE = wita(2026, 3, 16, 8, 30)  # the day-before reminder of every person
#: More than one claim's worth, so a batch is claimed in several statements.
PEOPLE = service.CLAIM_SIZE + 12


def phone(n: int) -> str:
    return f"+6281234{n:05d}"


def national(n: int) -> str:
    return "0" + phone(n)[3:]


@pytest.fixture(autouse=True)
def patient_clients(app):
    """The gateways' usual read timeout, not the 0.5 s the retry tests use: a busy test machine answers late."""
    app.config["PROVIDER_READ_TIMEOUT"] = 15


class Taken(list):
    """The numbers the Zenziva gateway took, in order; `slow` set makes it answer late."""

    def __init__(self) -> None:
        super().__init__()
        self.slow = threading.Event()


@pytest.fixture
def taken(gateway):
    """Zenziva as it answers (status "1" in a 200), keeping the numbers it took."""
    numbers = Taken()

    def zenziva(request):
        if numbers.slow.is_set():
            time.sleep(0.3)
        numbers.append(request.form["to"])
        return Response(f'{{"messageId": "{len(numbers)}", "status": "1", "text": "Success"}}', status=200)

    gateway.expect_request(ZENZIVA).respond_with_handler(zenziva)
    return numbers


def reminders_due(app, people: int) -> list[dict]:
    """Register `people` SMS-only people for an event with one reminder (the day before), confirmations sent."""
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[24 * 60])
        registered = [
            register(app, event, preferred_channel="sms", phone=phone(n), email=None, full_name=f"Peserta {n}")
            for n in range(people)
        ]
        run_beat(app)
    return registered


def due_now(app) -> list[str]:
    with app.app_context():
        ids = store.due_ids(utcnow(), 5000)
        db.session.commit()
        return ids


def reminder_rows(app) -> list[Notification]:
    return rows(app, purpose="reminder")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_batch_delivered_twice_at_once_sends_each_reminder_once(app, taken):
    reminders_due(app, PEOPLE)
    del taken[:]
    with time_machine.travel(DUE):
        ids = due_now(app)
        outcomes: list[list[str]] = []

        def worker():
            with app.app_context():
                outcomes.append(service.send_batch(ids))

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        with app.app_context():
            again = service.send_batch(ids)  # and once more, late
    assert len(ids) == PEOPLE
    assert sorted(outcomes[0] + outcomes[1]) == sorted(["sent"] * PEOPLE + ["skipped"] * PEOPLE)
    assert again == ["skipped"] * PEOPLE
    assert sorted(taken) == sorted(national(n) for n in range(PEOPLE))
    assert {(row.status, row.attempts) for row in reminder_rows(app)} == {("sent", 1)}


def test_opted_out_and_cancelled_people_in_a_batch_get_no_reminder(app, taken):
    people = reminders_due(app, 4)
    with time_machine.travel(NOW):
        with app.app_context():
            service.set_opt_out(phone(0), active=True, source="sms")
    del taken[:]
    with time_machine.travel(DUE):
        ids = due_now(app)
        cancelled = {k: people[1][k] for k in ("registration_id", "event_id")} | {
            "was_confirmed": True,
            "cancelled_at": utcnow().isoformat(),
        }
        deliver(app, EventNames.REGISTRATION_CANCELLED, cancelled)  # after the dispatcher handed the batch out
        with app.app_context():
            outcomes = service.send_batch(ids)
    assert sorted(outcomes) == ["cancelled", "sent", "sent", "skipped"]
    assert sorted(taken) == [national(2), national(3)]
    statuses = {row.to: (row.status, row.last_error) for row in reminder_rows(app)}
    assert statuses[phone(0)] == ("cancelled", "penerima berhenti berlangganan pengingat")
    assert statuses[phone(1)] == ("cancelled", "pendaftaran dibatalkan")


class WorkerDied(Exception):
    pass


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_worker_dying_mid_batch_after_the_gateway_took_some_resends_those_once_flagged(app, taken, monkeypatch):
    reminders_due(app, PEOPLE)
    del taken[:]
    calls = []

    def dies_after_the_third_send(name, redis_url):
        if name == "after_provider_call_before_commit":
            calls.append(name)
            if len(calls) == 3:
                raise WorkerDied  # as a SIGKILL would: nothing after this point runs

    monkeypatch.setattr(send_path, "fault_point", dies_after_the_third_send)
    with time_machine.travel(DUE) as clock:
        ids = due_now(app)
        with app.app_context(), pytest.raises(WorkerDied):
            service.send_batch(ids)
        monkeypatch.undo()
        run_beat(app)  # what the dead worker had not claimed yet goes now
        clock.shift(timedelta(seconds=app.config["STUCK_AFTER_SECONDS"] + 1))
        run_beat(app)  # what it held is released as orphaned and sent again
    counts = {number: taken.count(number) for number in taken}
    assert sorted(counts) == sorted(national(n) for n in range(PEOPLE))
    twice = {number for number, count in counts.items() if count == 2}
    assert set(counts.values()) == {1, 2} and len(twice) >= 3  # the sends before the crash went out again
    flagged = {"0" + row.to[3:] for row in reminder_rows(app) if row.possible_duplicate}
    assert twice <= flagged  # each second copy is flagged
    assert {row.status for row in reminder_rows(app)} == {"sent"}


def test_the_dispatcher_hands_a_backlog_out_once_and_again_only_when_its_tasks_were_lost(app, taken, monkeypatch):
    reminders_due(app, PEOPLE)
    handed: list[list[str]] = []
    monkeypatch.setattr(service.celery, "send_task", lambda name, args, queue: handed.append(args[0]))
    with time_machine.travel(DUE) as clock, app.app_context():
        assert service.dispatch_pending() == PEOPLE
        assert service.dispatch_pending() == 0  # the next tick: already with a worker
        assert all(len(batch) <= service.BATCH_SIZE for batch in handed)
        assert sorted(i for batch in handed for i in batch) == sorted(row.id for row in reminder_rows(app))
        clock.shift(timedelta(seconds=app.config["STUCK_AFTER_SECONDS"] + 1))
        assert service.dispatch_pending() == PEOPLE  # nobody claimed them: the tasks were lost
        for batch in handed:
            service.send_batch(batch)
        assert service.dispatch_pending() == 0
    assert len(taken) == 2 * PEOPLE, sorted(taken)  # confirmations, then one reminder each
    assert sorted(taken) == sorted(national(n) for n in range(PEOPLE) for _ in range(2))


def test_the_dispatcher_keeps_at_most_its_limit_waiting_with_the_workers(app, taken, monkeypatch):
    reminders_due(app, PEOPLE)
    handed: list[list[str]] = []
    monkeypatch.setattr(service.celery, "send_task", lambda name, args, queue: handed.append(args[0]))
    with time_machine.travel(DUE), app.app_context():
        assert service.dispatch_pending(limit=20) == 20
        assert service.dispatch_pending(limit=20) == 0  # the workers have not taken any yet
        service.send_batch(handed[0][:15])
        assert service.dispatch_pending(limit=20) == 15  # topped up
        assert service.dispatch_pending(limit=20) == 0
    assert len(taken) == PEOPLE + 15  # confirmations, then the 15 reminders sent


def test_a_batch_on_a_slow_gateway_stops_in_time_and_gives_the_rest_back(app, taken):
    reminders_due(app, PEOPLE)
    del taken[:]
    app.config["STUCK_AFTER_SECONDS"] = 0.4  # the batch must finish its claim well within this
    taken.slow.set()
    with time_machine.travel(DUE):
        with app.app_context():
            outcomes = service.send_batch(due_now(app))
        assert outcomes[0] == "sent" and "deferred" in outcomes
        waiting = [row for row in reminder_rows(app) if row.status == "pending"]
        assert len(waiting) == outcomes.count("deferred")
        assert {(row.attempts, row.possible_duplicate) for row in waiting} == {(0, False)}
        taken.slow.clear()
        app.config["STUCK_AFTER_SECONDS"] = 120
        assert sorted(run_beat(app)) == ["sent"] * len(waiting)
    assert sorted(taken) == sorted(national(n) for n in range(PEOPLE))


def test_orphans_are_released_in_one_go_and_flagged(app, taken):
    reminders_due(app, 3)
    with time_machine.travel(DUE) as clock, app.app_context():
        claimed = store.claim_batch(store.due_ids(utcnow(), 10), utcnow())
        db.session.commit()
        assert service.release_orphans() == 0  # still fresh
        clock.shift(timedelta(seconds=app.config["STUCK_AFTER_SECONDS"] + 1))
        assert service.release_orphans() == len(claimed) == 3
        query = sa.select(Notification.status, Notification.possible_duplicate).where(
            Notification.purpose == "reminder"
        )
        assert set(db.session.execute(query).all()) == {("pending", True)}
