"""Webhook signatures computed the way Twilio and Meta document them."""

import base64
import hashlib
import hmac

from services.notifications.clients.twilio import twilio_signature
from services.notifications.clients.whatsapp import hub_signature


def test_twilio_signature_is_hmac_sha1_of_url_and_sorted_params():
    url, params = "https://example.test/webhooks/twilio/status", {"MessageStatus": "delivered", "MessageSid": "SM1"}
    expected = base64.b64encode(
        hmac.new(b"token", (url + "MessageSidSM1MessageStatusdelivered").encode(), hashlib.sha1).digest()
    ).decode()
    assert twilio_signature("token", url, params) == expected


def test_hub_signature_is_prefixed_hex_hmac_sha256_of_the_body():
    body = b'{"entry":[]}'
    assert hub_signature("secret", body) == "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()
