"""Sandbox time: the wall clock plus an offset that tests can advance.

Token expiry, authorization-code expiry, the daily token budget and every
``update_time`` the sandbox stamps all read this clock, so a test can jump an
hour ahead (``POST /_sandbox/clock``) instead of sleeping.
"""

from __future__ import annotations

import calendar
import re
import threading
import time
from datetime import date

__all__ = [
    "Clock",
    "format_rfc3339",
    "format_v1_datetime",
    "parse_rfc3339",
    "parse_date",
    "format_date",
]


class Clock:
    """Wall-clock time shifted by a mutable offset (seconds)."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = float(offset)
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self._offset

    def now_int(self) -> int:
        return int(self.now())

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


def format_rfc3339(ts: int | float) -> str:
    """``2024-01-01T10:00:00Z`` — the v2 API's timestamp format (v2 migration guide)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ts)))


def format_v1_datetime(ts: int | float) -> str:
    """``2024-01-01 10:00:00`` — what v1 uses where the spec gives a plain string."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(ts)))


def format_date(ts: int | float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(int(ts)))


_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$")


def parse_rfc3339(value: str) -> int | None:
    """Parse an RFC 3339 timestamp to epoch seconds (UTC); ``None`` if malformed."""
    match = _RFC3339.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        date(year, month, day)
    except ValueError:
        return None
    if hour > 23 or minute > 59 or second > 60:
        return None
    epoch = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    zone = match.group(8)
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        epoch -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return epoch


def parse_date(value: str) -> int | None:
    """Parse ``YYYY-MM-DD`` to the epoch seconds of its UTC midnight."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return calendar.timegm(parsed.timetuple())
