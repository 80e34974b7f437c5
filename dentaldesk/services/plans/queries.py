"""Read-only plan lists for the Treatments view and the patient header."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select, type_coerce

from dentaldesk.db.models import Patient, PlanItem, TreatmentPlan
from dentaldesk.db.types import Money
from dentaldesk.domain.money import ZERO
from dentaldesk.domain.terms import ItemStatus, PlanStatus
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True)
class PlanSummary:
    id: int
    patient_id: int
    patient_name: str
    patient_number: str
    title: str
    status: PlanStatus
    items: int
    done_items: int
    total: Decimal
    done_total: Decimal
    updated_at: dt.datetime


def plan_summaries(
    uow: UnitOfWork,
    office_id: int,
    *,
    patient_id: int | None = None,
    status: PlanStatus | None = None,
    limit: int = 500,
) -> list[PlanSummary]:
    """Plans of one patient or of the whole office, newest first, with totals and progress."""
    done = PlanItem.status == ItemStatus.COMPLETED
    query = (
        select(
            TreatmentPlan.id,
            TreatmentPlan.patient_id,
            Patient.last_name,
            Patient.first_name,
            Patient.patient_number,
            TreatmentPlan.title,
            TreatmentPlan.status,
            func.count(PlanItem.id),
            func.sum(case((done, 1), else_=0)),
            # type_coerce keeps these sums in the Money type: Decimal cents, on both databases.
            type_coerce(func.sum(func.coalesce(PlanItem.fee, 0)), Money()),
            type_coerce(func.sum(case((done, func.coalesce(PlanItem.fee, 0)), else_=0)), Money()),
            TreatmentPlan.updated_at,
        )
        .join(Patient, Patient.id == TreatmentPlan.patient_id)
        .outerjoin(PlanItem, PlanItem.plan_id == TreatmentPlan.id)
        .where(TreatmentPlan.office_id == office_id)
        .group_by(TreatmentPlan.id, Patient.id)
        .order_by(TreatmentPlan.updated_at.desc(), TreatmentPlan.id.desc())
        .limit(limit)
    )
    if patient_id is not None:
        query = query.where(TreatmentPlan.patient_id == patient_id)
    if status is not None:
        query = query.where(TreatmentPlan.status == status)
    with uow:
        return [
            PlanSummary(
                id=r[0],
                patient_id=r[1],
                patient_name=f"{r[2]}, {r[3]}",
                patient_number=r[4],
                title=r[5],
                status=PlanStatus(r[6]),
                items=int(r[7] or 0),
                done_items=int(r[8] or 0),
                total=r[9] if r[9] is not None else ZERO,
                done_total=r[10] if r[10] is not None else ZERO,
                updated_at=r[11],
            )
            for r in uow.session.execute(query)
        ]
