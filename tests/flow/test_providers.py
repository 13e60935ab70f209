"""SMS gateways failing under real workers (docs/reliability.md): 5xx, 429 with Retry-After and stalls longer than
the client's timeout. A message the first provider does not take goes to the next one in the same attempt; when
every provider fails it waits in the store and is tried again; either way each SMS reaches its person once,
through one provider. The gateways are the dev sinks' stand-ins (tests/support.py GatewaySink); a stalled request
takes nothing (the gateway hung before accepting it: see the report on timeouts that deliver anyway).
"""

import sqlalchemy as sa

from services.notifications.models import Notification
from tests.flow.conftest import wait_for
from tests.flow.test_thin_slice import publish_event, register
from tests.support import GatewayFault, most_within, msisdn


def claims_outlast_a_stalled_send(stack) -> None:
    """Give claims longer than a stalled send takes (the flow's 4 s is shorter than a 3 s timeout plus failover),
    so the dispatcher never takes a message still in a provider call for orphaned."""
    stack.stop_process("notifications_worker")
    stack.start_worker("notifications", NOTIFICATIONS_STUCK_AFTER_SECONDS="30")


def register_for_sms(stack, event_id: str, count: int, block: int) -> list[str]:
    """Register `count` people who prefer SMS; return their numbers as digits with the country code."""
    phones = [f"0812-{block:04d}-{n:04d}" for n in range(count)]
    for phone in phones:
        register(stack, event_id, preferred_channel="sms", phone=phone)
    return [msisdn(phone) for phone in phones]


def sms_confirmations(stack) -> list:
    with stack.app("notifications").app_context():
        db = stack.app("notifications").extensions["sqlalchemy"]
        query = sa.select(Notification).where(Notification.purpose == "confirmation", Notification.channel == "sms")
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        db.session.remove()
        return rows


def all_sent(stack, count: int) -> list:
    rows = sms_confirmations(stack)
    return rows if len(rows) == count and all(row.status == "sent" for row in rows) else []


def delivered_by(stack) -> dict[str, str]:
    """Number -> the gateway that took its confirmation."""
    return {msisdn(message.to): message.gateway for message in stack.gateways.accepted()}


def test_a_failing_first_gateway_hands_each_sms_to_the_second_within_the_same_attempt(stack):
    # Zenziva answers 500, then 429 with Retry-After, then stalls past the client's 3 s timeout; then it recovers.
    faults = [GatewayFault(500, times=1), GatewayFault(429, times=1, retry_after=30), GatewayFault(stall=6, times=1)]
    stack.gateways.fail("zenziva", *faults)
    claims_outlast_a_stalled_send(stack)
    event = publish_event(stack)
    numbers = register_for_sms(stack, event["id"], 5, block=7000)

    rows = wait_for(lambda: all_sent(stack, 5), timeout=90, message="five SMS confirmations sent")
    zenziva = [status for _, _, status in stack.gateways.requests_to("zenziva")]
    assert zenziva == [500, 429, 504, 200, 200]
    assert [status for _, _, status in stack.gateways.requests_to("twilio")] == [200, 200, 200]
    providers = delivered_by(stack)
    assert sorted(providers) == sorted(numbers)  # every person got one SMS (I2 checks none got two)
    assert sorted(providers.values()) == ["twilio"] * 3 + ["zenziva"] * 2
    for row in rows:  # the store names the provider that took it; failing over cost no retry
        assert (row.provider, row.attempts, row.last_error) == (providers[msisdn(row.to)], 1, None)


def test_when_every_gateway_fails_for_a_while_each_sms_waits_in_the_store_and_goes_once_they_recover(stack):
    stack.gateways.fail("zenziva", GatewayFault(503))
    stack.gateways.fail("twilio", GatewayFault(stall=6, times=1), GatewayFault(500))
    claims_outlast_a_stalled_send(stack)
    event = publish_event(stack)
    numbers = register_for_sms(stack, event["id"], 3, block=7100)

    def each_tried_twice():
        rows = sms_confirmations(stack)
        return len(rows) == 3 and all(row.attempts >= 2 for row in rows) and rows

    for row in wait_for(each_tried_twice, timeout=90, message="every SMS tried twice while both gateways fail"):
        assert row.status in ("pending", "sending") and row.sent_at is None
    stack.gateways.recover("zenziva", "twilio")

    rows = wait_for(lambda: all_sent(stack, 3), timeout=90, message="three SMS confirmations sent")
    requests = {g: [status for _, _, status in stack.gateways.requests_to(g)] for g in ("zenziva", "twilio")}
    assert requests["twilio"][0] == 504 and 500 in requests["twilio"] and 503 in requests["zenziva"], requests
    for statuses in requests.values():  # refused while down, taken once recovered: one request per SMS that went
        ok = statuses.index(200) if 200 in statuses else len(statuses)
        assert all(status == 200 for status in statuses[ok:]), requests
    assert sum(statuses.count(200) for statuses in requests.values()) == 3, requests
    assert sorted(delivered_by(stack)) == sorted(numbers)  # each once (I2), through one provider
    for row in rows:
        assert row.provider == delivered_by(stack)[msisdn(row.to)] and row.last_error is None


def test_a_paced_channel_keeps_a_throttling_gateway_under_its_limit_and_each_reminder_goes_once(stack):
    """docs/reliability.md: the gateway refuses past 20 requests a second (429, Retry-After 3); the SMS channel is paced
    at 15 a second across the worker's senders. 600 reminders due at once all go, once each, in about 40 s, never
    faster than the pace over any 5 s, and the gateway never has to refuse one."""
    from bench.reminders import insert_reminders

    stack.gateways.throttle("zenziva", per_second=20, retry_after=3)
    stack.stop_process("notifications_worker")
    stack.start_worker("notifications", NOTIFICATIONS_SENDS_PER_SECOND_SMS="15")
    insert_reminders(stack.env["NOTIFICATIONS_DATABASE_URL"], 600, "t14")

    def all_sent():
        query = sa.select(sa.func.count()).select_from(Notification).where(Notification.status == "sent")
        return stack.scalar("notifications", query) == 600

    wait_for(all_sent, timeout=150, message="600 reminders sent")
    moments = stack.gateways.request_moments("zenziva")
    assert [status for _, _, status in stack.gateways.requests_to("zenziva")] == [200] * 600  # no 429, no retry
    assert len({message.to for message in stack.gateways.accepted()}) == 600  # each number once (and I2)
    assert moments[-1] - moments[0] >= 36  # 600 at 15 a second: 40 s
    assert most_within(moments, 5.0) <= 15 * 5 * 1.1  # the pace, give or take 10 %, over any 5 s


def sms_priorities(stack) -> dict[str, int]:
    """The SMS providers' priorities as every worker reads them (services/notifications/sending/priorities.py)."""
    import redis

    stored = redis.Redis.from_url(stack.redis_url).hgetall("pelita:provider-priority:sms")
    return {name.decode(): int(value) for name, value in stored.items()}


def test_a_failing_gateway_loses_its_share_of_the_traffic_and_gets_it_back_once_it_recovers(stack):
    """docs/reliability.md: Zenziva and Twilio share SMS 50/50; Zenziva answers 500 to everything. 300 reminders all go,
    once each; Zenziva's priority falls, so it is soon no longer tried first, and once it recovers the beat tends the
    priorities back to 50/50 within 5 cycles and it takes its share again."""
    from bench.reminders import insert_reminders

    stack.gateways.fail("zenziva", GatewayFault(500))
    stack.stop_process("notifications_worker")
    sharing = {"PROVIDER_PRIORITIES": "zenziva=50,twilio=50", "PROVIDER_ERROR_THRESHOLD": "10"}
    stack.start_worker("notifications", **sharing, NOTIFICATIONS_SENDS_PER_SECOND_SMS="40")
    insert_reminders(stack.env["NOTIFICATIONS_DATABASE_URL"], 300, "t15")

    def sent(count):
        query = sa.select(sa.func.count()).select_from(Notification).where(Notification.status == "sent")
        return lambda: stack.scalar("notifications", query) == count

    wait_for(sent(300), timeout=120, message="300 reminders sent")
    assert len(stack.gateways.accepted()) == 300 and {m.gateway for m in stack.gateways.accepted()} == {"twilio"}
    assert len({message.to for message in stack.gateways.accepted()}) == 300  # each number once (and I2)
    priorities = sms_priorities(stack)
    assert priorities["zenziva"] < 50 and sum(priorities.values()) == 100, priorities
    last = sorted(
        (moment, gateway) for gateway in ("zenziva", "twilio") for moment in stack.gateways.request_moments(gateway)
    )[-100:]
    assert sum(1 for _, gateway in last if gateway == "twilio") >= 90  # the last 100 sends: nearly all to Twilio
    failed_at_zenziva = len(stack.gateways.requests_to("zenziva"))
    assert failed_at_zenziva < 150  # not tried first for every message, as strict failover would

    stack.gateways.recover("zenziva")
    stack.stop_process("notifications_beat")
    stack.start_beat("notifications", **sharing, PROVIDER_TEND_SECONDS="1")
    wait_for(lambda: sms_priorities(stack) == {"zenziva": 50, "twilio": 50}, timeout=30, message="priorities at rest")
    assert 1 <= stack.log("notifications-worker").count("provider_priorities_tended") <= 5  # back within 5 cycles
    insert_reminders(stack.env["NOTIFICATIONS_DATABASE_URL"], 100, "t15b", first=300)
    wait_for(sent(400), timeout=60, message="100 more reminders sent")
    recovered = [m for m in stack.gateways.accepted()[300:] if m.gateway == "zenziva"]
    assert 20 <= len(recovered) <= 80  # Zenziva takes its share again
