"""Provider adapters of the notifications service, each behind a small interface, chosen by config."""

from services.notifications.sending.clients.base import TextClient
from services.notifications.sending.clients.twilio import TwilioSmsClient
from services.notifications.sending.clients.whatsapp import WhatsAppCloudClient
from services.notifications.sending.clients.zenziva import ZenzivaSmsClient
from shared.states import Channel


def build_client(name: str, config) -> TextClient:
    """Make the adapter called `name` from the service's config."""
    timeouts = {"connect_timeout": config["PROVIDER_CONNECT_TIMEOUT"], "read_timeout": config["PROVIDER_READ_TIMEOUT"]}
    if name == "zenziva":
        return ZenzivaSmsClient(
            config["ZENZIVA_BASE_URL"], config["ZENZIVA_USERKEY"], config["ZENZIVA_PASSKEY"], **timeouts
        )
    if name == "twilio":
        callback = f"{config['PUBLIC_BASE_URL']}/webhooks/twilio/status"
        sid, token, sender = config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config["TWILIO_FROM"]
        return TwilioSmsClient(config["TWILIO_BASE_URL"], sid, token, sender, status_callback=callback, **timeouts)
    if name == "whatsapp_cloud":
        number, token = config["WHATSAPP_PHONE_NUMBER_ID"], config["WHATSAPP_ACCESS_TOKEN"]
        return WhatsAppCloudClient(
            config["WHATSAPP_BASE_URL"], config["WHATSAPP_API_VERSION"], number, token, **timeouts
        )
    raise ValueError(f"unknown provider {name!r}")


def providers_for(channel: str, app) -> list[TextClient]:
    """Return the channel's adapters in priority order, made once per app so their HTTP sessions stay alive."""
    cache = app.extensions.setdefault("notification_providers", {})
    if channel not in cache:
        names = app.config["SMS_PROVIDERS" if channel == Channel.SMS else "WHATSAPP_PROVIDERS"]
        cache[channel] = [build_client(name, app.config) for name in names]
    return cache[channel]
