"""What people read for each stored code, in their language."""

from flask_babel import lazy_gettext as _l

from shared.labels import AGE_GROUPS, CHANNELS, DISABILITIES, GENDERS, MESSAGE_PURPOSES, PARTICIPANT_TYPES

__all__ = [
    "AGE_GROUPS",
    "CHANNELS",
    "DISABILITIES",
    "EVENT_STATUSES",
    "GENDERS",
    "MESSAGE_PURPOSES",
    "PARTICIPANT_TYPES",
    "STATUSES",
]

STATUSES = {"confirmed": _l("Terkonfirmasi"), "waitlisted": _l("Daftar tunggu"), "cancelled": _l("Dibatalkan")}
EVENT_STATUSES = {"draft": _l("Draf"), "published": _l("Dipublikasikan"), "cancelled": _l("Dibatalkan")}
STAFF_ROLES = {"provincial_admin": _l("Admin provinsi"), "regency_organiser": _l("Panitia kabupaten/kota")}
