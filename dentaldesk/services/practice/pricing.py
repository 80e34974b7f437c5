"""The one fee resolver and coverage loader used by the plan editor, the dialog and the handout.

Reads what the database holds and hands it to the pure rules (dentaldesk.domain.fees and
dentaldesk.domain.estimates), so every screen prices a code the same way (STYLE.md 12).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk.db.models import (
    Account,
    BluebookEntry,
    Coverage,
    DentalPlan,
    FeeSchedule,
    FeeScheduleEntry,
    Patient,
    PlanCategory,
    ProcedureCode,
)
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.estimates import BluebookFacts, EstimateInput, ItemEstimate, PlanCoverage, estimate_items
from dentaldesk.domain.fees import DmoPlanFacts, FeeQuote, resolve_fee
from dentaldesk.domain.terms import Category, CoverageRank, EstimationType


def schedule_fees(session: Session, office_id: int, code: str, schedules: Sequence[int]) -> dict[int, Decimal]:
    """Fees of one code in the given schedules of an office (missing entries are absent)."""
    rows = session.execute(
        select(FeeSchedule.number, FeeScheduleEntry.fee)
        .join(FeeScheduleEntry, FeeScheduleEntry.fee_schedule_id == FeeSchedule.id)
        .join(ProcedureCode, ProcedureCode.id == FeeScheduleEntry.procedure_code_id)
        .where(
            FeeSchedule.office_id == office_id,
            FeeSchedule.number.in_(list(schedules)),
            ProcedureCode.office_id == office_id,
            ProcedureCode.code == code,
        )
    )
    return {number: fee for number, fee in rows}


def _primary_dmo(session: Session, patient_id: int, code: str) -> DmoPlanFacts | None:
    row = session.execute(
        select(DentalPlan.id, DentalPlan.name)
        .join(Coverage, Coverage.dental_plan_id == DentalPlan.id)
        .where(
            Coverage.patient_id == patient_id,
            DentalPlan.estimation_type == EstimationType.DMO,
        )
        .order_by(Coverage.rank)
        .limit(1)
    ).first()
    if row is None:
        return None
    cap = session.scalar(
        select(BluebookEntry.plan_fee).where(BluebookEntry.dental_plan_id == row.id, BluebookEntry.code == code)
    )
    return DmoPlanFacts(plan_name=row.name, cap_fee=cap)


def quote_fee_in(session: Session, patient_id: int, code: str) -> FeeQuote:
    """TX-FEE-1..4 inside an open session (for services that already hold one)."""
    found = session.execute(
        select(Patient.office_id, Account.fee_schedule)
        .join(Account, Account.id == Patient.account_id)
        .where(Patient.id == patient_id)
    ).first()
    if found is None:
        raise NotFound("This patient no longer exists.")
    office_id, account_schedule = found
    fees = schedule_fees(session, office_id, code, {0, account_schedule})
    return resolve_fee(
        code,
        account_schedule,
        lambda schedule, _code: fees.get(schedule),
        _primary_dmo(session, patient_id, code),
    )


def load_coverages(
    session: Session, patient_id: int, codes: Collection[str] | None = None
) -> tuple[PlanCoverage | None, PlanCoverage | None]:
    """The patient's primary and secondary plans as the estimate engine sees them (INS-*).

    ``codes`` limits each plan's bluebook (and the copays it holds) to those codes: estimating a
    few items needs no more. Left out, the whole bluebooks are read, for a caller that prices any
    code afterwards (the Patient Transactions dialog, as the person types). Only the columns the
    engine uses are read, in three queries whatever the number of plans.
    """
    plans = session.execute(
        select(
            Coverage.rank,
            Coverage.deductible_met,
            Coverage.benefits_used,
            DentalPlan.id,
            DentalPlan.name,
            DentalPlan.carrier,
            DentalPlan.estimation_type,
            DentalPlan.deductible,
            DentalPlan.annual_max,
            DentalPlan.default_copay,
        )
        .join(DentalPlan, DentalPlan.id == Coverage.dental_plan_id)
        .where(Coverage.patient_id == patient_id)
    ).all()
    if not plans:
        return None, None
    plan_ids = [plan.id for plan in plans]
    percents: dict[int, dict[Category, int]] = {plan_id: {} for plan_id in plan_ids}
    exempt: dict[int, set[Category]] = {plan_id: set() for plan_id in plan_ids}
    for plan_id, category, percent, deductible_applies in session.execute(
        select(
            PlanCategory.dental_plan_id,
            PlanCategory.category,
            PlanCategory.coverage_percent,
            PlanCategory.deductible_applies,
        ).where(PlanCategory.dental_plan_id.in_(plan_ids))
    ):
        percents[plan_id][Category(category)] = percent
        if not deductible_applies:
            exempt[plan_id].add(Category(category))
    bluebooks: dict[int, dict[str, BluebookFacts]] = {plan_id: {} for plan_id in plan_ids}
    if codes is None or codes:
        entries = select(
            BluebookEntry.dental_plan_id,
            BluebookEntry.code,
            BluebookEntry.plan_fee,
            BluebookEntry.copay,
            BluebookEntry.insurance_pays,
            BluebookEntry.write_off,
        ).where(BluebookEntry.dental_plan_id.in_(plan_ids))
        if codes is not None:
            entries = entries.where(BluebookEntry.code.in_(sorted(set(codes))))
        for plan_id, code, plan_fee, copay, insurance_pays, write_off in session.execute(entries):
            bluebooks[plan_id][code] = BluebookFacts(
                plan_fee=plan_fee, copay=copay, insurance_pays=insurance_pays, write_off=write_off
            )
    found: dict[CoverageRank, PlanCoverage] = {}
    for plan in plans:
        bluebook = bluebooks[plan.id]
        found[CoverageRank(plan.rank)] = PlanCoverage(
            plan_name=plan.name,
            carrier=plan.carrier,
            estimation_type=EstimationType(plan.estimation_type),
            coverage_percent=percents[plan.id],
            deductible=plan.deductible,
            deductible_exempt=frozenset(exempt[plan.id]),
            annual_max=plan.annual_max,
            deductible_met=plan.deductible_met,
            benefits_used=plan.benefits_used,
            copays={code: facts.copay for code, facts in bluebook.items() if facts.copay is not None},
            bluebook=bluebook,
            default_copay=plan.default_copay,
        )
    primary = found.get(CoverageRank.PRIMARY)
    secondary = found.get(CoverageRank.SECONDARY)
    if primary is None and secondary is not None:
        primary, secondary = secondary, None
    return primary, secondary


def estimate_for_patient(session: Session, patient_id: int, items: Sequence[EstimateInput]) -> list[ItemEstimate]:
    """INS-1..INS-7 for items in plan order, with the patient's current coverage (the bluebook
    entries of the items' codes only)."""
    primary, secondary = load_coverages(session, patient_id, {item.code for item in items})
    return estimate_items(items, primary, secondary)
