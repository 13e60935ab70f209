"""The names people read for the categories a participant registers with, and for the messages they are sent: one
list, so that the form they answer, the reports that count them, their "Data saya" page and the organisers' message
log use the same words (Indonesian source text, translated by Flask-Babel)."""

from flask_babel import lazy_gettext as _l

from shared.states import Purpose

GENDERS = {"female": _l("Perempuan"), "male": _l("Laki-laki")}
AGE_GROUPS = {
    "under_18": _l("Di bawah 18 tahun"),
    "18_25": _l("18–25 tahun"),
    "26_35": _l("26–35 tahun"),
    "36_45": _l("36–45 tahun"),
    "46_55": _l("46–55 tahun"),
    "56_plus": _l("56 tahun ke atas"),
}
DISABILITIES = {
    "none": _l("Bukan penyandang disabilitas"),
    "physical": _l("Disabilitas fisik"),
    "intellectual": _l("Disabilitas intelektual"),
    "mental": _l("Disabilitas mental"),
    "sensory": _l("Disabilitas sensorik (netra, rungu, wicara)"),
    "prefer_not_to_say": _l("Tidak ingin menjawab"),
}
PARTICIPANT_TYPES = {
    "library_manager": _l("Pengelola perpustakaan desa/kelurahan"),
    "pkk_cadre": _l("Kader PKK"),
    "teacher": _l("Guru"),
    "student": _l("Pelajar/mahasiswa"),
    "public": _l("Masyarakat umum"),
    "other": _l("Lainnya"),
}
CHANNELS = {"whatsapp": _l("WhatsApp"), "sms": _l("SMS"), "email": _l("Email")}
#: The messages a participant is sent, by purpose (their "Data saya" page and the organisers' message log).
MESSAGE_PURPOSES = {
    Purpose.CONFIRMATION: _l("Konfirmasi"),
    Purpose.WAITLISTED: _l("Daftar tunggu"),
    Purpose.PROMOTED: _l("Mendapat kursi"),
    Purpose.REMINDER: _l("Pengingat"),
    Purpose.EVENT_CHANGED: _l("Perubahan acara"),
    Purpose.EVENT_CANCELLED: _l("Acara dibatalkan"),
    Purpose.REGISTRATION_CANCELLED: _l("Pendaftaran dibatalkan"),
    Purpose.CERTIFICATE: _l("Sertifikat"),
    Purpose.EVALUATION: _l("Evaluasi pelatihan"),
    Purpose.ACCESS_CODE: _l("Kode Data saya"),
    Purpose.DATA_REQUEST: _l("Jawaban permintaan data"),
    Purpose.REPLY_HELP: _l("Jawaban atas balasan"),
    Purpose.REPLY_ASK: _l("Pertanyaan acara mana"),
    Purpose.ANNOUNCEMENT: _l("Pengumuman panitia"),
}
#: The messages only staff are sent (the message log lists them too).
STAFF_MESSAGE_PURPOSES = {Purpose.REPORT: _l("Kiriman laporan"), Purpose.STAFF_INVITE: _l("Undangan staf")}
