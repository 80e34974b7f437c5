"""SEC-2: stored UTC, shown in the workstation's local time, under two time zones."""

from __future__ import annotations

import datetime as dt

import pytest

from dentaldesk.domain.times import (
    as_local,
    local_day,
    patient_moment,
    shown_day,
    shown_time,
    shown_wall_time,
    zone_name,
)

# Late evening of Dec 1 in Chicago, the afternoon of Dec 2 in Tokyo: the UTC day is Dec 2.
APPROVED = dt.datetime(2026, 12, 2, 4, 34, tzinfo=dt.UTC)
# SQLite gives the same instant back without its zone.
APPROVED_FROM_SQLITE = APPROVED.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("zone", "shown", "day", "handout"),
    [
        ("America/Chicago", "2026-12-01 22:34", dt.date(2026, 12, 1), "Dec 1, 2026 at 22:34 CST"),
        ("Asia/Tokyo", "2026-12-02 13:34", dt.date(2026, 12, 2), "Dec 2, 2026 at 13:34 JST"),
    ],
)
def test_sec2_a_stored_instant_is_shown_in_the_workstations_zone(workstation_zone, zone, shown, day, handout) -> None:
    """SEC-2: the same stored instant reads as local time in each zone, with its local day."""
    workstation_zone(zone)
    for stored in (APPROVED, APPROVED_FROM_SQLITE):
        assert shown_time(stored) == shown
        assert local_day(stored) == day
        assert shown_day(stored) == f"{day:%Y-%m-%d}"
        assert patient_moment(stored) == handout
    assert shown_time(APPROVED, zone=True) == f"{shown} {handout.rsplit(' ', 1)[1]}"


def test_sec2_the_day_differs_between_utc_and_chicago_near_midnight(workstation_zone) -> None:
    """SEC-2: a day taken from a stored instant is the local day, not the UTC one."""
    workstation_zone("America/Chicago")
    assert APPROVED.date() == dt.date(2026, 12, 2)
    assert local_day(APPROVED) == dt.date(2026, 12, 1)


def test_sec2_seconds_and_zone_for_the_audit_log(workstation_zone) -> None:
    """SEC-2: the audit log shows seconds; its detail names the zone, daylight time included."""
    workstation_zone("America/Chicago")
    summer = dt.datetime(2026, 7, 1, 15, 0, 9, tzinfo=dt.UTC)
    assert shown_time(summer, seconds=True) == "2026-07-01 10:00:09"
    assert shown_time(summer, seconds=True, zone=True) == "2026-07-01 10:00:09 CDT"


def test_sec2_a_zone_without_a_short_name_is_written_as_an_offset(workstation_zone) -> None:
    """SEC-2: where the system names the zone by a number ("+04") the offset is written out."""
    workstation_zone("Asia/Dubai")
    assert zone_name(APPROVED) == "UTC+04:00"


def test_sec2_wall_time_and_empty_values(workstation_zone) -> None:
    """A backup's name is already local wall time: shown as it is, whatever the zone; none shows as empty."""
    workstation_zone("Asia/Tokyo")
    assert shown_wall_time(dt.datetime(2026, 5, 12, 23, 15)) == "2026-05-12 23:15"
    assert shown_time(None) == "" and shown_day(None) == ""
    assert as_local(APPROVED).utcoffset() == dt.timedelta(hours=9)
