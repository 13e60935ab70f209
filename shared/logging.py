"""JSON logs carrying the service name and the message, correlation and request ids of the work in hand."""

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

message_id_var: ContextVar[str | None] = ContextVar("message_id", default=None)
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class ContextFilter(logging.Filter):
    """Stamp every record with the service and the ids of the current message or request."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        for name, var in (
            ("message_id", message_id_var),
            ("correlation_id", correlation_id_var),
            ("request_id", request_id_var),
        ):
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send JSON lines to stderr for `service` (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_pelita", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._pelita = True  # type: ignore[attr-defined]
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(message_id)s %(correlation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(ContextFilter(service))
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


#: Libraries that log every step at INFO: WeasyPrint writes five lines per page it renders (a batch of 300
#: certificates would be 1,500 lines saying nothing), fontTools one per font it subsets.
QUIET_LOGGERS = ("weasyprint.progress", "fontTools")
