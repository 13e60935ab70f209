"""Waking a service's outbox relay after a commit: at once when calm, shared by the commits of a rush, never
making the caller wait or fail (the beat sweep relays whatever a lost nudge leaves behind)."""

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from celery import Celery

from shared.forksafe import PerProcess
from shared.messaging.names import queue_for

logger = logging.getLogger(__name__)

#: How long commits may wait to share a nudge: a lone registration's nudge goes at once, and one every 50 ms adds
#: next to nothing to a confirmation's wait (bench/pipeline.py: p50 0.06 s at 20/s; 0.16 s with a fixed 0.2 s gap).
NUDGE_GAP_SECONDS = 0.05
#: The gap in a rush, from a gap with NUDGE_BURST_COMMITS commits waiting on: about 80 a second per web process. In
#: a burst on the form the web took about 10 % more submissions a second with this than with 50 ms throughout
#: (bench/registration.py, interleaved rounds).
NUDGE_BURST_GAP_SECONDS = 0.2
NUDGE_BURST_COMMITS = 4


@dataclass
class _Gap:
    """One process's state of the nudges: when the next may go at once, and the one waiting for the gap's end."""

    gap: float
    next_at: float = 0.0
    timer: threading.Timer | None = None
    waiting: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Nudges:
    """Wake the relay after commits: at once when no nudge went out in the last `gap` seconds, else once at the end
    of that gap for every commit meanwhile. Each commit is still followed by a nudge sent after it, and a relay run
    takes every row committed before it starts.

    In a rush the gap widens: once `burst` commits or more have waited in one gap, the next gaps last `burst_gap`,
    until a gap has fewer. Under load a nudge (its timer thread, the hand-off to the nudge thread, the Celery send,
    all competing with the request threads for the GIL) costs a web process about 2 ms of CPU; sharing it among a
    rush's commits keeps that for the requests, while one commit at a time still wakes the relay at once.
    """

    def __init__(self, send: Callable[[], None], gap: float, burst_gap: float | None = None, burst: int = 4) -> None:
        self.send, self.calm_gap, self.burst_gap, self.burst = send, gap, burst_gap or gap, burst
        self._state = PerProcess(lambda: _Gap(gap=self.calm_gap))  # a forked child's timer is not running

    @property
    def gap(self) -> float:
        return self._state.get().gap

    def __call__(self) -> None:
        now, state = time.monotonic(), self._state.get()
        with state.lock:
            if state.timer is not None:  # a nudge is due at the end of the gap: it comes after this commit
                state.waiting += 1
                return
            if now < state.next_at:
                state.waiting = 1
                state.timer = threading.Timer(state.next_at - now, self._at_end_of_gap, args=(state,))
                state.timer.daemon = True
                state.timer.start()
                return
            state.gap = self.calm_gap  # a whole gap went by without a commit: no rush
            state.next_at = now + state.gap
        self.send()

    def _at_end_of_gap(self, state: _Gap) -> None:
        with state.lock:
            state.gap = self.burst_gap if state.waiting >= self.burst else self.calm_gap
            state.timer, state.next_at, state.waiting = None, time.monotonic() + state.gap, 0
        self.send()


@dataclass
class _Sender:
    """One process's nudge thread and the relay tasks it has yet to wake."""

    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="outbox-nudge"))
    queued: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


_sender = PerProcess(_Sender)


def nudge_relay(celery: Celery, task_name: str) -> None:
    """Ask the relay to run now, without ever making the caller wait or fail (beat sweeps up anything missed).

    The web tier must keep taking registrations while Redis is down, so the nudge is sent from a background
    thread with no publish retries; if it cannot be sent, the rows simply wait for the next sweep. A burst of
    commits needs one relay run, not one per commit: a nudge already waiting to go takes the later ones along.
    """
    flask_app = getattr(celery, "flask_app", None)
    if flask_app is not None and not flask_app.config.get("OUTBOX_NUDGE", True):
        return
    sender = _sender.get()
    with sender.lock:
        if task_name in sender.queued:  # one is already waiting to go: the relay it wakes takes our row too
            return
        sender.queued.add(task_name)
    sender.pool.submit(_send_nudge, sender, celery, task_name)


def _send_nudge(sender: _Sender, celery: Celery, task_name: str) -> None:
    with sender.lock:  # from here on a new commit needs a new nudge: this relay run may start before it
        sender.queued.discard(task_name)
    try:
        celery.send_task(task_name, queue=queue_for(task_name), retry=False, expires=60)
    except Exception:
        logger.info("outbox nudge not sent; the beat sweep will relay", extra={"task": task_name})
