"""gunicorn settings every web process uses (`gunicorn -c python:shared.gunicorn_conf`): logs without secrets.

Some addresses are themselves the key to someone's data: a participant's confirmation and cancel links, the check-in
link in the QR code, an opt-out link, a report's download link, the token in Zenziva's webhook URL. gunicorn's
access log prints every request line, and its error log the address of a request that failed; both are kept for
weeks and read by more people than the data's owner. Here those path segments and every query string value (a
search for a name, a `next=` holding a signed link) are masked, and the Referer (the previous page: often one of
those links) is not logged at all.
"""

import logging
import re

from gunicorn.glogging import Logger

#: The segment right after each of these prefixes is a signed token or a secret.
SECRET_PATH = re.compile(
    r"(/(?:pendaftaran|r|staf/hadir|berhenti|laporan|webhooks/zenziva))/[^/?#\s\"]+",
)
QUERY_VALUE = re.compile(r"=[^&\s\"]*")
MASK = "[disembunyikan]"
#: Answered 2xx, these are not logged: the healthchecks ask every 15 s and Prometheus every 30 s. A failure is.
QUIET_PATHS = frozenset({"/livez", "/readyz", "/metrics"})


def redact(text: str) -> str:
    """Mask the secret path segments and the query string values in a request line, path or URL."""
    path, sep, query = text.partition("?")
    path = SECRET_PATH.sub(rf"\1/{MASK}", path)
    if not sep:
        return path
    query, space, rest = query.partition(" ")  # a request line: "GET /x?a=1 HTTP/1.1"
    return f"{path}?{QUERY_VALUE.sub('=' + MASK, query)}{space}{rest}"


class RedactingFilter(logging.Filter):
    """Masks what `redact` masks in any record of gunicorn's error log ("Error handling request /r/…")."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_anywhere(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redact_anywhere(text: str) -> str:
    """`redact` for free text: each whitespace-separated word that looks like a path or URL."""
    return " ".join(redact(word) if "/" in word else word for word in text.split(" "))


class RedactingLogger(Logger):
    """gunicorn's logger, with the request line, path and query masked and the Referer left out."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(RedactingFilter())

    def access(self, resp, req, environ, request_time):
        if req.path in QUIET_PATHS and 200 <= (resp.status_code or 0) < 300:
            return
        super().access(resp, req, environ, request_time)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = redact(atoms["r"])
        atoms["U"] = redact(atoms["U"] or "")
        atoms["q"] = redact("?" + atoms["q"])[1:] if atoms.get("q") else atoms.get("q")
        atoms["f"] = "-"
        atoms["{referer}i"] = "-"
        for key in list(atoms):
            if key.endswith("}e"):  # the WSGI environ: RAW_URI, PATH_INFO, QUERY_STRING, HTTP_REFERER...
                del atoms[key]
        return atoms


logger_class = RedactingLogger
# Apache's common format and the time taken: no Referer, no User-Agent.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)s'
accesslog = "-"
