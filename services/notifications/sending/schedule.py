"""When messages go out: reminder times before an event, and quiet hours for SMS and WhatsApp (pure functions)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.states import Channel

#: H-3, H-1 and two hours before, when an event names no offsets of its own.
DEFAULT_OFFSETS = (3 * 24 * 60, 24 * 60, 120)
#: Channels that wake a phone; email waits in the inbox and may go at any hour.
QUIET_CHANNELS = (Channel.SMS, Channel.WHATSAPP)


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """Read "21:00-07:00" into (start, end); an empty value means no quiet hours."""
    if not text:
        return None
    start, _, end = text.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def reminder_due(starts_at: datetime, offset_minutes: int) -> datetime:
    return starts_at - timedelta(minutes=offset_minutes)


def outside_quiet_hours(moment: datetime, channel: str, quiet: tuple[time, time] | None, tz: ZoneInfo) -> datetime:
    """Return `moment`, or the end of the quiet hours it falls in (local time) for SMS and WhatsApp."""
    if quiet is None or channel not in QUIET_CHANNELS:
        return moment
    start, end = quiet
    local = moment.astimezone(tz)
    clock = local.time()
    overnight = start > end
    inside = (clock >= start or clock < end) if overnight else (start <= clock < end)
    if not inside:
        return moment
    day = local.date() + timedelta(days=1) if overnight and clock >= start else local.date()
    return datetime.combine(day, end, tzinfo=tz).astimezone(moment.tzinfo)


def lead_key(offset_minutes: int) -> tuple[str, int]:
    """Describe a reminder's offset for its text: ("days", 3), ("tomorrow", 1), ("hours", 2) or ("minutes", 30)."""
    if offset_minutes % (24 * 60) == 0:
        days = offset_minutes // (24 * 60)
        return ("tomorrow", 1) if days == 1 else ("days", days)
    if offset_minutes % 60 == 0:
        return "hours", offset_minutes // 60
    return "minutes", offset_minutes
