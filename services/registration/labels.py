"""What people read for each stored code, in their language."""

from flask_babel import lazy_gettext as _l

from shared.labels import AGE_GROUPS, CHANNELS, DISABILITIES, GENDERS, PARTICIPANT_TYPES

__all__ = ["AGE_GROUPS", "CHANNELS", "DISABILITIES", "EVENT_STATUSES", "GENDERS", "PARTICIPANT_TYPES", "STATUSES"]

STATUSES = {"confirmed": _l("Terkonfirmasi"), "waitlisted": _l("Daftar tunggu"), "cancelled": _l("Dibatalkan")}
EVENT_STATUSES = {"draft": _l("Draf"), "published": _l("Dipublikasikan"), "cancelled": _l("Dibatalkan")}
STAFF_ROLES = {"provincial_admin": _l("Admin provinsi"), "regency_organiser": _l("Panitia kabupaten/kota")}
#: The messages a participant's "Data saya" page lists, by purpose.
MESSAGE_PURPOSES = {
    "confirmation": _l("Konfirmasi"),
    "waitlisted": _l("Daftar tunggu"),
    "promoted": _l("Mendapat kursi"),
    "reminder": _l("Pengingat"),
    "event_changed": _l("Perubahan acara"),
    "event_cancelled": _l("Acara dibatalkan"),
    "registration_cancelled": _l("Pendaftaran dibatalkan"),
    "certificate": _l("Sertifikat"),
    "evaluation": _l("Evaluasi pelatihan"),
    "access_code": _l("Kode Data saya"),
    "data_request": _l("Jawaban permintaan data"),
    "reply_help": _l("Jawaban atas balasan"),
    "reply_ask": _l("Pertanyaan acara mana"),
    "announcement": _l("Pengumuman panitia"),
}
