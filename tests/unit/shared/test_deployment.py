"""The production compose file, image and Procfile are safe as shipped: no default password, nothing published
that should not be, no stand-in in production, and every web logs through the redacting gunicorn config."""

import importlib
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]


OWNERS = ("registration", "notifications", "reporting")


def env_file(path: Path) -> dict:
    """KEY=VALUE lines of an env file, as compose reads them (no quotes are used in ours)."""
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))


def example(service: str) -> dict:
    return env_file(ROOT / "deploy" / "env" / f"{service}.env.example")


def secret_keys(service: str) -> set[str]:
    """The secrets and provider credentials `service`'s own configuration checks, besides the shared ones."""
    from shared.config import BaseConfig

    config = importlib.import_module(f"services.{service}.config").Config
    shared = {*BaseConfig.SECRET_SETTINGS}
    return {*config.SECRET_SETTINGS, *config.CREDENTIAL_SETTINGS} - shared


def containers(owner: str) -> dict:
    """The compose services that run `owner`'s code with its settings (web, worker, beat, migrations, Flower)."""
    return {
        name: service
        for name, service in SERVICES.items()
        if name.startswith(f"{owner}-") or (owner == "notifications" and name == "flower")
    }


def command(service: dict) -> str:
    value = service.get("command", "")
    return " ".join(value) if isinstance(value, list) else value


def test_no_password_has_a_default():
    """Compose refuses to start while any value it puts in a container is missing: none has a default."""
    uses = re.findall(r"\$\{(\w+)([^}]*)\}", COMPOSE_TEXT)
    assert {name for name, _ in uses} >= {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "STAFF_TOKEN_SECRET", "METRICS_TOKEN"}
    assert {name for name, _ in uses} >= {f"{service.upper()}_DB_PASSWORD" for service in OWNERS}
    assert {name for name, _ in uses} >= {f"REDIS_{service.upper()}_PASSWORD" for service in OWNERS}
    for name, rest in uses:
        assert rest.startswith(":?"), f"${{{name}{rest}}} must be required, not defaulted"


def test_each_service_signs_in_to_redis_as_its_own_user_without_the_administrative_commands():
    """The broker is shared, its keys too (each service queues tasks for the others), but every service has its own
    Redis user and password, which cannot run CONFIG, FLUSHALL and the like; the `default` user's password (the
    operator's) reaches no Pelita container."""
    redis_command = command(SERVICES["redis"])
    assert "--requirepass ${REDIS_PASSWORD:?" in redis_command
    for owner in OWNERS:
        user = f"--user {owner} on >${{REDIS_{owner.upper()}_PASSWORD:?"
        assert user in redis_command, owner
        rules = redis_command.split(user, 1)[1].split("}", 1)[1].split("--user", 1)[0].split()
        assert rules == ["~*", "&*", "+@all", "-@dangerous"], owner
        for name, service in containers(owner).items():
            url = service["environment"]["REDIS_URL"]
            assert url.startswith(f"redis://{owner}:${{REDIS_{owner.upper()}_PASSWORD:?"), name
            assert url.endswith("@redis:6379/0"), name
    for name, service in SERVICES.items():
        if name != "redis":
            seen = " ".join(f"{key}={value}" for key, value in service.get("environment", {}).items())
            assert "REDIS_PASSWORD" not in seen + command(service), f"{name} gets the default Redis user's password"


def test_flower_is_not_published_and_wants_a_password():
    flower = SERVICES["flower"]
    assert flower["profiles"] == ["ops"]
    assert all(str(port).startswith("127.0.0.1:") for port in flower.get("ports", []))
    assert "FLOWER_BASIC_AUTH" in command(flower)
    assert example("notifications")["FLOWER_BASIC_AUTH"] == ""


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
    compose_example = env_file(ROOT / ".env.example")
    for key in (
        "SECRET_KEY",
        "STAFF_TOKEN_SECRET",
        "METRICS_TOKEN",
        "POSTGRES_PASSWORD",
        "REDIS_PASSWORD",
        *(f"{service.upper()}_DB_PASSWORD" for service in OWNERS),
        "ZENZIVA_CALLBACK_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "TWILIO_AUTH_TOKEN",
        "ADMIN_PASSWORD",
    ):
        assert compose_example[key] == "", key
    for service in OWNERS:
        for key in secret_keys(service) | {"SECRET_KEY", "ADMIN_PASSWORD", "FLOWER_BASIC_AUTH"}:
            assert example(service).get(key, "") == "", f"deploy/env/{service}.env.example holds a {key}"
    assert "COPY .env.example" in (ROOT / "Dockerfile").read_text()  # production compares secrets against it


def test_every_long_running_process_has_a_healthcheck_that_means_the_right_thing():
    """A web: its /readyz on the port it binds; a worker or beat: the heartbeat file its own process touches (in the
    image's temporary folder, /tmp)."""
    from shared.liveness import heartbeat_file

    for name, service in SERVICES.items():
        if name in ("flower", "sinks", "postgres", "redis", "proxy") or name.endswith("-migrations"):
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


def test_each_services_containers_see_only_their_own_store_and_secrets():
    """A service's web, worker, beat and migrations get their own database URL (as the role named like the service,
    which owns only that database), their own env file, and no other service's password, key or credential."""
    for owner in OWNERS:
        found = containers(owner)
        assert {f"{owner}-{role}" for role in ("web", "worker", "beat", "migrations")} <= set(found)
        others = [other for other in OWNERS if other != owner]
        for name, service in found.items():
            environment = service["environment"]
            assert environment["APP_ENV"] == "production", name
            urls = {key for key in environment if key.endswith("_DATABASE_URL")}
            assert urls == {f"{owner.upper()}_DATABASE_URL"}, name
            url = environment[f"{owner.upper()}_DATABASE_URL"]
            assert url.startswith(f"postgresql+psycopg://{owner}:${{{owner.upper()}_DB_PASSWORD:?"), name
            assert url.endswith(f"@postgres:5432/{owner}"), name
            assert service["env_file"] == f"deploy/env/{owner}.env", name
            seen = " ".join(f"{key}={value}" for key, value in environment.items()) + " " + command(service)
            for other in others:
                assert f"{other.upper()}_DB_PASSWORD" not in seen, name
                assert f"REDIS_{other.upper()}_PASSWORD" not in seen, name
                for key in secret_keys(other):
                    assert key not in environment, f"{name} gets {other}'s {key}"
        # the service's own env file: its own secrets, nothing of another service's
        keys = set(example(owner))
        assert "SECRET_KEY" in keys, owner
        assert secret_keys(owner) <= keys, f"deploy/env/{owner}.env.example lacks {secret_keys(owner) - keys}"
        for other in others:
            assert not keys & secret_keys(other), f"{owner}'s env file holds {other}'s {keys & secret_keys(other)}"
        assert not any(key.endswith(("_DATABASE_URL", "_DB_PASSWORD")) for key in keys), owner
    for name, service in SERVICES.items():
        assert service.get("env_file") != ".env", f"{name} would get every secret in .env"
        if name not in ("postgres", "redis", "proxy", "sinks"):
            assert name in {n for owner in OWNERS for n in containers(owner)}, f"{name} belongs to no service"
    assert "deploy/env/*.env" in (ROOT / ".gitignore").read_text().splitlines()


def test_postgres_makes_one_role_per_service_with_the_script_the_tests_run():
    postgres = SERVICES["postgres"]
    assert "./scripts/postgres-init.sh:/docker-entrypoint-initdb.d/10-pelita-roles.sh:ro" in postgres["volumes"]
    for owner in OWNERS:
        variable = f"{owner.upper()}_DB_PASSWORD"
        assert postgres["environment"][variable] == f"${{{variable}:?set {variable} in .env}}"
    assert "POSTGRES_USER" not in postgres["environment"]  # the superuser is postgres; no service connects as it
    assert "-h 127.0.0.1" in " ".join(postgres["healthcheck"]["test"])  # ready only once the init script is done
    assert (ROOT / "scripts" / "postgres-init.sh").stat().st_mode & 0o111  # the image runs it rather than sourcing it


def test_the_webs_are_reached_through_the_proxy_which_they_trust_as_one_hop():
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    for owner in OWNERS:
        web = SERVICES[f"{owner}-web"]
        assert web["environment"]["TRUSTED_PROXY_HOPS"] == "1"
        port = re.search(r"--bind 0\.0\.0\.0:(\d+)", command(web))[1]
        assert web["ports"] == [f"127.0.0.1:{port}:{port}"], "published on the host's loopback only"
        assert f"reverse_proxy {owner}-web:{port}" in caddyfile
        assert "{$" + owner.upper() + "_HOST}" in caddyfile
        assert web["environment"][f"{owner.upper()}_PUBLIC_URL"].startswith("https://${")
    assert SERVICES["proxy"]["volumes"][0] == "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro"
    for name, service in SERVICES.items():
        if name != "proxy":
            assert all(str(port).startswith("127.0.0.1:") for port in service.get("ports", [])), name
