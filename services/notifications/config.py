"""Configuration of the notifications service."""

from shared.config import BaseConfig, env, env_bool, env_float, env_int


class Config(BaseConfig):
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
        self.DISPATCH_SECONDS = env_float("NOTIFICATIONS_DISPATCH_SECONDS", 30)
        #: A message claimed for sending longer ago than this is taken to be orphaned by a crashed worker.
        self.STUCK_AFTER_SECONDS = env_float("NOTIFICATIONS_STUCK_AFTER_SECONDS", 120)
        self.MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6)
        self.REQUIRED_KEYS = (*BaseConfig.REQUIRED_KEYS, "SMTP_HOST", "MAIL_FROM")

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


class TestConfig(DevelopmentConfig):
    APP_ENV = "test"
    DEBUG = False
    TESTING = True


CONFIGS = {"production": ProductionConfig, "development": DevelopmentConfig, "test": TestConfig}
