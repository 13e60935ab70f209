"""Configuration of the reporting service."""

from shared.config import BaseConfig


class Config(BaseConfig):
    SERVICE = "reporting"
    DEFAULT_PORT = 8003

    def beat_schedule(self) -> dict:
        return {
            # services/reporting/tasks.py: report.generated and any other event this service emits
            "relay-outbox": {
                "task": "reporting.relay_outbox",
                "schedule": self.OUTBOX_SWEEP_SECONDS,
                "options": {"queue": "reporting", "expires": self.OUTBOX_SWEEP_SECONDS * 4},
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


CONFIGS = {"production": ProductionConfig, "development": DevelopmentConfig, "test": TestConfig}
