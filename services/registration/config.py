"""Configuration of the registration service."""

from shared.config import BaseConfig, env, env_float, env_int


class Config(BaseConfig):
    SERVICE = "registration"
    DEFAULT_PORT = 8001

    def __init__(self) -> None:
        super().__init__()
        self.ADMIN_EMAIL = env("ADMIN_EMAIL", "admin@pelita.local")
        self.ADMIN_PASSWORD = env("ADMIN_PASSWORD")
        #: Per IP on the public form's submit; the bench raises it, the rest of the world should not need to.
        self.REGISTRATION_FORM_RATE_LIMIT = env("REGISTRATION_FORM_RATE_LIMIT", "20 per minute;200 per hour")
        #: Where the form's counts are kept (services/registration/ratelimit.py); default: the broker's Redis.
        self.RATELIMIT_STORAGE_URI = env("RATELIMIT_STORAGE_URI")
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
        #: Keeps two deployments sharing one Redis (or two tests) from counting each other's submissions.
        self.RATELIMIT_KEY_PREFIX = env("RATELIMIT_KEY_PREFIX", "pelita")
        #: Reverse proxies in front of gunicorn whose X-Forwarded-For is trusted (1 behind nginx/a load balancer):
        #: the visitor's address is then the one the nearest proxy saw, not the proxy's own. 0: none, the header is
        #: ignored (a visitor could otherwise write any address in it and escape the rate limit).
        self.TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
        #: A form sent sooner than this after it was first shown is taken for a bot's: thanked, nothing stored.
        self.FORM_MIN_SECONDS = env_float("FORM_MIN_SECONDS", 3.0)
        #: A form open longer than this is shown again to check and send (its signed render time has run out).
        self.FORM_MAX_AGE_SECONDS = env_float("FORM_MAX_AGE_SECONDS", 24 * 3600.0)
        #: Failed staff sign-ins allowed per account and per address before a lock-out (counted where the form's are).
        self.STAFF_SIGNIN_ACCOUNT_LIMIT = env("STAFF_SIGNIN_ACCOUNT_LIMIT", "5 per 15 minutes")
        self.STAFF_SIGNIN_ADDRESS_LIMIT = env("STAFF_SIGNIN_ADDRESS_LIMIT", "30 per 15 minutes")
        #: How long an invitation's set-password link works (it also stops working once used).
        self.STAFF_INVITE_HOURS = env_float("STAFF_INVITE_HOURS", 72.0)

    def beat_schedule(self) -> dict:
        return {
            # services/registration/tasks.py: send whatever the after-commit nudge did not (Redis was down, say)
            "relay-outbox": {
                "task": "registration.relay_outbox",
                "schedule": self.OUTBOX_SWEEP_SECONDS,
                "options": {"queue": "registration", "expires": self.OUTBOX_SWEEP_SECONDS * 4},
            },
        }


class ProductionConfig(Config):
    APP_ENV = "production"


class DevelopmentConfig(Config):
    APP_ENV = "development"
    DEBUG = True

    def __init__(self) -> None:
        super().__init__()
        self.use_development_defaults()


class TestConfig(DevelopmentConfig):
    APP_ENV = "test"
    DEBUG = False
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        #: Tests submit the form the moment they get it; those of the render time itself set FORM_MIN_SECONDS.
        self.FORM_MIN_SECONDS = 0.0


CONFIGS = {"production": ProductionConfig, "development": DevelopmentConfig, "test": TestConfig}
