"""The one fee resolver and coverage loader used by the plan editor, the dialog and the handout.

Reads what the database holds and hands it to the pure rules (dentaldesk.domain.fees and
dentaldesk.domain.estimates), so every screen prices a code the same way (STYLE.md 12).
"""

from __future__ import annotations

from collections.abc import Sequence
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
from dentaldesk.domain.terms import CoverageRank, EstimationType


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


def load_coverages(session: Session, patient_id: int) -> tuple[PlanCoverage | None, PlanCoverage | None]:
    """The patient's primary and secondary plans as the estimate engine sees them (INS-*)."""
    found: dict[CoverageRank, PlanCoverage] = {}
    for coverage, plan in session.execute(
        select(Coverage, DentalPlan)
        .join(DentalPlan, DentalPlan.id == Coverage.dental_plan_id)
        .where(Coverage.patient_id == patient_id)
    ):
        categories = list(session.scalars(select(PlanCategory).where(PlanCategory.dental_plan_id == plan.id)))
        bluebook = {
            e.code: BluebookFacts(
                plan_fee=e.plan_fee, copay=e.copay, insurance_pays=e.insurance_pays, write_off=e.write_off
            )
            for e in session.scalars(select(BluebookEntry).where(BluebookEntry.dental_plan_id == plan.id))
        }
        copays = {code: facts.copay for code, facts in bluebook.items() if facts.copay is not None}
        found[coverage.rank] = PlanCoverage(
            plan_name=plan.name,
            carrier=plan.carrier,
            estimation_type=plan.estimation_type,
            coverage_percent={c.category: c.coverage_percent for c in categories},
            deductible=plan.deductible,
            deductible_exempt=frozenset(c.category for c in categories if not c.deductible_applies),
            annual_max=plan.annual_max,
            deductible_met=coverage.deductible_met,
            benefits_used=coverage.benefits_used,
            copays=copays,
            bluebook=bluebook,
        )
    primary = found.get(CoverageRank.PRIMARY)
    secondary = found.get(CoverageRank.SECONDARY)
    if primary is None and secondary is not None:
        primary, secondary = secondary, None
    return primary, secondary


def estimate_for_patient(session: Session, patient_id: int, items: Sequence[EstimateInput]) -> list[ItemEstimate]:
    """INS-1..INS-7 for items in plan order, with the patient's current coverage."""
    primary, secondary = load_coverages(session, patient_id)
    return estimate_items(items, primary, secondary)
