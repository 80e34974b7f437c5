"""The money of one generated visit: charges, its claim, insurance and patient payments.

:func:`settle_visit` decides, for the charges of one patient on one day, how each charge ages
under the account's ICM, whether a claim goes out and when it completes, what the carrier and the
patient paid, and the PPO write-off. It works on plain drafts; the demo writes them as ORM rows,
the large practice as bulk-insert dicts, so both follow the same rules:

* TX-AGE-2: not insurable, or ICM 0: the charge ages from DOS; no claim is filed by the office
  (a courtesy claim is the patient's), and the patient pays at the visit.
* TX-AGE-3: insurable on ICM 1: no aged date until the claim completes; then the charge ages from
  the final insurance payment's date and the patient pays what insurance did not.
* TX-AGE-4: insurable on ICM 2: the patient's estimated portion ages from DOS and is paid at the
  visit; the estimated insurance portion is held current until the claim completes.
* INS-7: a PPO's write-off (fee minus plan fee) is posted as an adjustment, never billed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dentaldesk.demo import catalog
from dentaldesk.demo.practice import CodeFacts, PlanFacts, Practice, aging_at_post
from dentaldesk.domain.money import ZERO, money, percent_of
from dentaldesk.domain.terms import Icm, TransactionKind


@dataclass
class ChargeDraft:
    """A completed procedure about to be posted; ``ref`` lets the caller find its plan item."""

    code: CodeFacts
    tooth: str | None
    surfaces: str
    provider_id: int
    fee: Decimal
    ref: object = None
    notes: str = ""
    tax: Decimal = ZERO
    insurable: bool = False
    estimate: Decimal = ZERO
    aged_date: date | None = None
    held_amount: Decimal = ZERO


@dataclass(frozen=True)
class ClaimLineDraft:
    charge: ChargeDraft
    estimated: Decimal
    paid: Decimal


@dataclass(frozen=True)
class ClaimDraft:
    created_on: date
    completed_on: date | None
    lines: tuple[ClaimLineDraft, ...]

    @property
    def complete(self) -> bool:
        return self.completed_on is not None


@dataclass(frozen=True)
class CreditDraft:
    kind: TransactionKind
    amount: Decimal
    dos: date
    description: str

    @property
    def from_claim(self) -> bool:
        return self.kind is TransactionKind.INSURANCE_PAYMENT


@dataclass
class Benefits:
    """One coverage's annual maximum and what its claims paid in each benefit year (INS-3)."""

    annual_max: Decimal | None
    used: dict[int, Decimal] = field(default_factory=dict)

    def take(self, year: int, amount: Decimal) -> Decimal:
        """What the carrier pays of ``amount``: no more than the maximum left for the year."""
        spent = self.used.get(year, ZERO)
        paid = amount if self.annual_max is None else max(ZERO, min(amount, self.annual_max - spent))
        self.used[year] = spent + paid
        return paid


@dataclass
class VisitMoney:
    claim: ClaimDraft | None = None
    credits: list[CreditDraft] = field(default_factory=list)


def _total(values: object) -> Decimal:
    return money(sum(values, ZERO))  # type: ignore[call-overload]


def settle_visit(
    practice: Practice,
    rng: random.Random,
    today: date,
    icm: Icm,
    plan: PlanFacts | None,
    dos: date,
    charges: list[ChargeDraft],
    benefits: Benefits | None = None,
) -> VisitMoney:
    """Fill in each charge's tax, estimate and aging; return the visit's claim and credits.

    ``plan`` is the patient's primary plan (None: uninsured); ``benefits`` its year's usage, which
    caps what a completed claim pays at the annual maximum.
    """
    for charge in charges:
        charge.tax = practice.tax(charge.code, charge.fee)
        charge.insurable = plan is not None and charge.code.insurable
        if plan is not None and charge.insurable:
            charge.estimate = practice.insurance_estimate(plan, charge.code, charge.fee)
        charge.aged_date, charge.held_amount = aging_at_post(icm, charge.insurable, dos, charge.estimate, charge.fee)
    outcome = VisitMoney()
    billed = _total(c.fee + c.tax for c in charges)
    insured = [c for c in charges if c.insurable]
    courtesy = _courtesy_adjustment(rng, charges, dos)
    if courtesy is not None:
        outcome.credits.append(courtesy)
        billed -= courtesy.amount
    write_off = ZERO
    if plan is not None and insured and icm is not Icm.FULL_FEE_AT_SERVICE:
        write_off = _total(practice.write_off(plan, c.code, c.fee) for c in insured)
        if write_off > 0:
            outcome.credits.append(
                CreditDraft(TransactionKind.ADJUSTMENT, write_off, dos, f"PPO write-off - {plan.name}")
            )
        outcome.claim = _claim(rng, today, dos, insured, benefits)
    method = rng.choice(catalog.PAYMENT_METHODS)

    def pay(amount: Decimal, day: date) -> None:
        if amount > 0 and day <= today:
            outcome.credits.append(CreditDraft(TransactionKind.PAYMENT, money(amount), day, f"Payment - {method}"))

    claim = outcome.claim
    if claim is None:
        draw = rng.random()
        if draw < 0.86:
            pay(billed, dos)
        elif draw < 0.94:
            pay(percent_of(billed, 50), dos)
        return outcome
    paid = _total(line.paid for line in claim.lines)
    if claim.completed_on is not None:
        if paid > 0 and plan is not None:
            outcome.credits.append(
                CreditDraft(
                    TransactionKind.INSURANCE_PAYMENT, paid, claim.completed_on, f"Insurance payment - {plan.name}"
                )
            )
        for charge in insured:  # the claim is complete: what is left ages from the payment date
            charge.aged_date, charge.held_amount = claim.completed_on, ZERO
    later = (claim.completed_on or dos) + timedelta(days=rng.randint(3, 30))
    if icm is Icm.PATIENT_PORTION_AT_SERVICE:
        held = _total(c.estimate for c in insured)
        if rng.random() < 0.9:
            pay(billed - write_off - held, dos)
        if claim.complete and held > paid and rng.random() < 0.6:
            pay(held - paid, later)
    elif claim.complete and rng.random() < 0.85:
        pay(billed - write_off - paid, later)
    return outcome


def _claim(
    rng: random.Random, today: date, dos: date, insured: list[ChargeDraft], benefits: Benefits | None
) -> ClaimDraft:
    """A claim filed on DOS; complete once the carrier paid, 12-45 days later if that is past."""
    paid_on = dos + timedelta(days=rng.randint(12, 45))
    complete = paid_on <= today
    lines = []
    for charge in insured:
        paid = ZERO
        if complete:
            paid = charge.estimate if rng.random() < 0.85 else percent_of(charge.estimate, rng.choice((0, 50, 80, 90)))
            if benefits is not None:
                paid = benefits.take(paid_on.year, paid)
        lines.append(ClaimLineDraft(charge, charge.estimate, paid))
    return ClaimDraft(dos, paid_on if complete else None, tuple(lines))


def _courtesy_adjustment(rng: random.Random, charges: list[ChargeDraft], dos: date) -> CreditDraft | None:
    """Now and then the office waives a little of a visit (a courtesy or senior discount)."""
    if rng.random() >= 0.03:
        return None
    amount = percent_of(_total(c.fee for c in charges), rng.choice((5, 10, 15)))
    if amount <= 0:
        return None
    return CreditDraft(TransactionKind.ADJUSTMENT, amount, dos, rng.choice(("Courtesy adjustment", "Senior discount")))
