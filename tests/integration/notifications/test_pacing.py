"""The providers' send rate through a real Redis: evenly spaced slots, waiting for one, giving up, Redis gone."""

import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from scripts.redis_local import free_port
from services.notifications.sending.pacing import SendPace
from tests.support import most_within


def test_senders_in_several_threads_share_the_rate_and_wait_for_their_slot(redis_url):
    pace = SendPace(redis_url, {"sms": 4}, key_prefix=uuid.uuid4().hex)
    start, granted = time.monotonic(), []

    def send(_):
        assert pace.take("sms", time.monotonic() + 30)
        granted.append(time.monotonic())

    with ThreadPoolExecutor(max_workers=3) as senders:
        list(senders.map(send, range(12)))
    assert len(granted) == 12
    assert most_within(granted, 0.95) <= 4  # never more than the rate in any second
    gaps = [later - earlier for earlier, later in zip(sorted(granted), sorted(granted)[1:], strict=False)]
    assert min(gaps) >= 0.2  # spaced a quarter second apart, not four at once at the top of each second
    assert max(granted) - start >= 2.6  # 12 at 4 a second


def test_a_sender_that_would_wait_past_its_deadline_gives_the_message_back(redis_url):
    pace = SendPace(redis_url, {"whatsapp": 1}, key_prefix=uuid.uuid4().hex)
    assert pace.take("whatsapp", time.monotonic() + 5)
    started = time.monotonic()
    assert not pace.take("whatsapp", time.monotonic() + 0.2)  # the next slot is a second away
    assert time.monotonic() - started < 0.2  # and it said so at once, without sleeping first


def test_a_channel_without_a_rate_and_a_pace_without_its_redis_do_not_hold_anything_back(caplog):
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    pace = SendPace(dead, {"sms": 1, "whatsapp": 0}, key_prefix="dead")
    with caplog.at_level(logging.WARNING, logger="services.notifications.sending.pacing"):
        assert all(pace.take("sms", time.monotonic() + 1) for _ in range(3))  # unpaced, not stopped
    assert pace.take("whatsapp", time.monotonic()) and pace.take("email", time.monotonic())
    said = [record.message.split(":")[0] for record in caplog.records if record.name.endswith(".pacing")]
    assert said == ["send_pace_storage_down"]  # once
