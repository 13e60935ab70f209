"""Which provider of a channel a message tries first: priorities that fall with a provider's errors and tend back
to rest (docs/reliability.md; GOV.UK Notify's dao_reduce_sms_provider_priority and tend_providers_back_to_middle).

Each provider of a channel has a priority, resting where PROVIDER_PRIORITIES puts it ("zenziva=50,twilio=50"; by
default the first provider listed rests at 100 and the others at 0: the first is the primary, the others its
failover). A message tries one provider first, drawn at random weighted by the priorities, then the others, highest
first. Once a provider has failed `error_threshold` times within `error_window` seconds (5xx, 429, timeouts: its
own trouble, not the message's), each of its failures gives `step` of its points to the others, so traffic leaves
it within a few more messages while it fails, and a rare error of a healthy one moves nothing. Every few minutes the
beat moves each priority `step` back towards rest, so a recovered provider gets its share back and one still
failing soon loses it again.

The priorities live in Redis, shared by every worker and sending thread, and each process reads them at most once a
second. A restarted or flushed Redis puts them back at rest; with Redis unreachable the resting priorities hold
(logged once), so a send never waits on this.
"""

import logging
import random
import threading
import time

import redis

logger = logging.getLogger(__name__)

#: KEYS[1]: the channel's priorities (a hash); KEYS[2]: the provider's error count in its window.
#: ARGV: provider, threshold, window (s), step, then each provider of the channel and its resting priority.
#: Counts one error in the window that the provider's first error opened; from the threshold on, moves `step` of the
#: provider's points to the others (evenly, the remainder to the first) and returns the channel's priorities as
#: [name, priority, ...]; else nil.
_FAILED = """
local errors = redis.call('INCR', KEYS[2])
if errors == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
if errors < tonumber(ARGV[2]) then return nil end
local others = {}
for i = 5, #ARGV, 2 do
    redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
    if ARGV[i] ~= ARGV[1] then table.insert(others, ARGV[i]) end
end
local mine = tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
local take = math.min(tonumber(ARGV[4]), mine)
if take <= 0 or #others == 0 then return nil end
redis.call('HSET', KEYS[1], ARGV[1], mine - take)
local share, left = math.floor(take / #others), take % #others
for i, name in ipairs(others) do
    redis.call('HINCRBY', KEYS[1], name, share + (i <= left and 1 or 0))
end
return redis.call('HGETALL', KEYS[1])
"""

#: KEYS[1]: the channel's priorities; ARGV: step, then each provider and its resting priority.
#: Moves each priority up to `step` towards rest; returns how many changed.
_TEND = """
local step, changed = tonumber(ARGV[1]), 0
for i = 2, #ARGV, 2 do
    local rest = tonumber(ARGV[i + 1])
    local now = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or rest)
    local new = now
    if now < rest then new = math.min(rest, now + step) elseif now > rest then new = math.max(rest, now - step) end
    if new ~= now then
        redis.call('HSET', KEYS[1], ARGV[i], new)
        changed = changed + 1
    end
end
return changed
"""


def resting_priorities(providers: list[str], configured: dict[str, int]) -> dict[str, int]:
    """Each provider's resting priority: as configured, else the first listed 100 and the others 0."""
    if not any(name in configured for name in providers):
        return {name: 100 if i == 0 else 0 for i, name in enumerate(providers)}
    return {name: configured.get(name, 0) for name in providers}


class ProviderPriorities:
    """One process's handle on the shared provider priorities; thread-safe."""

    def __init__(
        self,
        redis_url: str,
        providers: dict[str, list[str]],
        configured: dict[str, int],
        *,
        key_prefix: str = "pelita",
        error_threshold: int = 10,
        error_window: int = 60,
        step: int = 10,
        read_every: float = 1.0,
    ) -> None:
        # Only a channel with a choice has priorities: one provider is tried first whatever happens.
        self.resting = {
            channel: resting_priorities(names, configured) for channel, names in providers.items() if len(names) > 1
        }
        self.key_prefix, self.step, self.read_every = key_prefix, step, read_every
        self.error_threshold, self.error_window = error_threshold, error_window
        self._read: dict[str, tuple[float, dict[str, int]]] = {}
        self._lock = threading.Lock()
        self._said_down = False
        self._redis = self._failed = self._tend = None
        if self.resting:
            self._redis = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
            self._failed = self._redis.register_script(_FAILED)
            self._tend = self._redis.register_script(_TEND)

    def _key(self, channel: str) -> str:
        return f"{self.key_prefix}:provider-priority:{channel}"

    def current(self, channel: str) -> dict[str, int]:
        """The channel's priorities now (read from Redis at most every `read_every` seconds by this process)."""
        resting = self.resting.get(channel)
        if resting is None:
            return {}
        read_at, priorities = self._read.get(channel, (None, resting))
        if read_at is not None and time.monotonic() - read_at < self.read_every:
            return priorities
        try:
            stored = self._redis.hgetall(self._key(channel))
        except redis.RedisError as error:
            self._redis_down(error)
            stored = {}
        priorities = resting | {name.decode(): int(value) for name, value in stored.items() if name.decode() in resting}
        self._read[channel] = (time.monotonic(), priorities)
        return priorities

    def shifted(self) -> list[tuple[str, str, int, int]]:
        """Providers away from their resting priority now: (channel, provider, priority, resting), for staff."""
        return [
            (channel, name, priority, resting[name])
            for channel, resting in self.resting.items()
            for name, priority in self.current(channel).items()
            if priority != resting[name]
        ]

    def order(self, channel: str, clients: list) -> list:
        """`clients` in the order one message tries them: the first drawn by priority, then the rest highest first
        (ties in their configured order)."""
        priorities = self.current(channel)
        if not priorities:
            return clients
        weights = [priorities.get(client.name, 0) for client in clients]
        first = random.choices(range(len(clients)), weights)[0] if sum(weights) > 0 else 0
        rest = sorted((i for i in range(len(clients)) if i != first), key=lambda i: (-weights[i], i))
        return [clients[first], *(clients[i] for i in rest)]

    def failed(self, channel: str, provider: str) -> None:
        """Count a transient failure of `provider`; from the threshold on, move some of its traffic to the others."""
        resting = self.resting.get(channel)
        if resting is None or provider not in resting:
            return
        error_key = f"{self.key_prefix}:provider-errors:{channel}:{provider}"
        args = [provider, self.error_threshold, self.error_window, self.step, *_pairs(resting)]
        try:
            lowered = self._failed(keys=[self._key(channel), error_key], args=args)
        except redis.RedisError as error:
            self._redis_down(error)
            return
        if lowered:
            priorities = dict(zip(lowered[::2], lowered[1::2], strict=True))
            now = {name.decode(): int(value) for name, value in priorities.items()}
            self._read.pop(channel, None)
            logger.warning(
                "provider_priority_reduced: %s failed %s times; %s now %s", provider, self.error_threshold, channel, now
            )

    def tend_back(self) -> int:
        """Move every priority one step towards rest (the beat's job); return how many moved."""
        moved = 0
        for channel, resting in self.resting.items():
            try:
                moved += int(self._tend(keys=[self._key(channel)], args=[self.step, *_pairs(resting)]))
            except redis.RedisError as error:
                self._redis_down(error)
                return moved
            self._read.pop(channel, None)
        if moved:
            logger.info("provider_priorities_tended: %s moved towards rest", moved)
        return moved

    def _redis_down(self, error: Exception) -> None:
        with self._lock:
            if self._said_down:
                return
            self._said_down = True
        logger.warning("provider_priority_storage_down: providers tried in their resting order (%s)", error)


def _pairs(priorities: dict[str, int]) -> list:
    return [item for pair in priorities.items() for item in pair]
