"""`make prod-smoke` runs what docker-compose.yml says, changing only what a container network would give."""

import argparse
import re
import tempfile

import pytest

from scripts.prod_smoke import Smoke, SmokeFailed, compose_variables, interpolate


@pytest.fixture
def smoke(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return Smoke(argparse.Namespace(keep=False, pg_host="127.0.0.1", pg_port=5432, pg_user="postgres"))


def test_a_default_in_compose_fails_the_smoke_as_it_would_leak_into_production():
    assert compose_variables("a: ${REDIS_PASSWORD:?set it}") == {"REDIS_PASSWORD"}
    for text in ("a: ${REDIS_PASSWORD:-pelita}", "a: ${REDIS_PASSWORD}", "a: ${REDIS_PASSWORD-x}"):
        with pytest.raises(SmokeFailed, match="default"):
            compose_variables(text)
    assert interpolate("sh -c 'test -n \"$$X\"' ${A:?no}", {"A": "b"}) == "sh -c 'test -n \"$X\"' b"


def test_every_generated_secret_is_strong_and_every_host_a_name(smoke):
    assert {"REDIS_PASSWORD", "POSTGRES_PASSWORD", "STAFF_TOKEN_SECRET", "REGISTRATION_HOST"} <= set(smoke.dotenv)
    for name, value in smoke.dotenv.items():
        if name.endswith("_HOST"):
            assert value.endswith(".pelita-smoke.test")
        else:
            assert len(value) >= 48 and re.fullmatch(r"[\w-]+", value), name  # URL-safe: it goes into URLs


def test_a_service_gets_its_compose_environment_and_env_file_on_this_machine(smoke):
    env = smoke.service_env("registration-worker")
    assert env["APP_ENV"] == "production"
    assert [key for key in env if key.endswith("_DATABASE_URL")] == ["REGISTRATION_DATABASE_URL"]
    url = env["REGISTRATION_DATABASE_URL"]
    role = f"{smoke.prefix}registration"
    password = smoke.dotenv["REGISTRATION_DB_PASSWORD"]
    assert url == f"postgresql+psycopg://{role}:{password}@127.0.0.1:5432/{role}"
    password = smoke.dotenv["REDIS_REGISTRATION_PASSWORD"]
    assert env["REDIS_URL"] == f"redis://registration:{password}@127.0.0.1:{smoke.redis_port}/0"
    assert len(env["SECRET_KEY"]) >= 48 and env["SECRET_KEY"] != smoke.service_env("reporting-web")["SECRET_KEY"]
    assert env["SECRET_KEY"] == smoke.service_env("registration-web")["SECRET_KEY"]  # one service, one key
    assert env["TRUSTED_PROXY_HOPS"] == "1" and env["REGISTRATION_PUBLIC_URL"].startswith("https://")
    assert "ZENZIVA_USERKEY" not in env and "SMTP_HOST" not in env


def test_the_outside_world_is_the_dev_sinks_and_nothing_else_changes(smoke):
    env = smoke.service_env("notifications-worker")
    assert env["SMTP_HOST"] == "127.0.0.1" and env["SMTP_PORT"] == str(smoke.smtp_port)
    assert env["ZENZIVA_BASE_URL"] == f"http://127.0.0.1:{smoke.sink_port}"
    assert env["MAIL_FROM"].startswith("Pelita Dispersip Kalsel")  # the example file's own value
    assert len(env["WHATSAPP_APP_SECRET"]) >= 48
    assert env["WHATSAPP_APP_SECRET"] == smoke.service_env("sinks")["WHATSAPP_APP_SECRET"]  # receipts are signed
    assert smoke.service_env("sinks")["NOTIFICATIONS_PUBLIC_URL"] == smoke.url("notifications")


def test_commands_are_compose_s_with_local_ports_and_folders(smoke):
    web = " ".join(smoke.argv("registration-web"))
    port = smoke.web_ports["registration-web"]
    assert f"--bind 127.0.0.1:{port} --workers 4 --threads 1 --worker-class gthread" in web
    assert f"PROMETHEUS_MULTIPROC_DIR={smoke.run_dir}/tmp/pelita-metrics" in web
    beat = smoke.argv("notifications-beat")
    assert beat[:4] == ["celery", "-A", "services.notifications.worker:celery", "beat"]
    assert beat[-1] == f"{smoke.run_dir}/var/notifications-beat-schedule"
    migrations = smoke.argv("registration-migrations")
    assert migrations[:2] == ["sh", "-c"] and "seed --no-demo" in migrations[2]
