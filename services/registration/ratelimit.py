"""The public form's rate limit: submissions per IP address, counted in Redis with `limits`.

`limits` is the library under Flask-Limiter, used here directly: the form has one limit on one view, and
Flask-Limiter's per-request bookkeeping (a before_request pass for application limits the form does not have, then
the route's limits resolved and evaluated again in the decorator) cost about 0.2 ms of CPU per submission on the
deployed form, five times the Redis call itself (bench/registration.py, README "Performance").
"""

import logging
import math
import time

from flask import Flask, current_app, request
from limits import parse_many
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

logger = logging.getLogger(__name__)


class FormRateLimit:
    """Count each IP's form submissions in fixed windows; refuse with 429 and Retry-After past any limit.

    When the counting store cannot be reached the form keeps taking registrations (and the error is logged): a
    person must not lose their seat because Redis restarts.
    """

    def init_app(self, app: Flask) -> None:
        uri = app.config["RATELIMIT_STORAGE_URI"] or app.config["REDIS_URL"]
        options = app.config["RATELIMIT_STORAGE_OPTIONS"] if uri.startswith("redis") else {}
        storage = storage_from_string(uri, wrap_exceptions=True, **options)
        app.extensions["form_rate_limit"] = {
            "limiter": FixedWindowRateLimiter(storage),
            "limits": parse_many(app.config["REGISTRATION_FORM_RATE_LIMIT"]),
            "prefix": app.config["RATELIMIT_KEY_PREFIX"],
        }

    def check(self) -> None:
        """Count this submission; raise TooManyRequests (with `retry_after`) when its IP is over a limit."""
        settings = current_app.extensions["form_rate_limit"]
        limiter, identity = settings["limiter"], (settings["prefix"], "registration-form", request.remote_addr or "")
        try:
            for limit in settings["limits"]:
                if not limiter.hit(limit, *identity):
                    reset_at = limiter.get_window_stats(limit, *identity).reset_time
                    raise TooManyRequests(retry_after=max(math.ceil(reset_at - time.time()), 1))
        except StorageError:
            logger.exception("rate limit store unreachable: the form takes this submission uncounted")


form_rate_limit = FormRateLimit()
