"""WhatsApp through Meta's Cloud API: approved template messages, bearer token, receipts signed with the app secret."""

import hashlib
import hmac

from services.notifications.sending.clients.base import HttpClient, PermanentSendError, TextMessage
from services.notifications.sending.phones import for_whatsapp
from shared.states import Channel


def hub_signature(app_secret: str, body: bytes) -> str:
    """Compute X-Hub-Signature-256 of a webhook body: "sha256=" and the hex HMAC-SHA256 with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class WhatsAppCloudClient(HttpClient):
    name = "whatsapp_cloud"
    channel = Channel.WHATSAPP

    def __init__(self, base_url: str, version: str, phone_number_id: str, access_token: str, **timeouts) -> None:
        super().__init__(base_url, **timeouts)
        self.path = f"/{version}/{phone_number_id}/messages"
        self.headers["Authorization"] = f"Bearer {access_token}"

    def send(self, message: TextMessage) -> str:
        """Send one template message (business-initiated messages must be approved templates); return its wamid."""
        if message.free_text:
            return self._sent(self._base(message) | {"type": "text", "text": {"body": message.body}})
        components = [{"type": "body", "parameters": [{"type": "text", "text": value} for value in message.params]}]
        components += [
            {"type": "button", "sub_type": "url", "index": str(index), "parameters": [{"type": "text", "text": suffix}]}
            for index, suffix in enumerate(message.buttons)
        ]
        components += [
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": str(index),
                "parameters": [{"type": "payload", "payload": payload}],
            }
            for index, payload in enumerate(message.quick_replies, start=len(message.buttons))
        ]
        payload = self._base(message) | {
            "type": "template",
            "template": {
                "name": message.template,
                "language": {"code": message.locale},
                "components": components,
            },
        }
        return self._sent(payload)

    @staticmethod
    def _base(message: TextMessage) -> dict:
        return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": for_whatsapp(message.to)}

    def _sent(self, payload: dict) -> str:
        body = self.json(self.post(self.path, json=payload))
        messages = body.get("messages") or []
        if not messages or not messages[0].get("id"):
            raise PermanentSendError(f"whatsapp_cloud: {body.get('error') or body}")
        return str(messages[0]["id"])
