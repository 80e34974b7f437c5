"""Money as ``Decimal`` quantized to cents (MONEY-1).

Money is never a float. Values are parsed from text with ``Decimal(str)``, rounded half-up once at
the line level, stored as integer cents, and formatted only at the edges.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dentaldesk.domain.errors import ValidationError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as Decimal quantized to cents, half-up (MONEY-1).

    Floats are refused outright: they cannot hold cents exactly.
    """
    if isinstance(value, float):
        raise TypeError("money never comes from a float (MONEY-1)")
    if isinstance(value, bool):
        raise TypeError("a bool is not money")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value: Decimal) -> int:
    """Integer cents of a money value (rounded half-up first)."""
    return int(money(value) * 100)


def from_cents(cents: int) -> Decimal:
    """Money value of integer cents."""
    return (Decimal(cents) / 100).quantize(CENT)


def parse_money(text: str, *, field: str = "fee", allow_negative: bool = False) -> Decimal:
    """Parse what a person typed ("1,200.5", "$80") into money; refuse anything else.

    More than two decimals is refused rather than silently rounded: a fee of 10.005 is a typo.
    """
    cleaned = text.strip().replace(",", "").replace("$", "")
    if not cleaned:
        raise ValidationError("Enter an amount.", field)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"'{text.strip()}' is not an amount; type digits like 125.00.", field) from None
    if not value.is_finite():
        raise ValidationError(f"'{text.strip()}' is not an amount; type digits like 125.00.", field)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError("An amount has at most two decimals (cents).", field)
    if value < 0 and not allow_negative:
        raise ValidationError("An amount cannot be negative.", field)
    return money(value)


def format_money(value: Decimal | None, *, blank: str = "") -> str:
    """The one formatter for money shown to a person: ``1,200.00``."""
    if value is None:
        return blank
    return f"{money(value):,.2f}"


def percent_of(amount: Decimal, percent: Decimal | int) -> Decimal:
    """``amount`` x ``percent`` / 100, rounded half-up once to cents (MONEY-1)."""
    return money(Decimal(amount) * Decimal(percent) / Decimal(100))
