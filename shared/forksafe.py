"""Things a process makes for itself and a forked child must not inherit: thread pools, timers, open sockets.

gunicorn and Celery's prefork pool fork worker processes from a parent that may already have made them. A child
that used its parent's pool would queue work for threads that do not exist in it (they are not copied by fork),
and one that used its parent's sockets would talk over connections the parent still uses. `PerProcess` holds such
a thing: it is made on first use in each process and forgotten in a forked child, which makes its own.
"""

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerProcess(Generic[T]):
    """A value made by `make` on first use in each process; a forked child starts without it."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._forget()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        # A new lock too: the parent's may have been held, at the fork, by a thread the child does not have.
        self._lock, self._value, self._made = threading.Lock(), None, False

    def get(self) -> T:
        """This process's value, made now if this process has none yet."""
        if not self._made:
            with self._lock:
                if not self._made:
                    self._value, self._made = self._make(), True
        return self._value

    def peek(self) -> T | None:
        """This process's value if it made one, else None (nothing is made)."""
        return self._value if self._made else None
