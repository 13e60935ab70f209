"""Configuration loading shared by the services: environment variables in, one config object per service out."""

import os
from pathlib import Path

from shared import phones
from shared.celery import celery_settings

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A required setting is missing or too weak; the service refuses to start."""


#: Production secrets of our own making are at least this long (`secrets.token_urlsafe(48)` gives 64).
SECRET_MIN_BYTES = 32
DEV_STAFF_TOKEN_SECRET = "dev-only-staff-token-secret-not-for-production"
GENERATE_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def example_values() -> set[str]:
    """Every value written in .env.example: a placeholder there must never be a production secret."""
    path = ROOT / ".env.example"
    if not path.exists():
        return set()
    values = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.lstrip().startswith("#") and value.strip():
            values.add(value.strip())
    return values


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
    #: Secrets Pelita makes up itself (signing keys, webhook tokens): long, and no development or example value.
    SECRET_SETTINGS: tuple[str, ...] = ("SECRET_KEY", "STAFF_TOKEN_SECRET", "METRICS_TOKEN")
    #: Credentials a provider issues (its length is the provider's): only never a development or example value.
    CREDENTIAL_SETTINGS: tuple[str, ...] = ()
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
        #: The audit trail of staff actions (two years: long enough to answer a question about last year's events).
        self.AUDIT_RETENTION_DAYS = env_float("AUDIT_RETENTION_DAYS", 730.0)
        #: Reverse proxies in front of gunicorn whose X-Forwarded-For is trusted (0: none): the audit trail records
        #: the visitor's address, not the proxy's (registration's rate limits count by it too).
        self.TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
        self.CELERY_OVERRIDES: dict = {}
        #: The largest request body accepted (larger: 413); every form and API call is far smaller.
        self.MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 256 * 1024)
        #: When set, GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (Prometheus sends it).
        self.METRICS_TOKEN = env("METRICS_TOKEN")

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
        self.SECRET_KEY = self.SECRET_KEY or self.development_secret_key()
        self.STAFF_TOKEN_SECRET = self.STAFF_TOKEN_SECRET or DEV_STAFF_TOKEN_SECRET
        self.REDIS_URL = self.REDIS_URL or "redis://127.0.0.1:6379/0"
        self.SQLALCHEMY_DATABASE_URI = self.SQLALCHEMY_DATABASE_URI or f"sqlite:///{var_dir() / self.SERVICE}.sqlite3"
        self.PUBLIC_BASE_URL = self.PUBLIC_BASE_URL or f"http://127.0.0.1:{self.PORT}"

    def development_secret_key(self) -> str:
        return f"dev-only-{self.SERVICE}-secret-not-for-production"

    def development_values(self) -> set[str]:
        """The secrets `make run` and the tests use, which production must never: every service's, since one
        service's development key is just as public as another's."""
        services = ("registration", "notifications", "reporting")
        return {f"dev-only-{name}-secret-not-for-production" for name in services} | {DEV_STAFF_TOKEN_SECRET}

    def check(self) -> None:
        """Raise ConfigError naming every missing required key and, in production, every weak secret."""
        missing = [key for key in self.REQUIRED_KEYS if not getattr(self, key, None)]
        if missing:
            raise ConfigError(f"{self.SERVICE}: set {', '.join(missing)} (APP_ENV={self.APP_ENV})")
        if self.PROCESSED_RETENTION_DAYS <= self.OUTBOX_RETENTION_DAYS:  # a replay would apply a message twice
            raise ConfigError(f"{self.SERVICE}: PROCESSED_RETENTION_DAYS must exceed OUTBOX_RETENTION_DAYS")
        if self.APP_ENV == "production":
            weak = self.weak_secrets()
            if weak:
                raise ConfigError(
                    f"{self.SERVICE}: APP_ENV=production refuses weak secrets: {'; '.join(weak)}. "
                    f"Make each one with: {GENERATE_HINT}"
                )

    def weak_secrets(self) -> list[str]:
        """Name each set secret that is too short or publicly known (never the value: it would reach the logs)."""
        known = self.development_values() | example_values()
        problems = []
        for key in (*self.SECRET_SETTINGS, *self.CREDENTIAL_SETTINGS):
            value = getattr(self, key, None)
            if not value:
                continue
            if value in known:
                problems.append(f"{key} is a development or .env.example value")
            elif key in self.SECRET_SETTINGS and len(value.encode()) < SECRET_MIN_BYTES:
                problems.append(f"{key} is shorter than {SECRET_MIN_BYTES} bytes")
        return problems

    def apply(self, overrides: dict) -> "BaseConfig":
        for key, value in overrides.items():
            setattr(self, key, value)
        return self
