"""The providers' send rate: at most N text messages a second per channel, across every worker (RELIABILITY F13).

A moving window in Redis, counted with `limits` (as the form's rate limit is): a sender takes a slot just before a
provider call and waits for the next free one; when none comes before its claim runs out, the message goes back
to wait for the next dispatch, no attempt counted. NOTIFICATIONS_SENDS_PER_SECOND_SMS / _WHATSAPP set the rates
(0, the default: unpaced, as fast as the gateway answers; set them to what the provider's contract allows). When
Redis cannot be reached the senders go unpaced rather than stop (logged once): the gateway's own 429 and
Retry-After still hold them back.
"""

import logging
import random
import time

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

logger = logging.getLogger(__name__)


class SendPace:
    """One process's view of the shared send rates; thread-safe (each take is one Redis script call)."""

    def __init__(self, redis_url: str, rates: dict[str, int], key_prefix: str = "pelita") -> None:
        self.items = {channel: RateLimitItemPerSecond(rate) for channel, rate in rates.items() if rate > 0}
        self.limiter = None
        if self.items:
            storage = storage_from_string(redis_url, wrap_exceptions=True, socket_timeout=1, socket_connect_timeout=1)
            self.limiter = MovingWindowRateLimiter(storage)
        self.key_prefix = key_prefix
        self._said_down = False

    def take(self, channel: str, deadline: float) -> bool:
        """Wait for a free slot on `channel`; False when none comes before `deadline` (a time.monotonic())."""
        item = self.items.get(channel)
        if item is None:
            return True
        identity = (self.key_prefix, "send", channel)
        while True:
            try:
                if self.limiter.hit(item, *identity):
                    return True
                frees_at = self.limiter.get_window_stats(item, *identity).reset_time
            except StorageError as error:
                if not self._said_down:
                    logger.warning("send_pace_storage_down: sending %s unpaced (%s)", channel, error)
                    self._said_down = True
                return True
            # A little jitter, so the senders waiting for the same slot do not all ask at the same instant.
            wait = max(frees_at - time.time(), 0.0) + random.uniform(0.001, 0.02)
            if time.monotonic() + wait > deadline:
                return False
            time.sleep(wait)
