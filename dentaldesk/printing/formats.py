"""Dates and chair time as the patient reads them on the handout (money goes through format_money)."""

from __future__ import annotations

import datetime as dt

from dentaldesk.domain.times import patient_date


def format_date(day: dt.date) -> str:
    """Dates as the patient reads them: ``Nov 3, 2026`` (the one form, domain/times.py, SEC-2)."""
    return patient_date(day)


def format_minutes(minutes: int) -> str:
    """Chair time: ``45 min``, ``1 h 30 min``, ``2 h``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
