"""The one fee resolver and coverage loader used by the plan editor, the dialog and the handout.

Reads what the database holds and hands it to the pure rules (dentaldesk.domain.fees and
dentaldesk.domain.estimates), so every screen prices a code the same way (STYLE.md 12).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dentaldesk.db.models import (
    Account,
    BluebookEntry,
    Claim,
    Coverage,
    DentalPlan,
    FeeSchedule,
    FeeScheduleEntry,
    LedgerTransaction,
    Patient,
    PlanCategory,
    ProcedureCode,
)
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.estimates import BluebookFacts, PlanCoverage
from dentaldesk.domain.fees import DmoPlanFacts, FeeQuote, resolve_fee
from dentaldesk.domain.money import ZERO
from dentaldesk.domain.terms import Category, ClaimStatus, CoverageRank, EstimationType, TransactionKind


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
    fees = schedule_fees(session, office_id, code, sorted({0, account_schedule}))
    return resolve_fee(
        code,
        account_schedule,
        lambda schedule, _code: fees.get(schedule),
        _primary_dmo(session, patient_id, code),
    )


@dataclass(frozen=True)
class Pending:
    """What posted charges not yet paid still expect of one coverage rank in a benefit year (INS-3)."""

    insurance: Decimal = ZERO
    deductible: Decimal = ZERO


def pending_benefits(
    session: Session, patient_id: int, years: Collection[int]
) -> dict[tuple[int, CoverageRank], Pending]:
    """INS-3: the insurance and deductible still expected on the patient's posted insurable charges
    whose claim is not complete (filed or not), per benefit year (the DOS's) and coverage rank:
    the estimate posted with each charge (INS-9), the primary's and the secondary's share apart."""
    if not years:
        return {}
    lt = LedgerTransaction
    rows = session.execute(
        select(lt.dos, lt.estimated_insurance, lt.estimated_secondary, lt.deductible_primary, lt.deductible_secondary)
        .outerjoin(Claim, Claim.id == lt.claim_id)
        .where(
            lt.patient_id == patient_id,
            lt.kind == TransactionKind.CHARGE,
            lt.insurable.is_(True),
            lt.dos >= dt.date(min(years), 1, 1),
            lt.dos <= dt.date(max(years), 12, 31),
            or_(lt.claim_id.is_(None), Claim.status != ClaimStatus.COMPLETE),
        )
    ).all()
    found: dict[tuple[int, CoverageRank], Pending] = {}
    for dos, insurance, secondary, deductible_primary, deductible_secondary in rows:
        for rank, amount, deductible in (
            (CoverageRank.PRIMARY, insurance - secondary, deductible_primary),
            (CoverageRank.SECONDARY, secondary, deductible_secondary),
        ):
            before = found.get((dos.year, rank), Pending())
            found[(dos.year, rank)] = Pending(before.insurance + amount, before.deductible + deductible)
    return found


def load_coverages(
    session: Session, patient_id: int, codes: Collection[str] | None = None
) -> tuple[PlanCoverage | None, PlanCoverage | None]:
    """The patient's primary and secondary plans as the estimate engine sees them (INS-*): the one
    place the estimate's inputs are read, for the dialog, the plan editor, the handout, the billing
    summary, posting and claims alike.

    Benefits used (INS-3) are what the carrier paid this benefit year (the coverage's benefits used
    and deductible met, kept by completed claims) plus what is pending on posted charges not yet
    paid (:func:`pending_benefits`), so the same benefits are never promised twice. ``codes``
    limits each plan's bluebook (and the copays it holds) to those codes: estimating a few items
    needs no more. Left out, the whole bluebooks are read, for a caller that prices any code
    afterwards (the Patient Transactions dialog, as the person types). Only the columns the engine
    uses are read, in four queries whatever the number of plans.
    """
    plans = session.execute(
        select(
            Coverage.rank,
            Coverage.benefit_year,
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
    pending = pending_benefits(session, patient_id, {plan.benefit_year for plan in plans})
    found: dict[CoverageRank, PlanCoverage] = {}
    for plan in plans:
        bluebook = bluebooks[plan.id]
        expected = pending.get((plan.benefit_year, CoverageRank(plan.rank)), Pending())
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
            benefits_pending=expected.insurance,
            deductible_pending=expected.deductible,
        )
    primary = found.get(CoverageRank.PRIMARY)
    secondary = found.get(CoverageRank.SECONDARY)
    if primary is None and secondary is not None:
        primary, secondary = secondary, None
    return primary, secondary
