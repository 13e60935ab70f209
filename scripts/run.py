"""`make run`: migrate every store, seed, then start every process of the Procfile under honcho."""

import os
import subprocess
import sys
from pathlib import Path

from scripts.redis_local import NO_REDIS, answers, free_port, redis_server

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registration", "notifications", "reporting")
DEFAULTS = {
    "APP_ENV": "development",
    "REGISTRATION_PORT": "8001",
    "NOTIFICATIONS_PORT": "8002",
    "REPORTING_PORT": "8003",
    "DEVSINKS_PORT": "8025",
    "DEVSINKS_SMTP_PORT": "1025",
    "SMTP_HOST": "127.0.0.1",
    "PELITA_VAR_DIR": str(ROOT / "var"),
    "PYTHONUNBUFFERED": "1",
}


def load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines of .env into the environment, never overriding what is already set."""
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and value.strip() and not key.strip().startswith("#"):
            os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def choose_redis() -> bool:
    """Use REDIS_URL when a Redis answers there; else plan a private one. Return True if honcho must start it."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if answers(url):
        os.environ["REDIS_URL"] = url
        return False
    if redis_server() is None:
        sys.exit(NO_REDIS.format(url=url))
    port = free_port()
    os.environ["PELITA_REDIS_PORT"] = str(port)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    return True


def flask(service: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", f"services.{service}.wsgi", *args], check=True)


def flask_output(service: str, *args: str) -> str:
    """Run a flask command of `service`, show what it printed and return it."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", f"services.{service}.wsgi", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    print(done.stdout, end="", flush=True)
    print(done.stderr, end="", file=sys.stderr, flush=True)
    return done.stdout


def main() -> None:
    os.chdir(ROOT)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    load_dotenv(ROOT / ".env")
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("SMTP_PORT", os.environ["DEVSINKS_SMTP_PORT"])
    Path(os.environ["PELITA_VAR_DIR"], "redis").mkdir(parents=True, exist_ok=True)
    start_redis = choose_redis()
    for service in SERVICES:
        flask(service, "db", "upgrade")
    seeded = flask_output("registration", "seed")
    processes = [name for name in procfile_names() if start_redis or name != "redis"]
    print_urls(start_redis)
    admin = [line for line in seeded.splitlines() if line.startswith("Admin:") and "/" in line]
    if admin:  # a new admin: its password is shown now and never again (only its hash is stored)
        print(f"  {admin[0]}\n", flush=True)
    honcho = str(Path(sys.executable).with_name("honcho"))
    os.execv(honcho, [honcho, "--procfile", str(ROOT / "Procfile"), "start", *processes])


def procfile_names() -> list[str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return [line.split(":", 1)[0] for line in lines if line and not line.startswith("#") and ":" in line]


def print_urls(start_redis: bool) -> None:
    env = os.environ
    redis_note = "started for you" if start_redis else "already running"
    print(
        "\nPelita is starting. Open:\n"
        f"  Public form:                      http://127.0.0.1:{env['REGISTRATION_PORT']}/\n"
        f"  Organisers (sign in):             http://127.0.0.1:{env['REGISTRATION_PORT']}/staf/masuk\n"
        f"  API and its OpenAPI document:     http://127.0.0.1:{env['REGISTRATION_PORT']}/api/openapi.json\n"
        f"  API docs (Swagger UI):            http://127.0.0.1:{env['REGISTRATION_PORT']}/api/docs\n"
        f"  Messages (staff):                 http://127.0.0.1:{env['NOTIFICATIONS_PORT']}/staf\n"
        f"  Reports (staff):                  http://127.0.0.1:{env['REPORTING_PORT']}/dasbor\n"
        f"  Dev sinks (mails, SMS, WhatsApp): http://127.0.0.1:{env['DEVSINKS_PORT']}/\n"
        f"  Redis ({redis_note}):          {env['REDIS_URL']}\n"
        "Press Ctrl-C to stop everything.\n",
        flush=True,
    )


if __name__ == "__main__":
    main()
