"""Configuration of the reporting service."""

from shared.config import BaseConfig, env, env_float, env_int
from shared.letterhead import letterhead_settings


class Config(BaseConfig):
    SERVICE = "reporting"
    DEFAULT_PORT = 8003

    def __init__(self) -> None:
        super().__init__()
        #: A read replica of this store (PostgreSQL streaming replication) where the dashboard and the reports count
        #: their figures; unset: the store itself (docs/capacity.md).
        self.REPORTING_READ_DATABASE_URL = env("REPORTING_READ_DATABASE_URL")
        #: How often beat looks for due reports and for builds to retry or take over.
        self.REPORT_BEAT_SECONDS = env_float("REPORT_BEAT_SECONDS", 60)
        #: A build claimed longer ago than this is taken to be orphaned by a crashed worker, and taken over.
        self.REPORT_STUCK_AFTER_SECONDS = env_float("REPORT_STUCK_AFTER_SECONDS", 600)
        self.REPORT_RETRY_SECONDS = env_float("REPORT_RETRY_SECONDS", 300)
        #: Failures in a row after which a schedule is paused, with the reason shown to staff.
        self.REPORT_MAX_FAILURES = env_int("REPORT_MAX_FAILURES", 5)
        #: Attach the XLSX and PDF when together under this size; the download link is always there.
        self.REPORT_ATTACHMENT_LIMIT_BYTES = env_int("REPORT_ATTACHMENT_LIMIT_BYTES", 5_000_000)
        self.REPORT_LINK_DAYS = env_float("REPORT_LINK_DAYS", 30)
        #: Who receives the default weekly and monthly province reports (comma-separated emails).
        self.REPORT_DEFAULT_RECIPIENTS = [
            e.strip() for e in (env("REPORT_DEFAULT_RECIPIENTS") or "").split(",") if e.strip()
        ]
        #: The report's letterhead (kop surat), the programme it reports on, and who signs it.
        vars(self).update(letterhead_settings())
        #: Where the report is signed (the place before the date in the signature block).
        self.REPORT_PLACE = env("REPORT_PLACE", "Banjarmasin")
        self.REPORT_SIGNER_NAME = env("REPORT_SIGNER_NAME", "")
        self.REPORT_SIGNER_TITLE = env(
            "REPORT_SIGNER_TITLE", "Kepala Dinas Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan"
        )
        self.REPORT_SIGNER_NIP = env("REPORT_SIGNER_NIP", "")

    def beat_schedule(self) -> dict:
        return {
            # services/reporting/tasks.py: report.generated and any other event this service emits
            "relay-outbox": {
                "task": "reporting.relay_outbox",
                "schedule": self.OUTBOX_SWEEP_SECONDS,
                "options": {"queue": "reporting", "expires": self.OUTBOX_SWEEP_SECONDS * 4},
            },
            # services/reporting/tasks.py: claim each due (schedule, period) once, retry failed builds, take over stuck
            "run-due-reports": {
                "task": "reporting.run_due_reports",
                "schedule": self.REPORT_BEAT_SECONDS,
                "options": {"queue": "reporting", "expires": self.REPORT_BEAT_SECONDS * 2},
            },
            **self.purge_schedule(),
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
