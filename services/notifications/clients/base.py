"""What every provider adapter shares: the message it is given, its errors, and HTTP with kept-alive sessions."""

import os
from dataclasses import dataclass, field
from typing import Protocol

import requests


class TransientSendError(Exception):
    """The provider could not take the message now; trying again later may work."""


class PermanentSendError(Exception):
    """The provider refused the message; trying again will not help."""


@dataclass
class TextMessage:
    """An SMS or WhatsApp message: `to` is E.164; WhatsApp sends `template` with `params`, SMS sends `body`."""

    to: str
    body: str
    reference: str
    template: str | None = None
    params: list[str] = field(default_factory=list)
    locale: str = "id"


class TextClient(Protocol):
    name: str
    channel: str

    def send(self, message: TextMessage) -> str:
        """Hand `message` to the provider; return its reference. Raise TransientSendError or PermanentSendError."""


class HttpClient:
    """A provider over HTTP: one kept-alive session, timeouts, and errors sorted into transient and permanent."""

    name = "http"

    def __init__(self, base_url: str, *, connect_timeout: float = 5, read_timeout: float = 15) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        # The environment's proxy and CA settings, read once: requests would read them again for every message,
        # a good part of the cost of a send in a reminder burst.
        self.session.trust_env = False
        self.session.proxies = requests.utils.get_environ_proxies(self.base_url)
        self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True

    def post(self, path: str, **kwargs) -> requests.Response:
        """POST to the provider; 5xx, 429, timeouts and connection errors are transient, other 4xx permanent."""
        try:
            response = self.session.post(f"{self.base_url}{path}", timeout=self.timeout, **kwargs)
        except requests.Timeout as error:
            raise TransientSendError(f"{self.name}: timed out") from error
        except requests.RequestException as error:
            raise TransientSendError(f"{self.name}: {type(error).__name__}") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientSendError(f"{self.name}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentSendError(f"{self.name}: HTTP {response.status_code}: {response.text[:300]}")
        return response

    def json(self, response: requests.Response) -> dict:
        try:
            body = response.json()
        except ValueError as error:  # a proxy's HTML error page: the provider may be back soon
            raise TransientSendError(f"{self.name}: response is not JSON") from error
        return body if isinstance(body, dict) else {}
