"""Webhook signatures computed the way Twilio and Meta document them; a gateway's Retry-After read."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from services.notifications.sending.clients.base import MAX_RETRY_AFTER_SECONDS, retry_after
from services.notifications.sending.clients.twilio import twilio_signature
from services.notifications.sending.clients.whatsapp import hub_signature


def test_twilio_signature_is_hmac_sha1_of_url_and_sorted_params():
    url, params = "https://example.test/webhooks/twilio/status", {"MessageStatus": "delivered", "MessageSid": "SM1"}
    expected = base64.b64encode(
        hmac.new(b"token", (url + "MessageSidSM1MessageStatusdelivered").encode(), hashlib.sha1).digest()
    ).decode()
    assert twilio_signature("token", url, params) == expected


def test_hub_signature_is_prefixed_hex_hmac_sha256_of_the_body():
    body = b'{"entry":[]}'
    assert hub_signature("secret", body) == "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()


def test_retry_after_reads_seconds_and_http_dates_and_caps_them():
    now = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    assert retry_after("120") == 120
    assert retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert retry_after(format_datetime(now - timedelta(minutes=5), usegmt=True), now) == 0  # already past
    assert retry_after("86400") == MAX_RETRY_AFTER_SECONDS  # a gateway cannot park a message for a day
    assert retry_after(None) is None and retry_after("soon") is None
