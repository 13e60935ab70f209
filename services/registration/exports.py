"""The registration list as CSV and XLSX, safe to open in a spreadsheet."""

import csv
import io

from openpyxl import Workbook

from services.registration import labels
from shared.regions import name_of
from shared.timeutil import to_local

COLUMNS = (
    ("Nama", lambda r: r.full_name),
    ("Status", lambda r: str(labels.STATUSES.get(r.status, r.status))),
    ("Urutan tunggu", lambda r: getattr(r, "waitlist_position", None) or ""),
    ("HP", lambda r: r.phone or ""),
    ("Email", lambda r: r.email or ""),
    ("Kabupaten/kota", lambda r: name_of(r.kabupaten_code)),
    ("Kecamatan", lambda r: name_of(r.kecamatan_code) if r.kecamatan_code else ""),
    ("Desa/kelurahan", lambda r: name_of(r.desa_code) if r.desa_code else ""),
    ("Jenis kelamin", lambda r: str(labels.GENDERS.get(r.gender, r.gender))),
    ("Umur", lambda r: str(labels.AGE_GROUPS.get(r.age_group, r.age_group))),
    ("Disabilitas", lambda r: str(labels.DISABILITIES.get(r.disability, r.disability))),
    ("Kebutuhan pendampingan", lambda r: r.accessibility_needs),
    ("Jenis peserta", lambda r: str(labels.PARTICIPANT_TYPES.get(r.participant_type, r.participant_type))),
    ("Lembaga", lambda r: r.institution),
    ("Pesan lewat", lambda r: str(labels.CHANNELS.get(r.preferred_channel, r.preferred_channel))),
    ("Kode check-in", lambda r: r.checkin_code),
    ("Terdaftar (WITA)", lambda r: to_local(r.registered_at).strftime("%Y-%m-%d %H:%M")),
    ("Hadir (WITA)", lambda r: to_local(r.checked_in_at).strftime("%Y-%m-%d %H:%M") if r.checked_in_at else ""),
)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: A cell starting with one of these is a formula to a spreadsheet (CSV/formula injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make text that a spreadsheet would run as a formula into plain text (a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows(registrations) -> list[list]:
    return [[neutralise(getter(r)) for _, getter in COLUMNS] for r in registrations]


def to_csv(registrations) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on Windows reads Indonesian names right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _ in COLUMNS])
    writer.writerows(rows(registrations))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(registrations, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Peserta")
    sheet.append([neutralise(title)])
    sheet.append([name for name, _ in COLUMNS])
    for row in rows(registrations):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
