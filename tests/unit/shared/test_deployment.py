"""The production compose file, image and Procfile are safe as shipped: no default password, nothing published
that should not be, no stand-in in production, and every web logs through the redacting gunicorn config."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]


def command(service: dict) -> str:
    value = service.get("command", "")
    return " ".join(value) if isinstance(value, list) else value


def test_no_password_has_a_default():
    assert ":-pelita" not in COMPOSE_TEXT
    for variable in ("POSTGRES_PASSWORD", "REDIS_PASSWORD"):
        uses = re.findall(rf"\$\{{{variable}([^}}]*)\}}", COMPOSE_TEXT)
        assert uses, variable
        assert all(use.startswith(":?") for use in uses), f"{variable} must be required, not defaulted: {uses}"


def test_redis_asks_for_the_password_every_url_carries():
    assert "--requirepass ${REDIS_PASSWORD:?" in command(SERVICES["redis"])
    app_environment = SERVICES["registration-web"]["environment"]
    assert app_environment["REDIS_URL"].startswith("redis://:${REDIS_PASSWORD:?")


def test_flower_is_not_published_and_wants_a_password():
    flower = SERVICES["flower"]
    assert flower["profiles"] == ["ops"]
    assert all(str(port).startswith("127.0.0.1:") for port in flower.get("ports", []))
    assert "FLOWER_BASIC_AUTH" in command(flower)
    assert re.search(r"^FLOWER_BASIC_AUTH=$", (ROOT / ".env.example").read_text(), flags=re.MULTILINE)


def test_the_dev_sinks_run_only_in_the_dev_profile():
    assert SERVICES["sinks"]["profiles"] == ["dev"]
    for name, service in SERVICES.items():
        if name != "sinks":
            assert "devsinks" not in command(service), name


def test_every_web_process_logs_through_the_redacting_config():
    procfile = (ROOT / "Procfile").read_text().splitlines()
    commands = [line for line in procfile if " gunicorn " in line and not line.startswith("#")]
    commands += [command(s) for s in SERVICES.values() if "gunicorn" in command(s)]
    assert len(commands) == 6
    for line in commands:
        assert "-c python:shared.gunicorn_conf" in line, line
        assert "--access-logfile" not in line  # the config sets it, with the masking format


def test_env_example_holds_no_secret_and_the_image_knows_its_placeholders():
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and line[0] != "#"
    )
    for key in (
        "SECRET_KEY",
        "STAFF_TOKEN_SECRET",
        "POSTGRES_PASSWORD",
        "REDIS_PASSWORD",
        "ZENZIVA_CALLBACK_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "TWILIO_AUTH_TOKEN",
        "ADMIN_PASSWORD",
    ):
        assert example[key] == "", key
    assert "COPY .env.example" in (ROOT / "Dockerfile").read_text()  # production compares secrets against it


def test_every_long_running_process_has_a_healthcheck_that_means_the_right_thing():
    """A web: its /readyz on the port it binds; a worker or beat: the heartbeat file its own process touches (in the
    image's temporary folder, /tmp)."""
    from shared.liveness import heartbeat_file

    for name, service in SERVICES.items():
        if name in ("migrations", "flower", "sinks", "postgres", "redis"):
            continue
        test = service["healthcheck"]["test"]
        assert test[:4] == ["CMD", "python", "-m", "shared.liveness"], name
        owner, role = name.split("-")
        assert f"services.{owner}." in command(service)
        if role == "web":
            port = re.search(r"--bind 0\.0\.0\.0:(\d+)", command(service))[1]
            assert test[4] == f"http://127.0.0.1:{port}/readyz", name
        else:
            assert f" {role} " in f" {command(service)} "
            assert test[4] == f"/tmp/{heartbeat_file(owner, role).name}" and test[5:] == ["--max-age", "60"], name


def test_every_process_waits_for_a_redis_that_answers():
    assert "redis-cli ping" in " ".join(SERVICES["redis"]["healthcheck"]["test"])
    assert "REDISCLI_AUTH" in SERVICES["redis"]["environment"]  # the password stays off redis-cli's command line
    for name, service in SERVICES.items():
        if "redis" in service.get("depends_on", {}):
            assert service["depends_on"]["redis"] == {"condition": "service_healthy"}, name
    assert "redis" in SERVICES["registration-worker"]["depends_on"]
