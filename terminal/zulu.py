"""Zulu time for the record: UTC milliseconds, ISO 8601 text with a Z, and --since/--until."""

from __future__ import annotations

import datetime as dt
import re
import time

_RELATIVE = re.compile(r"^(\d+)([smhd])$")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def now_ms() -> int:
    """The wall clock in UTC milliseconds: the desk's one source of UTC (records, stamps on the
    console, arrivals). Read it through the module (`zulu.now_ms()`), so a test can make it jump;
    no timer ever reads it (timers run on the loop's monotonic clock)."""
    return time.time_ns() // 1_000_000


def to_iso(utc_ms: int | None) -> str:
    """`2026-05-09T07:35:25.123Z`, or "" for None."""
    if utc_ms is None:
        return ""
    when = dt.datetime.fromtimestamp(utc_ms / 1000, tz=dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc_ms % 1000:03d}Z"


def utc_stamp(moment: dt.datetime | None = None) -> str:
    """A moment (now, by default) as shown and recorded: `2026-05-09T07:35:25.123Z`."""
    if moment is None:
        return to_iso(now_ms())
    return to_iso((moment - _EPOCH) // dt.timedelta(milliseconds=1))


def parse_when(text: str, now: int) -> int:
    """UTC ms from `24h` / `7d` / `90m` / `30s` ago, or an ISO date or date-time.

    A date-time without an offset is Zulu (the only time zone of the desk). Raises ValueError.
    """
    text = text.strip()
    relative = _RELATIVE.match(text)
    if relative:
        return now - int(relative[1]) * _UNIT_MS[relative[2]]
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time: use e.g. 24h, 7d, 2026-05-09 or 2026-05-09T07:30Z"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return (when - _EPOCH) // dt.timedelta(milliseconds=1)
