"""Find a Redis that answers, or say how to start one: the rule `make run` and `make test` share."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def answers(url: str, timeout: float = 1.0) -> bool:
    """True when a Redis at `url` answers PING."""
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout).ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server() -> str | None:
    return shutil.which("redis-server") or next(
        (path for path in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if Path(path).exists()), None
    )


def redis_command(port: int, directory: Path) -> list[str]:
    """The command line of a private, memory-only Redis bound to the loopback."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        redis_server() or "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(directory),
        "--maxmemory-policy",
        "noeviction",
    ]


def start_redis(port: int, directory: Path, log: Path, extra: list[str] | None = None) -> subprocess.Popen:
    """Start a private redis-server on `port` (with `extra` options appended) and wait until it answers."""
    handle = log.open("ab")
    command = redis_command(port, directory) + list(extra or [])
    process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if answers(f"redis://127.0.0.1:{port}/0", 0.2):
            return process
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"redis-server did not start on port {port}; see {log}")


NO_REDIS = (
    "No Redis answers at {url} and redis-server is not installed: "
    "run `sudo apt-get install redis-server` (or set REDIS_URL to a Redis that answers), then try again."
)
