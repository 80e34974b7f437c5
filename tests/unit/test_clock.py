"""The one clock (dentaldesk.clock): tests set it; it runs on at the real pace; today is local."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from dentaldesk import clock


def test_the_suite_runs_on_its_fixed_day() -> None:
    """Every test sees the same calendar day, whatever day the suite runs (fixed clock)."""
    assert clock.today() == dt.date(2026, 5, 12)


def test_a_set_clock_runs_on_from_where_it_was_set() -> None:
    """Timestamps still increase after the clock is set, so records keep their order."""
    clock.set_clock(dt.datetime(2030, 1, 2, 12, 0, tzinfo=dt.UTC))
    first = clock.now_utc()
    time.sleep(0.01)
    second = clock.now_utc()
    assert dt.datetime(2030, 1, 2, 12, 0, tzinfo=dt.UTC) <= first < second
    assert second - first < dt.timedelta(seconds=5)


def test_clock_at_restores_the_clock_after_the_block() -> None:
    """A block on another day leaves the suite's day as it was afterwards."""
    before = clock.today()
    with clock.clock_at(dt.datetime(2024, 12, 31, 12, 0, tzinfo=dt.UTC)):
        assert clock.today() == dt.date(2024, 12, 31)
    assert clock.today() == before


def test_a_naive_time_is_refused() -> None:
    """Times are UTC instants (SEC-2): a time without a zone cannot set the clock."""
    with pytest.raises(ValueError):
        clock.set_clock(dt.datetime(2030, 1, 1, 12, 0))


def test_now_utc_is_aware_and_in_utc() -> None:
    """Stored times are timezone-aware UTC (SEC-2)."""
    assert clock.now_utc().utcoffset() == dt.timedelta(0)
