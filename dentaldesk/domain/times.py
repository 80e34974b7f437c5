"""Times as a person reads them: stored in UTC, always shown in the workstation's local time (SEC-2).

The one formatter of instants for the whole UI (plan history, approval panel, audit window,
ledger, tooth chart, backups, follow-up) and the patient handout. A stored instant comes back
from SQLite without a zone (it was written in UTC) and from PostgreSQL with one; both are read
as the same instant. The workstation's zone is the system's, read at each call, so a change of
zone (or a test under ``TZ=...`` with ``time.tzset()``) takes effect at once.

Where a time is a record someone may hold against a clock elsewhere (the approval on the
handout and in the approval panel, an audit row's detail) the zone is written beside it
("Dec 1, 2026 at 22:34 CST"); in lists and tables the local time alone is enough.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "as_local",
    "as_utc",
    "local_day",
    "patient_date",
    "patient_moment",
    "shown_day",
    "shown_time",
    "shown_wall_time",
    "zone_name",
]


def as_utc(moment: dt.datetime) -> dt.datetime:
    """The stored instant, timezone-aware; a naive value is UTC (SQLite keeps no zone)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def as_local(moment: dt.datetime) -> dt.datetime:
    """The stored instant in the workstation's time zone (SEC-2)."""
    return as_utc(moment).astimezone()


def local_day(moment: dt.datetime) -> dt.date:
    """The workstation's calendar day of a stored instant (it differs from the UTC day near midnight)."""
    return as_local(moment).date()


def zone_name(moment: dt.datetime) -> str:
    """The short name of the local zone at that instant ("CST", "JST"); an offset ("UTC-06:00")
    where the system gives a long name (Windows: "Central Standard Time") or none."""
    local = as_local(moment)
    name = local.tzname() or ""
    if name and len(name) <= 5 and name[0] not in "+-":
        return name
    offset = local.utcoffset() or dt.timedelta()
    sign = "-" if offset < dt.timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def shown_time(moment: dt.datetime | None, *, seconds: bool = False, zone: bool = False) -> str:
    """A stored instant in the app's lists and panels: ``2026-05-12 09:34`` in local time;
    empty for none. ``zone`` adds the zone's name, ``seconds`` the seconds (the audit log)."""
    if moment is None:
        return ""
    local = as_local(moment)
    text = f"{local:%Y-%m-%d %H:%M:%S}" if seconds else f"{local:%Y-%m-%d %H:%M}"
    return f"{text} {zone_name(moment)}" if zone else text


def shown_day(moment: dt.datetime | None) -> str:
    """The local day of a stored instant in the app's lists: ``2026-05-12``."""
    return "" if moment is None else f"{local_day(moment):%Y-%m-%d}"


def shown_wall_time(wall: dt.datetime) -> str:
    """A time that is already the workstation's wall time (a backup file's name): same form
    as :func:`shown_time`, nothing converted."""
    return f"{wall:%Y-%m-%d %H:%M}"


def patient_date(day: dt.date) -> str:
    """A date as the patient reads it on the handout: ``Nov 3, 2026``."""
    return f"{day:%b} {day.day}, {day.year}"


def patient_moment(moment: dt.datetime) -> str:
    """A stored instant on the handout, local with its zone: ``Dec 1, 2026 at 22:34 CST``."""
    local = as_local(moment)
    return f"{patient_date(local.date())} at {local:%H:%M} {zone_name(moment)}"
