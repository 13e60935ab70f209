"""The providers' send rate: messages spaced evenly, N a second per channel, across every worker (docs/reliability.md,
"Notify's Redis token bucket"). Email counts as a channel too: a mail relay limits its senders as a gateway does.

A generic cell rate algorithm in one Redis script: the channel's key holds the moment its next message may go, and
each take moves it on by 1/N s, so sends are spaced evenly rather than let through N at once at the start of every
second (a gateway counting over its own second, a network delay later, would see two bursts as one). A sender
takes its slot just before the provider call and waits for it; when the slot would come after its claim runs out,
the message goes back to wait for the next dispatch, no attempt counted. NOTIFICATIONS_SENDS_PER_SECOND_SMS,
_WHATSAPP and _EMAIL set the rates (0, the default: unpaced, as fast as the gateway or relay answers; set them to
what the provider's contract allows). When Redis cannot be reached the senders go unpaced rather than stop (logged
once): the gateway's own 429 and Retry-After still hold them back.
"""

import logging
import random
import time

import redis

logger = logging.getLogger(__name__)

#: KEYS[1]: when the channel's next message may go (ms, Redis' clock); ARGV[1]: ms between two messages.
#: Returns 0 and books the slot, or how many ms until the slot is free (nothing booked).
_TAKE_SLOT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local interval = tonumber(ARGV[1])
local next_at = tonumber(redis.call('GET', KEYS[1]) or now)
if next_at > now then
    return math.ceil(next_at - now)
end
redis.call('SET', KEYS[1], tostring(now + interval), 'PX', math.ceil(interval) + 1000)
return 0
"""


class SendPace:
    """One process's handle on the shared send rates; thread-safe (each take is one Redis script call)."""

    def __init__(self, redis_url: str, rates: dict[str, int], key_prefix: str = "pelita") -> None:
        self.intervals_ms = {channel: 1000.0 / rate for channel, rate in rates.items() if rate > 0}
        self.key_prefix = key_prefix
        self._take_slot = None
        if self.intervals_ms:
            client = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
            self._take_slot = client.register_script(_TAKE_SLOT)
        self._said_down = False

    def take(self, channel: str, deadline: float) -> bool:
        """Wait for the next slot on `channel`; False when it would come after `deadline` (a time.monotonic())."""
        interval = self.intervals_ms.get(channel)
        if interval is None:
            return True
        key = f"{self.key_prefix}:send-pace:{channel}"
        while True:
            try:
                wait_ms = int(self._take_slot(keys=[key], args=[interval]))
            except redis.RedisError as error:
                if not self._said_down:
                    logger.warning("send_pace_storage_down: sending %s unpaced (%s)", channel, error)
                    self._said_down = True
                return True
            if wait_ms <= 0:
                return True
            # A little jitter, so the senders waiting for the same slot do not all ask at the same instant.
            wait = wait_ms / 1000 + random.uniform(0.001, 0.005)
            if time.monotonic() + wait > deadline:
                return False
            time.sleep(wait)
