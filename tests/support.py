"""Helpers the tests share: the SMTP sink, the gateway stand-ins with faults, PostgreSQL databases, an access log."""

import threading
import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.serving import make_server

from devsinks.mailbox import Mailbox, start_smtp
from scripts.redis_local import free_port


@dataclass
class SmtpSink:
    mailbox: Mailbox
    controller: object
    host: str
    port: int

    @classmethod
    def start(cls) -> "SmtpSink":
        mailbox, port = Mailbox(), free_port()
        return cls(mailbox, start_smtp(mailbox, "127.0.0.1", port), "127.0.0.1", port)

    def stop(self) -> None:
        self.controller.stop()

    def mails_to(self, address: str) -> list:
        return [mail for mail in self.mailbox.mails() if address in mail.rcpt_tos]


def most_within(moments, seconds: float) -> int:
    """The most of `moments` in any window of `seconds` (what a gateway counting over its own window would see).

    Paced at N a second, messages leave 1/N s apart: a window of 1 - 1/N s holds N - 1 of them, and N when one took
    up to 1/N s longer to arrive than the next (a loaded machine). Unpaced, they all arrive at once.
    """
    moments = sorted(moments)
    return max(sum(1 for later in moments[i:] if later - moment < seconds) for i, moment in enumerate(moments))


def _admin(base_url: str) -> sa.Engine:
    """An engine on the test PostgreSQL that runs each statement on its own (CREATE DATABASE needs that)."""
    return sa.create_engine(base_url, isolation_level="AUTOCOMMIT")


def postgres_database_url(base_url: str, prefix: str, template: str | None = None) -> tuple[str, str]:
    """Create a database in the test PostgreSQL (empty, or a copy of `template`); return (its url, its name)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = _admin(base_url)
    with engine.connect() as connection:
        copy = f' TEMPLATE "{template}"' if template else ""
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
    engine.dispose()
    return sa.make_url(base_url).set(database=name).render_as_string(hide_password=False), name


def copy_postgres_database(base_url: str, name: str, template: str) -> None:
    """Make database `name` (nobody connected) a fresh copy of `template`: a file copy, no migration.

    Only a database the tests made (named pelita_...) is ever dropped for it."""
    if not name.startswith("pelita_"):
        raise ValueError(f"refusing to replace database {name!r}: the tests did not make it")
    engine = _admin(base_url)
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    engine.dispose()


def drop_postgres_database(base_url: str, name: str) -> None:
    engine = _admin(base_url)
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


@dataclass
class GatewayFault:
    """What a gateway stand-in does to its next `times` requests (None: to every request from now on)."""

    status: int = 500
    times: int | None = None
    retry_after: int | None = None
    #: Stall this long (longer than the client's read timeout) and take nothing: the client gives up first.
    stall: float = 0


class GatewaySink:
    """The dev sinks' SMS/WhatsApp gateway stand-ins on a free loopback port, with faults a test switches on.

    `faults[gateway]` is a list of GatewayFault applied in order; a request that no fault takes is answered as the
    provider would and its message kept in `box`. Every request is logged in `requests` as (gateway, to, status),
    and when it came in `moments` (time.monotonic()). `throttle` makes a gateway refuse, as a real one does, what
    goes over a rate: 429 with Retry-After.
    """

    PATHS = (("/reguler/", "zenziva"), ("/masking/", "zenziva"), ("/2010-04-01/", "twilio"))

    def __init__(self) -> None:
        from flask import Flask, request

        from devsinks.gateways import Receipts, TextBox, make_blueprint

        self.box = TextBox()
        self.faults: dict[str, list[GatewayFault]] = {}
        self.requests: list[tuple[str, str, int]] = []
        self.moments: list[float] = []
        self.throttles: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        app = Flask("gateways")
        app.register_blueprint(make_blueprint(self.box, Receipts()))  # no receipts: no notifications web runs

        @app.before_request
        def inject_fault():
            gateway = self.gateway_of(request.path)
            values = request.get_json(silent=True) if request.is_json else request.form
            to = str((values or {}).get("to") or (values or {}).get("To") or "")
            with self._lock:  # the fault and the log entry in one step: concurrent requests log in fault order
                now = time.monotonic()
                fault = self._take_fault(gateway) or self._over_throttle(gateway, now)
                status = 200 if fault is None else (504 if fault.stall else fault.status)
                self.requests.append((gateway, to, status))
                self.moments.append(now)
            if fault is None:
                return None
            if fault.stall:
                time.sleep(fault.stall)
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            return {"error": f"stand-in fault {status}"}, status, headers

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @classmethod
    def gateway_of(cls, path: str) -> str:
        return next((name for prefix, name in cls.PATHS if path.startswith(prefix)), "whatsapp_cloud")

    def fail(self, gateway: str, *faults: GatewayFault) -> None:
        with self._lock:
            self.faults.setdefault(gateway, []).extend(faults)

    def recover(self, *gateways: str) -> None:
        with self._lock:
            for gateway in gateways:
                self.faults.pop(gateway, None)

    def throttle(self, gateway: str, per_second: int, retry_after: int) -> None:
        """Answer 429 with Retry-After to any request that would make more than `per_second` in the last second."""
        with self._lock:
            self.throttles[gateway] = (per_second, retry_after)

    def _over_throttle(self, gateway: str, now: float) -> GatewayFault | None:
        if gateway not in self.throttles:
            return None
        per_second, retry_after = self.throttles[gateway]
        recent = sum(
            1 for (name, _, status), moment in zip(self.requests, self.moments, strict=True)
            if name == gateway and status == 200 and now - moment < 1.0
        )  # fmt: skip
        return GatewayFault(429, retry_after=retry_after) if recent >= per_second else None

    def request_moments(self, gateway: str) -> list[float]:
        """When each request to `gateway` came in (time.monotonic()), oldest first."""
        with self._lock:
            return [moment for entry, moment in zip(self.requests, self.moments, strict=True) if entry[0] == gateway]

    def _take_fault(self, gateway: str) -> GatewayFault | None:
        queue = self.faults.get(gateway, [])
        while queue and queue[0].times == 0:
            queue.pop(0)
        if not queue:
            return None
        if queue[0].times is not None:
            queue[0].times -= 1
        return queue[0]

    def accepted(self) -> list:
        """Every message a gateway took (devsinks.gateways.TextMessage), oldest first."""
        return list(reversed(self.box.messages()))

    def requests_to(self, gateway: str) -> list[tuple[str, str, int]]:
        with self._lock:
            return [entry for entry in self.requests if entry[0] == gateway]

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)


def msisdn(number: str) -> str:
    """A number as digits with the country code, however a gateway was given it (0812…, +62812…, whatsapp:+62…)."""
    digits = "".join(char for char in number if char.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits


class AccessLog:
    """WSGI middleware keeping (service, method, path, status) of every response, as a web server's access log.

    An exception escaping the app (a debug app propagates it) is logged as the 500 a server would answer.
    """

    def __init__(self, app, service: str, entries: list) -> None:
        self.app, self.service, self.entries = app, service, entries

    def __call__(self, environ, start_response):
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")

        def logged(status: str, headers, exc_info=None):
            self.entries.append((self.service, method, path, int(status.split()[0])))
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, logged)
        except Exception:
            self.entries.append((self.service, method, path, 500))
            raise


def read_metrics(client, headers: dict | None = None) -> dict[tuple, float]:
    """GET /metrics as Prometheus reads it: {(name, (label, value), ...): value} for every sample."""
    from prometheus_client.parser import text_string_to_metric_families

    page = client.get("/metrics", headers=headers or {})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/plain"), page.status_code
    return {
        (sample.name, *sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(page.text)
        for sample in family.samples
    }
