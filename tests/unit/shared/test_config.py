"""No secret has a production default: a service refuses to start without them."""

import pytest

from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from shared.config import ConfigError
from shared.letterhead import DEFAULT_LOGO, letterhead


@pytest.mark.parametrize("factory", [registration_app, notifications_app, reporting_app])
def test_production_refuses_to_start_without_secrets(factory):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        factory("production")


def test_production_starts_when_everything_is_set(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("STAFF_TOKEN_SECRET", "t" * 40)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("REGISTRATION_DATABASE_URL", f"sqlite:///{tmp_path}/r.sqlite3")
    monkeypatch.setenv("REGISTRATION_PUBLIC_URL", "https://pelita.example.id")
    app = registration_app("production")
    assert app.config["APP_ENV"] == "production"
    assert not app.debug
    assert app.config["SESSION_COOKIE_SECURE"]  # reached over https: the form's session cookie is never sent in clear
    assert app.config["SESSION_COOKIE_NAME"] == "pelita_registration_session"


def test_environment_overrides_development_defaults(monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.9")
    monkeypatch.setenv("SMTP_PORT", "2525")
    app = notifications_app("development")
    assert (app.config["SMTP_HOST"], app.config["SMTP_PORT"]) == ("127.0.0.9", 2525)


def test_every_service_shares_the_reliability_settings():
    configs = [factory("test").config["CELERY"] for factory in (registration_app, notifications_app, reporting_app)]
    for celery in configs:
        assert celery["task_acks_late"] and celery["task_reject_on_worker_lost"]
        assert celery["accept_content"] == ["json"] and celery["task_ignore_result"]
        assert celery["worker_prefetch_multiplier"] == 1
        # A child is replaced rarely (each replacement stalls the worker for seconds), and when it grows too big.
        assert celery["worker_max_tasks_per_child"] >= 10_000 and celery["worker_max_memory_per_child"] > 0
        assert celery["task_time_limit"] < celery["broker_transport_options"]["visibility_timeout"] / 2
    assert len({str(c["broker_transport_options"]) for c in configs}) == 1


def test_the_report_and_the_attendance_list_carry_the_same_letterhead(monkeypatch, tmp_path):
    """One REPORT_* setting serves both printed papers: the reporting service's report and registration's daftar
    hadir read it the same way, with the same defaults (a kabupaten's own letterhead is set once, for both)."""
    defaults = [letterhead(factory("development").config) for factory in (registration_app, reporting_app)]
    assert defaults[0] == defaults[1]
    assert defaults[0]["institution"] == "Dinas Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan"
    assert defaults[0]["logo"].startswith("data:image/svg+xml;base64,") and DEFAULT_LOGO.is_file()
    logo = tmp_path / "kop.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    monkeypatch.setenv("REPORT_INSTITUTION", "Dinas Perpustakaan Kabupaten Banjar")
    monkeypatch.setenv("REPORT_LOGO_PATH", str(logo))
    set_once = [letterhead(factory("development").config) for factory in (registration_app, reporting_app)]
    assert set_once[0] == set_once[1]
    assert set_once[0]["institution"] == "Dinas Perpustakaan Kabupaten Banjar"
    assert set_once[0]["logo"].startswith("data:image/png;base64,")
