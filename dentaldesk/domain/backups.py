"""Which backups to keep, how they are named, and when the last one is too old (DATA-6).

Pure rules, no files: the backup module lists the folder, asks these, and deletes the rest.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

DAILY, WEEKLY, MONTHLY = 7, 4, 12
OVERDUE_AFTER = dt.timedelta(days=2)

_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})\.(?P<ext>sqlite3|dump)$")


@dataclass(frozen=True)
class BackupName:
    """A backup file's name: ``<database>-YYYYMMDD-HHMMSS.sqlite3`` (``.dump`` for PostgreSQL)."""

    stem: str
    taken_at: dt.datetime  # local wall time, as in the name
    ext: str

    @property
    def file_name(self) -> str:
        return f"{self.stem}-{self.taken_at:%Y%m%d-%H%M%S}.{self.ext}"


def backup_name(stem: str, taken_at: dt.datetime, ext: str = "sqlite3") -> BackupName:
    return BackupName(stem, taken_at.replace(microsecond=0, tzinfo=None), ext)


def parse_backup_name(file_name: str) -> BackupName | None:
    """The name's parts, or None for a file that is not one of our backups."""
    found = _NAME.match(file_name)
    if found is None:
        return None
    try:
        taken = dt.datetime.strptime(found["stamp"], "%Y%m%d-%H%M%S")
    except ValueError:
        return None
    return BackupName(found["stem"], taken, found["ext"])


def backups_to_keep(taken: Iterable[dt.datetime]) -> set[dt.datetime]:
    """DATA-6 rotation: the newest backup of each of the last 7 days that have one, of the last
    4 weeks (ISO weeks) and of the last 12 months; the newest of all is always kept."""
    ordered = sorted(set(taken), reverse=True)
    keep: set[dt.datetime] = set(ordered[:1])
    for count, bucket in (
        (DAILY, lambda t: t.date()),
        (WEEKLY, lambda t: t.isocalendar()[:2]),
        (MONTHLY, lambda t: (t.year, t.month)),
    ):
        seen: list[object] = []
        for stamp in ordered:
            key = bucket(stamp)
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(stamp)
    return keep


def is_overdue(last_good: dt.datetime | None, now: dt.datetime) -> bool:
    """DATA-6: warn when the last good backup is more than two days old (or there is none)."""
    return last_good is None or now - last_good > OVERDUE_AFTER


def due_today(last: dt.datetime | None, now: dt.datetime) -> bool:
    """The daily automatic backup is due when none was taken today yet."""
    return last is None or last.date() < now.date()


def describe_age(taken_at: dt.datetime, now: dt.datetime) -> str:
    """How old a backup is, in words a front desk reads at a glance."""
    age = now - taken_at
    if age < dt.timedelta(minutes=1):
        return "just now"
    if age < dt.timedelta(hours=1):
        minutes = int(age.total_seconds() // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if age < dt.timedelta(days=1):
        hours = int(age.total_seconds() // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = age.days
    return f"{days} day{'s' if days != 1 else ''} ago"


def describe_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
