"""`make prod-smoke`: start docker-compose.yml's production shape as plain processes and use it as a visitor would.

Docker cannot run on the development machines, so this is how we know the production configuration works. It reads
docker-compose.yml and, for each service, runs the command compose would run with the environment compose would give
it: the service's `environment` block and its env file (deploy/env/<service>.env, taken from the .example beside it),
with every `${VAR:?}` of `.env` and every blank secret filled with a strong generated value (production refuses weak
ones). It starts:

- a password-protected redis-server of its own (compose's `redis` command) on a free port;
- the per-service roles and databases, made by scripts/postgres-init.sh (as the postgres image runs it) on the local
  PostgreSQL, with names prefixed `pelita_smoke_<random>_` so parallel runs do not meet; dropped at the end;
- each service's migrations, then its gunicorn web, Celery worker and Celery beat;
- the dev sinks as the outside world: the mail relay (SMTP) and the SMS and WhatsApp gateways.

Then it signs in as the seeded admin, publishes an event, registers two people through the public form as a browser
would (the page, its CSRF token and session cookie, a human pause, the post), waits for the confirmation mail at the
SMTP sink and the WhatsApp confirmation at the gateway stand-in, and runs every compose healthcheck. Then it stops the
workers, beats and Redis and checks the registration web stays ready ("degraded") and keeps taking registrations,
stops everything else with SIGTERM, failing when a process does not stop cleanly, and reads every log for the
registrants' names, addresses and numbers. Exit 0 when all of it worked, 1 otherwise (with the tail
of each process's log).

What it changes from compose is only what a container network would give: host names and ports (`postgres:5432`,
`redis:6379`, `notifications-web:8002`, `0.0.0.0:8001`) become the local server and free ports, and the containers'
`/tmp` and `/app/var` a folder of its own. Caddy is not started: the smoke speaks to gunicorn as Caddy does.

    python -m scripts.prod_smoke [--keep] [--pg-host 127.0.0.1] [--pg-port 5432] [--pg-user postgres]
"""

import argparse
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import redis
import requests
import yaml

from scripts.redis_local import free_port, redis_server

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registration", "notifications", "reporting")
#: Settings whose blank in an example env file an operator fills with a secret of their own making, besides the
#: SECRET_SETTINGS and CREDENTIAL_SETTINGS the services' configurations check.
OPERATOR_SECRETS = {"ADMIN_PASSWORD"}


class SmokeFailed(RuntimeError):
    """Something the production shape should do, it did not."""


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"prod-smoke [{time.monotonic() - STARTED:5.1f} s] {message}", flush=True)


# --- reading docker-compose.yml ---------------------------------------------------------------------------------
def compose_variables(text: str) -> set[str]:
    """The names of the `${VAR:?...}` compose reads from .env; any other form (a default) is refused."""
    names = set()
    for name, rest in re.findall(r"(?<!\$)\$\{(\w+)([^}]*)\}", text):
        if not rest.startswith(":?"):
            raise SmokeFailed(f"docker-compose.yml gives ${{{name}}} a default ({rest!r}): production has none")
        names.add(name)
    return names


def generate_dotenv(names: set[str]) -> dict[str, str]:
    """Values for .env: a host name for each *_HOST, a strong random secret for everything else."""
    values = {}
    for name in sorted(names):
        if name.endswith("_HOST"):
            values[name] = f"{name.removesuffix('_HOST').lower()}.pelita-smoke.test"
        else:
            values[name] = secrets.token_urlsafe(48)
    return values


def interpolate(value, dotenv: dict[str, str]):
    """Compose's interpolation: `${VAR:?message}` from .env, `$$` for a dollar sign."""
    if isinstance(value, list):
        return [interpolate(item, dotenv) for item in value]
    if not isinstance(value, str):
        return value
    value = re.sub(r"(?<!\$)\$\{(\w+):\?[^}]*\}", lambda m: dotenv[m.group(1)], value)
    return value.replace("$$", "$")


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an env file, as compose reads them (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def secret_settings(service: str) -> set[str]:
    """The settings `service`'s configuration treats as secrets or provider credentials."""
    import importlib

    config = importlib.import_module(f"services.{service}.config").Config
    return {*config.SECRET_SETTINGS, *config.CREDENTIAL_SETTINGS, *OPERATOR_SECRETS}


def owner(name: str) -> str | None:
    """The Pelita service a compose service belongs to ("registration-web" -> "registration")."""
    prefix = name.split("-", 1)[0]
    return prefix if prefix in SERVICES else None


# --- the run ----------------------------------------------------------------------------------------------------
class Smoke:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.compose_text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
        self.compose = yaml.safe_load(self.compose_text)["services"]
        self.dotenv = generate_dotenv(compose_variables(self.compose_text))
        self.run_dir = Path(tempfile.mkdtemp(prefix="pelita-prod-smoke-"))
        for folder in ("tmp", "var", "logs", "redis"):
            (self.run_dir / folder).mkdir()
        self.prefix = f"pelita_smoke_{uuid.uuid4().hex[:8]}_"
        self.redis_port = free_port()
        self.sink_port, self.smtp_port = free_port(), free_port()
        #: compose's in-network addresses and published binds -> this machine's
        self.addresses: dict[str, str] = {
            "redis:6379": f"127.0.0.1:{self.redis_port}",
            "postgres:5432": f"{args.pg_host}:{args.pg_port}",
        }
        self.web_ports: dict[str, int] = {}
        for name, service in self.compose.items():
            bind = re.search(r"--bind 0\.0\.0\.0:(\d+)", self.command_text(service))
            if bind:
                port = free_port()
                self.web_ports[name] = port
                self.addresses[f"{name}:{bind[1]}"] = f"127.0.0.1:{port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.databases_made = False
        self.env_values: dict[str, dict[str, str]] = {}
        self.people: list[str] = []
        #: what the providers issue besides secrets: an account id, a sender number, a WhatsApp number id
        self.provider_ids = {
            "TWILIO_ACCOUNT_SID": f"AC{uuid.uuid4().hex}",
            "TWILIO_FROM": "+6281100000001",
            "WHATSAPP_PHONE_NUMBER_ID": str(100000000000000 + secrets.randbelow(10**12)),
        }

    # --- what compose would give a container --------------------------------------------------------------------
    @staticmethod
    def command_text(service: dict) -> str:
        command = service.get("command", "")
        return " ".join(command) if isinstance(command, list) else command

    def localise(self, text: str, name: str) -> str:
        """Replace what a container network gives with this machine's: addresses, ports, /tmp and /app/var."""
        # a service's role and database, under this run's prefix
        text = re.sub(
            r"postgresql\+psycopg://(\w+):([^@\s]+)@postgres:5432/(\w+)",
            lambda m: f"postgresql+psycopg://{self.prefix}{m[1]}:{m[2]}@postgres:5432/{self.prefix}{m[3]}",
            text,
        )
        for address, local in self.addresses.items():
            text = text.replace(address, local)
        if name in self.web_ports:
            bind = re.search(r"--bind 0\.0\.0\.0:(\d+)", self.command_text(self.compose[name]))[1]
            text = text.replace(f"0.0.0.0:{bind}", f"127.0.0.1:{self.web_ports[name]}")
            text = text.replace(f"127.0.0.1:{bind}", f"127.0.0.1:{self.web_ports[name]}")
        folders = {"/app/var/": f"{self.run_dir}/var/", "/tmp/": f"{self.run_dir}/tmp/"}
        text = re.sub(r"(?<![\w.-])(/app/var/|/tmp/)", lambda m: folders[m[1]], text)  # one pass: run_dir is in /tmp
        return text

    def service_env(self, name: str) -> dict[str, str]:
        """The environment of compose service `name`: its env file, then its `environment` block over it."""
        service = self.compose[name]
        values: dict[str, str] = {}
        for path in [service["env_file"]] if isinstance(service.get("env_file"), str) else service.get("env_file", []):
            values.update(self.example_env(path))
        for key, value in (service.get("environment") or {}).items():
            values[key] = "" if value is None else str(interpolate(value, self.dotenv))
        values = {key: self.localise(value, name) for key, value in values.items()}
        if name == "sinks":  # the outside world, on ports of its own
            values.update(DEVSINKS_HOST="127.0.0.1", DEVSINKS_PORT=str(self.sink_port))
            values["DEVSINKS_SMTP_PORT"] = str(self.smtp_port)
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "/usr/bin:/bin")])
        image = {"PATH": path, "HOME": str(self.run_dir), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}
        image["TMPDIR"] = str(self.run_dir / "tmp")  # the container's /tmp (heartbeat files, gunicorn's)
        image["PELITA_VAR_DIR"] = str(self.run_dir / "var")  # the image's /app/var
        return {**image, **values}

    def example_env(self, path: str) -> dict[str, str]:
        """An env file as an operator fills it in: the .example's values, its blank secrets made strong, and the
        outside world (mail relay, providers) pointed at the dev sinks."""
        example = ROOT / f"{path}.example"
        if not example.exists():
            raise SmokeFailed(f"{path} has no {example.name} beside it")
        values = env_file(example)
        service = next((s for s in SERVICES if f"/{s}.env" in path), None)
        secret_keys = secret_settings(service) if service else set()
        self.env_values.setdefault(path, {})
        for key, value in values.items():
            if not value and key in secret_keys:
                values[key] = self.env_values[path].setdefault(key, secrets.token_urlsafe(48))
        if service == "notifications":
            sinks = f"http://127.0.0.1:{self.sink_port}"
            values.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(self.smtp_port), SMTP_STARTTLS="false")
            values.update(SMTP_USER="", SMTP_PASSWORD="")  # the sink's SMTP takes no login
            values.update(ZENZIVA_BASE_URL=sinks, TWILIO_BASE_URL=sinks, WHATSAPP_BASE_URL=sinks)
            values.update(self.provider_ids)
        return values

    def argv(self, name: str) -> list[str]:
        """The command compose would run: a string split as compose splits it, a list as it is."""
        command = self.compose[name]["command"]
        if isinstance(command, list):
            return [self.localise(str(interpolate(word, self.dotenv)), name) for word in command]
        return shlex.split(self.localise(interpolate(command, self.dotenv), name))

    # --- processes ------------------------------------------------------------------------------------------
    def start(self, name: str, argv: list[str] | None = None, env: dict | None = None) -> subprocess.Popen:
        handle = (self.run_dir / "logs" / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv or self.argv(name),
            cwd=ROOT,
            env=env or self.service_env(name),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.run_dir / "logs" / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def wait_for(self, what: str, check, timeout: float, watch: list[str] = ()) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name in watch:
                if self.processes[name].poll() is not None:
                    raise SmokeFailed(
                        f"{name} stopped (exit {self.processes[name].returncode}) while waiting for {what}"
                    )
            try:
                if check():
                    return
            except (requests.RequestException, redis.RedisError, OSError):
                pass
            time.sleep(0.25)
        raise SmokeFailed(f"timed out after {timeout:.0f} s waiting for {what}")

    def start_redis(self) -> None:
        argv = self.argv("redis")
        argv[0] = redis_server() or "redis-server"
        argv += ["--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(self.run_dir / "redis")]
        self.start("redis", argv, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        password = self.dotenv["REDIS_PASSWORD"]
        client = redis.Redis(port=self.redis_port, password=password, socket_timeout=1, socket_connect_timeout=1)
        self.wait_for("redis to answer", client.ping, 15, ["redis"])
        try:
            redis.Redis(port=self.redis_port, socket_timeout=1).ping()
        except redis.AuthenticationError:
            pass
        else:
            raise SmokeFailed("redis answers without its password")
        for owner in ("registration", "notifications", "reporting"):
            url = self.service_env(f"{owner}-worker")["REDIS_URL"]
            service = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
            service.ping()  # its own user, its own password
            for command in (("CONFIG", "GET", "dir"), ("FLUSHALL",), ("KEYS", "*")):
                try:
                    service.execute_command(*command)
                except redis.exceptions.NoPermissionError:
                    continue
                raise SmokeFailed(f"{owner}'s Redis user may run {command[0]}")
        log(f"redis on 127.0.0.1:{self.redis_port}, with a password, and a user per service without admin commands")

    def make_databases(self) -> None:
        """scripts/postgres-init.sh, mounted where compose mounts it, run as the postgres image runs it."""
        postgres = self.compose["postgres"]
        script = next(v.split(":")[0] for v in postgres["volumes"] if "docker-entrypoint-initdb.d" in v)
        env = {key: str(interpolate(value, self.dotenv)) for key, value in postgres["environment"].items()}
        env.update(PATH=os.environ.get("PATH", "/usr/bin:/bin"), PELITA_DB_PREFIX=self.prefix)
        env.update(PGHOST=self.args.pg_host, PGPORT=str(self.args.pg_port), PGUSER=self.args.pg_user)
        env.pop("POSTGRES_PASSWORD", None)  # the image's superuser; here the local server's own
        self.databases_made = True
        result = subprocess.run(
            ["sh", str(ROOT / script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        if result.returncode:
            raise SmokeFailed(f"{script} failed: {result.stderr.strip()}")
        log(f"PostgreSQL: roles and databases {self.prefix}{{{','.join(SERVICES)}}} by {script}")

    def drop_databases(self) -> None:
        if not self.databases_made:
            return
        try:
            with psycopg.connect(
                host=self.args.pg_host,
                port=self.args.pg_port,
                user=self.args.pg_user,
                dbname="postgres",
                autocommit=True,
            ) as admin:
                for service in SERVICES:
                    admin.execute(f'DROP DATABASE IF EXISTS "{self.prefix}{service}" WITH (FORCE)')
                    admin.execute(f'DROP ROLE IF EXISTS "{self.prefix}{service}"')
        except psycopg.Error as error:
            log(f"could not drop {self.prefix}*: {error}")

    def migrate(self) -> None:
        names = [name for name in self.compose if name.endswith("-migrations")]
        for name in names:
            self.start(name)
        deadline = time.monotonic() + 180
        for name in names:
            try:
                code = self.processes[name].wait(max(deadline - time.monotonic(), 1))
            except subprocess.TimeoutExpired as error:
                raise SmokeFailed(f"{name} did not finish") from error
            if code:
                raise SmokeFailed(f"{name} exited {code}:\n{self.log_tail(name)}")
        log(f"migrations done: {', '.join(names)}")

    def long_running(self) -> list[str]:
        """The compose services that stay up: every Pelita service's web, worker and beat."""
        return [
            name
            for name, service in self.compose.items()
            if owner(name) and not name.endswith("-migrations") and "profiles" not in service
        ]

    # --- healthchecks ---------------------------------------------------------------------------------------
    def healthcheck(self, name: str) -> subprocess.CompletedProcess:
        test = self.compose[name]["healthcheck"]["test"]
        env = self.service_env(name) if owner(name) else {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        if name == "redis":
            env.update({k: str(interpolate(v, self.dotenv)) for k, v in self.compose["redis"]["environment"].items()})
        if name == "postgres":
            env.update(PGPORT=str(self.args.pg_port))
        if test[0] == "CMD-SHELL":
            shell = self.localise(test[1], name).replace("redis-cli ", f"redis-cli -p {self.redis_port} ")
            if name == "postgres":
                shell = shell.replace("-h 127.0.0.1", f"-h {self.args.pg_host}").replace(
                    "-U postgres", f"-U {self.args.pg_user}"
                )
            argv = ["sh", "-c", shell]
        else:
            argv = [self.localise(word, name) for word in test[1:]]
        return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)

    def healthy(self, name: str) -> bool:
        return self.healthcheck(name).returncode == 0

    def check_every_healthcheck(self) -> None:
        failing = {}
        for name, service in self.compose.items():
            if "healthcheck" in service and "profiles" not in service:
                result = self.healthcheck(name)
                if result.returncode:
                    failing[name] = (result.stdout + result.stderr).strip()
        if failing:
            raise SmokeFailed(f"healthchecks failing: {failing}")
        log(f"every healthcheck passes: {', '.join(n for n, s in self.compose.items() if 'healthcheck' in s)}")

    # --- the visitor ----------------------------------------------------------------------------------------
    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.web_ports[f'{service}-web']}"

    def staff_token(self) -> str:
        registration = self.service_env("registration-web")
        body = {"email": registration["ADMIN_EMAIL"], "password": registration["ADMIN_PASSWORD"]}
        response = requests.post(f"{self.url('registration')}/api/v1/auth/token", json=body, timeout=10)
        if response.status_code not in (200, 201):
            raise SmokeFailed(f"the seeded admin cannot sign in: {response.status_code} {response.text[:300]}")
        return response.json()["token"]

    def publish_event(self, token: str) -> str:
        start = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
        body = {
            "title": "Pelatihan Pengelolaan Perpustakaan Desa (uji produksi)",
            "kabupaten_code": "63.03",
            "venue": "Aula Dispersip Kabupaten Banjar, Martapura",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=6)).isoformat(),
            "capacity": 55,
            "publish": True,
        }
        headers = {"Authorization": f"Bearer {token}"}
        response = requests.post(f"{self.url('registration')}/api/v1/events", json=body, headers=headers, timeout=10)
        if response.status_code != 201:
            raise SmokeFailed(f"publishing an event: {response.status_code} {response.text[:300]}")
        return response.json()["id"]

    def open_form(self, event_id: str) -> tuple[requests.Session, dict]:
        """GET the form as a browser: its hidden fields (CSRF token, render time, notice version) and cookie."""
        browser = requests.Session()
        browser.headers["X-Forwarded-For"] = f"203.0.113.{secrets.randbelow(250) + 1}"  # as Caddy writes it
        page = browser.get(f"{self.url('registration')}/acara/{event_id}/daftar", timeout=10)
        if page.status_code != 200 or 'name="csrf_token"' not in page.text:
            raise SmokeFailed(f"the form: {page.status_code}")
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
        # The session cookie is Secure in production: a browser sends it back over Caddy's https. This client
        # speaks http to gunicorn, as Caddy does, so it carries the cookie itself.
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in page.cookies)
        browser.headers["Cookie"] = cookies
        if not any(cookie.secure for cookie in page.cookies):
            raise SmokeFailed("the form's session cookie is not Secure in production")
        return browser, hidden

    def submit_form(self, browser: requests.Session, event_id: str, hidden: dict, **person) -> None:
        fields = {
            "full_name": "Siti Rahmah",
            "email": "",
            "kabupaten_code": "63.03",
            "kecamatan_code": "63.03.05",
            "desa_code": "63.03.05.2009",
            "gender": "female",
            "age_group": "26_35",
            "disability": "none",
            "accessibility_needs": "",
            "participant_type": "library_manager",
            "institution": "",
            "consent_training": "ya",
            "consent_messages": "ya",
            "website": "",
            **hidden,
            **person,
        }
        url = f"{self.url('registration')}/acara/{event_id}/daftar"
        response = browser.post(url, data=fields, allow_redirects=False, timeout=15)
        if response.status_code != 303:
            raise SmokeFailed(f"the form refused {person.get('preferred_channel')}: {response.status_code}")
        page = browser.get(self.url("registration") + response.headers["Location"], timeout=10)
        if "Pendaftaran berhasil" not in page.text:
            raise SmokeFailed("the confirmation page does not say the registration succeeded")

    def register_through_the_form(self, event_id: str) -> None:
        email = f"smoke.{uuid.uuid4().hex[:8]}@contoh.id"
        phone_digits = f"81{secrets.randbelow(10**9):09d}"
        by_mail, mail_hidden = self.open_form(event_id)
        by_whatsapp, whatsapp_hidden = self.open_form(event_id)
        # a person takes longer than FORM_MIN_SECONDS to fill it in; sooner is taken for a bot
        pause = float(self.service_env("registration-web").get("FORM_MIN_SECONDS") or 3) + 0.5
        time.sleep(pause)
        self.submit_form(by_mail, event_id, mail_hidden, email=email, phone="0812-3456-7890", preferred_channel="email")
        self.submit_form(
            by_whatsapp, event_id, whatsapp_hidden, full_name="Ahmad Fauzi", phone=f"0{phone_digits}",
            preferred_channel="whatsapp", gender="male",
        )  # fmt: skip
        log("two people registered through the public form (GET, CSRF token, pause, POST, confirmation page)")
        sinks = f"http://127.0.0.1:{self.sink_port}"

        def mailed() -> bool:
            mails = requests.get(f"{sinks}/api/mails", timeout=5).json()
            return any(email in mail["to"] for mail in mails)

        def texted() -> bool:
            texts = requests.get(f"{sinks}/api/messages", timeout=5).json()
            return any(phone_digits in text["to"] and text["channel"] == "whatsapp" for text in texts)

        watch = [n for n in self.long_running() if n.startswith(("registration-", "notifications-"))]
        self.wait_for("the confirmation mail at the SMTP sink", mailed, 60, watch)
        log("the confirmation mail arrived at the SMTP sink")
        self.wait_for("the WhatsApp confirmation at the gateway stand-in", texted, 60, watch)
        log("the WhatsApp confirmation reached the gateway stand-in")
        self.people = ["Siti Rahmah", "Ahmad Fauzi", email, phone_digits, "81234567890", "3456-7890", "5555-0101"]

    def check_logs_hold_nothing_personal(self) -> None:
        """No process logged a registrant's name, email address or phone number."""
        for path in sorted((self.run_dir / "logs").glob("*.log")):
            text = path.read_text(errors="replace")
            found = [value for value in self.people if value in text]
            if found:
                raise SmokeFailed(f"{path.stem}'s log holds personal data ({len(found)} value(s))")
        log("no log holds a registrant's name, email address or phone number")

    def check_web_endpoints(self) -> None:
        for service in SERVICES:
            base = self.url(service)
            live = requests.get(f"{base}/livez", timeout=5)
            if live.status_code != 200 or live.json().get("status") != "ok":
                raise SmokeFailed(f"{service} /livez: {live.status_code} {live.text[:200]}")
            ready = requests.get(f"{base}/readyz", timeout=5)
            if ready.status_code != 200 or ready.json().get("status") != "ok":
                raise SmokeFailed(f"{service} /readyz: {ready.status_code} {ready.text[:200]}")
            token = self.service_env(f"{service}-web")["METRICS_TOKEN"]
            if requests.get(f"{base}/metrics", timeout=5).status_code != 401:
                raise SmokeFailed(f"{service} /metrics answers without the token")
            metrics = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
            if metrics.status_code != 200 or "pelita_broker_up" not in metrics.text:
                raise SmokeFailed(f"{service} /metrics with the token: {metrics.status_code}")
        log("each web: /livez ok, /readyz ok, /metrics only with the token")

    # --- the whole run --------------------------------------------------------------------------------------
    def run(self) -> None:
        log(f"working in {self.run_dir}")
        self.start_redis()
        self.make_databases()
        if not self.healthy("postgres"):
            raise SmokeFailed("postgres's healthcheck fails")
        self.start("sinks")
        self.wait_for(
            "the dev sinks",
            lambda: requests.get(f"http://127.0.0.1:{self.sink_port}/healthz", timeout=2).ok,
            30,
            ["sinks"],
        )
        self.migrate()
        names = self.long_running()
        for name in names:
            self.start(name)
        for name in names:
            self.wait_for(f"{name}'s healthcheck", lambda name=name: self.healthy(name), 90, names)
        log(f"up and healthy: {', '.join(names)}")
        self.check_web_endpoints()
        token = self.staff_token()
        event_id = self.publish_event(token)
        self.register_through_the_form(event_id)
        self.check_every_healthcheck()
        self.registration_without_redis(event_id)
        unclean = self.stop([n for n in self.processes if n != "redis"])
        if unclean:
            raise SmokeFailed(f"did not stop cleanly on SIGTERM: {unclean}")
        log("every process stopped cleanly on SIGTERM")
        self.check_logs_hold_nothing_personal()
        log("passed")

    def stop(self, names: list[str]) -> dict[str, object]:
        """SIGTERM `names` together, as `docker compose stop` does; return those that did not exit 0 in 30 s."""
        running = {n: self.processes[n] for n in names if n in self.processes and self.processes[n].poll() is None}
        for process in running.values():
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        unclean: dict[str, object] = {}
        for name, process in running.items():
            try:
                code = process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
                code = "killed after 30 s"
            if code not in (0, -signal.SIGTERM):
                unclean[name] = code
            try:  # gunicorn's and Celery's children, should any be left
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        return unclean

    def stop_all(self) -> None:
        """Whatever still runs: Pelita's processes first, then the sinks and Redis."""
        self.stop([n for n in self.processes if n not in ("sinks", "redis")])
        self.stop(["sinks", "redis"])

    def registration_without_redis(self, event_id: str) -> None:
        """Redis gone (workers and beats stopped first): the registration web stays ready, says it is degraded,
        and keeps taking registrations (each kept with its outbox message until Redis is back)."""
        unclean = self.stop([n for n in self.long_running() if not n.endswith("-web")])
        unclean.update(self.stop(["redis"]))
        if unclean:
            raise SmokeFailed(f"did not stop cleanly on SIGTERM: {unclean}")
        ready = requests.get(f"{self.url('registration')}/readyz", timeout=10)
        if ready.status_code != 200 or ready.json().get("status") != "degraded":
            raise SmokeFailed(f"registration /readyz without Redis: {ready.status_code} {ready.text[:200]}")
        if not self.healthy("registration-web"):
            raise SmokeFailed("registration-web's healthcheck fails without Redis: compose would take it away")
        browser, hidden = self.open_form(event_id)
        time.sleep(float(self.service_env("registration-web").get("FORM_MIN_SECONDS") or 3) + 0.5)
        self.submit_form(browser, event_id, hidden, phone="0813-5555-0101", preferred_channel="sms")
        log("Redis stopped: registration's /readyz says degraded (200), its healthcheck passes, the form registers")

    def cleanup(self, failed: bool) -> None:
        self.stop_all()
        self.drop_databases()
        if failed or self.args.keep:
            log(f"logs kept in {self.run_dir / 'logs'}")
        else:
            shutil.rmtree(self.run_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs) afterwards")
    parser.add_argument("--pg-host", default=os.environ.get("PELITA_SMOKE_PGHOST", "127.0.0.1"))
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("PELITA_SMOKE_PGPORT", "5432")))
    parser.add_argument("--pg-user", default=os.environ.get("PELITA_SMOKE_PGUSER", "postgres"))
    args = parser.parse_args(argv)
    smoke = Smoke(args)
    failed = True
    try:
        smoke.run()
        failed = False
    except (SmokeFailed, requests.RequestException, psycopg.Error, redis.RedisError, json.JSONDecodeError) as error:
        log(f"FAILED: {error}")
        for name in smoke.processes:
            tail = smoke.log_tail(name, 2000)
            if tail.strip():
                print(f"----- {name} (last lines)\n{tail}", flush=True)
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        smoke.cleanup(failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
