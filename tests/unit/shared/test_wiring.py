"""Guard tests: the wiring between services stays honest (after Notify's test_all_queues_used)."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml

from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from shared.messaging.contracts import CONTRACTS
from shared.messaging.names import EventNames, QueueNames, TaskNames, queue_for
from shared.messaging.routing import SUBSCRIBERS

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def celery_apps():
    return {
        name: factory("test").extensions["celery"]
        for name, factory in (
            ("registration", registration_app),
            ("notifications", notifications_app),
            ("reporting", reporting_app),
        )
    }


def own_tasks(celery) -> set[str]:
    return {name for name in celery.tasks if not name.startswith("celery.")}


def test_every_event_type_has_a_contract_and_a_subscriber():
    for event_type in EventNames.all():
        assert any(name == event_type for name, _ in CONTRACTS), event_type
        assert SUBSCRIBERS.get(event_type), f"{event_type} has no subscriber"


def test_every_subscriber_is_a_known_task():
    for task_names in SUBSCRIBERS.values():
        assert set(task_names) <= set(TaskNames.all())


def test_every_task_name_has_exactly_one_consumer(celery_apps):
    for task_name in TaskNames.all():
        owners = [service for service, celery in celery_apps.items() if task_name in own_tasks(celery)]
        assert owners == [queue_for(task_name)], f"{task_name} is registered by {owners}"


def test_no_service_registers_a_task_outside_the_catalogue(celery_apps):
    for celery in celery_apps.values():
        assert own_tasks(celery) <= set(TaskNames.all())


def test_every_beat_entry_names_its_own_services_task_and_queue(celery_apps):
    for service, celery in celery_apps.items():
        for entry in celery.conf.beat_schedule.values():
            assert entry["task"] in own_tasks(celery)
            assert entry["options"]["queue"] == service


def test_every_service_has_the_same_rooms():
    rooms = ["app.py", "config.py", "models.py", "schemas.py", "store.py", "queries.py", "service.py", "tasks.py"]
    rooms += ["handlers.py", "bus.py"]  # the bus and the handlers of its incoming messages
    rooms += ["api/__init__.py", "wsgi.py", "worker.py", "migrations/env.py"]
    for service in QueueNames.all():
        for room in rooms:
            module = ROOT / "services" / service / room
            package = module.with_suffix("") / "__init__.py"  # a module grown into a package of parts
            assert module.exists() or package.exists(), f"services/{service}/{room}"


def worker_queues(commands: list[str]) -> set[str]:
    queues = set()
    for command in commands:
        if " worker " in f" {command} ":
            queues.update(re.search(r"-Q\s+(\S+)", command).group(1).split(","))
    return queues


def procfile_commands() -> list[str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return [line.split(":", 1)[1] for line in lines if line and not line.startswith("#")]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def compose_commands() -> list[str]:
    return [
        " ".join(s["command"]) if isinstance(s.get("command"), list) else s.get("command", "")
        for s in compose()["services"].values()
    ]


def test_every_queue_has_a_worker_in_the_procfile():
    assert worker_queues(procfile_commands()) == set(QueueNames.all())


def test_every_queue_has_a_worker_in_compose():
    assert worker_queues(compose_commands()) == set(QueueNames.all())


def test_every_service_has_exactly_one_beat_in_compose_and_procfile():
    for commands in (compose_commands(), procfile_commands()):
        beats = [re.search(r"-A\s+services\.(\w+)\.", c).group(1) for c in commands if " beat" in c]
        assert sorted(beats) == sorted(QueueNames.all())


def test_every_compose_command_names_a_real_module(monkeypatch):
    monkeypatch.setenv("APP_ENV", "test")  # importing a wsgi/worker module builds its app
    targets = []
    for command in compose_commands() + procfile_commands():
        targets += re.findall(r"(?:-A|--app)\s+([\w.]+)(?::(\w+))?", command)
        targets += re.findall(r"\b(services\.\w+\.wsgi):(\w+)", command)
        targets += [(module, None) for module in re.findall(r"python -m ([\w.]+)", command)]
    assert targets
    for module_name, attribute in targets:
        module = importlib.import_module(module_name if module_name != "devsinks" else "devsinks.__main__")
        if attribute:
            assert hasattr(module, attribute), f"{module_name}:{attribute}"


def test_compose_has_the_production_shape():
    services = compose()["services"]
    for name in ("redis", "postgres", "proxy", "flower", "sinks"):
        assert name in services
    databases = set()
    for service in QueueNames.all():
        assert f"{service}-web" in services and "gunicorn" in services[f"{service}-web"]["command"]
        assert f"{service}-worker" in services
        assert f"services.{service}.wsgi db upgrade" in services[f"{service}-migrations"]["command"]
        databases.add(services[f"{service}-web"]["environment"][f"{service.upper()}_DATABASE_URL"].rsplit("/", 1)[1])
    assert databases == set(QueueNames.all()), "one database per service"


#: Options that set what a process runs and how much of it; the rest (bind address, schedule file, -E for Flower's
#: events in production) may differ between `make run` and docker-compose.
LAYOUT_OPTIONS = {"--workers", "--threads", "--worker-class", "-c", "-A", "-Q", "-n", "--concurrency"}


def layout(command: str) -> dict:
    """What a gunicorn or celery command runs and its layout: program, target, sub-command and LAYOUT_OPTIONS."""
    program = "gunicorn" if "gunicorn " in command else "celery"
    words = shlex.split(command[command.index(f"{program} ") :].rstrip('"'))
    found = {"program": program, "multiprocess metrics": "PROMETHEUS_MULTIPROC_DIR=" in command}
    skip = False
    for i, word in enumerate(words[1:], start=1):
        if skip:
            skip = False
        elif word in LAYOUT_OPTIONS:
            found[word], skip = words[i + 1], True
        elif word.startswith("-"):
            skip = word in {"--bind", "-s", "--port", "-l"}
        else:
            found.setdefault("arguments", []).append(word)
    return found


def test_the_procfile_and_compose_run_the_same_processes_with_the_same_layout():
    """What `make run` and the benchmarks run (the Procfile) is what production runs (docker-compose.yml): the same
    processes, gunicorn workers and threads, Celery queues and concurrency."""
    procfile = {
        name.strip(): command
        for name, _, command in (line.partition(":") for line in (ROOT / "Procfile").read_text().splitlines())
        if command and not name.startswith("#") and ("gunicorn " in command or "celery " in command)
    }
    services = compose()["services"]
    for service in QueueNames.all():
        pairs = {
            service: f"{service}-web",
            f"{service}_worker": f"{service}-worker",
            f"{service}_beat": f"{service}-beat",
        }
        for in_procfile, in_compose in pairs.items():
            assert layout(procfile.pop(in_procfile)) == layout(services[in_compose]["command"]), in_compose
    assert procfile == {}, f"in the Procfile only: {sorted(procfile)}"
