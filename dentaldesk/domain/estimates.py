"""The one insurance estimate engine (INS-1..INS-7, TX-INS-3..5, STYLE.md convention 12).

Items are estimated in plan order: the deductible is met by the first items it applies to
(INS-2) and each item uses up the annual maximum left for the items after it (INS-3). Every
figure comes with a sentence a front-desk user can read back to a patient.

Choices the rules leave open, made here:

* An allowed (bluebook) fee above the charged fee is capped at the fee: a plan pays on no more
  than was charged.
* The deductible is met only by items the plan pays something on (a covered category for
  Percentage/PPO, a payment for DMO/Flat fee): a service the plan does not cover does not count
  toward its deductible.
* The write-off comes from the primary plan's contract (INS-7); a secondary plan does not add one.
* A DMO item without a copay of its own pays the plan's default copay (0 when none is set)
  (INS-5 "fee minus the plan's copay").
* A Flat fee plan covers a code its bluebook lists a flat amount for, or whose category it
  covers at more than 0 % (TX-INS-1 names Percentage/PPO percents and DMO plans only).

Benefits used (INS-3) are what the carrier paid this benefit year (``benefits_used``,
``deductible_met``) plus what is still expected on posted charges not yet paid
(``benefits_pending``, ``deductible_pending``): the services read both through one loader
(``services.practice.pricing.load_coverages``), so the same benefits are never promised twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import ZERO, money, percent_of
from dentaldesk.domain.preauth import PreauthAnswer
from dentaldesk.domain.terms import Category, EstimationType


@dataclass(frozen=True)
class BluebookFacts:
    """One plan's bluebook entry for one code (glossary: bluebook).

    For a DMO/Capitation plan ``plan_fee`` is the cap fee. ``write_off`` is what the plan's
    payments have written off so far; estimates compute the write-off from the fee instead.
    """

    plan_fee: Decimal | None = None
    copay: Decimal | None = None
    insurance_pays: Decimal | None = None
    write_off: Decimal | None = None


@dataclass(frozen=True)
class PlanCoverage:
    """A patient's coverage under one dental plan, with what is used so far this year (INS-1..3).

    ``coverage_percent`` gives the % per category (a category not listed is 0 %);
    ``deductible_met`` and ``benefits_used`` come from posted claims; ``annual_max`` ``None``
    means no annual maximum. ``copays`` are per code (DMO / Flat fee plans); ``default_copay`` is
    the plan's copay for a code with none of its own (INS-5 "the fee minus the plan's copay").
    """

    plan_name: str
    carrier: str
    estimation_type: EstimationType
    coverage_percent: Mapping[Category, int]
    deductible: Decimal
    deductible_exempt: frozenset[Category]
    annual_max: Decimal | None
    deductible_met: Decimal = ZERO
    benefits_used: Decimal = ZERO
    copays: Mapping[str, Decimal] = field(default_factory=dict)
    bluebook: Mapping[str, BluebookFacts] = field(default_factory=dict)
    default_copay: Decimal = ZERO
    benefits_pending: Decimal = ZERO
    deductible_pending: Decimal = ZERO

    def __post_init__(self) -> None:
        for category, percent in self.coverage_percent.items():
            if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
                raise ValidationError(
                    f"{self.plan_name}: coverage for {category.label} must be a whole percent from 0 to 100.",
                    "coverage_percent",
                )
        for name in ("deductible", "deductible_met", "benefits_used", "benefits_pending", "deductible_pending"):
            if money(getattr(self, name)) < 0:
                what = name.replace("_", " ")
                raise ValidationError(f"{self.plan_name}: the {what} cannot be negative.", name)
        if self.annual_max is not None and money(self.annual_max) < 0:
            raise ValidationError(f"{self.plan_name}: the annual maximum cannot be negative.", "annual_max")

    @property
    def deductible_left(self) -> Decimal:
        """Deductible still to meet this benefit year: met by paid claims and pending on posted
        charges counts alike (INS-2, INS-3)."""
        return max(ZERO, money(self.deductible) - money(self.deductible_met) - money(self.deductible_pending))

    @property
    def maximum_left(self) -> Decimal | None:
        """Annual maximum still available: less what was paid and what is pending on posted
        charges (INS-3); ``None`` when the plan has no maximum."""
        if self.annual_max is None:
            return None
        return max(ZERO, money(self.annual_max) - money(self.benefits_used) - money(self.benefits_pending))

    def covers(self, code: str, category: Category) -> bool:
        """TX-INS-1: does this plan pay anything for the code? A Percentage or PPO plan covers a
        category at more than 0 %; a DMO/Capitation plan covers every insurable code; a Flat fee
        plan covers a code with a flat amount in its bluebook, or a category above 0 %."""
        kind = self.estimation_type
        if kind is EstimationType.DMO:
            return True
        if kind is EstimationType.FLAT_FEE:
            entry = self.bluebook.get(code)
            if entry is not None and entry.insurance_pays is not None and entry.insurance_pays > 0:
                return True
        return self.coverage_percent.get(category, 0) > 0

    @property
    def title(self) -> str:
        """Carrier and plan name as a person reads them ("Delta Dental PPO Plus")."""
        if self.carrier and self.plan_name and self.carrier.lower() not in self.plan_name.lower():
            return f"{self.carrier} {self.plan_name}"
        return self.plan_name or self.carrier

    def coverage_type(self, category: Category) -> str:
        """The Type field (TX-INS-3): carrier/plan, plan type, category and %."""
        kind = self.estimation_type
        if kind in (EstimationType.PERCENTAGE, EstimationType.PPO):
            percent = self.coverage_percent.get(category, 0)
            return f"{self.title} - {kind.label}, {category.label} {percent}%"
        return f"{self.title} - {kind.label}, {category.label}"

    def next_benefit_year(self) -> PlanCoverage:
        """The same plan in the next benefit year (CASE-5): its maximum and deductible start again,
        nothing paid or pending yet."""
        return replace(self, deductible_met=ZERO, benefits_used=ZERO, benefits_pending=ZERO, deductible_pending=ZERO)


@dataclass(frozen=True)
class EstimateInput:
    """One plan item to estimate; ``key`` lets the caller match the result to its item.

    ``preauth`` is the carrier's answer for the item when it still holds (CASE-2): its figures are
    used instead of the engine's. ``next_year`` puts the item in the next benefit year (CASE-5).
    """

    key: int
    code: str
    category: Category
    fee: Decimal
    insurable: bool = True
    kept_off: bool = False  # an insurable code the person kept off insurance for this charge
    preauth: PreauthAnswer | None = None
    next_year: bool = False


def charge_insurable(code_insurable: bool, choice: bool | None) -> bool:
    """TX-INS-1 before coverage: the code's Insurable option, or the person's choice for this one
    charge (None = as the code says). A choice can keep a covered procedure off the claim, never
    put a code whose Insurable option is off on one."""
    return code_insurable if choice is None else (choice and code_insurable)


def is_covered(code: str, category: Category, primary: PlanCoverage | None, secondary: PlanCoverage | None) -> bool:
    """TX-INS-1: a coverage of the patient pays for the code (see :meth:`PlanCoverage.covers`)."""
    return any(plan is not None and plan.covers(code, category) for plan in (primary, secondary))


@dataclass(frozen=True)
class ItemEstimate:
    """An item's split between write-off, insurance and patient (INS-1..7, TX-INS-3..5)."""

    key: int
    fee: Decimal
    allowed: Decimal
    write_off: Decimal
    deductible_primary: Decimal
    deductible_secondary: Decimal
    primary: Decimal
    secondary: Decimal
    patient: Decimal
    coverage_type: str
    explanation: str
    insurable: bool = True  # TX-INS-1: the charge goes on a claim (and holds under ICM 1/2)
    # INS-3: why insurance pays 0.00, in a short phrase the patient reads ("maximum reached");
    # empty when insurance pays something.
    zero_reason: str = ""
    preauthorized: str = ""  # CASE-2: the mark of the carrier's answer the figures come from
    next_year: bool = False  # CASE-5: estimated in the next benefit year

    @property
    def insurance(self) -> Decimal:
        """Estimated insurance payment, primary + secondary (TX-INS-5)."""
        return self.primary + self.secondary

    @property
    def deductible(self) -> Decimal:
        """Part of the fee going to meet the deductibles (TX-INS-4)."""
        return self.deductible_primary + self.deductible_secondary


@dataclass(frozen=True)
class EstimateTotals:
    """Sums over a plan's items (TP-14)."""

    fee: Decimal
    write_off: Decimal
    insurance: Decimal
    patient: Decimal


@dataclass
class _PlanYear:
    """What one plan has left while items are estimated in order (INS-2, INS-3)."""

    plan: PlanCoverage
    deductible_left: Decimal
    maximum_left: Decimal | None

    @classmethod
    def start(cls, plan: PlanCoverage) -> _PlanYear:
        return cls(plan, plan.deductible_left, plan.maximum_left)


@dataclass(frozen=True)
class _PlanShare:
    allowed: Decimal
    write_off: Decimal
    deductible: Decimal
    estimate: Decimal
    steps: tuple[str, ...]
    zero_reason: str = ""  # why this plan pays 0 (see ItemEstimate.zero_reason)


# The short phrases of ItemEstimate.zero_reason (INS-3), one per cause of a 0.00 estimate.
NO_INSURANCE = "no insurance on file"
KEPT_OFF = "kept off insurance"
NOT_INSURABLE = "not an insurance procedure"
NOT_COVERED = "not covered by the plan"
MAXIMUM_REACHED = "maximum reached"
DEDUCTIBLE_TAKES_IT = "deductible takes it"
NO_FLAT_FEE = "no flat fee on file"
COPAY_IS_THE_FEE = "copay is the whole fee"
NOTHING_ALLOWED = "plan allows nothing"


def _fmt(value: Decimal) -> str:
    # Every figure here is already money (quantized to cents): format it without quantizing again,
    # as format_money would (the large practice formats millions of them).
    return f"{value:,.2f}"


def _take_deductible(year: _PlanYear, item: EstimateInput, base: Decimal) -> Decimal:
    """Deductible met by this item (INS-2): first items, not exempt, that the plan pays on."""
    if base <= 0 or item.category in year.plan.deductible_exempt:
        return ZERO
    taken = min(year.deductible_left, base)
    year.deductible_left -= taken
    return taken


def _percentage_share(year: _PlanYear, item: EstimateInput, fee: Decimal) -> _PlanShare:
    """INS-1 (Percentage) and INS-7 (PPO): (allowed - deductible) x coverage %."""
    plan = year.plan
    is_ppo = plan.estimation_type is EstimationType.PPO
    entry = plan.bluebook.get(item.code)
    steps: list[str] = []
    allowed = fee
    if entry is not None and entry.plan_fee is not None:
        allowed = min(money(entry.plan_fee), fee)
        steps.append(f"allowed {_fmt(allowed)} ({'PPO' if is_ppo else 'bluebook'})")
    elif is_ppo:
        steps.append(f"allowed {_fmt(allowed)} (no PPO fee on file)")
    write_off = fee - allowed if is_ppo else ZERO
    if write_off > 0:
        steps.append(f"write-off {_fmt(write_off)}")
    percent = plan.coverage_percent.get(item.category, 0)
    deductible = _take_deductible(year, item, allowed if percent > 0 else ZERO)
    if deductible > 0:
        steps.append(f"deductible {_fmt(deductible)}")
    base = allowed - deductible
    estimate = percent_of(base, percent)
    steps.append(f"{percent}% of {_fmt(base)} = {_fmt(estimate)}")
    reason = "" if estimate > 0 else (DEDUCTIBLE_TAKES_IT if deductible > 0 else NOTHING_ALLOWED)
    return _PlanShare(allowed, write_off, deductible, estimate, tuple(steps), reason)


def _dmo_share(year: _PlanYear, item: EstimateInput, fee: Decimal) -> _PlanShare:
    """INS-5: bluebook insurance payment, or fee - copay, then minus any deductible; no write-off."""
    plan = year.plan
    entry = plan.bluebook.get(item.code)
    steps: list[str] = []
    if entry is not None and entry.insurance_pays is not None:
        base = money(entry.insurance_pays)
        steps.append(f"bluebook insurance pays {_fmt(base)}")
    else:
        if entry is not None and entry.copay is not None:
            copay = money(entry.copay)
        else:
            copay = money(plan.copays.get(item.code, plan.default_copay))
        base = max(ZERO, fee - copay)
        lead = "" if entry is not None else "no bluebook entry: "
        steps.append(f"{lead}fee {_fmt(fee)} - copay {_fmt(copay)} = {_fmt(base)}")
    deductible = _take_deductible(year, item, base)
    estimate = base - deductible
    if deductible > 0:
        steps.append(f"less deductible {_fmt(deductible)} = {_fmt(estimate)}")
    reason = ""
    if estimate <= 0:
        reason = (
            DEDUCTIBLE_TAKES_IT
            if deductible > 0
            else (COPAY_IS_THE_FEE if entry is None or entry.insurance_pays is None else NOTHING_ALLOWED)
        )
    return _PlanShare(fee, ZERO, deductible, estimate, tuple(steps), reason)


def _flat_fee_share(year: _PlanYear, item: EstimateInput, fee: Decimal) -> _PlanShare:
    """Flat fee plans pay the bluebook amount for the code, never more than the fee."""
    entry = year.plan.bluebook.get(item.code)
    steps: list[str] = []
    if entry is not None and entry.insurance_pays is not None:
        listed = money(entry.insurance_pays)
        base = min(listed, fee)
        capped = f", capped at the fee {_fmt(fee)}" if listed > fee else ""
        steps.append(f"flat fee {_fmt(listed)}{capped}")
    else:
        base = ZERO
        steps.append("no flat fee on file for this code")
    deductible = _take_deductible(year, item, base)
    estimate = base - deductible
    if deductible > 0:
        steps.append(f"less deductible {_fmt(deductible)} = {_fmt(estimate)}")
    reason = ""
    if estimate <= 0:
        reason = DEDUCTIBLE_TAKES_IT if deductible > 0 else (NO_FLAT_FEE if base == 0 else NOTHING_ALLOWED)
    return _PlanShare(fee, ZERO, deductible, estimate, tuple(steps), reason)


def _own_estimate(year: _PlanYear, item: EstimateInput, fee: Decimal) -> _PlanShare:
    """A plan's normal estimate for an item, capped by its maximum left (INS-1, INS-3, INS-5)."""
    kind = year.plan.estimation_type
    if kind is EstimationType.DMO:
        share = _dmo_share(year, item, fee)
    elif kind is EstimationType.FLAT_FEE:
        share = _flat_fee_share(year, item, fee)
    else:
        share = _percentage_share(year, item, fee)
    estimate = share.estimate
    steps = list(share.steps)
    reason = share.zero_reason
    if year.maximum_left is not None and estimate > year.maximum_left:
        estimate = year.maximum_left
        steps.append("annual maximum used up" if estimate == 0 else f"maximum left {_fmt(estimate)}")
        if estimate == 0:
            reason = MAXIMUM_REACHED
    return _PlanShare(share.allowed, share.write_off, share.deductible, estimate, tuple(steps), reason)


def _use_maximum(year: _PlanYear, paid: Decimal) -> None:
    if year.maximum_left is not None:
        year.maximum_left = max(ZERO, year.maximum_left - paid)


def _uninsured(item: EstimateInput, fee: Decimal, why: str, coverage_type: str, reason: str) -> ItemEstimate:
    """An item insurance pays nothing on and that goes on no claim (TX-INS-1)."""
    return ItemEstimate(
        key=item.key,
        fee=fee,
        allowed=fee,
        write_off=ZERO,
        deductible_primary=ZERO,
        deductible_secondary=ZERO,
        primary=ZERO,
        secondary=ZERO,
        patient=fee,
        coverage_type=coverage_type,
        explanation=f"Fee {_fmt(fee)}; {why} -> patient pays {_fmt(fee)}",
        insurable=False,
        zero_reason=reason,
    )


def estimate_items(
    items: Sequence[EstimateInput], primary: PlanCoverage | None, secondary: PlanCoverage | None = None
) -> list[ItemEstimate]:
    """Estimate write-off, insurance and patient portion of each item, in plan order (INS-1..7).

    * INS-1: Percentage/PPO estimate = (allowed - deductible) x category %, capped by the maximum
      left; allowed = the bluebook plan fee where one exists, else the fee.
    * INS-2: the deductible left (deductible - met) is applied once, to the first items it
      applies to (categories not exempt).
    * INS-3: the annual maximum left (maximum - used) shrinks item by item; items beyond it get 0.
    * INS-4: the secondary plan makes its own estimate (own deductible and maximum) and pays the
      smaller of that and the patient portion the primary left (coordination of benefits).
    * INS-5: DMO/Capitation pays the bluebook insurance payment, or fee - copay without an entry,
      less any deductible, with no write-off. The caller passes the cap fee / Fee 0 as the fee
      (see :func:`dentaldesk.domain.fees.resolve_fee`).
    * INS-6: patient = fee - write-off - primary - secondary, never below 0.
    * INS-7: PPO write-off = fee - allowed, shown and never billed to the patient.

    Non-insurable items, and items no coverage pays for (TX-INS-1: a category covered at 0 %),
    get no insurance and are marked not insurable. Results come back in the order of ``items``.
    """
    if primary is None and secondary is not None:
        raise ValueError("a secondary plan needs a primary plan; pass the only plan as primary")
    this_year = (
        _PlanYear.start(primary) if primary is not None else None,
        _PlanYear.start(secondary) if secondary is not None else None,
    )
    next_year = (
        _PlanYear.start(primary.next_benefit_year()) if primary is not None else None,
        _PlanYear.start(secondary.next_benefit_year()) if secondary is not None else None,
    )
    results: list[ItemEstimate] = []
    for item in items:
        first, second = next_year if item.next_year else this_year
        fee = money(item.fee)
        if fee < 0:
            raise ValidationError(f"The fee of {item.code} cannot be negative.", "fee")
        if first is None:
            results.append(_uninsured(item, fee, "no insurance", "No insurance", NO_INSURANCE))
            continue
        if not item.insurable:
            kept = item.kept_off
            why = "kept off insurance for this charge" if kept else "not insurable"
            results.append(_uninsured(item, fee, why, "Not insurable", KEPT_OFF if kept else NOT_INSURABLE))
            continue
        if not is_covered(item.code, item.category, first.plan, second.plan if second else None):
            why = f"{item.category.label} is not covered by {first.plan.title}"
            results.append(_uninsured(item, fee, why, f"Not covered: {item.category.label} 0%", NOT_COVERED))
            continue
        estimate = _estimate_one(item, fee, first, second)
        results.append(replace(estimate, next_year=True) if item.next_year else estimate)
    return results


def _estimate_one(item: EstimateInput, fee: Decimal, first: _PlanYear, second: _PlanYear | None) -> ItemEstimate:
    """One insurable item under the primary and, if any, the secondary plan (INS-1..7); an item
    the carrier answered a preauthorization for takes the carrier's figures (CASE-2)."""
    own_first = _preauthorized(first, item, fee) if item.preauth is not None else _own_estimate(first, item, fee)
    primary_pays = own_first.estimate
    _use_maximum(first, primary_pays)
    first_steps = list(own_first.steps)
    if second is not None:
        first_steps[0] = f"primary {first.plan.title}: {first_steps[0]}"
    parts = [f"Fee {_fmt(fee)}", *first_steps]
    if item.next_year:
        parts[0] += " in the next benefit year (its maximum and deductible start again)"
    parts[-1] += f" -> pays {_fmt(primary_pays)}"
    coverage = first.plan.coverage_type(item.category)

    secondary_pays = ZERO
    secondary_deductible = ZERO
    own_second_reason: str | None = None
    if second is not None:
        own_second = _own_estimate(second, item, fee)
        own_second_reason = own_second.zero_reason
        secondary_deductible = own_second.deductible
        left = max(ZERO, fee - own_first.write_off - primary_pays)
        secondary_pays = min(own_second.estimate, left)
        _use_maximum(second, secondary_pays)
        second_steps = list(own_second.steps)
        second_steps[0] = f"secondary {second.plan.title}: {second_steps[0]}"
        parts.extend(second_steps)
        parts.append(
            f"own estimate {_fmt(own_second.estimate)}, patient portion left {_fmt(left)}"
            f" -> pays {_fmt(secondary_pays)}"
        )
        coverage += "; secondary: " + second.plan.coverage_type(item.category)

    patient = max(ZERO, fee - own_first.write_off - primary_pays - secondary_pays)
    parts.append(f"patient pays {_fmt(patient)}")
    return ItemEstimate(
        key=item.key,
        fee=fee,
        allowed=own_first.allowed,
        write_off=own_first.write_off,
        deductible_primary=own_first.deductible,
        deductible_secondary=secondary_deductible,
        primary=primary_pays,
        secondary=secondary_pays,
        patient=patient,
        coverage_type=coverage,
        explanation="; ".join(parts),
        zero_reason=_zero_reason(primary_pays + secondary_pays, own_first, own_second_reason),
        preauthorized=item.preauth.label if item.preauth is not None else "",
    )


def _zero_reason(paid: Decimal, first: _PlanShare, second_reason: str | None) -> str:
    """INS-3: the one phrase for an item insurance pays nothing on: the primary's cause, or,
    where the primary allowed something the secondary did not pay, the secondary's."""
    if paid > 0:
        return ""
    return first.zero_reason or second_reason or NOTHING_ALLOWED


def _preauthorized(year: _PlanYear, item: EstimateInput, fee: Decimal) -> _PlanShare:
    """CASE-2: the carrier's answer instead of the engine's estimate. Its deductible and payment
    count against the year's deductible and maximum for the items after it (INS-2, INS-3); a PPO
    writes off the fee above the allowed fee the carrier answered (INS-7)."""
    answer = item.preauth
    assert answer is not None
    allowed = min(money(answer.allowed), fee)
    write_off = fee - allowed if year.plan.estimation_type is EstimationType.PPO and not answer.denied else ZERO
    deductible = min(money(answer.deductible), year.deductible_left)
    year.deductible_left -= deductible
    steps = [answer.explanation]
    if write_off > 0:
        steps.append(f"write-off {_fmt(write_off)}")
    reason = ("preauthorization denied" if answer.denied else NOTHING_ALLOWED) if answer.pays <= 0 else ""
    return _PlanShare(allowed, write_off, money(answer.deductible), money(answer.pays), tuple(steps), reason)


def totals(estimates: Sequence[ItemEstimate]) -> EstimateTotals:
    """Plan totals of fee, write-off, insurance and patient portion (TP-14, INS-6)."""
    return EstimateTotals(
        fee=sum((e.fee for e in estimates), ZERO),
        write_off=sum((e.write_off for e in estimates), ZERO),
        insurance=sum((e.insurance for e in estimates), ZERO),
        patient=sum((e.patient for e in estimates), ZERO),
    )


# --- One estimate per plan item (INS-9) ---------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    """What the estimate needs of one plan item, from the database or the editor's working copy.

    ``order`` is the item's plan-order key (``domain.plans.plan_order_key``); ``insurable_choice``
    the person's Insurable for the item's charge (None: as the code and coverage say).
    """

    key: int
    code: str
    category: Category
    fee: Decimal | None
    code_insurable: bool
    insurable_choice: bool | None
    completed: bool
    order: tuple[int, int, int]
    tooth: str = ""
    benefit_year: int | None = None  # CASE-5: None = the benefit year the coverage is in
    preauth: PreauthAnswer | None = None  # CASE-2: the carrier's latest answer for the item
    visit: int | None = None

    def year_of(self, year: int | None) -> int | None:
        """The benefit year the item is done in, ``year`` being the coverage's (CASE-5)."""
        if year is None or self.benefit_year is None:
            return year
        return max(self.benefit_year, year)


def plan_inputs(lines: Sequence[PlanLine], year: int | None = None) -> list[EstimateInput]:
    """The estimate's inputs of a plan: its planned items in plan order, a blank fee counted 0
    (INS-2, INS-3: earlier items meet the deductible and use the maximum first). The one place
    plan items become estimate inputs: the editor, the dialog, the handout, the billing summary
    and completing an item all estimate through :func:`estimate_plan`.

    With ``year`` (the benefit year the coverage is in), an item set into a later benefit year is
    estimated there (CASE-5), and the carrier's preauthorization answer is used while it holds
    (CASE-2, :meth:`PreauthAnswer.applies`: same code, tooth and fee, same benefit year)."""
    inputs: list[EstimateInput] = []
    for line in sorted(lines, key=lambda line: line.order):
        if line.completed:
            continue
        item_year = line.year_of(year)
        answer = line.preauth
        if answer is not None and (item_year is None or not answer.applies(line.code, line.tooth, line.fee, item_year)):
            answer = None
        inputs.append(
            EstimateInput(
                key=line.key,
                code=line.code,
                category=line.category,
                fee=line.fee if line.fee is not None else ZERO,
                insurable=charge_insurable(line.code_insurable, line.insurable_choice),
                kept_off=line.code_insurable and line.insurable_choice is False,
                preauth=answer,
                next_year=year is not None and item_year is not None and item_year > year,
            )
        )
    return inputs


def estimate_plan(
    lines: Sequence[PlanLine],
    primary: PlanCoverage | None,
    secondary: PlanCoverage | None = None,
    *,
    year: int | None = None,
) -> dict[int, ItemEstimate]:
    """INS-9: each planned item's estimate (allowed fee, deductible, primary and secondary
    insurance, write-off, patient portion) over the plan's planned items in plan order, with the
    coverage as it stands (benefits paid and pending, INS-3). Completed items are left out: their
    figures are the posted charge's, and their pending insurance is already in the coverage.
    ``year`` is the benefit year the coverage is in (see :func:`plan_inputs`)."""
    return {e.key: e for e in estimate_items(plan_inputs(lines, year), primary, secondary)}
