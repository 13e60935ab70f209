"""What staff read for each stored code of the notifications service, in their language."""

from flask_babel import lazy_gettext as _l

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
CHANNELS = {"whatsapp": _l("WhatsApp"), "sms": _l("SMS"), "email": _l("Email")}
PURPOSES = {
    "confirmation": _l("Konfirmasi"),
    "waitlisted": _l("Daftar tunggu"),
    "promoted": _l("Mendapat kursi"),
    "reminder": _l("Pengingat"),
    "event_changed": _l("Perubahan acara"),
    "event_cancelled": _l("Acara dibatalkan"),
    "registration_cancelled": _l("Pendaftaran dibatalkan"),
    "certificate": _l("Sertifikat"),
    "evaluation": _l("Evaluasi pelatihan"),
    "report": _l("Kiriman laporan"),
    "staff_invite": _l("Undangan staf"),
    "access_code": _l("Kode Data saya"),
    "data_request": _l("Jawaban permintaan data"),
    "reply_help": _l("Jawaban atas balasan"),
    "reply_ask": _l("Pertanyaan acara mana"),
    "announcement": _l("Pengumuman"),
}
#: Providers by their config names (PROVIDER_PRIORITIES, SMS_PROVIDERS), as staff know them.
PROVIDERS = {"zenziva": "Zenziva", "twilio": "Twilio", "whatsapp_cloud": "WhatsApp Cloud API"}
LOCALES = {"id": _l("Bahasa Indonesia"), "en": _l("Bahasa Inggris")}
