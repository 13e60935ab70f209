"""What staff read for each stored code of the notifications service, in their language."""

from flask_babel import lazy_gettext as _l

from shared.labels import CHANNELS, MESSAGE_PURPOSES, STAFF_MESSAGE_PURPOSES

__all__ = ["CHANNELS", "LOCALES", "PROVIDERS", "PURPOSES", "STATUSES", "STATUS_TAGS"]

STATUSES = {
    "pending": _l("Menunggu"),
    "sending": _l("Sedang dikirim"),
    "sent": _l("Terkirim ke penyedia"),
    "delivered": _l("Sampai"),
    "failed": _l("Gagal"),
    "cancelled": _l("Dibatalkan"),
}
#: The colour of each status's tag (pelita.css: ok, wait, bad).
STATUS_TAGS = {"delivered": "ok", "sent": "ok", "pending": "wait", "sending": "wait", "failed": "bad"}
#: Every purpose a message is sent for: the participants' (as their "Data saya" page names them) and the staff's.
PURPOSES = MESSAGE_PURPOSES | STAFF_MESSAGE_PURPOSES
#: Providers by their config names (PROVIDER_PRIORITIES, SMS_PROVIDERS), as staff know them.
PROVIDERS = {"zenziva": "Zenziva", "twilio": "Twilio", "whatsapp_cloud": "WhatsApp Cloud API"}
LOCALES = {"id": _l("Bahasa Indonesia"), "en": _l("Bahasa Inggris")}
