"""The containers' healthcheck: one small command, standard library only (it runs every few seconds).

    python -m shared.liveness /tmp/pelita-notifications-worker.alive --max-age 60   # a worker or beat
    python -m shared.liveness http://127.0.0.1:8001/readyz                          # a web

Exit 0 when alive, 1 (with the reason on stderr) when not. For a worker or beat it reads the age of the heartbeat
file the process touches (shared/heartbeat.py): one stat(). `celery inspect ping` was the other way: it starts a
Python process that imports the whole app and asks over Redis, so it costs seconds of CPU every interval and calls
a healthy worker dead whenever Redis is down. For a web it asks the given address and wants a 2xx answer.

The files go in PELITA_HEARTBEAT_DIR (default: the system's temporary folder), named heartbeat_file(service, role).
"""

import argparse
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


def heartbeat_file(service: str, role: str) -> Path:
    """The file the `role` ("worker" or "beat") of `service` touches."""
    folder = os.environ.get("PELITA_HEARTBEAT_DIR") or tempfile.gettempdir()
    return Path(folder) / f"pelita-{service}-{role}.alive"


def touch(path: Path) -> None:
    """Set `path`'s modification time to now (creating it), never failing the process that beats."""
    try:
        path.touch()
        os.utime(path)
    except OSError:
        pass


def age(path: Path, now: float | None = None) -> float | None:
    """Seconds since `path` was last touched, or None when it does not exist."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    return (time.time() if now is None else now) - mtime


def check_file(path: Path, max_age: float) -> str | None:
    """None when `path` was touched within `max_age` seconds, else why not."""
    seconds = age(path)
    if seconds is None:
        return f"{path}: no heartbeat yet"
    if seconds > max_age:
        return f"{path}: last heartbeat {seconds:.0f} s ago"
    return None


def check_url(url: str, timeout: float) -> str | None:
    """None when `url` answers 2xx within `timeout` seconds, else why not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return None if 200 <= response.status < 300 else f"{url}: HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"{url}: HTTP {error.code}"
    except OSError as error:
        return f"{url}: {type(error).__name__}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Exit 0 when a heartbeat file is fresh or a web answers, else 1.")
    parser.add_argument("target", help="a heartbeat file, or an http:// address of a web's /readyz or /livez")
    parser.add_argument("--max-age", type=float, default=60.0, help="seconds a heartbeat may be old (default 60)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for a web (default 5)")
    args = parser.parse_args(argv)
    if args.target.startswith(("http://", "https://")):
        problem = check_url(args.target, args.timeout)
    else:
        problem = check_file(Path(args.target), args.max_age)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
