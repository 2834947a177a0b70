"""A small iCalendar (RFC 5545) writer for subscription feeds of consultations.

Outlook, Google Calendar and Apple Calendar subscribe to a URL and read a VCALENDAR of
VEVENTs from it. Only the few properties those programs use are written. All times are
written in UTC (``...Z``), which RFC 5545 allows without a VTIMEZONE component, so the
feed does not have to carry time-zone rules; X-WR-TIMEZONE only tells clients which zone
to display in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
# RFC 5545 section 3.1: lines SHOULD NOT be longer than 75 octets, excluding the CRLF.
MAX_LINE_OCTETS = 75
TIMEZONE = "Asia/Tokyo"

# TSAFE-CHAR (RFC 5545 section 3.3.11) excludes control characters other than HTAB, and
# a stray one (pasted from Excel, say) makes strict clients reject the whole feed.
_TEXT_CONTROLS = {code: None for code in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F]}


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT. Datetimes must be timezone-aware; they are written in UTC."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    updated_at: datetime | None = None
    cancelled: bool = False
    sequence: int = 0

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("CalendarEvent.uid must not be empty")
        _require_aware(self.starts_at, "starts_at")
        _require_aware(self.ends_at, "ends_at")
        if self.updated_at is not None:
            _require_aware(self.updated_at, "updated_at")
        # RFC 5545 section 3.8.2.2: DTEND must be later than DTSTART. An equal end is
        # written as a zero-length event (no DTEND), see _event_lines.
        if self.ends_at < self.starts_at:
            raise ValueError(f"CalendarEvent {self.uid!r} ends before it starts")
        if self.sequence < 0:
            raise ValueError("CalendarEvent.sequence must not be negative")
        # URL is a URI value, not TEXT, so it is not escaped; a control character (a line
        # break above all) would otherwise let the value inject properties.
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in self.url):
            raise ValueError("CalendarEvent.url must not contain control characters")


def calendar(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    now: datetime,
    product_id: str = "-//Kyoso//Kyoso//JA",
) -> bytes:
    """Return a whole VCALENDAR (UTF-8, CRLF line endings, folded at 75 octets).

    ``name`` is the calendar's display name (X-WR-CALNAME); ``now`` (aware) becomes every
    event's DTSTAMP. Events are written in the order given. With no events the result
    is an empty VCALENDAR, which RFC 5545's grammar does not allow (it asks for at least
    one component) but which calendar programs accept as "nothing scheduled".
    """
    _require_aware(now, "now")
    stamp = format_utc(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(product_id)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{TIMEZONE}",
    ]
    for event in events:
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines).encode("utf-8")


def _event_lines(event: CalendarEvent, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{format_utc(event.starts_at)}",
    ]
    # RFC 5545 section 3.6.1: a DATE-TIME DTSTART without DTEND ends when it starts,
    # which is the only valid way to write a zero-length event.
    if event.ends_at > event.starts_at:
        lines.append(f"DTEND:{format_utc(event.ends_at)}")
    lines.append(f"SUMMARY:{escape_text(event.summary)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.updated_at is not None:
        lines.append(f"LAST-MODIFIED:{format_utc(event.updated_at)}")
    lines.append(f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}")
    lines.append(f"SEQUENCE:{event.sequence}")
    lines.append("END:VEVENT")
    return lines


def format_utc(value: datetime) -> str:
    """``2025-04-01 09:00+09:00`` → ``20250401T000000Z`` (seconds precision)."""
    _require_aware(value, "datetime")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11).

    Backslash goes first so the backslashes added for the others are not doubled. Any
    line break (CRLF, CR or LF) becomes ``\\n``. Colons and double quotes need no escape
    in TEXT values.
    """
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
        .translate(_TEXT_CONTROLS)
    )


def fold_line(line: str) -> str:
    """Fold one content line into physical lines of at most 75 UTF-8 octets.

    Continuation lines start with one space, which counts towards their 75 octets.
    Breaks fall only between characters, never inside a multi-byte UTF-8 sequence
    (RFC 5545 section 3.1), so every physical line is valid UTF-8 on its own. The
    result has no trailing CRLF.
    """
    pieces: list[str] = []
    start = 0
    used = 0
    limit = MAX_LINE_OCTETS
    for index, char in enumerate(line):
        size = _utf8_length(char)
        if used + size > limit:
            pieces.append(line[start:index])
            start = index
            used = 0
            limit = MAX_LINE_OCTETS - 1  # the leading space takes one octet
        used += size
    pieces.append(line[start:])
    return (CRLF + " ").join(pieces)


def _utf8_length(char: str) -> int:
    # Cheaper than encoding each character; matches str.encode("utf-8") for every code
    # point that can be encoded at all.
    code = ord(char)
    if code < 0x80:
        return 1
    if code < 0x800:
        return 2
    if code < 0x10000:
        return 3
    return 4


def _require_aware(value: datetime, field: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware, got naive {value.isoformat()}")
