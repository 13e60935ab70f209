"""Configuration of the notifications service."""

import os
import uuid

from shared.config import BaseConfig, env, env_bool, env_float, env_int
from shared.states import Channel


def env_list(name: str) -> list[str]:
    """Read a comma-separated list ("zenziva,twilio"); unset means empty."""
    return [item.strip() for item in (env(name) or "").split(",") if item.strip()]


def env_priorities(name: str) -> dict[str, int]:
    """Read provider priorities ("zenziva=50,twilio=50", each 0-100); unset means none."""
    priorities = {}
    for item in env_list(name):
        provider, _, value = item.partition("=")
        if not value.strip().isdigit() or int(value) > 100:
            raise ValueError(f"{name}: expected name=priority (0-100) separated by commas, got {item!r}")
        priorities[provider.strip()] = int(value)
    return priorities


class Config(BaseConfig):
    #: Webhook secrets: ours (the Zenziva URL token, the WhatsApp verify token) and those that sign the webhooks.
    SECRET_SETTINGS = (
        *BaseConfig.SECRET_SETTINGS,
        "ZENZIVA_CALLBACK_TOKEN",
        "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_APP_SECRET",
        "TWILIO_AUTH_TOKEN",
    )
    CREDENTIAL_SETTINGS = ("ZENZIVA_USERKEY", "ZENZIVA_PASSKEY", "WHATSAPP_ACCESS_TOKEN", "SMTP_PASSWORD")
    SERVICE = "notifications"
    DEFAULT_PORT = 8002

    def __init__(self) -> None:
        super().__init__()
        self.SMTP_HOST = env("SMTP_HOST")
        self.SMTP_PORT = env_int("SMTP_PORT", 25)
        self.SMTP_USER = env("SMTP_USER")
        self.SMTP_PASSWORD = env("SMTP_PASSWORD")
        self.SMTP_STARTTLS = env_bool("SMTP_STARTTLS", False)
        self.SMTP_TIMEOUT = env_float("SMTP_TIMEOUT", 10)
        self.MAIL_FROM = env("MAIL_FROM")
        #: Besides this service's own address, the other Pelita services' addresses: the only links a mail's HTML
        #: part makes (cancel and event pages, report downloads); any other address in a message stays plain text.
        self.PELITA_LINK_URLS = [
            env("REGISTRATION_PUBLIC_URL", f"http://127.0.0.1:{env('REGISTRATION_PORT', '8001')}"),
            env("REPORTING_PUBLIC_URL", f"http://127.0.0.1:{env('REPORTING_PORT', '8003')}"),
        ]
        self.DISPATCH_SECONDS = env_float("NOTIFICATIONS_DISPATCH_SECONDS", 30)
        #: A message claimed for sending longer ago than this is taken to be orphaned by a crashed worker.
        self.STUCK_AFTER_SECONDS = env_float("NOTIFICATIONS_STUCK_AFTER_SECONDS", 120)
        self.MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6)
        #: A transient failure is retried after a random 0..base·2^attempts seconds (full jitter, capped at 1 h).
        self.RETRY_BASE_SECONDS = env_float("NOTIFICATIONS_RETRY_BASE_SECONDS", 15)
        #: Providers per channel, in the order they are tried; WhatsApp falls back to SMS, SMS to email.
        self.SMS_PROVIDERS = env_list("SMS_PROVIDERS")
        self.WHATSAPP_PROVIDERS = env_list("WHATSAPP_PROVIDERS")
        self.PROVIDER_CONNECT_TIMEOUT = env_float("PROVIDER_CONNECT_TIMEOUT", 5)
        self.PROVIDER_READ_TIMEOUT = env_float("PROVIDER_READ_TIMEOUT", 15)
        self.ZENZIVA_BASE_URL = env("ZENZIVA_BASE_URL", "https://console.zenziva.net")
        self.ZENZIVA_USERKEY = env("ZENZIVA_USERKEY")
        self.ZENZIVA_PASSKEY = env("ZENZIVA_PASSKEY")
        #: Zenziva's delivery reports carry no signature: its callback URL holds this secret instead.
        self.ZENZIVA_CALLBACK_TOKEN = env("ZENZIVA_CALLBACK_TOKEN")
        self.TWILIO_BASE_URL = env("TWILIO_BASE_URL", "https://api.twilio.com")
        self.TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID")
        self.TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN")
        self.TWILIO_FROM = env("TWILIO_FROM")
        self.WHATSAPP_BASE_URL = env("WHATSAPP_BASE_URL", "https://graph.facebook.com")
        self.WHATSAPP_API_VERSION = env("WHATSAPP_API_VERSION", "v21.0")
        self.WHATSAPP_PHONE_NUMBER_ID = env("WHATSAPP_PHONE_NUMBER_ID")
        self.WHATSAPP_ACCESS_TOKEN = env("WHATSAPP_ACCESS_TOKEN")
        self.WHATSAPP_APP_SECRET = env("WHATSAPP_APP_SECRET")
        self.WHATSAPP_VERIFY_TOKEN = env("WHATSAPP_VERIFY_TOKEN")
        #: Prefix of the approved Meta template names: pelita_reminder, pelita_confirmation, ...
        self.WHATSAPP_TEMPLATE_PREFIX = env("WHATSAPP_TEMPLATE_PREFIX", "pelita_")
        #: SMS and WhatsApp sent inside these local hours wait until they end; empty for none.
        # Set but empty means no quiet hours (as .env.example says); unset means the default.
        self.QUIET_HOURS = os.environ.get("NOTIFICATIONS_QUIET_HOURS", "21:00-07:00")
        #: At most this many messages a day (WITA) per channel; 0 or unset for no limit. Over it, messages wait
        #: for the next day's budget (07:00 WITA).
        self.DAILY_CAPS = {
            channel: env_int(f"NOTIFICATIONS_DAILY_CAP_{channel.upper()}", 0)
            for channel in (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)
        }
        #: At most this many messages a second per channel across every worker (sending/pacing.py);
        #: 0 or unset: unpaced. Set them to what the provider's contract (or the mail relay's limit) allows.
        self.SENDS_PER_SECOND = {
            channel: env_int(f"NOTIFICATIONS_SENDS_PER_SECOND_{channel.upper()}", 0)
            for channel in (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)
        }
        #: Which provider a text message tries first (sending/priorities.py): "name=priority,...";
        #: unset, the first provider listed rests at 100 and the others at 0 (the first is the primary).
        self.PROVIDER_PRIORITIES = env_priorities("PROVIDER_PRIORITIES")
        #: This many transient failures of a provider within the window move PROVIDER_PRIORITY_STEP of its priority
        #: to the other providers of its channel; every PROVIDER_TEND_SECONDS each moves a step back to rest.
        self.PROVIDER_ERROR_THRESHOLD = env_int("PROVIDER_ERROR_THRESHOLD", 10)
        self.PROVIDER_ERROR_WINDOW_SECONDS = env_int("PROVIDER_ERROR_WINDOW_SECONDS", 60)
        self.PROVIDER_PRIORITY_STEP = env_int("PROVIDER_PRIORITY_STEP", 10)
        self.PROVIDER_TEND_SECONDS = env_float("PROVIDER_TEND_SECONDS", 300)
        #: Keeps two deployments sharing one Redis from pacing each other or sharing provider priorities.
        self.REDIS_KEY_PREFIX = env("NOTIFICATIONS_REDIS_KEY_PREFIX", "pelita")
        #: Turned off in integration tests, which send due messages themselves and run no worker.
        self.ENQUEUE_AFTER_COMMIT = env_bool("NOTIFICATIONS_ENQUEUE_AFTER_COMMIT", True)
        #: Days a sent message keeps its content (docs/data.md).
        self.MESSAGE_BODY_RETENTION_DAYS = env_float("MESSAGE_BODY_RETENTION_DAYS", 30.0)
        #: Key of the hash an opt-out keeps instead of the address after the retention period (default SECRET_KEY;
        #: changing it makes those opt-outs unrecognisable, so set it once and keep it).
        self.OPT_OUT_HASH_KEY = env("OPT_OUT_HASH_KEY")
        self.REQUIRED_KEYS = (*BaseConfig.REQUIRED_KEYS, "SMTP_HOST", "MAIL_FROM", *self.provider_keys())

    def provider_keys(self) -> tuple[str, ...]:
        """Return the credentials the configured providers need (none has a production default)."""
        needs = {
            "zenziva": ("ZENZIVA_USERKEY", "ZENZIVA_PASSKEY"),
            "twilio": ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"),
            "whatsapp_cloud": ("WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET"),
        }
        names = (*self.SMS_PROVIDERS, *self.WHATSAPP_PROVIDERS)
        return tuple(key for name in names for key in needs.get(name, ()))

    def development_values(self) -> set[str]:
        return super().development_values() | set(DEV_SINK_CREDENTIALS.values())

    def beat_schedule(self) -> dict:
        queue = {"queue": "notifications"}
        return {
            # services/notifications/tasks.py: events for other services (notification.delivered/failed)
            "relay-outbox": {
                "task": "notifications.relay_outbox",
                "schedule": self.OUTBOX_SWEEP_SECONDS,
                "options": {**queue, "expires": self.OUTBOX_SWEEP_SECONDS * 4},
            },
            # services/notifications/tasks.py: send due messages, and re-send those a crashed worker orphaned
            "dispatch-pending": {
                "task": "notifications.dispatch_pending",
                "schedule": self.DISPATCH_SECONDS,
                "options": {**queue, "expires": self.DISPATCH_SECONDS * 2},
            },
            # services/notifications/tasks.py: provider priorities a step back towards rest (priorities.py)
            "tend-provider-priorities": {
                "task": "notifications.tend_provider_priorities",
                "schedule": self.PROVIDER_TEND_SECONDS,
                "options": {**queue, "expires": self.PROVIDER_TEND_SECONDS},
            },
            **self.purge_schedule(),
        }


#: What the dev sinks accept; public, so production refuses every one of them (Config.development_values).
DEV_SINK_CREDENTIALS = {
    "ZENZIVA_USERKEY": "dev-userkey",
    "ZENZIVA_PASSKEY": "dev-passkey",
    "ZENZIVA_CALLBACK_TOKEN": "dev-zenziva-callback-token",
    "TWILIO_ACCOUNT_SID": "ACdev0000000000000000000000000000",
    "TWILIO_AUTH_TOKEN": "dev-twilio-auth-token",
    "TWILIO_FROM": "+15005550006",
    "WHATSAPP_PHONE_NUMBER_ID": "100000000000001",
    "WHATSAPP_ACCESS_TOKEN": "dev-whatsapp-access-token",
    "WHATSAPP_APP_SECRET": "dev-whatsapp-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "dev-whatsapp-verify-token",
}


class ProductionConfig(Config):
    APP_ENV = "production"


class DevelopmentConfig(Config):
    APP_ENV = "development"
    DEBUG = True

    def __init__(self) -> None:
        super().__init__()
        self.use_development_defaults()
        self.SMTP_HOST = self.SMTP_HOST or "127.0.0.1"
        self.SMTP_PORT = env_int("SMTP_PORT", 1025)
        self.MAIL_FROM = self.MAIL_FROM or "Pelita Dispersip Kalsel <pelita@dispersip.kalselprov.go.id>"
        self.use_dev_sinks()

    def use_dev_sinks(self) -> None:
        """Point every gateway at the dev sinks (docs/architecture.md), with dev-only credentials they accept."""
        sinks = f"http://127.0.0.1:{env_int('DEVSINKS_PORT', 8025)}"
        self.SMS_PROVIDERS = self.SMS_PROVIDERS or ["zenziva", "twilio"]
        self.WHATSAPP_PROVIDERS = self.WHATSAPP_PROVIDERS or ["whatsapp_cloud"]
        self.ZENZIVA_BASE_URL = env("ZENZIVA_BASE_URL", sinks)
        self.TWILIO_BASE_URL = env("TWILIO_BASE_URL", sinks)
        self.WHATSAPP_BASE_URL = env("WHATSAPP_BASE_URL", sinks)
        for key, value in DEV_SINK_CREDENTIALS.items():
            setattr(self, key, getattr(self, key) or value)


class TestConfig(DevelopmentConfig):
    APP_ENV = "test"
    DEBUG = False
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        # Every test app its own send rates and provider priorities, though the tests share one Redis.
        self.REDIS_KEY_PREFIX = env("NOTIFICATIONS_REDIS_KEY_PREFIX") or f"pelita-test-{uuid.uuid4().hex}"


CONFIGS = {"production": ProductionConfig, "development": DevelopmentConfig, "test": TestConfig}
