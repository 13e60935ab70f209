"""Time in Pelita: stored in UTC, entered and shown in WITA (Asia/Makassar) unless configured otherwise."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from marshmallow import fields

WITA = ZoneInfo("Asia/Makassar")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_local(value: datetime, tz: ZoneInfo = WITA) -> datetime:
    return value.astimezone(tz)


class LocalDateTime(fields.DateTime):
    """An ISO-8601 datetime field: a value without an offset is read as WITA; output is in WITA with +08:00."""

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        result = super()._deserialize(value, attr, data, **kwargs)
        return result.replace(tzinfo=WITA) if result.tzinfo is None else result

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return super()._serialize(to_local(value), attr, obj, **kwargs)


def format_when(value: datetime, locale: str = "id", tz: ZoneInfo = WITA) -> str:
    """Format a moment the Indonesian way: "Selasa, 17 Maret 2026 pukul 08.30 WITA" (or the English equivalent)."""
    from babel.dates import format_date

    local = to_local(value, tz)
    zone = "WITA" if tz == WITA else local.tzname()
    day = format_date(local.date(), "EEEE, d MMMM y", locale=locale)
    if locale == "id":
        return f"{day} pukul {local:%H.%M} {zone}"
    return f"{day} at {local:%H:%M} {zone}"
