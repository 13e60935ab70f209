"""The registration list as XLSX (the default download) and CSV, opening cleanly in Indonesian Excel and LibreOffice.

In the XLSX every text is a text cell (a formula-looking name stays text, with no apostrophe to see), phones are text
in the form people dial, times are real dates in WITA with a date format, and columns have widths and a filter. The
CSV is `;`-separated with a UTF-8 byte-order mark, as Excel set to Indonesian expects; there, text a spreadsheet
would run as a formula gets a leading apostrophe (CSV/formula injection, OWASP).
"""

import csv
import io
from datetime import datetime

import phonenumbers
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from services.registration import labels
from shared.regions import name_of
from shared.timeutil import to_local


def phone_text(phone: str | None) -> str:
    """A stored E.164 phone as people dial it in Indonesia ("0812-3456-7890"); foreign ones internationally."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, "ID")
    except phonenumbers.NumberParseException:
        return phone
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(number, style.NATIONAL if number.country_code == 62 else style.INTERNATIONAL)


def wita(value: datetime | None) -> datetime | None:
    """A stored moment as the WITA wall-clock time a spreadsheet shows (spreadsheets keep no time zone)."""
    return to_local(value).replace(tzinfo=None) if value else None


#: (heading, value, column width in characters); a datetime value is written as a date cell.
COLUMNS = (
    ("Nama", lambda r: r.full_name, 28),
    ("Status", lambda r: str(labels.STATUSES.get(r.status, r.status)), 16),
    ("Urutan tunggu", lambda r: getattr(r, "waitlist_position", None), 9),
    ("HP", lambda r: phone_text(r.reach_phone), 18),
    ("Email", lambda r: r.reach_email or "", 30),
    ("Didaftarkan oleh", lambda r: r.registered_by or "", 22),
    ("Kontak milik pendaftar", lambda r: "ya" if r.contact_for else "", 10),
    ("Kabupaten/kota", lambda r: name_of(r.kabupaten_code), 22),
    ("Kecamatan", lambda r: name_of(r.kecamatan_code) if r.kecamatan_code else "", 20),
    ("Desa/kelurahan", lambda r: name_of(r.desa_code) if r.desa_code else "", 20),
    ("Jenis kelamin", lambda r: str(labels.GENDERS.get(r.gender, r.gender)), 13),
    ("Umur", lambda r: str(labels.AGE_GROUPS.get(r.age_group, r.age_group)), 16),
    ("Disabilitas", lambda r: str(labels.DISABILITIES.get(r.disability, r.disability)), 22),
    ("Kebutuhan pendampingan", lambda r: r.accessibility_needs or "", 30),
    ("Jenis peserta", lambda r: str(labels.PARTICIPANT_TYPES.get(r.participant_type, r.participant_type)), 26),
    ("Lembaga", lambda r: r.institution or "", 26),
    ("Pesan lewat", lambda r: str(labels.CHANNELS.get(r.preferred_channel, r.preferred_channel)), 12),
    ("Kode hadir", lambda r: r.checkin_code, 12),
    ("Terdaftar (WITA)", lambda r: wita(r.registered_at), 17),
    ("Tercatat hadir (WITA)", lambda r: wita(r.checked_in_at), 17),
)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Day/month/year as Indonesians write it, with the time: each program shows it in its own locale's way.
DATE_FORMAT = "dd/mm/yyyy hh:mm"

#: A cell starting with one of these is a formula to a spreadsheet (CSV/formula injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make text that a spreadsheet would run as a formula into plain text (a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def values(registration) -> list:
    return [getter(registration) for _, getter, _ in COLUMNS]


def to_csv(registrations) -> bytes:
    """`;`-separated UTF-8 with a byte-order mark: Excel set to Indonesian opens it in columns, names intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([title for title, _, _ in COLUMNS])
    for registration in registrations:
        writer.writerow([_csv_cell(value) for value in values(registration)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")  # ISO: read as a date by Excel and LibreOffice in any locale
    return neutralise(value)


def to_xlsx(registrations, event) -> bytes:
    """One sheet: the event's title and time, then the table with a filter on its headings and frozen above it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Peserta"
    _text(sheet.cell(row=1, column=1), event.title).font = Font(bold=True, size=13)
    sheet.cell(row=2, column=1, value=wita(event.starts_at)).number_format = DATE_FORMAT
    sheet.cell(row=2, column=2, value="WITA")
    header_row = 4
    for column, (title, _, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=column, value=title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row, registration in enumerate(registrations, start=header_row + 1):
        for column, value in enumerate(values(registration), start=1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, datetime):
                cell.value, cell.number_format = value, DATE_FORMAT
            elif isinstance(value, str):
                _text(cell, value)
            else:
                cell.value = value
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{header_row}:{last}{max(sheet.max_row, header_row)}"
    sheet.freeze_panes = f"B{header_row + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(cell, value: str):
    """Write `value` as text, never a formula: a string cell, marked as text for when someone edits it."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # Excel's "this is text" flag: no apostrophe shows
    return cell
