"""What a person types into the set-up and patient forms, checked (bad input).

Each parser takes the text as typed and returns a value, or raises ValidationError naming the
field with a sentence saying what is wrong and what to type instead (TX-VAL-1).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import FEE_MAX, parse_money

# Local part @ domain . top-level domain: enough to catch typos, not an RFC 5322 parser.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
BIRTH_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
OLDEST_BIRTH_YEAR = 1900


def parse_email(text: str, field: str = "email") -> str:
    """An e-mail address, or "" when left blank; anything that is not one is refused."""
    cleaned = text.strip()
    if not cleaned:
        return ""
    if len(cleaned) > 120 or ".." in cleaned or not _EMAIL.match(cleaned):
        raise ValidationError(f"'{cleaned}' is not an e-mail address; type one like name@example.com.", field)
    return cleaned


def parse_birth_date(text: str, today: dt.date, field: str = "birth_date") -> dt.date:
    """A birth date typed as YYYY-MM-DD (or MM/DD/YYYY); never in the future, never before 1900."""
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError("Enter the birth date as YYYY-MM-DD.", field)
    for fmt in BIRTH_DATE_FORMATS:
        try:
            born = dt.datetime.strptime(cleaned, fmt).date()
            break
        except ValueError:
            continue
    else:
        raise ValidationError(f"'{cleaned}' is not a date; type the birth date as YYYY-MM-DD.", field)
    if born > today:
        raise ValidationError(f"The birth date {born:%Y-%m-%d} is in the future.", field)
    if born.year < OLDEST_BIRTH_YEAR:
        raise ValidationError(f"The birth date {born:%Y-%m-%d} is before {OLDEST_BIRTH_YEAR}; check the year.", field)
    return born


def parse_whole(text: str, field: str, *, low: int, high: int, what: str) -> int:
    """A whole number from ``low`` to ``high`` ("90" days, "10" minutes, "30" RTU's)."""
    cleaned = text.strip()
    if not re.fullmatch(r"-?\d+", cleaned):
        raise ValidationError(f"{what} must be a whole number from {low} to {high}, not '{cleaned}'.", field)
    value = int(cleaned)
    if not low <= value <= high:
        raise ValidationError(f"{what} must be from {low} to {high}; {value} is outside.", field)
    return value


def parse_coverage_percent(text: str, field: str = "coverage_percent", *, what: str = "Coverage") -> int:
    """A plan's coverage for a category: a whole percent from 0 to 100 (INS-1)."""
    cleaned = text.strip().rstrip("%").strip()
    if not cleaned:
        return 0
    if not re.fullmatch(r"-?\d+", cleaned):
        raise ValidationError(f"{what} is a whole percent from 0 to 100, not '{text.strip()}'.", field)
    value = int(cleaned)
    if not 0 <= value <= 100:
        raise ValidationError(f"{what} is a percent from 0 to 100; {value} % is outside.", field)
    return value


def parse_optional_money(text: str, field: str, *, maximum: Decimal = FEE_MAX) -> Decimal | None:
    """An amount that may be left blank (a bluebook cell, an annual maximum): blank is None (MONEY-3)."""
    if not text.strip():
        return None
    return parse_money(text, field=field, what="An amount", maximum=maximum)


MAX_RAISE_PERCENT = Decimal(1000)


def parse_raise_percent(text: str, field: str = "percent") -> Decimal:
    """A fee schedule change in percent: "5" raises by 5 %, "-10" lowers by 10 % (above -100 %)."""
    shown = text.strip()
    cleaned = shown.rstrip("%").strip()
    if not cleaned:
        raise ValidationError("Enter the percentage to raise the fees by, like 5 or 3.5.", field)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"'{shown}' is not a percentage; type a number like 5 or 3.5.", field) from None
    if not value.is_finite():
        raise ValidationError(f"'{shown}' is not a percentage; type a number like 5 or 3.5.", field)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError("A percentage has at most two decimals.", field)
    if value == 0:
        raise ValidationError("A raise of 0 % changes nothing; type the percentage to raise by.", field)
    if value <= -100 or value > MAX_RAISE_PERCENT:
        raise ValidationError("Raise by more than -100 % and at most 1000 %.", field)
    return value


def parse_colour(text: str, field: str = "color") -> str:
    """A chart colour as #RRGGBB."""
    cleaned = text.strip()
    if not _COLOUR.match(cleaned):
        raise ValidationError(f"'{cleaned}' is not a colour; use #RRGGBB, like #1f6feb.", field)
    return cleaned.lower()


def required_text(text: str, field: str, what: str, *, max_length: int) -> str:
    """A name or other text that must be filled in, trimmed, within the column's length."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValidationError(f"Enter the {what}.", field)
    if len(cleaned) > max_length:
        raise ValidationError(f"The {what} has at most {max_length} characters.", field)
    return cleaned


def optional_text(text: str, field: str, what: str, *, max_length: int) -> str:
    """Text that may be blank, trimmed, within the column's length."""
    cleaned = text.strip()
    if len(cleaned) > max_length:
        raise ValidationError(f"The {what} has at most {max_length} characters.", field)
    return cleaned
