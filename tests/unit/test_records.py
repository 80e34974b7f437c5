"""Form input checks of the set-up and patient windows (bad input, TX-VAL-1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.records import (
    parse_birth_date,
    parse_colour,
    parse_coverage_percent,
    parse_email,
    parse_optional_money,
    parse_raise_percent,
    parse_whole,
    required_text,
)

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize("good", ["maria@example.com", "o'brien+tp@mail.example.co.uk", " a.b@c.io "])
def test_email_that_is_one_is_kept(good: str) -> None:
    """A real-looking e-mail address is accepted, trimmed."""
    assert parse_email(good) == good.strip()


@pytest.mark.parametrize(
    "bad", ["maria", "maria@", "@example.com", "maria@example", "a b@c.com", "a..b@c.com", "a@b@c.com"]
)
def test_email_that_is_not_one_is_refused(bad: str) -> None:
    """Bad input: an e-mail that is not one is refused at the e-mail field, saying why."""
    with pytest.raises(ValidationError, match="not an e-mail address") as caught:
        parse_email(bad)
    assert caught.value.field == "email"


def test_blank_email_is_allowed() -> None:
    """E-mail is optional."""
    assert parse_email("  ") == ""


def test_birth_date_forms_and_future_refused() -> None:
    """Bad input: YYYY-MM-DD or MM/DD/YYYY; a birth date in the future is refused."""
    assert parse_birth_date("1980-04-02", TODAY) == dt.date(1980, 4, 2)
    assert parse_birth_date("04/02/1980", TODAY) == dt.date(1980, 4, 2)
    assert parse_birth_date("2026-11-23", TODAY) == TODAY  # born today is fine
    for bad, message in (
        ("2026-11-24", "in the future"),
        ("1899-12-31", "before 1900"),
        ("1980-02-30", "not a date"),
        ("", "Enter"),
    ):
        with pytest.raises(ValidationError, match=message):
            parse_birth_date(bad, TODAY)


@pytest.mark.parametrize(("typed", "value"), [("0", 0), ("80", 80), ("100 %", 100), ("", 0)])
def test_coverage_percent_whole_0_to_100(typed: str, value: int) -> None:
    """INS-1: coverage is a whole percent from 0 to 100 (blank is 0)."""
    assert parse_coverage_percent(typed) == value


@pytest.mark.parametrize("typed", ["101", "-1", "50.5", "half"])
def test_coverage_percent_outside_is_refused(typed: str) -> None:
    """Bad input: coverage % outside 0-100 (or not whole) is refused at its field."""
    with pytest.raises(ValidationError) as caught:
        parse_coverage_percent(typed, "coverage_percent:restorative")
    assert caught.value.field == "coverage_percent:restorative"


def test_raise_percent_bounds() -> None:
    """MONEY-1: a raise is a percentage above -100 with at most two decimals, and not 0."""
    assert parse_raise_percent("3.5 %") == Decimal("3.5")
    assert parse_raise_percent("-10") == Decimal("-10")
    for bad in ("0", "-100", "1001", "1.234", "x", ""):
        with pytest.raises(ValidationError):
            parse_raise_percent(bad)


def test_small_parsers() -> None:
    """TX-VAL-1: whole numbers, colours, optional money and required text refuse with the field named."""
    assert parse_whole("10", "idle", low=1, high=240, what="Idle lock") == 10
    with pytest.raises(ValidationError, match="from 1 to 240"):
        parse_whole("0", "idle", low=1, high=240, what="Idle lock")
    assert parse_colour("#1F6FEB") == "#1f6feb"
    with pytest.raises(ValidationError, match="#RRGGBB"):
        parse_colour("blue")
    assert parse_optional_money(" ", "copay") is None
    assert parse_optional_money("12.5", "copay") == Decimal("12.50")
    assert required_text("  Anna   Maria ", "first_name", "first name", max_length=80) == "Anna Maria"
    with pytest.raises(ValidationError, match="at most 3"):
        required_text("abcd", "x", "code", max_length=3)
