"""What every benchmark shares: arguments, figures (median/min/max over runs), the JSON result, the table,
and the processes a benchmark starts (each one stopped again, by its own handle)."""

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
TEST_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def arguments(description: str, **defaults) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: check the benchmark runs, in seconds")
    parser.add_argument("--runs", type=int, default=1, help="repeat the measurement this many times")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for <name>.json")
    for name, (default, help_) in defaults.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default, help=help_)
    return parser.parse_args()


def percentile(values, p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation; None for no values."""
    data = sorted(values)
    if not data:
        return None
    k = (len(data) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


@dataclass
class Results:
    """Figures of one benchmark: each figure keeps one value per run."""

    name: str
    args: argparse.Namespace
    figures: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    started: float = field(default_factory=time.time)

    def add(self, figure: str, unit: str, value) -> None:
        entry = self.figures.setdefault(figure, {"unit": unit, "values": []})
        entry["values"].append(None if value is None else round(float(value), 6))

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        """Record a correctness check (a boolean, printed; never an assertion about speed)."""
        previous = self.checks.get(name, {"ok": True, "detail": []})
        self.checks[name] = {"ok": bool(previous["ok"] and ok), "detail": [*previous["detail"], detail]}

    def note(self, text: str) -> None:
        self.notes.append(text)

    def as_dict(self) -> dict:
        figures = []
        for name, entry in self.figures.items():
            values = [v for v in entry["values"] if v is not None]
            figures.append(
                {
                    "figure": name,
                    "unit": entry["unit"],
                    "median": statistics.median(values) if values else None,
                    "min": min(values) if values else None,
                    "max": max(values) if values else None,
                    "runs": len(entry["values"]),
                    "values": entry["values"],
                }
            )
        return {
            "name": self.name,
            "command": " ".join(["python", "-m", _module(self.name), *map(shlex.quote, sys.argv[1:])]),
            "smoke": bool(self.args.smoke),
            "cores": os.cpu_count(),
            "load_average_at_start": _load_average(),
            "machine": f"{platform.system()} {platform.machine()} {platform.python_implementation()} "
            f"{platform.python_version()}",
            "started_at": datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds"),
            "seconds": round(time.time() - self.started, 1),
            "figures": figures,
            "checks": self.checks,
            "notes": self.notes,
        }

    def write(self) -> Path:
        data = self.as_dict()
        self.args.out.mkdir(parents=True, exist_ok=True)
        path = self.args.out / f"{self.name}.json"
        path.write_text(json.dumps(data, indent=2) + "\n")
        print(table(data))
        print(f"written: {path}")
        return path


def _load_average() -> list | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _fmt(value) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def table(data: dict) -> str:
    """A short fixed-width table of one result."""
    rows = [("figure", "unit", "median", "min", "max", "runs")]
    for f in data["figures"]:
        rows.append((f["figure"], f["unit"], _fmt(f["median"]), _fmt(f["min"]), _fmt(f["max"]), str(f["runs"])))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = [f"== bench.{data['name']}{' (smoke)' if data['smoke'] else ''}: {data['cores']} cores"]
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[j]) if j < 2 else cell.rjust(widths[j]) for j, cell in enumerate(row)))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    for name, check in data["checks"].items():
        lines.append(f"check {name}: {'ok' if check['ok'] else 'NOT OK'} {'; '.join(d for d in check['detail'] if d)}")
    lines.extend(f"note: {n}" for n in data["notes"])
    return "\n".join(lines)


class Processes:
    """The processes one benchmark starts; `stop()` ends exactly those (process groups it created)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = (self.workdir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_log(self, name: str, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log(name):
            if self.started[name].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not say {text!r}:\n{self.log(name)[-3000:]}")
            time.sleep(0.1)

    def stop(self, name: str, timeout: float = 15) -> None:
        process = self.started.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)  # its own session: gunicorn's and celery's children go too
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def stop_all(self) -> None:
        for name in list(self.started)[::-1]:
            self.stop(name)


@contextmanager
def workspace(name: str):
    """A temporary folder and a Processes registry that is always stopped, even on Ctrl-C.

    The folder (stores, logs) is removed after a clean run and kept after a failure (or with PELITA_BENCH_KEEP=1)."""
    directory = Path(tempfile.mkdtemp(prefix=f"pelita-bench-{name}-"))
    processes = Processes(directory)
    try:
        yield directory, processes
    except BaseException:
        print(f"logs kept in {directory}", file=sys.stderr)
        raise
    else:
        processes.stop_all()  # before their folder goes
        if not os.environ.get("PELITA_BENCH_KEEP"):
            shutil.rmtree(directory, ignore_errors=True)
    finally:
        processes.stop_all()


def start_redis(processes: Processes, port: int, directory: Path) -> str:
    from scripts.redis_local import answers, redis_command

    processes.start("redis", redis_command(port, directory / "redis"), dict(os.environ))
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not answers(url, 0.2):
        if time.monotonic() > deadline:
            raise RuntimeError("redis-server did not start")
        time.sleep(0.05)
    return url


def wait_http(url: str, timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer")
        time.sleep(0.1)


def postgres_schema(base_url: str = TEST_DATABASE_URL, prefix: str = "bench") -> tuple[str, str]:
    """Create a private schema; return (url whose search_path is that schema, schema)."""
    import sqlalchemy as sa

    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{schema}", schema


def drop_postgres_schema(schema: str, base_url: str = TEST_DATABASE_URL) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


def postgres_answers(base_url: str = TEST_DATABASE_URL) -> bool:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(base_url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        engine.dispose()
        return True
    except Exception:
        return False


def rss_mb(pid: int) -> float:
    """Resident set size of one process, in MB (from /proc)."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    """Direct child pids of `pid` (from /proc)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cpu_seconds(session: int) -> float:
    """CPU time (user + system) used so far by the live processes of one session and the children they reaped."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[3]) == session:
            total += sum(int(value) for value in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float | None:
    """CPU time used so far by a PostgreSQL server running on this machine (postmaster, backends and the backends it
    reaped), or None when none runs here."""
    total, found = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            command, _, rest = stat.read_text().partition(") ")
        except OSError:  # ended meanwhile
            continue
        if command.endswith("(postgres"):
            found = True
            total += sum(int(value) for value in rest.split()[10:14])
    return total / os.sysconf("SC_CLK_TCK") if found else None


def procfile_gunicorn(process: str) -> list[str]:
    """The gunicorn layout (workers, threads, worker class) the Procfile gives `process`: what the benchmarks run."""
    words = shlex.split(_procfile_command(process).partition(" gunicorn ")[2])
    return [item for i, word in enumerate(words) if word in _LAYOUT for item in (word, words[i + 1])]


_LAYOUT = ("--workers", "--threads", "--worker-class")


def procfile_concurrency(process: str) -> int:
    """The `--concurrency` the Procfile gives the Celery worker `process` (e.g. `notifications_worker`)."""
    words = shlex.split(_procfile_command(process))
    return int(words[words.index("--concurrency") + 1])


def _procfile_command(process: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{process}:"):
            return line.partition(":")[2]
    raise LookupError(f"no {process} line in the Procfile")


def _module(name: str) -> str:
    """The benchmark's module as `python -m` ran it (a result's name may differ: registration-without)."""
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    return spec.name if spec is not None and spec.name.startswith("bench.") else f"bench.{name}"


def python() -> str:
    return sys.executable


def bin_path(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def check_result(path: Path) -> None:
    """Exit non-zero unless `path` is a result with every field the issue asks for (not a speed check)."""
    data = json.loads(Path(path).read_text())
    missing = [key for key in ("name", "command", "cores", "figures") if key not in data]
    for figure in data.get("figures", []):
        missing += [f"{figure.get('figure')}.{key}" for key in FIGURE_KEYS if key not in figure]
    failed = [name for name, check in data.get("checks", {}).items() if not check["ok"]]
    if missing or not data.get("figures") or failed:
        sys.exit(f"{path}: missing {missing or 'figures'}; failed checks {failed}")
    print(f"{path}: {len(data['figures'])} figures, fields complete, checks ok")


FIGURE_KEYS = ("figure", "unit", "median", "min", "max", "runs")

if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        check_result(Path(sys.argv[2]))
