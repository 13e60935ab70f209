"""Configuration loading shared by the services: environment variables in, one config object per service out."""

import os
from pathlib import Path

from shared import phones
from shared.celery import celery_settings

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A required setting is missing; the service refuses to start."""


def env(name: str, default: str | None = None) -> str | None:
    """Return the environment variable `name`, or `default` when it is unset or empty."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value is not None else default


def env_float(name: str, default: float) -> float:
    value = env(name)
    return float(value) if value is not None else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    return value.strip().lower() in ("1", "true", "yes", "on") if value is not None else default


def var_dir() -> Path:
    """Return the folder for local state (SQLite files, beat schedules, dev Redis): `PELITA_VAR_DIR` or var/."""
    path = Path(env("PELITA_VAR_DIR", str(ROOT / "var")))
    path.mkdir(parents=True, exist_ok=True)
    return path


class BaseConfig:
    """Settings every service reads, taken from the environment when the object is made (not at import).

    Production has no defaults for secrets or URLs: `check()` refuses to start without them.
    """

    SERVICE = "base"
    DEFAULT_PORT = 8000
    REQUIRED_KEYS: tuple[str, ...] = (
        "SECRET_KEY",
        "STAFF_TOKEN_SECRET",
        "REDIS_URL",
        "SQLALCHEMY_DATABASE_URI",
        "PUBLIC_BASE_URL",
    )
    APP_ENV = "production"
    DEBUG = False
    TESTING = False

    def __init__(self) -> None:
        prefix = self.SERVICE.upper()
        self.SECRET_KEY = env("SECRET_KEY")
        self.STAFF_TOKEN_SECRET = env("STAFF_TOKEN_SECRET")
        self.STAFF_TOKEN_HOURS = env_float("STAFF_TOKEN_HOURS", 12)
        self.REDIS_URL = env("REDIS_URL")
        self.CELERY_BROKER_URL = env("CELERY_BROKER_URL")
        self.SQLALCHEMY_DATABASE_URI = env(f"{prefix}_DATABASE_URL")
        self.PORT = env_int(f"{prefix}_PORT", self.DEFAULT_PORT)
        self.PUBLIC_BASE_URL = env(f"{prefix}_PUBLIC_URL")
        self.TIMEZONE = env("TIMEZONE", "Asia/Makassar")
        self.DEFAULT_LOCALE = env("DEFAULT_LOCALE", "id")
        self.LOG_LEVEL = env("LOG_LEVEL", "INFO")
        #: Where SMS and WhatsApp may go: ISO regions, comma-separated (shared/phones.py); Indonesia by default.
        self.ALLOWED_PHONE_REGIONS = phones.regions(env("ALLOWED_PHONE_REGIONS", "ID"))
        self.OUTBOX_SWEEP_SECONDS = env_float("OUTBOX_SWEEP_SECONDS", 5.0)
        #: Send an outbox row again when a subscriber has not acknowledged it this long after sending.
        self.OUTBOX_REPUBLISH_SECONDS = env_float("OUTBOX_REPUBLISH_SECONDS", 120.0)
        #: Wake the relay right after a commit (off in integration tests, which have no worker).
        self.OUTBOX_NUDGE = env_bool("OUTBOX_NUDGE", True)
        #: How long data is kept, in days (docs/data.md). Names, phones, emails and codes: after the event ends.
        self.PERSONAL_DATA_RETENTION_DAYS = env_float("PERSONAL_DATA_RETENTION_DAYS", 365.0)
        #: Outbox rows after every subscriber acknowledged them (they carry whole payloads).
        self.OUTBOX_RETENTION_DAYS = env_float("OUTBOX_RETENTION_DAYS", 7.0)
        #: Ids of applied messages: longer than any redelivery or replay of a still-kept outbox row.
        self.PROCESSED_RETENTION_DAYS = env_float("PROCESSED_RETENTION_DAYS", 30.0)
        #: Refused messages, after they were last seen.
        self.DEAD_LETTER_RETENTION_DAYS = env_float("DEAD_LETTER_RETENTION_DAYS", 30.0)
        self.CELERY_OVERRIDES: dict = {}

    def beat_schedule(self) -> dict:
        """Return this service's periodic tasks (each service's beat schedules only its own)."""
        return {}

    def purge_schedule(self) -> dict:
        """The daily purge of old data (docs/data.md), at 02:30 WITA (18:30 UTC), when nobody registers."""
        from celery.schedules import crontab

        return {
            "purge-old-data": {
                "task": f"{self.SERVICE}.purge_old_data",
                "schedule": crontab(hour=18, minute=30),
                "options": {"queue": self.SERVICE, "expires": 6 * 3600},
            }
        }

    @property
    def SQLALCHEMY_ENGINE_OPTIONS(self) -> dict:
        """Ping a pooled connection before use (a restarted PostgreSQL); a SQLite file loses no connection."""
        return {"pool_pre_ping": not str(self.SQLALCHEMY_DATABASE_URI).startswith("sqlite")}

    @property
    def CELERY(self) -> dict:
        broker = self.CELERY_BROKER_URL or self.REDIS_URL
        return celery_settings(broker, self.SERVICE, self.beat_schedule(), **self.CELERY_OVERRIDES)

    def use_development_defaults(self) -> None:
        """Fill local-only values for `make run` and tests; never called in production."""
        self.SECRET_KEY = self.SECRET_KEY or f"dev-only-{self.SERVICE}-secret-not-for-production"
        self.STAFF_TOKEN_SECRET = self.STAFF_TOKEN_SECRET or "dev-only-staff-token-secret-not-for-production"
        self.REDIS_URL = self.REDIS_URL or "redis://127.0.0.1:6379/0"
        self.SQLALCHEMY_DATABASE_URI = self.SQLALCHEMY_DATABASE_URI or f"sqlite:///{var_dir() / self.SERVICE}.sqlite3"
        self.PUBLIC_BASE_URL = self.PUBLIC_BASE_URL or f"http://127.0.0.1:{self.PORT}"

    def check(self) -> None:
        """Raise ConfigError naming every missing required key."""
        missing = [key for key in self.REQUIRED_KEYS if not getattr(self, key, None)]
        if missing:
            raise ConfigError(f"{self.SERVICE}: set {', '.join(missing)} (APP_ENV={self.APP_ENV})")
        if self.PROCESSED_RETENTION_DAYS <= self.OUTBOX_RETENTION_DAYS:  # a replay would apply a message twice
            raise ConfigError(f"{self.SERVICE}: PROCESSED_RETENTION_DAYS must exceed OUTBOX_RETENTION_DAYS")

    def apply(self, overrides: dict) -> "BaseConfig":
        for key, value in overrides.items():
            setattr(self, key, value)
        return self
