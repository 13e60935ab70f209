"""Registration's handlers of incoming bus messages."""

from services.registration.bus import bus


def handle_event(message: dict) -> str:
    """Apply an incoming message once: notifications' delivery outcomes become each participant's message history,
    and participants' replies to the reminder confirm or cancel their registration."""
    from services.registration import mydata, replies  # they build on the use cases service.py gathers

    return bus.handle(message, mydata.HANDLERS | replies.HANDLERS)
