"""Money as ``Decimal`` quantized to cents (MONEY-1), and the one parser for typed amounts (MONEY-3).

Money is never a float. Values are parsed from text by :func:`parse_money`, rounded half-up once
at the line level, stored as integer cents, and formatted only at the edges.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dentaldesk.domain.errors import ValidationError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# MONEY-3: the largest amount each kind of field takes.
FEE_MAX = Decimal("99999.99")  # a procedure fee (and a fee schedule or bluebook amount)
PAYMENT_MAX = Decimal("999999.99")  # a payment, an adjustment, an insurance payment, a plan's amounts

# A plain decimal: digits, thousands separators only in whole groups of three, at most two
# decimals; an optional leading "$" (what a front desk types) and, where allowed, a minus sign.
_AMOUNT = re.compile(r"(-?)\$?((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{0,2})?|\.[0-9]{1,2})", re.ASCII)
_LONGEST = 40  # no amount is longer; a longer text is refused before it is looked at


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


def _shown(text: str) -> str:
    cleaned = text.strip()
    return cleaned if len(cleaned) <= 20 else cleaned[:20] + "..."


def parse_money(
    value: str | Decimal | int,
    *,
    field: str = "fee",
    what: str = "A fee",
    maximum: Decimal = FEE_MAX,
    allow_negative: bool = False,
) -> Decimal:
    """The one parser of an amount a person typed or a service was given (MONEY-3, MONEY-1).

    Text is a plain decimal with at most two places: ``1350``, ``1,350.00``, ``$80.5``, ``.50``.
    Refused, with a :class:`ValidationError` at ``field`` that says why: an empty text, anything
    that is not such a decimal (``12,34``, ``1e3``, ``1 350``, ``NaN``), more than two decimals
    (``10.005`` is a typo, not 10.01), a negative amount unless ``allow_negative``, and more than
    ``maximum`` (or less than ``-maximum``), with the limit named. A ``Decimal`` or ``int`` from a
    service passes the same checks. Nothing else is raised, whatever the input.
    """
    if isinstance(value, bool) or not isinstance(value, (str, Decimal, int)):
        raise ValidationError(f"{what} must be an amount like 125.00.", field)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValidationError("Enter an amount.", field)
        found = _AMOUNT.fullmatch(text) if len(text) <= _LONGEST else None
        if found is None:
            if re.fullmatch(r"-?\$?[0-9,]*\.[0-9]{3,}", text, re.ASCII):
                raise ValidationError("An amount has at most two decimals (cents).", field)
            raise ValidationError(
                f"'{_shown(text)}' is not an amount; type digits with at most two decimals, like 1,350.00.", field
            )
        sign, digits = found.groups()
        amount = Decimal(sign + digits.replace(",", ""))
    else:
        try:
            amount = Decimal(value)
        except (InvalidOperation, ValueError, TypeError):  # pragma: no cover - Decimal and int always convert
            raise ValidationError(f"{what} must be an amount like 125.00.", field) from None
        if not amount.is_finite():
            raise ValidationError(f"{what} must be an amount like 125.00.", field)
        if abs(amount) > maximum:  # checked first: a huge exponent must not be quantized
            raise ValidationError(f"{what} is at most {format_money(maximum)}.", field)
        if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
            raise ValidationError("An amount has at most two decimals (cents).", field)
    if amount < 0 and not allow_negative:
        raise ValidationError(f"{what} cannot be negative.", field)
    if abs(amount) > maximum:
        raise ValidationError(f"{what} is at most {format_money(maximum)}.", field)
    return money(amount)


def format_money(value: Decimal | None, *, blank: str = "") -> str:
    """The one formatter for money shown to a person: ``1,200.00``."""
    if value is None:
        return blank
    return f"{money(value):,.2f}"


def format_cents(cents: int) -> str:
    """:func:`format_money` of integer cents (a report that keeps its amounts as cents)."""
    return format_money(from_cents(cents))


def discount_off(fee: Decimal | None, schedule_fee: Decimal | None) -> Decimal:
    """MONEY-2: how far an overridden fee is below the schedule fee it replaced (0 when not below)."""
    if fee is None or schedule_fee is None:
        return ZERO
    return max(ZERO, money(schedule_fee) - money(fee))


def schedule_fee_note(fee: Decimal | None, schedule_fee: Decimal | None) -> str:
    """MONEY-2: an override said as what it replaced, for the editor and the handout:
    ``schedule fee 2,300.00`` (fee raised), ``schedule fee 1,350.00, discount 150.00`` (lowered);
    empty when the fee is the schedule's."""
    if fee is None or schedule_fee is None or money(fee) == money(schedule_fee):
        return ""
    note = f"schedule fee {format_money(schedule_fee)}"
    discount = discount_off(fee, schedule_fee)
    return f"{note}, discount {format_money(discount)}" if discount > 0 else note


def percent_of(amount: Decimal, percent: Decimal | int) -> Decimal:
    """``amount`` x ``percent`` / 100, rounded half-up once to cents (MONEY-1)."""
    return money(Decimal(amount) * Decimal(percent) / Decimal(100))
