"""Preauthorization (CASE-2): the carrier's answer per item, and when that answer still holds.

A plan's insurable items are sent to the carrier as a numbered, dated request; the carrier answers
per item (allowed fee, what it pays, the deductible it applies) or denies the request as a whole.
:class:`PreauthAnswer` keeps the answer with what was sent (code, tooth, fee, benefit year): the
estimate engine (``domain.estimates``) uses the carrier's figures instead of its own only while the
item still is what was sent and the benefit year the answer was given for has not ended
(:meth:`PreauthAnswer.applies`). The checks here refuse an answer a carrier cannot have given: an
amount below 0, more than the fee, a deductible or payment beyond the allowed fee, and an answer
dated before the request or in the future.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import ZERO, format_money, money, parse_money


def request_number(request_id: int) -> str:
    """The number printed on a preauthorization request ("PA-000042"); ids are never reused."""
    return f"PA-{request_id:06d}"


@dataclass(frozen=True)
class PreauthAnswer:
    """The carrier's answer for one plan item, with the item as it was sent (CASE-2).

    ``denied``: the carrier refused the request; it then pays nothing on the item, and ``allowed``
    is the fee sent.
    """

    number: str
    carrier: str
    code: str
    tooth: str
    fee: Decimal
    benefit_year: int
    answered_on: dt.date
    allowed: Decimal
    pays: Decimal
    deductible: Decimal
    denied: bool = False

    def applies(self, code: str, tooth: str | None, fee: Decimal | None, benefit_year: int) -> bool:
        """CASE-2: the answer holds while the item's code, tooth and fee are those sent and the item
        is done in the benefit year the answer was given for."""
        return (
            code == self.code
            and (tooth or "") == self.tooth
            and fee is not None
            and money(fee) == money(self.fee)
            and benefit_year == self.benefit_year
        )

    @property
    def label(self) -> str:
        """How the answer is marked wherever the estimate shows ("preauthorized PA-000042")."""
        if self.denied:
            return f"preauthorization {self.number} denied"
        return f"preauthorized {self.number}"

    @property
    def explanation(self) -> str:
        """The Why? sentence's part for the carrier's figures."""
        when = f"{self.answered_on:%Y-%m-%d}"
        if self.denied:
            return f"{self.carrier} denied preauthorization {self.number} on {when}: insurance pays 0"
        return (
            f"preauthorized by {self.carrier} ({self.number}, answered {when}): allowed "
            f"{format_money(self.allowed)}, deductible {format_money(self.deductible)}, "
            f"insurance pays {format_money(self.pays)}"
        )


@dataclass(frozen=True)
class CheckedAnswer:
    """One item's answer as recorded: money, checked against the fee sent."""

    allowed: Decimal
    pays: Decimal
    deductible: Decimal


def _amount(value: str | Decimal, field: str, what: str) -> Decimal:
    if isinstance(value, str) and not value.strip():
        raise ValidationError(f"Enter the {what.lower()} the carrier answered (0 if none).", field)
    return parse_money(value, field=field, what=what)


def check_answer(fee: Decimal, allowed: str | Decimal, pays: str | Decimal, deductible: str | Decimal) -> CheckedAnswer:
    """CASE-2: refuse an answer a carrier cannot give, at the field concerned.

    Each amount is typed money, not negative (MONEY-3); the allowed fee is at most the fee sent; the
    deductible at most the allowed fee; what insurance pays at most the allowed fee less the
    deductible (the carrier pays on what is left once the deductible is met).
    """
    fee = money(fee)
    allowed_ = _amount(allowed, "allowed", "Allowed fee")
    pays_ = _amount(pays, "pays", "Insurance pays")
    deductible_ = _amount(deductible, "deductible", "Deductible")
    if allowed_ > fee:
        raise ValidationError(
            f"The allowed fee {format_money(allowed_)} is more than the fee sent, {format_money(fee)}.", "allowed"
        )
    if pays_ > fee:
        raise ValidationError(
            f"Insurance pays {format_money(pays_)} is more than the fee sent, {format_money(fee)}.", "pays"
        )
    if deductible_ > allowed_:
        raise ValidationError(
            f"The deductible {format_money(deductible_)} is more than the allowed fee {format_money(allowed_)}.",
            "deductible",
        )
    if pays_ > allowed_ - deductible_:
        raise ValidationError(
            f"Insurance pays at most the allowed fee less the deductible, {format_money(allowed_ - deductible_)}.",
            "pays",
        )
    return CheckedAnswer(allowed_, pays_, deductible_)


def check_answer_date(requested_on: dt.date, answered_on: dt.date | None, today: dt.date) -> dt.date:
    """CASE-2: the carrier answers on or after the day the request was sent, and not in the future."""
    if answered_on is None:
        raise ValidationError("Enter the day the carrier answered.", "answered_on")
    if answered_on < requested_on:
        raise ValidationError(
            f"The answer cannot be dated before the request was sent ({requested_on:%Y-%m-%d}).", "answered_on"
        )
    if answered_on > today:
        raise ValidationError("The answer cannot be dated after today.", "answered_on")
    return answered_on


def denied_answer(fee: Decimal) -> CheckedAnswer:
    """A denied request: the carrier allows the fee and pays nothing on it."""
    return CheckedAnswer(money(fee), ZERO, ZERO)
