"""Unit tests do no I/O: a test here that opens a connection (Redis, a database server, SMTP, HTTP) fails.

A test that needs a real server or real timers belongs in tests/integration.
"""

import socket

import pytest


def _no_connection(self, address):
    raise RuntimeError(f"a unit test opened a connection to {address!r}: move it to tests/integration")


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch, nothing_off_the_loopback):
    """Fail any socket connection this process opens (after the suite-wide loopback guard, which it replaces)."""
    monkeypatch.setattr(socket.socket, "connect", _no_connection)
    monkeypatch.setattr(socket.socket, "connect_ex", _no_connection)
