"""Provider settings: the dev sinks by default in development, no secrets by default in production."""

import pytest

from services.notifications.config import DevelopmentConfig, ProductionConfig
from shared.config import ConfigError


def test_development_points_every_gateway_at_the_dev_sinks(monkeypatch):
    monkeypatch.setenv("DEVSINKS_PORT", "9025")
    config = DevelopmentConfig()
    assert config.SMS_PROVIDERS == ["zenziva", "twilio"] and config.WHATSAPP_PROVIDERS == ["whatsapp_cloud"]
    assert {config.ZENZIVA_BASE_URL, config.TWILIO_BASE_URL, config.WHATSAPP_BASE_URL} == {"http://127.0.0.1:9025"}


def test_production_refuses_to_start_without_the_credentials_of_a_configured_provider(monkeypatch):
    for key, value in {
        "SECRET_KEY": "s",
        "STAFF_TOKEN_SECRET": "t",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "NOTIFICATIONS_DATABASE_URL": "sqlite://",
        "NOTIFICATIONS_PUBLIC_URL": "https://pelita.example",
        "SMTP_HOST": "smtp.example",
        "MAIL_FROM": "pelita@example.id",
        "SMS_PROVIDERS": "zenziva,twilio",
        "ZENZIVA_USERKEY": "u",
    }.items():
        monkeypatch.setenv(key, value)
    config = ProductionConfig()
    assert config.ZENZIVA_BASE_URL == "https://console.zenziva.net"
    with pytest.raises(ConfigError, match="ZENZIVA_PASSKEY, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM"):
        config.check()


def test_daily_caps_per_channel_come_from_the_environment_and_default_to_none(monkeypatch):
    monkeypatch.setenv("NOTIFICATIONS_DAILY_CAP_SMS", "500")
    monkeypatch.setenv("NOTIFICATIONS_DAILY_CAP_WHATSAPP", "")
    assert DevelopmentConfig().DAILY_CAPS == {"email": 0, "sms": 500, "whatsapp": 0}


def test_quiet_hours_default_to_the_night_and_an_empty_value_turns_them_off(monkeypatch):
    from services.notifications.sending.schedule import parse_quiet_hours

    monkeypatch.delenv("NOTIFICATIONS_QUIET_HOURS", raising=False)
    assert parse_quiet_hours(DevelopmentConfig().QUIET_HOURS) is not None
    monkeypatch.setenv("NOTIFICATIONS_QUIET_HOURS", "")
    assert parse_quiet_hours(DevelopmentConfig().QUIET_HOURS) is None
