"""Provider priorities through a real Redis (docs/reliability.md): a failing provider loses its share step by step, the
beat tends it back, every worker sees the same priorities, and a Redis that is gone holds nothing back."""

import logging
import uuid
from collections import Counter
from dataclasses import dataclass

from scripts.redis_local import free_port
from services.notifications.sending.priorities import ProviderPriorities, resting_priorities
from tests.conftest import wait_for


@dataclass(frozen=True)
class Client:
    name: str


A, B = Client("zenziva"), Client("twilio")


def priorities(redis_url: str, configured=None, prefix=None, **options) -> ProviderPriorities:
    options = {"error_threshold": 3, "read_every": 0} | options
    providers = {"sms": ["zenziva", "twilio"], "whatsapp": ["whatsapp_cloud"]}
    return ProviderPriorities(redis_url, providers, configured or {}, key_prefix=prefix or uuid.uuid4().hex, **options)


def first_choices(handle: ProviderPriorities, times: int = 400) -> Counter:
    return Counter(handle.order("sms", [A, B])[0].name for _ in range(times))


def test_the_first_provider_listed_is_the_primary_unless_priorities_are_configured():
    assert resting_priorities(["zenziva", "twilio"], {}) == {"zenziva": 100, "twilio": 0}
    assert resting_priorities(["zenziva", "twilio"], {"twilio": 70, "zenziva": 30}) == {"zenziva": 30, "twilio": 70}
    assert resting_priorities(["zenziva", "twilio"], {"twilio": 60}) == {"zenziva": 0, "twilio": 60}


def test_by_default_every_message_tries_the_primary_first_and_fails_over_to_the_other(redis_url):
    handle = priorities(redis_url)
    assert all(handle.order("sms", [A, B]) == [A, B] for _ in range(50))
    one = [Client("whatsapp_cloud")]
    assert handle.order("whatsapp", one) == one  # a channel without a choice


def test_equal_priorities_share_the_traffic(redis_url):
    split = first_choices(priorities(redis_url, {"zenziva": 50, "twilio": 50}))
    assert 140 <= split["zenziva"] <= 260 and split["zenziva"] + split["twilio"] == 400


def test_a_provider_failing_past_the_threshold_loses_a_step_of_its_traffic_to_the_other_per_failure(redis_url, caplog):
    handle = priorities(redis_url, {"zenziva": 50, "twilio": 50})
    with caplog.at_level(logging.WARNING, logger="services.notifications.sending.priorities"):
        for _ in range(2):
            handle.failed("sms", "zenziva")
        assert handle.current("sms") == {"zenziva": 50, "twilio": 50}  # under the threshold: nothing yet
        handle.failed("sms", "zenziva")
    assert handle.current("sms") == {"zenziva": 40, "twilio": 60}
    assert [record.message.split(":")[0] for record in caplog.records] == ["provider_priority_reduced"]
    handle.failed("sms", "zenziva")  # past the threshold every failure costs a step
    assert handle.current("sms") == {"zenziva": 30, "twilio": 70}
    for _ in range(10):  # it keeps failing: down to nothing, and never below
        handle.failed("sms", "zenziva")
    assert handle.current("sms") == {"zenziva": 0, "twilio": 100}
    assert first_choices(handle)["twilio"] == 400
    assert handle.order("sms", [A, B]) == [B, A]  # still there to fail over to


def test_errors_outside_the_window_do_not_add_up(redis_url):
    import redis

    prefix = uuid.uuid4().hex
    handle = priorities(redis_url, {"zenziva": 50, "twilio": 50}, prefix=prefix, error_window=1)
    handle.failed("sms", "zenziva"), handle.failed("sms", "zenziva")
    count = f"{prefix}:provider-errors:sms:zenziva"
    store = redis.Redis.from_url(redis_url)
    wait_for(lambda: not store.exists(count), timeout=10, message="the window to end (on Redis' clock)")
    handle.failed("sms", "zenziva"), handle.failed("sms", "zenziva")
    assert handle.current("sms") == {"zenziva": 50, "twilio": 50}


def test_every_worker_sees_the_same_priorities_and_the_beat_tends_them_back_to_rest(redis_url):
    prefix = uuid.uuid4().hex
    worker, other_worker = priorities(redis_url, prefix=prefix), priorities(redis_url, prefix=prefix)
    for _ in range(6):
        worker.failed("sms", "zenziva")
    assert other_worker.current("sms") == {"zenziva": 60, "twilio": 40}
    assert other_worker.tend_back() == 2
    assert worker.current("sms") == {"zenziva": 70, "twilio": 30}
    for _ in range(3):
        worker.tend_back()
    assert worker.current("sms") == {"zenziva": 100, "twilio": 0}
    assert worker.tend_back() == 0  # at rest: nothing moves


def test_a_process_reads_the_priorities_at_most_once_a_second(redis_url):
    prefix = uuid.uuid4().hex
    reader = priorities(redis_url, prefix=prefix, read_every=60)
    assert reader.current("sms") == {"zenziva": 100, "twilio": 0}
    writer = priorities(redis_url, prefix=prefix)
    for _ in range(3):
        writer.failed("sms", "zenziva")
    assert reader.current("sms") == {"zenziva": 100, "twilio": 0}  # what it read a moment ago
    assert writer.current("sms") == {"zenziva": 90, "twilio": 10}


def test_without_its_redis_the_providers_keep_their_resting_order(caplog):
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    handle = priorities(dead)
    with caplog.at_level(logging.WARNING, logger="services.notifications.sending.priorities"):
        for _ in range(5):
            handle.failed("sms", "zenziva")
        assert handle.order("sms", [A, B]) == [A, B]
        assert handle.tend_back() == 0
    said = [record.message.split(":")[0] for record in caplog.records]
    assert said == ["provider_priority_storage_down"]  # once


def test_staff_are_told_which_providers_are_away_from_rest_until_they_are_back(redis_url):
    handle = priorities(redis_url)
    assert handle.shifted() == []
    for _ in range(3):
        handle.failed("sms", "zenziva")
    assert handle.shifted() == [("sms", "zenziva", 90, 100), ("sms", "twilio", 10, 0)]
    handle.tend_back()
    assert handle.shifted() == []
