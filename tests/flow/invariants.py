"""The invariants I1–I7 of docs/reliability.md, checked against the three stores, the SMTP server, the gateway stand-ins
and the web access log once the system has settled. The flow fixture runs them after every test that did not.

The tables behind those names: each service's `outbox` (delivered_at is set once every subscriber acknowledged),
`processed_messages` (the "inbox") and `dead_letters`; notifications' `notifications` rows are the reminders and
every other message (pending -> sending -> sent/delivered, or failed/cancelled); reporting's `report_runs`.
"""

import time
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from services.notifications import models as notifications_models
from services.registration import models as registration_models
from services.reporting import models as reporting_models
from shared.messaging.names import EventNames
from shared.messaging.routing import SUBSCRIBERS
from shared.timeutil import utcnow
from tests.support import msisdn

MODELS = {"registration": registration_models, "notifications": notifications_models, "reporting": reporting_models}
#: Not yet finished: what a reminder (or any message) must have left 60 s after it fell due (I3).
UNFINISHED = ("pending", "sending")
#: How long the invariants wait for the system to settle before reporting what still fails.
SETTLE_SECONDS = {"I1": 90, "I3": 30, "I5": 60, "I6": 60}


def assert_invariants(
    stack,
    *,
    allow_possible_duplicates: bool = False,
    allow_5xx: bool = False,
    consumers_forgot: tuple[str, ...] = (),
) -> None:
    """Check I1–I7 once the system has settled; fail with what is wrong.

    allow_possible_duplicates: a message flagged possible_duplicate (a worker died after the provider took it) may
        have reached its recipient twice (docs/reliability.md); still no more such doubles than flagged rows.
    allow_5xx: the test provoked server errors on purpose (I7).
    consumers_forgot: services whose processed-message log the test emptied (rebuild-read-model), left out of I1's
        "every message applied or dead-lettered by each subscriber" comparison.
    """
    stack.invariants_checked = True
    _settle("I1", stack, lambda: _lost_messages(stack, consumers_forgot))
    _settle("I6", stack, lambda: _left_claimed(stack))
    _settle("I3", stack, lambda: _lost_reminders(stack))
    _settle("I5", stack, lambda: _report_problems(stack, allow_possible_duplicates))
    _check_no_duplicates(stack, allow_possible_duplicates)
    _check_capacity(stack)
    server_errors = [entry for entry in stack.access_log if entry[3] >= 500]
    assert allow_5xx or not server_errors, f"I7: the web answered 5xx: {server_errors}"


def _settle(name: str, stack, problems) -> None:
    """Poll `problems` (a list of what is wrong) until it is empty, or fail with it after the invariant's bound."""
    deadline = time.monotonic() + SETTLE_SECONDS[name]
    while found := problems():
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} after {SETTLE_SECONDS[name]} s: {found[:20]}")
        time.sleep(0.3)


def _lost_messages(stack, consumers_forgot: tuple[str, ...]) -> list:
    """I1: every outbox row acknowledged, and applied (or dead-lettered) by each of its subscribers; nothing else
    applied that no producer sent."""
    problems, sent = [], set()
    applied = {
        name: {row.message_id for row in stack.rows(name, sa.select(MODELS[name].ProcessedMessage.message_id))}
        for name in MODELS  # registration too: it applies notifications' delivery outcomes
    }
    refused = {
        name: {row.message_id for row in stack.rows(name, sa.select(MODELS[name].DeadLetter.message_id))}
        for name in MODELS
    }
    seen = {name: applied[name] | refused[name] for name in applied}
    for producer, models in MODELS.items():
        outbox = models.OutboxMessage
        for row in stack.rows(producer, sa.select(outbox.message_id, outbox.type, outbox.delivered_at)):
            sent.add(row.message_id)
            if row.delivered_at is None:
                problems.append(f"{producer} outbox {row.type} {row.message_id} not acknowledged")
            for task in SUBSCRIBERS[row.type]:
                consumer = task.split(".")[0]
                if consumer not in consumers_forgot and row.message_id not in seen[consumer]:
                    problems.append(f"{consumer} never applied {producer}'s {row.type} {row.message_id}")
    for consumer, ids in applied.items():
        problems += [f"{consumer} applied {i}, which no outbox holds" for i in ids - sent]
    return problems


def _left_claimed(stack) -> list:
    """I6: no message left claimed (`sending`) by a worker that is gone."""
    notification = notifications_models.Notification
    rows = stack.rows("notifications", sa.select(notification.id).where(notification.status == "sending"))
    return [f"notification {row.id} left sending" for row in rows]


def _lost_reminders(stack) -> list:
    """I3: nothing due more than 60 s ago is still waiting to be sent."""
    notification = notifications_models.Notification
    overdue = sa.select(notification.id, notification.purpose, notification.status, notification.due_at).where(
        notification.status.in_(UNFINISHED), notification.due_at < utcnow() - timedelta(seconds=60)
    )
    return [
        f"{row.purpose} {row.id} {row.status}, due {row.due_at:%H:%M:%S}"
        for row in stack.rows("notifications", overdue)
    ]


def _report_problems(stack, allow_possible_duplicates: bool) -> list:
    """I5: each (schedule, period) has one run, ended sent, announced once, and one mail per recipient."""
    from services.notifications.planning import report_key

    run, outbox = reporting_models.ReportRun, reporting_models.OutboxMessage
    notification = notifications_models.Notification
    runs = stack.rows("reporting", sa.select(run.id, run.schedule_id, run.period_start, run.status))
    problems = [f"report run {r.id} is {r.status}" for r in runs if r.status != "sent"]
    periods = Counter((r.schedule_id, r.period_start) for r in runs)
    problems += [f"{n} runs for schedule {s} period {p}" for (s, p), n in periods.items() if n > 1]
    announced = [
        row.envelope["payload"]
        for row in stack.rows("reporting", sa.select(outbox.envelope).where(outbox.type == EventNames.REPORT_GENERATED))
    ]
    for r in runs:
        payloads = [p for p in announced if str(p["report_id"]) == r.id]
        if r.status == "sent" and len(payloads) != 1:
            problems.append(f"report run {r.id} announced {len(payloads)} times")
            continue
        for address in payloads[0]["recipients"] if payloads else ():
            query = sa.select(notification.id, notification.status, notification.possible_duplicate).where(
                notification.idempotency_key == report_key(r.id, address)
            )
            found = stack.rows("notifications", query)
            if not found or found[0].status != "delivered":
                problems.append(f"report {r.id} to {address}: {found[0].status if found else 'never planned'}")
                continue
            mails = [m for m in stack.smtp.mails_to(address) if found[0].id in m.message_id]
            doubled_ok = allow_possible_duplicates and found[0].possible_duplicate
            if len(mails) != 1 and not (doubled_ok and len(mails) == 2):
                problems.append(f"report {r.id} reached {address} {len(mails)} times")
    return problems


def _check_no_duplicates(stack, allow_possible_duplicates: bool) -> None:
    """I2: no mail, SMS or WhatsApp message reached anyone twice, nor through two providers (unless flagged)."""
    notification = notifications_models.Notification
    flagged = len(stack.rows("notifications", sa.select(notification.id).where(notification.possible_duplicate)))
    mails = Counter((tuple(mail.rcpt_tos), mail.message_id) for mail in stack.smtp.mailbox.mails())
    texts = Counter((m.channel, msisdn(m.to), m.text) for m in stack.gateways.accepted())
    providers: dict[tuple, set] = {}
    for m in stack.gateways.accepted():
        providers.setdefault((m.channel, msisdn(m.to), m.text), set()).add(m.gateway)
    doubles = {
        **{k: n for k, n in mails.items() if n > 1},
        **{(c, to, text[:40]): n for (c, to, text), n in texts.items() if n > 1},
    }
    both = {(c, to, text[:40]): names for (c, to, text), names in providers.items() if len(names) > 1}
    if allow_possible_duplicates:
        assert len(doubles) <= flagged, f"I2: {doubles} arrived twice with only {flagged} flagged possible_duplicate"
    else:
        assert doubles == {}, f"I2: the same message arrived more than once: {doubles}"
        assert both == {}, f"I2: the same message went out through two providers: {both}"


def _check_capacity(stack) -> None:
    """I4: no event has more confirmed registrations than seats."""
    event, registration = registration_models.Event, registration_models.Registration
    confirmed = (
        sa.select(event.title, event.capacity, sa.func.count(registration.id).label("confirmed"))
        .join(registration, sa.and_(registration.event_id == event.id, registration.status == "confirmed"))
        .group_by(event.id, event.title, event.capacity)
    )
    for row in stack.rows("registration", confirmed):
        assert row.confirmed <= row.capacity, f"I4: {row.title} has {row.confirmed} confirmed for {row.capacity}"
