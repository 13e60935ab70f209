"""What every provider adapter shares: the message it is given, its errors, and HTTP over kept-alive connections."""

import json as jsonlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urlencode, urlsplit
from urllib.request import getproxies, proxy_bypass

import certifi
import urllib3


class TransientSendError(Exception):
    """The provider could not take the message now; trying again later may work (`retry_after` seconds from now at
    the earliest, when it said so: a 429 or 503 with Retry-After)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """The provider refused the message; trying again will not help."""


@dataclass
class TextMessage:
    """An SMS or WhatsApp message: `to` is E.164; WhatsApp sends `template` with `params` (its body parameters) and
    `buttons` (each URL button's dynamic suffix, in the template's button order), SMS sends `body`."""

    to: str
    body: str
    reference: str
    template: str | None = None
    params: list[str] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)
    locale: str = "id"
    #: Each quick-reply button's payload, after the URL buttons in the template's order (the reminder: Hadir, Batal).
    quick_replies: list[str] = field(default_factory=list)
    #: A free-form WhatsApp text (`body`) instead of a template: only as the answer to the person's own message,
    #: within the 24 hours WhatsApp allows it.
    free_text: bool = False


class TextClient(Protocol):
    name: str
    channel: str

    def send(self, message: TextMessage) -> str:
        """Hand `message` to the provider; return its reference. Raise TransientSendError or PermanentSendError."""


@dataclass(frozen=True)
class Response:
    """What a provider answered: the status and the body."""

    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        return jsonlib.loads(self.content)


class HttpClient:
    """A provider over HTTP: a pool of kept-alive connections, timeouts, errors sorted into transient and permanent.

    urllib3 directly, not requests: a reminder burst sends thousands of small POSTs, and requests' per-request
    work (merging settings, reading the environment's proxies, hooks, cookies) was about half of a send's cost.
    The environment's proxy (HTTPS_PROXY, NO_PROXY) and CA bundle (REQUESTS_CA_BUNDLE) are read once here.
    """

    name = "http"

    def __init__(self, base_url: str, *, connect_timeout: float = 5, read_timeout: float = 15) -> None:
        self.base_url = base_url.rstrip("/")
        #: Sent with every request (authentication).
        self.headers: dict[str, str] = {}
        parts = urlsplit(self.base_url)
        proxy = None if proxy_bypass(parts.hostname or "") else getproxies().get(parts.scheme)
        options = {
            "timeout": urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            "retries": False,  # a failed send is retried by the service, with backoff, in the store
            "maxsize": 8,  # a connection kept for each of a worker's sending threads (service.SEND_THREADS)
            "ca_certs": os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where(),
        }
        self.pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)

    def post(self, path: str, *, data: dict | None = None, json: dict | None = None) -> Response:
        """POST a form (`data`) or a JSON body to the provider; 5xx, 429, timeouts and connection errors are
        transient, other 4xx permanent."""
        if json is not None:
            body, content_type = jsonlib.dumps(json).encode(), "application/json"
        else:
            body, content_type = urlencode(data or {}).encode(), "application/x-www-form-urlencoded"
        headers = {**self.headers, "Content-Type": content_type}
        try:
            answer = self.pool.request("POST", f"{self.base_url}{path}", body=body, headers=headers)
        except urllib3.exceptions.TimeoutError as error:
            raise TransientSendError(f"{self.name}: timed out") from error
        except urllib3.exceptions.HTTPError as error:
            raise TransientSendError(f"{self.name}: {type(error).__name__}") from error
        response = Response(answer.status, answer.data)
        if response.status_code >= 500 or response.status_code == 429:
            wait = retry_after(answer.headers.get("Retry-After"))
            said = f" (Retry-After {wait:.0f} s)" if wait is not None else ""
            raise TransientSendError(f"{self.name}: HTTP {response.status_code}{said}", retry_after=wait)
        if response.status_code >= 400:
            raise PermanentSendError(f"{self.name}: HTTP {response.status_code}: {response.text[:300]}")
        return response

    def json(self, response: Response) -> dict:
        try:
            body = response.json()
        except ValueError as error:  # a proxy's HTML error page: the provider may be back soon
            raise TransientSendError(f"{self.name}: response is not JSON") from error
        return body if isinstance(body, dict) else {}


#: The longest wait a provider's Retry-After can impose on a message (the backoff's own cap).
MAX_RETRY_AFTER_SECONDS = 3600.0


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # an HTTP date is GMT
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)
