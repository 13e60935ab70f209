"""Indonesian labels of the figures (translated by Flask-Babel where a locale is active)."""

from flask_babel import lazy_gettext as _l

from shared.regions import name_of

CATEGORY_LABELS = {
    "gender": {"female": _l("Perempuan"), "male": _l("Laki-laki")},
    "age_group": {
        "under_18": _l("Di bawah 18 tahun"),
        "18_25": _l("18–25 tahun"),
        "26_35": _l("26–35 tahun"),
        "36_45": _l("36–45 tahun"),
        "46_55": _l("46–55 tahun"),
        "56_plus": _l("56 tahun ke atas"),
    },
    "disability": {
        "none": _l("Tanpa disabilitas"),
        "physical": _l("Disabilitas fisik"),
        "intellectual": _l("Disabilitas intelektual"),
        "mental": _l("Disabilitas mental"),
        "sensory": _l("Disabilitas sensorik"),
    },
    "participant_type": {
        "library_manager": _l("Pengelola perpustakaan desa"),
        "pkk_cadre": _l("Kader PKK"),
        "teacher": _l("Guru/pustakawan sekolah"),
        "student": _l("Pelajar/mahasiswa"),
        "public": _l("Masyarakat umum"),
        "other": _l("Lainnya"),
    },
    "channel": {"whatsapp": "WhatsApp", "sms": "SMS", "email": "Email"},
    "status": {"published": _l("Terlaksana"), "cancelled": _l("Dibatalkan")},
}

BREAKDOWN_TITLES = {
    "kabupaten": _l("Peserta per kabupaten/kota"),
    "gender": _l("Peserta per jenis kelamin"),
    "age_group": _l("Peserta per kelompok usia"),
    "disability": _l("Peserta penyandang disabilitas"),
    "participant_type": _l("Peserta per jenis peserta"),
    "channel": _l("Pesan per saluran"),
}

#: Sheet names: at most 31 characters and no "/" (Excel's rules).
SHEET_NAMES = {
    "kabupaten": _l("Kabupaten-Kota"),
    "gender": _l("Jenis kelamin"),
    "age_group": _l("Kelompok usia"),
    "disability": _l("Disabilitas"),
    "participant_type": _l("Jenis peserta"),
    "channel": _l("Saluran pesan"),
}


def label(breakdown: str, key: str) -> str:
    """Return the display name of one category of a breakdown."""
    if breakdown == "kabupaten":
        return name_of(key)
    return str(CATEGORY_LABELS.get(breakdown, {}).get(key, key))


def area_label(kabupaten_code: str | None) -> str:
    return name_of(kabupaten_code) if kabupaten_code else str(_l("Seluruh Kalimantan Selatan"))
