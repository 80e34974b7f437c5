"""Backup rotation, names and the overdue warning as pure rules (DATA-6)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dentaldesk.domain.backups import (
    backup_name,
    backups_to_keep,
    describe_age,
    due_today,
    is_overdue,
    parse_backup_name,
)

NOW = dt.datetime(2026, 5, 12, 18, 0)


def test_data6_a_backup_name_reads_back_and_foreign_files_are_not_backups() -> None:
    name = backup_name("dentaldesk", dt.datetime(2026, 5, 12, 9, 5, 7, 123))
    assert name.file_name == "dentaldesk-20260512-090507.sqlite3"
    assert parse_backup_name(name.file_name) == name
    assert parse_backup_name("notes.txt") is None
    assert parse_backup_name("dentaldesk-20261399-000000.sqlite3") is None  # no 99th day
    assert parse_backup_name("dentaldesk-20260512-090507.sqlite3.partial") is None


def test_data6_two_years_of_daily_backups_keep_7_daily_4_weekly_12_monthly() -> None:
    """One backup a day at close for two years: 7 days, then Sundays for 4 weeks, then month ends."""
    days = [NOW - dt.timedelta(days=n) for n in range(730)]
    kept = backups_to_keep(days)
    assert {NOW - dt.timedelta(days=n) for n in range(7)} <= kept
    months = {(t.year, t.month) for t in kept}
    assert len(months) == 12
    assert len(kept) <= 7 + 4 + 12
    assert min(kept) > NOW - dt.timedelta(days=366)


def test_data6_several_backups_a_day_keep_the_newest_of_each_day() -> None:
    stamps = [NOW.replace(hour=h) for h in (8, 12, 17)] + [NOW.replace(hour=h) - dt.timedelta(days=1) for h in (9, 18)]
    kept = backups_to_keep(stamps)
    assert kept == {NOW.replace(hour=17), NOW.replace(hour=18) - dt.timedelta(days=1)}


@given(st.lists(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)), max_size=200))
def test_data6_rotation_keeps_the_newest_and_never_more_than_23(stamps: list[dt.datetime]) -> None:
    kept = backups_to_keep(stamps)
    assert kept <= set(stamps)
    assert len(kept) <= 23
    if stamps:
        assert max(stamps) in kept


def test_data6_overdue_after_two_days_and_the_daily_backup_once_a_day() -> None:
    assert is_overdue(None, NOW)
    assert not is_overdue(NOW - dt.timedelta(days=2), NOW)
    assert is_overdue(NOW - dt.timedelta(days=2, minutes=1), NOW)
    assert due_today(None, NOW) and due_today(NOW - dt.timedelta(days=1), NOW)
    assert not due_today(NOW.replace(hour=7), NOW)
    assert describe_age(NOW - dt.timedelta(hours=3), NOW) == "3 hours ago"
    assert describe_age(NOW - dt.timedelta(days=3), NOW) == "3 days ago"
