"""One estimate per plan item (INS-9): what the dialog, the editor, the handout, the billing
summary, approval and completion all read of a plan's money.

:func:`plan_lines_in` reads a plan's items as the estimate needs them (``domain.estimates.PlanLine``)
and :func:`plan_estimate_in` estimates its planned items in plan order with the patient's coverage
as it stands (benefits paid and pending, INS-3, through the one loader), by
``domain.estimates.estimate_plan``. A completed item's figures are its posted charge's: the
estimate posted with it, and once its claim completes what insurance paid and the write-off the
carrier reported (INS-8). Everything here reads; nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk.db.models import LedgerTransaction, PlanItem, ProcedureCode, TreatmentPlan
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.estimates import ItemEstimate, PlanLine, estimate_plan
from dentaldesk.domain.money import ZERO
from dentaldesk.domain.plan_items import plan_line
from dentaldesk.domain.terms import ToothNumbering, TransactionKind
from dentaldesk.services.ledger.charge_facts import ChargeTerms, charge_terms
from dentaldesk.services.ledger.queries import charge_money_in
from dentaldesk.services.plans.option_scope import counted_option_id_in
from dentaldesk.services.plans.preauth_answers import preauth_answers_in
from dentaldesk.services.plans.records import record_of


@dataclass(frozen=True)
class ItemFigures:
    """One plan item's money as every screen shows it (INS-9, INS-6, INS-8).

    ``posted`` is True for a completed item: the figures are its charge's (``insurance`` what the
    carrier paid once its claim is complete, else the posted estimate). ``estimate`` is the
    engine's split for a planned item (None for a completed one).
    """

    item_id: int
    fee: Decimal
    write_off: Decimal
    deductible: Decimal
    insurance: Decimal
    patient: Decimal
    explanation: str
    posted: bool
    insurable: bool
    estimate: ItemEstimate | None = None
    posted_estimate: Decimal = ZERO  # a completed item: the insurance estimated when it was posted

    @property
    def preauthorized(self) -> str:
        """CASE-2: the mark of the carrier's answer a planned item's figures come from, else ""."""
        return self.estimate.preauthorized if self.estimate is not None else ""

    @property
    def next_year(self) -> bool:
        """CASE-5: a planned item estimated in the next benefit year."""
        return self.estimate is not None and self.estimate.next_year


@dataclass(frozen=True)
class PlanEstimate:
    """A plan's estimate: every item's figures, and the sums of the work still to do (TP-14)."""

    plan_id: int
    items: Mapping[int, ItemFigures]

    def of(self, item_id: int) -> ItemFigures:
        return self.items[item_id]

    def planned(self) -> list[ItemFigures]:
        return [f for f in self.items.values() if not f.posted]

    @property
    def insurance(self) -> Decimal:
        """Estimated insurance of the planned items."""
        return sum((f.insurance for f in self.planned()), ZERO)

    @property
    def write_off(self) -> Decimal:
        return sum((f.write_off for f in self.planned()), ZERO)

    @property
    def patient(self) -> Decimal:
        return sum((f.patient for f in self.planned()), ZERO)

    @property
    def fee(self) -> Decimal:
        return sum((f.fee for f in self.planned()), ZERO)


def plan_lines_in(session: Session, plan_id: int, option_id: int | None = None) -> list[PlanLine]:
    """One option's items as the estimate needs them, in plan order (completed ones too, marked):
    the counted option's (the chosen one, else the first, CASE-1) unless ``option_id`` names one."""
    if option_id is None:
        option_id = counted_option_id_in(session, plan_id)
    answers = preauth_answers_in(session, plan_id)
    # The estimate reads no tooth label, so the records are taken in the stored numbering.
    lines = [
        plan_line(record_of(item, code, ToothNumbering.UNIVERSAL), key=item.id, preauth=answers.get(item.id))
        for item, code in session.execute(
            select(PlanItem, ProcedureCode)
            .join(ProcedureCode, ProcedureCode.id == PlanItem.procedure_code_id)
            .where(PlanItem.plan_id == plan_id, PlanItem.option_id == option_id)
        )
    ]
    return sorted(lines, key=lambda line: line.order)


def plan_estimate_in(
    session: Session,
    plan_id: int,
    *,
    lines: list[PlanLine] | None = None,
    terms: ChargeTerms | None = None,
    option_id: int | None = None,
) -> PlanEstimate:
    """INS-9: every item's figures: planned items by the one estimate over the plan in plan order,
    completed items from their posted charges (see the module docstring). A plan's options are
    estimated each on its own (CASE-1): ``option_id`` names one, else the counted option."""
    patient_id = session.scalar(select(TreatmentPlan.patient_id).where(TreatmentPlan.id == plan_id))
    if patient_id is None:
        raise NotFound("This treatment plan no longer exists.")
    lines = plan_lines_in(session, plan_id, option_id) if lines is None else lines
    if terms is None:
        terms = charge_terms(session, patient_id, {line.code for line in lines})
    estimates = estimate_plan(lines, terms.primary, terms.secondary, year=terms.year)
    figures: dict[int, ItemFigures] = {}
    completed = [line for line in lines if line.completed]
    charges: dict[int, LedgerTransaction] = {}
    if completed:
        for tx in session.scalars(
            select(LedgerTransaction).where(
                LedgerTransaction.plan_item_id.in_([line.key for line in completed]),
                LedgerTransaction.kind == TransactionKind.CHARGE,
            )
        ):
            if tx.plan_item_id is not None:  # the query asked for plan items' charges only
                charges.setdefault(tx.plan_item_id, tx)
    money_of = charge_money_in(session, [tx.id for tx in charges.values()])
    for line in lines:
        if not line.completed:
            e = estimates[line.key]
            figures[line.key] = ItemFigures(
                line.key, e.fee, e.write_off, e.deductible, e.insurance, e.patient, e.explanation, False, e.insurable, e
            )
            continue
        posted = charges.get(line.key)
        if posted is None:  # completed before charges were posted for plan items: its fee is all we know
            fee = line.fee or ZERO
            figures[line.key] = ItemFigures(line.key, fee, ZERO, ZERO, ZERO, fee, "", True, False)
            continue
        got = money_of[posted.id]
        insurance = got.insurance if posted.insurable else ZERO
        figures[line.key] = ItemFigures(
            item_id=line.key,
            fee=posted.amount,
            write_off=got.write_off,
            deductible=posted.deductible_primary + posted.deductible_secondary,
            insurance=insurance,
            patient=max(ZERO, posted.amount - got.write_off - insurance),
            explanation=posted.estimate_note or "",
            posted=True,
            insurable=posted.insurable,
            posted_estimate=posted.estimated_insurance,
        )
    return PlanEstimate(plan_id, figures)
