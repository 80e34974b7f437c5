"""The money of one generated visit: charges, their estimate, the claim, insurance and patient payments.

:func:`settle_visit` prices the charges of one patient on one day with the product's own rules,
as posting them through the Patient Transactions window would: the one estimate engine
(``domain.estimates.estimate_items``, INS-1..7) on the patient's coverage as it stood that day
(benefits paid by claims completed by then plus what earlier charges still expected, INS-3:
:class:`CoverageBook`), the charge's parts (``domain.aging.charge_aging_parts``: write-off, held
and patient parts, INS-8, TX-AGE-2..4), and for a completed claim what of its payment pays the
held amounts (``domain.aging.directed_part``). It works on plain drafts; the demo writes them as
ORM rows, the large practice as bulk-insert dicts, so both follow the same rules:

* TX-AGE-2: not insurable, or ICM 0: the charge (less its write-off) ages from DOS; no claim is
  filed by the office (a courtesy claim is the patient's), and the patient pays at the visit.
* TX-AGE-3: insurable on ICM 1: the charge less its write-off is held until the claim completes;
  what insurance did not pay then ages from the final payment's date, and the patient pays it.
* TX-AGE-4: insurable on ICM 2: the patient's estimated portion ages from DOS and is paid at the
  visit; the estimated insurance is held until the claim completes.
* INS-8: a PPO's write-off is posted with its charge, never billed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from dentaldesk.demo import catalog
from dentaldesk.demo.practice import CodeFacts, Practice
from dentaldesk.domain.aging import charge_aging_parts, directed_part
from dentaldesk.domain.approval import LineTerms
from dentaldesk.domain.estimates import (
    EstimateInput,
    ItemEstimate,
    PlanCoverage,
    PlanLine,
    estimate_items,
    estimate_plan,
)
from dentaldesk.domain.money import ZERO, money, percent_of
from dentaldesk.domain.plans import ItemFacts
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
    estimate: Decimal = ZERO  # primary and secondary (TX-INS-5)
    aged_date: date | None = None
    held_amount: Decimal = ZERO
    write_off: Decimal = ZERO
    released_on: date | None = None
    figures: ItemEstimate | None = None  # the one estimate it was posted with (INS-9)

    @property
    def estimated_secondary(self) -> Decimal:
        return self.figures.secondary if self.figures is not None and self.insurable else ZERO

    @property
    def deductible_primary(self) -> Decimal:
        return self.figures.deductible_primary if self.figures is not None and self.insurable else ZERO

    @property
    def deductible_secondary(self) -> Decimal:
        return self.figures.deductible_secondary if self.figures is not None and self.insurable else ZERO

    @property
    def estimate_note(self) -> str:
        return self.figures.explanation if self.figures is not None and self.insurable else ""


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
    held_amount: Decimal = ZERO  # the part that pays the claim's held amounts (TX-AGE-3/4)
    released_on: date | None = None

    @property
    def from_claim(self) -> bool:
        return self.kind is TransactionKind.INSURANCE_PAYMENT


@dataclass(frozen=True)
class _Expected:
    """What one posted charge expected of a coverage: its share, the deductible it applied, the day
    its claim completed (None: not yet) and what that claim paid of it."""

    year: int
    insurance: Decimal
    deductible: Decimal
    settled_on: date | None
    paid: Decimal


@dataclass
class CoverageBook:
    """One coverage of a patient as the estimate's inputs see it on any day (INS-3): benefits paid
    and deductible met by claims completed by then, and what posted charges still expected.

    The generated practice keeps this book instead of reading the database per visit; it answers
    what ``services.practice.pricing.load_coverages`` answers for that day.
    """

    plan: PlanCoverage
    expected: list[_Expected] = field(default_factory=list)

    def on(self, day: date) -> PlanCoverage:
        """The coverage on ``day`` with the benefits of ``day``'s benefit year (INS-3)."""
        paid = met = pending = pending_deductible = ZERO
        for e in self.expected:
            if e.year != day.year:
                continue
            if e.settled_on is not None and e.settled_on <= day:
                paid += e.paid
                met += e.deductible
            else:
                pending += e.insurance
                pending_deductible += e.deductible
        return replace(
            self.plan,
            benefits_used=paid,
            deductible_met=met,
            benefits_pending=pending,
            deductible_pending=pending_deductible,
        )

    def used(self, year: int, today: date) -> tuple[Decimal, Decimal]:
        """(benefits used, deductible met) of ``year`` by claims completed by ``today``."""
        settled = [e for e in self.expected if e.year == year and e.settled_on is not None and e.settled_on <= today]
        return money(sum((e.paid for e in settled), ZERO)), money(sum((e.deductible for e in settled), ZERO))


@dataclass
class VisitMoney:
    claim: ClaimDraft | None = None
    credits: list[CreditDraft] = field(default_factory=list)


def _total(values: Iterable[Decimal]) -> Decimal:
    return money(sum(values, ZERO))


def settle_visit(
    practice: Practice,
    rng: random.Random,
    today: date,
    icm: Icm,
    books: list[CoverageBook],
    dos: date,
    charges: list[ChargeDraft],
) -> VisitMoney:
    """Price each charge (tax, the one estimate, its parts) and return the visit's claim and credits.

    ``books`` are the patient's coverages, primary first (empty: uninsured); what the visit's
    charges expect is written into them, so later visits see it pending (INS-3).
    """
    primary = books[0].on(dos) if books else None
    secondary = books[1].on(dos) if len(books) > 1 else None
    estimates = estimate_items(
        [
            EstimateInput(key=n, code=c.code.code, category=c.code.category, fee=c.fee, insurable=c.code.insurable)
            for n, c in enumerate(charges)
        ],
        primary,
        secondary,
    )
    for charge, figures in zip(charges, estimates, strict=True):
        charge.tax = practice.tax(charge.code, charge.fee)
        charge.insurable = primary is not None and figures.insurable
        charge.figures = figures
        charge.estimate = figures.insurance if charge.insurable else ZERO
        parts = charge_aging_parts(
            fee_total=charge.fee + charge.tax,
            insurable=charge.insurable,
            icm=icm,
            dos=dos,
            estimated_insurance=charge.estimate,
            write_off=figures.write_off if charge.insurable else ZERO,
        )
        charge.aged_date, charge.held_amount, charge.write_off = parts.aged_date, parts.held_amount, parts.write_off
    outcome = VisitMoney()
    billed = _total(c.fee + c.tax - c.write_off for c in charges)
    insured = [c for c in charges if c.insurable]
    courtesy = _courtesy_adjustment(rng, charges, dos)
    if courtesy is not None:
        outcome.credits.append(courtesy)
        billed -= courtesy.amount
    if books and insured and icm is not Icm.FULL_FEE_AT_SERVICE:
        outcome.claim = _claim(rng, today, dos, insured)
    _expect(books, dos, charges, outcome.claim)
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
    held = _total(c.held_amount for c in insured)
    if claim.completed_on is not None:
        for charge in insured:  # TX-AGE-3/4: what insurance did not pay of the held parts ages now
            charge.released_on = claim.completed_on
        if paid > 0:
            outcome.credits.append(
                CreditDraft(
                    TransactionKind.INSURANCE_PAYMENT,
                    paid,
                    claim.completed_on,
                    f"Insurance payment - {books[0].plan.plan_name}",
                    held_amount=directed_part(paid, held),
                    released_on=claim.completed_on,
                )
            )
    later = (claim.completed_on or dos) + timedelta(days=rng.randint(3, 30))
    if icm is Icm.PATIENT_PORTION_AT_SERVICE:
        if rng.random() < 0.9:
            pay(billed - held, dos)
        if claim.complete and held > paid and rng.random() < 0.6:
            pay(held - paid, later)
    elif claim.complete and rng.random() < 0.85:
        pay(billed - paid, later)
    return outcome


def _expect(books: list[CoverageBook], dos: date, charges: list[ChargeDraft], claim: ClaimDraft | None) -> None:
    """Write into the coverage books what the visit's charges expect of each plan (INS-3)."""
    paid_of = {id(line.charge): line.paid for line in claim.lines} if claim is not None else {}
    settled = claim.completed_on if claim is not None else None
    for charge in charges:
        figures = charge.figures
        if not charge.insurable or figures is None:
            continue
        on_claim = id(charge) in paid_of
        books[0].expected.append(
            _Expected(
                dos.year,
                figures.primary,
                figures.deductible_primary,
                settled if on_claim else None,
                paid_of.get(id(charge), ZERO),
            )
        )
        if len(books) > 1:
            books[1].expected.append(
                _Expected(
                    dos.year, figures.secondary, figures.deductible_secondary, settled if on_claim else None, ZERO
                )
            )


def _claim(rng: random.Random, today: date, dos: date, insured: list[ChargeDraft]) -> ClaimDraft:
    """A claim filed on DOS for the primary coverage, each line at the primary's posted estimate
    (INS-9); complete once the carrier paid, 12-45 days later if that is past."""
    paid_on = dos + timedelta(days=rng.randint(12, 45))
    complete = paid_on <= today
    lines = []
    for charge in insured:
        estimated = charge.figures.primary if charge.figures is not None else ZERO
        paid = ZERO
        if complete:
            paid = estimated if rng.random() < 0.85 else percent_of(estimated, rng.choice((0, 50, 80, 90)))
        lines.append(ClaimLineDraft(charge, estimated, paid))
    return ClaimDraft(dos, paid_on if complete else None, tuple(lines))


def _courtesy_adjustment(rng: random.Random, charges: list[ChargeDraft], dos: date) -> CreditDraft | None:
    """Now and then the office waives a little of a visit (a courtesy or senior discount)."""
    if rng.random() >= 0.03:
        return None
    amount = percent_of(_total(c.fee for c in charges), rng.choice((5, 10, 15)))
    if amount <= 0:
        return None
    return CreditDraft(TransactionKind.ADJUSTMENT, amount, dos, rng.choice(("Courtesy adjustment", "Senior discount")))


def approved_terms(
    lines: list[PlanLine], books: list[CoverageBook], today: date, posted: dict[int, ChargeDraft]
) -> Callable[[ItemFacts], LineTerms]:
    """What each line of a plan's approval hashes beyond the item (TP-15): a planned item's one
    estimate on ``today`` (``domain.estimates.estimate_plan``, INS-9), a completed item's figures
    as posted, as ``services.plans.status.line_terms`` reads them. ``posted`` maps item keys to the
    charges they posted."""
    primary = books[0].on(today) if books else None
    secondary = books[1].on(today) if len(books) > 1 else None
    planned = estimate_plan(lines, primary, secondary)

    def terms(item: ItemFacts) -> LineTerms:
        charge = posted.get(item.id)
        if charge is not None:
            return LineTerms(None, None, charge.estimate, max(ZERO, charge.fee - charge.write_off - charge.estimate))
        figures = planned[item.id]
        return LineTerms(None, None, figures.insurance, figures.patient)

    return terms
