"""Pelita's processes for the benchmarks, as the Procfile runs them: gunicorn webs, Celery workers, one beat per
service, a private Redis; each store a SQLite file in the benchmark's folder (or any URL given)."""

import os
import subprocess
import uuid
from pathlib import Path

from bench.common import Processes, procfile_concurrency, procfile_gunicorn, python, start_redis, wait_http
from scripts.redis_local import free_port
from services.registration import notices

SERVICES = ("registration", "notifications", "reporting")
ADMIN_PASSWORD = "rahasia-admin-bench"
#: The Procfile's settings.
WEB_ARGS = {service: procfile_gunicorn(service) for service in SERVICES}
WORKER_CONCURRENCY = {service: procfile_concurrency(f"{service}_worker") for service in SERVICES}


def registration_body(n: int, tag: str) -> dict:
    """The API body of the `n`th person a benchmark registers: a PKK cadre of Kabupaten Banjar who prefers email, with
    a phone and an email of their own (unique per `n` and `tag`) and the consents under the current notice."""
    return {
        "full_name": "Siti Rahmah",
        "phone": f"0813-{n // 10000 % 10000:04d}-{n % 10000:04d}",
        "email": f"peserta{n}.{tag}@contoh.id",
        "kabupaten_code": "63.03",
        "gender": "female",
        "age_group": "26_35",
        "disability": "none",
        "participant_type": "pkk_cadre",
        "preferred_channel": "email",
        "consents": {"training": True, "messages": True, "statistics": True},
        "notice_version": notices.CURRENT,
    }


class Stack:
    def __init__(self, workdir: Path, processes: Processes, **env: str) -> None:
        self.workdir, self.processes = workdir, processes
        self.redis_url = start_redis(processes, free_port(), workdir)
        self.env = {
            **os.environ,
            "APP_ENV": "development",
            "PELITA_VAR_DIR": str(workdir / "var"),
            "REDIS_URL": self.redis_url,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "REGISTRATION_FORM_RATE_LIMIT": "10000000 per minute",
            "PYTHONUNBUFFERED": "1",
            **{f"{name.upper()}_DATABASE_URL": f"sqlite:///{workdir}/{name}.sqlite3" for name in SERVICES},
            **env,
        }
        self.webs: dict[str, str] = {}

    def database_url(self, service: str) -> str:
        return self.env[f"{service.upper()}_DATABASE_URL"]

    def migrate(self, *services: str) -> None:
        for service in services or SERVICES:
            self.flask(service, "db", "upgrade")
        if "registration" in (services or SERVICES):
            self.flask("registration", "seed", "--no-demo")

    def flask(self, service: str, *args: str) -> None:
        command = [python(), "-m", "flask", "--app", f"services.{service}.wsgi", *args]
        subprocess.run(command, env=self.env, check=True, capture_output=True, text=True)

    def start_web(self, service: str) -> str:
        port = free_port()
        command = [python(), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *WEB_ARGS[service]]
        process = self.processes.start(f"{service}-web", [*command, f"services.{service}.wsgi:app"], self.env)
        self.webs[service] = f"http://127.0.0.1:{port}"
        wait_http(f"{self.webs[service]}/healthz", process=process)
        return self.webs[service]

    def start_worker(self, service: str, concurrency: int | None = None, name: str | None = None) -> None:
        node = f"{service}-{uuid.uuid4().hex[:6]}@bench"
        command = [python(), "-m", "celery", "-A", f"services.{service}.worker:celery", "worker", "-Q", service]
        command += ["-n", node, "--concurrency", str(concurrency or WORKER_CONCURRENCY[service])]
        name = name or f"{service}-worker"
        self.processes.start(name, command, self.env)
        self.processes.wait_log(name, f"{node} ready", timeout=90)

    def start_beat(self, service: str) -> None:
        command = [python(), "-m", "celery", "-A", f"services.{service}.worker:celery", "beat"]
        command += ["-s", str(self.workdir / f"{service}-beat-schedule")]
        command += ["--pidfile", str(self.workdir / f"{service}-beat.pid")]
        self.processes.start(f"{service}-beat", command, self.env)

    def staff_token(self) -> str:
        import requests

        response = requests.post(
            f"{self.webs['registration']}/api/v1/auth/token",
            json={"email": "admin@pelita.local", "password": ADMIN_PASSWORD},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["token"]

    def create_event(self, capacity: int, token: str | None = None) -> str:
        import requests

        from bench.registration import event_body

        response = requests.post(
            f"{self.webs['registration']}/api/v1/events",
            json=event_body(capacity),
            headers={"Authorization": f"Bearer {token or self.staff_token()}"},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["id"]
