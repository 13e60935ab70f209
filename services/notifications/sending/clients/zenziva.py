"""SMS through Zenziva's console API (reguler): form-encoded credentials, a status *string* in the body."""

from services.notifications.sending.clients.base import HttpClient, PermanentSendError, TextMessage
from services.notifications.sending.phones import for_zenziva
from shared.states import Channel


class ZenzivaSmsClient(HttpClient):
    name = "zenziva"
    channel = Channel.SMS

    def __init__(self, base_url: str, userkey: str, passkey: str, **timeouts) -> None:
        super().__init__(base_url, **timeouts)
        self.userkey, self.passkey = userkey, passkey

    def send(self, message: TextMessage) -> str:
        """Send one SMS; return Zenziva's messageId."""
        form = {
            "userkey": self.userkey,
            "passkey": self.passkey,
            "to": for_zenziva(message.to),
            "message": message.body,
        }
        body = self.json(self.post("/reguler/api/sendsms/", data=form))
        # HTTP 200 is not success here: Zenziva says "1" in `status` when it took the message.
        if str(body.get("status")) != "1":
            raise PermanentSendError(f"zenziva: {body.get('text') or body}")
        return str(body.get("messageId", ""))
