"""SMS through Twilio's Messages API: Basic auth, E.164 numbers, status callbacks signed with the auth token."""

import base64
import hashlib
import hmac

import urllib3

from services.notifications.sending.clients.base import HttpClient, PermanentSendError, TextMessage
from services.notifications.sending.phones import for_twilio
from shared.states import Channel


def twilio_signature(auth_token: str, url: str, params: dict) -> str:
    """Compute X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by the sorted POST parameters."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class TwilioSmsClient(HttpClient):
    name = "twilio"
    channel = Channel.SMS

    def __init__(self, base_url: str, account_sid: str, auth_token: str, sender: str, *, status_callback=None, **t):
        super().__init__(base_url, **t)
        self.account_sid, self.sender, self.status_callback = account_sid, sender, status_callback
        self.headers |= urllib3.util.make_headers(basic_auth=f"{account_sid}:{auth_token}")

    def send(self, message: TextMessage) -> str:
        """Send one SMS; return Twilio's message SID."""
        form = {"To": for_twilio(message.to), "From": self.sender, "Body": message.body}
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        body = self.json(self.post(f"/2010-04-01/Accounts/{self.account_sid}/Messages.json", data=form))
        if body.get("error_code") or not body.get("sid"):
            raise PermanentSendError(f"twilio: {body.get('error_message') or body}")
        return str(body["sid"])
