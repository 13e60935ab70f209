"""Registration's handlers of incoming bus messages."""

from services.registration import mydata, replies
from services.registration.bus import bus


def handle_event(message: dict) -> str:
    """Apply an incoming message once: notifications' delivery outcomes become each participant's message history,
    and participants' replies to the reminder confirm or cancel their registration."""
    return bus.handle(message, mydata.HANDLERS | replies.HANDLERS)
