"""The retention settings: read from the environment, and refused when a replay could apply a message twice."""

import pytest

from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from shared.config import ConfigError


def test_the_retention_periods_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PERSONAL_DATA_RETENTION_DAYS", "730")
    monkeypatch.setenv("MESSAGE_BODY_RETENTION_DAYS", "14")
    config = notifications_app("test").config
    assert (config["PERSONAL_DATA_RETENTION_DAYS"], config["MESSAGE_BODY_RETENTION_DAYS"]) == (730, 14)
    assert (config["OUTBOX_RETENTION_DAYS"], config["PROCESSED_RETENTION_DAYS"]) == (7, 30)


def test_processed_ids_kept_no_longer_than_outbox_rows_are_refused(monkeypatch):
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "60")
    with pytest.raises(ConfigError, match="PROCESSED_RETENTION_DAYS must exceed OUTBOX_RETENTION_DAYS"):
        registration_app("test")
