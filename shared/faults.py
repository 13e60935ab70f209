"""Named crash points for the fault tests (docs/reliability.md); inert unless PELITA_FAULT_POINTS names them.

A test arms a point with `SET pelita:fault:<name> 1` in the broker's Redis; the first process to reach the point
takes the flag (GETDEL, so exactly one crash) and SIGKILLs itself, as an OOM kill or a power cut would.
"""

import os
import signal

import redis


def fault_point(name: str, redis_url: str | None) -> None:
    """Die here, once, if a test armed `name` (no effect, and no Redis call, outside fault tests)."""
    armed = os.environ.get("PELITA_FAULT_POINTS", "")
    if not armed or name not in armed.split(",") or not redis_url:
        return
    if redis.Redis.from_url(redis_url, socket_timeout=2).getdel(f"pelita:fault:{name}"):
        os.kill(os.getpid(), signal.SIGKILL)
