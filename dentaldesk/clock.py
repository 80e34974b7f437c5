"""The one place DentalDesk reads the time: the current instant (UTC) and the workstation's today.

Services, the UI and the demo call :func:`now_utc` and :func:`today` instead of the standard
library, so that a test can set the clock (:func:`set_clock`): the tests start every run on the
same day, and a rule that depends on today (TX-DOS-1, aging, benefit years) gives the same answer
whatever day the suite runs. Times are stored in UTC and shown in local time (SEC-2).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager

# When set: the instant the clock was set to, and the monotonic reading at that moment. The clock
# then runs on from that instant at the real pace, so timestamps still increase within a test.
_anchor: tuple[dt.datetime, float] | None = None


def now_utc() -> dt.datetime:
    """The current instant, timezone-aware, in UTC."""
    if _anchor is None:
        return dt.datetime.now(dt.UTC)
    start, mono = _anchor
    return start + dt.timedelta(seconds=time.monotonic() - mono)


def now_local() -> dt.datetime:
    """The current instant in the workstation's time zone."""
    return now_utc().astimezone()


def today() -> dt.date:
    """The workstation's calendar day (the DOS default, the aging date, TX-DOS-1)."""
    return now_local().date()


def set_clock(at: dt.datetime | None) -> None:
    """Run the clock from ``at`` (timezone-aware) on, or back on the system clock with None."""
    global _anchor
    if at is not None and at.tzinfo is None:
        raise ValueError("set the clock with a timezone-aware datetime")
    _anchor = None if at is None else (at.astimezone(dt.UTC), time.monotonic())


def current_setting() -> tuple[dt.datetime, float] | None:
    """What the clock is set to now, for :func:`restore_setting` (tests set it and put it back)."""
    return _anchor


def restore_setting(setting: tuple[dt.datetime, float] | None) -> None:
    global _anchor
    _anchor = setting


@contextmanager
def clock_at(at: dt.datetime) -> Iterator[None]:
    """The clock runs from ``at`` inside the block, and is restored after it."""
    global _anchor
    saved = _anchor
    set_clock(at)
    try:
        yield
    finally:
        _anchor = saved
