"""APP_ENV=production stops a service at start when a secret is short, a development value, or .env.example's."""

import pytest

from services.notifications.app import create_app as notifications_app
from services.notifications.config import DEV_SINK_CREDENTIALS
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from shared.config import ConfigError, example_values

STRONG = "Zq9vN4cT7wL2pR8xK5mB3hJ6fD1sG0aY-strong"


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    """Everything a production service needs, with strong secrets; a test then weakens one."""
    values = {
        "SECRET_KEY": STRONG + "-session",
        "STAFF_TOKEN_SECRET": STRONG + "-staff",
        "REDIS_URL": "redis://:redis-password@127.0.0.1:6379/0",
        "SMTP_HOST": "smtp.example.id",
        "MAIL_FROM": "Pelita <pelita@example.id>",
        "SMS_PROVIDERS": "zenziva",
        "WHATSAPP_PROVIDERS": "whatsapp_cloud",
        "ZENZIVA_USERKEY": "zenziva-user",
        "ZENZIVA_PASSKEY": "zenziva-pass",
        "ZENZIVA_CALLBACK_TOKEN": STRONG + "-zenziva",
        "WHATSAPP_PHONE_NUMBER_ID": "123456789",
        "WHATSAPP_ACCESS_TOKEN": "EAAB-meta-issued-token",
        "WHATSAPP_APP_SECRET": "0123456789abcdef0123456789abcdef",
        "WHATSAPP_VERIFY_TOKEN": STRONG + "-verify",
    }
    for service in ("REGISTRATION", "NOTIFICATIONS", "REPORTING"):
        values[f"{service}_DATABASE_URL"] = f"sqlite:///{tmp_path}/{service.lower()}.sqlite3"
        values[f"{service}_PUBLIC_URL"] = f"https://{service.lower()}.pelita.example.id"
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


@pytest.mark.parametrize("factory", [registration_app, notifications_app, reporting_app])
def test_production_starts_with_strong_secrets(production_env, factory):
    assert factory("production").config["APP_ENV"] == "production"


@pytest.mark.parametrize("factory", [registration_app, notifications_app, reporting_app])
@pytest.mark.parametrize("key", ["SECRET_KEY", "STAFF_TOKEN_SECRET"])
def test_a_short_secret_stops_every_service(production_env, factory, key):
    production_env.setenv(key, "x" * 31)
    with pytest.raises(ConfigError, match=f"{key} is shorter than 32 bytes") as refused:
        factory("production")
    assert "x" * 31 not in str(refused.value)  # the message names the setting, never its value


@pytest.mark.parametrize(
    "key, value",
    [
        ("SECRET_KEY", "dev-only-registration-secret-not-for-production"),
        ("SECRET_KEY", "dev-only-reporting-secret-not-for-production"),
        ("STAFF_TOKEN_SECRET", "dev-only-staff-token-secret-not-for-production"),
    ],
)
@pytest.mark.parametrize("factory", [registration_app, notifications_app, reporting_app])
def test_a_development_secret_stops_every_service(production_env, factory, key, value):
    production_env.setenv(key, value)
    with pytest.raises(ConfigError, match=rf"{key} is a development or \.env\.example value"):
        factory("production")


@pytest.mark.parametrize(
    "key",
    sorted(
        set(DEV_SINK_CREDENTIALS)
        & {
            "ZENZIVA_CALLBACK_TOKEN",
            "ZENZIVA_PASSKEY",
            "WHATSAPP_APP_SECRET",
            "WHATSAPP_ACCESS_TOKEN",
            "WHATSAPP_VERIFY_TOKEN",
        }
    ),
)
def test_a_dev_sink_credential_or_webhook_secret_stops_notifications(production_env, key):
    production_env.setenv(key, DEV_SINK_CREDENTIALS[key])
    with pytest.raises(ConfigError, match=key):
        notifications_app("production")


def test_a_short_webhook_token_stops_notifications(production_env):
    production_env.setenv("ZENZIVA_CALLBACK_TOKEN", "short-token")
    with pytest.raises(ConfigError, match="ZENZIVA_CALLBACK_TOKEN is shorter than 32 bytes"):
        notifications_app("production")


def test_any_value_written_in_env_example_is_refused(production_env):
    """A placeholder copied from .env.example, however long, is public: MAIL_FROM's stands in for one here."""
    longest = max(example_values(), key=len)
    assert len(longest.encode()) >= 32
    production_env.setenv("SECRET_KEY", longest)
    with pytest.raises(ConfigError, match=r"SECRET_KEY is a development or \.env\.example value"):
        registration_app("production")


def test_development_and_tests_keep_their_defaults():
    assert registration_app("development").config["SECRET_KEY"].startswith("dev-only-")
    assert notifications_app("test").config["ZENZIVA_CALLBACK_TOKEN"] == DEV_SINK_CREDENTIALS["ZENZIVA_CALLBACK_TOKEN"]


@pytest.mark.parametrize("factory", [registration_app, notifications_app, reporting_app])
def test_a_short_metrics_token_stops_every_service_and_none_is_fine(production_env, factory):
    assert factory("production").config["METRICS_TOKEN"] is None  # optional: then the proxy keeps /metrics inside
    production_env.setenv("METRICS_TOKEN", "prometheus")
    with pytest.raises(ConfigError, match="METRICS_TOKEN is shorter than 32 bytes"):
        factory("production")
