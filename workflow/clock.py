"""The clock: timestamps in UTC; due dates are calendar days in Asia/Shanghai (domain.md §6)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Return the current time (timezone-aware), or the frozen time in tests and demos."""
    return _frozen or dt.datetime.now(dt.timezone.utc)


def today(at: dt.datetime | None = None) -> dt.date:
    """Return the calendar date in Asia/Shanghai at the given instant (default: now)."""
    return (at or now()).astimezone(SHANGHAI).date()


def freeze(at: dt.datetime | None) -> None:
    """Freeze the clock at an instant (None unfreezes); for tests and 'as if at' sweeps."""
    global _frozen
    _frozen = at
