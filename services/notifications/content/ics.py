"""iCalendar (RFC 5545) files for a participant's seat: one VEVENT in local time with its VTIMEZONE (pure)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

PRODID = "-//Dispersip Kalimantan Selatan//Pelita//ID"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str = ""
    url: str | None = None
    #: Raised with every change a participant was told about, so calendars replace the entry they hold.
    sequence: int = 0
    stamp: datetime | None = None


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 §3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line into chunks of at most `limit` octets, never splitting a UTF-8 character (§3.1)."""
    chunks, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        budget = limit if not chunks else limit - 1  # continuation lines start with a space
        if size + width > budget:
            chunks.append(current)
            current, size = "", 0
        current += char
        size += width
    chunks.append(current)
    return "\r\n ".join(chunks)


def _local(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y%m%dT%H%M%S")


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _vtimezone(tz: ZoneInfo, around: datetime) -> list[str]:
    """Describe `tz` by its offset at `around` (WITA has had no daylight saving since 1963)."""
    offset = around.astimezone(tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    text = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    name = around.astimezone(tz).tzname() or text
    name = "WITA" if tz.key == "Asia/Makassar" else name
    return [
        "BEGIN:VTIMEZONE",
        f"TZID:{tz.key}",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        f"TZOFFSETFROM:{text}",
        f"TZOFFSETTO:{text}",
        f"TZNAME:{name}",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]


def calendar(event: CalendarEvent, tz: ZoneInfo) -> bytes:
    """Return the .ics file of `event`: start and end with TZID=`tz`, CRLF line ends, folded lines, UTF-8."""
    stamp = event.stamp or datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *_vtimezone(tz, event.starts_at),
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_utc(stamp)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTART;TZID={tz.key}:{_local(event.starts_at, tz)}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"LOCATION:{escape_text(event.location)}",
    ]
    if event.ends_at > event.starts_at:  # without an end the entry is the start alone (§3.6.1)
        lines.insert(lines.index(f"SEQUENCE:{event.sequence}") + 2, f"DTEND;TZID={tz.key}:{_local(event.ends_at, tz)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()
