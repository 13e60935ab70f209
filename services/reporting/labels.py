"""Indonesian labels of the figures (translated by Flask-Babel where a locale is active)."""

from flask_babel import lazy_gettext as _l

from shared.labels import AGE_GROUPS, CHANNELS, DISABILITIES, GENDERS, PARTICIPANT_TYPES
from shared.regions import name_of

CATEGORY_LABELS = {
    "gender": GENDERS,
    "age_group": AGE_GROUPS,
    "disability": DISABILITIES,
    "participant_type": PARTICIPANT_TYPES,
    "channel": CHANNELS,
    #: An event's state as the reports see it: held once it has ended, not when it was published.
    "status": {"held": _l("Terlaksana"), "upcoming": _l("Belum terlaksana"), "cancelled": _l("Dibatalkan")},
}

BREAKDOWN_TITLES = {
    "kabupaten": _l("Peserta per kabupaten/kota"),
    "gender": _l("Peserta per jenis kelamin"),
    "age_group": _l("Peserta per kelompok usia"),
    "disability": _l("Peserta penyandang disabilitas"),
    "participant_type": _l("Peserta per jenis peserta"),
    "channel": _l("Pesan per saluran"),
}

IMPACT_TITLES = {
    "kabupaten": _l("Dampak per kabupaten/kota"),
    "gender": _l("Dampak per jenis kelamin"),
    "disability": _l("Dampak bagi penyandang disabilitas"),
}

#: Sheet names: at most 31 characters and no "/" (Excel's rules).
SHEET_NAMES = {
    "kabupaten": _l("Kabupaten-Kota"),
    "gender": _l("Jenis kelamin"),
    "age_group": _l("Kelompok usia"),
    "disability": _l("Disabilitas"),
    "participant_type": _l("Jenis peserta"),
    "channel": _l("Saluran pesan"),
    "impact": _l("Dampak program"),
    "impact_kabupaten": _l("Dampak per kabupaten-kota"),
    "impact_gender": _l("Dampak per jenis kelamin"),
    "impact_disability": _l("Dampak disabilitas"),
}


def label(breakdown: str, key: str) -> str:
    """Return the display name of one category of a breakdown."""
    if breakdown == "kabupaten":
        return name_of(key)
    return str(CATEGORY_LABELS.get(breakdown, {}).get(key, key))


def area_label(kabupaten_code: str | None) -> str:
    return name_of(kabupaten_code) if kabupaten_code else str(_l("Seluruh Kalimantan Selatan"))
