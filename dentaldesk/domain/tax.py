"""Sales tax on a charge (TX-TAX-1, TX-TAX-2, MONEY-1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import ZERO, percent_of
from dentaldesk.domain.terms import TaxMethod

MAX_RATE = Decimal(100)
RATE_DECIMALS = 4  # 8.875 % exists; more digits than this is a typo.


@dataclass(frozen=True)
class TaxableState:
    """How the dialog's Taxable box looks for a charge, and why (TX-TAX-1/2)."""

    enabled: bool
    checked: bool
    reason: str


def _rate_is_set(rate: Decimal | None) -> bool:
    # A rate of 0 taxes nothing, so it counts as "no tax rate set" (TX-TAX-1).
    return rate is not None and rate != 0


def taxable_state(method: TaxMethod, rate: Decimal | None, code_taxable: bool) -> TaxableState:
    """The Taxable box for a new charge (TX-TAX-1, TX-TAX-2).

    * No method, or no rate (``None`` or 0): disabled and unchecked.
    * Pro rata with a rate: disabled and checked, every charge is taxed.
    * Non-pro rata with a rate: enabled, checked as the code's Taxable flag says; the person may
      change it for this one charge.
    """
    if method is TaxMethod.NONE:
        return TaxableState(False, False, "No tax method is set in General settings.")
    if not _rate_is_set(rate):
        return TaxableState(False, False, "No tax rate is set in General settings.")
    if method is TaxMethod.PRO_RATA:
        return TaxableState(False, True, "Pro rata tax: every charge is taxed.")
    if code_taxable:
        return TaxableState(True, True, "The procedure code is taxable; uncheck to exempt this charge.")
    return TaxableState(True, False, "The procedure code is not taxable; check to tax this charge.")


def tax_amount(fee: Decimal, rate_percent: Decimal | None, taxable: bool) -> Decimal:
    """Tax on one charge: fee x rate / 100, rounded half-up once to cents (TX-TAX-2, MONEY-1).

    An untaxed charge, or no rate, gives 0.00.
    """
    if not taxable or rate_percent is None:
        return ZERO
    if fee < 0:
        raise ValidationError("A fee cannot be negative.", "fee")
    return percent_of(fee, rate_percent)


def parse_tax_rate(text: str | Decimal | int) -> Decimal:
    """Parse a tax rate in percent ("8.25", "8.25 %") from 0 to 100 inclusive (TX-TAX-1).

    Refusals are :class:`ValidationError` on the field ``"tax_rate"``. The rate is kept exact
    (up to four decimals), not rounded to cents: only the tax amount is money.
    """
    if isinstance(text, float):
        raise TypeError("a tax rate never comes from a float (MONEY-1)")
    if isinstance(text, bool):
        raise TypeError("a bool is not a tax rate")
    shown = str(text).strip()
    cleaned = shown.rstrip("%").strip()
    if not cleaned:
        raise ValidationError("Enter a tax rate in percent, like 8.25.", "tax_rate")
    try:
        rate = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"'{shown}' is not a tax rate; type a percent like 8.25.", "tax_rate") from None
    if not rate.is_finite():
        raise ValidationError(f"'{shown}' is not a tax rate; type a percent like 8.25.", "tax_rate")
    exponent = rate.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -RATE_DECIMALS:
        raise ValidationError(f"A tax rate has at most {RATE_DECIMALS} decimals.", "tax_rate")
    if rate < 0 or rate > MAX_RATE:
        raise ValidationError("A tax rate is a percent from 0 to 100.", "tax_rate")
    return rate
