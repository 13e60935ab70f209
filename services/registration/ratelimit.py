"""The public form's rate limit: submissions per visitor's address, counted in Redis with `limits`.

`limits` is the library under Flask-Limiter, used here directly: the form has one limit on one view, and
Flask-Limiter's per-request bookkeeping (a before_request pass for application limits the form does not have, then
the route's limits resolved and evaluated again in the decorator) cost about 0.2 ms of CPU per submission on the
deployed form, five times the Redis call itself (bench/registration.py, docs/performance.md).

Behind a reverse proxy (TLS in production) every request comes from the proxy's address: set TRUSTED_PROXY_HOPS
(app.py applies werkzeug's ProxyFix) so each visitor is counted by their own address, or the whole province shares
one quota.
"""

import logging
import math
import threading
import time

from flask import Flask, current_app, request
from limits import parse_many
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

logger = logging.getLogger(__name__)

#: After the store fails, count in memory this long before trying it again (a down Redis is not asked per request).
RETRY_STORE_AFTER_SECONDS = 10.0


class FormRateLimit:
    """The extension: `init_app` gives each app its own counter (its store, limits and state), `check` counts.

    One per limited thing: the form's submissions, and the short cancel links' look-ups (each its own config key).
    """

    def __init__(self, name: str = "registration-form", limits_key: str = "REGISTRATION_FORM_RATE_LIMIT") -> None:
        self.name, self.limits_key = name, limits_key

    def init_app(self, app: Flask) -> None:
        uri = app.config["RATELIMIT_STORAGE_URI"] or app.config["REDIS_URL"]
        options = app.config["RATELIMIT_STORAGE_OPTIONS"] if uri.startswith("redis") else {}
        store = FixedWindowRateLimiter(storage_from_string(uri, wrap_exceptions=True, **options))
        limits = parse_many(app.config[self.limits_key])
        prefix = app.config["RATELIMIT_KEY_PREFIX"]
        app.extensions[f"rate_limit:{self.name}"] = Counter(store, limits, prefix, self.name)
        if self.name == "registration-form":  # partners' API keys: each its own (larger) quota
            key_limits = parse_many(app.config["REGISTRATION_API_KEY_RATE_LIMIT"])
            app.extensions["rate_limit:api-key"] = Counter(store, key_limits, prefix, "registration-api-key")

    def check(self, cost: int = 1) -> None:
        """Count this request; raise TooManyRequests (with `retry_after`) when its address is over a limit.

        The public API's registrations without a key count on the form's limit, against the same quota. A request
        that registers several people (someone registering others) counts as `cost` submissions, one a person.
        """
        current_app.extensions[f"rate_limit:{self.name}"].check(request.remote_addr or "", cost)

    def check_key(self, key_id: int) -> None:
        """Count a registration made with a partner's API key against that key's own (larger) limit."""
        current_app.extensions["rate_limit:api-key"].check(str(key_id))


class Counter:
    """Count each address's submissions in fixed windows; refuse past any limit.

    When the store cannot be reached the form keeps taking registrations and counts them in this process's memory
    meanwhile (logged once as `ratelimit_storage_down`): nobody loses a seat because Redis restarts, and the limit
    still holds, per worker process, until the store answers again.
    """

    def __init__(self, store: FixedWindowRateLimiter, limits, prefix: str, name: str = "registration-form") -> None:
        self.store, self.limits, self.prefix, self.name = store, limits, prefix, name
        self._lock = threading.Lock()
        self._memory: FixedWindowRateLimiter | None = None
        self._store_down_until = 0.0

    def check(self, address: str, cost: int = 1) -> None:
        identity = (self.prefix, self.name, address)
        if time.monotonic() >= self._store_down_until:
            try:
                refusal = _over_limit(self.store, self.limits, identity, cost)
            except StorageError as error:
                self._store_failed(error)
            else:
                self._store_answered()
                if refusal:
                    raise refusal
                return
        refusal = _over_limit(self._memory_limiter(), self.limits, identity, cost)
        if refusal:
            raise refusal

    def _store_failed(self, error: StorageError) -> None:
        if time.monotonic() >= self._store_down_until:
            logger.warning("ratelimit_storage_down: the form counts in memory meanwhile (%s)", error)
        self._store_down_until = time.monotonic() + RETRY_STORE_AFTER_SECONDS

    def _store_answered(self) -> None:
        if self._store_down_until:
            logger.warning("ratelimit_storage_up: the form counts in the store again")
            self._store_down_until = 0.0

    def _memory_limiter(self) -> FixedWindowRateLimiter:
        with self._lock:  # made on first need, in the process that needs it (its expiry timer is a thread)
            if self._memory is None:
                self._memory = FixedWindowRateLimiter(storage_from_string("memory://"))
            return self._memory


def _over_limit(
    limiter: FixedWindowRateLimiter, limits, identity: tuple[str, ...], cost: int = 1
) -> TooManyRequests | None:
    """Count `cost` hits against each limit; return the refusal (with its Retry-After) for the first one exceeded."""
    for limit in limits:
        if not limiter.hit(limit, *identity, cost=cost):
            reset_at = limiter.get_window_stats(limit, *identity).reset_time
            return TooManyRequests(retry_after=max(math.ceil(reset_at - time.time()), 1))
    return None


form_rate_limit = FormRateLimit()
#: Short cancel links (/k/<code>): a visitor trying codes gets a few wrong guesses a minute, not millions.
link_rate_limit = FormRateLimit("short-link", "SHORT_LINK_RATE_LIMIT")
#: "Data saya" (/data-saya): asking for a one-time code and typing it, per visitor's address.
my_data_rate_limit = FormRateLimit("my-data", "MY_DATA_RATE_LIMIT")
