"""Read-only plan lists for the Treatments view and the patient header."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, case, func, select, type_coerce

from dentaldesk.db.models import Patient, PlanItem, TreatmentPlan
from dentaldesk.db.types import Money
from dentaldesk.domain.money import ZERO
from dentaldesk.domain.terms import ItemStatus, PlanStatus
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.plans.option_scope import counted_item
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


@guarded(Right.READ_PLANS, patient_id=Patient)
def plan_summaries(
    uow: UnitOfWork,
    actor: Actor,
    *,
    patient_id: int | None = None,
    status: PlanStatus | None = None,
    limit: int = 500,
) -> list[PlanSummary]:
    """Plans of one patient or of the whole office, newest first, with totals and progress."""
    params: dict[str, object] = {"office_id": actor.office_id, "limit": limit}
    if patient_id is not None:
        params["patient_id"] = patient_id
    if status is not None:
        params["status"] = status
    query = plan_list_query(patient_id is not None, status is not None)
    with uow.read():
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
            for r in uow.session.connection().execute(query, params)
        ]


@functools.cache
def plan_list_query(by_patient: bool, by_status: bool) -> Select[*tuple[Any, ...]]:
    """The Treatments list's SELECT, built once per kind of filter with bound parameters.

    The newest ``:limit`` plans are chosen first and only their items are summed (summing every
    plan's items before keeping the newest read the whole plan_item table). The office's list reads
    the (office_id, updated_at, id) index in order; one patient's plans are found through the
    patient index, with the office checked on the patient (an office condition on the plan would
    let SQLite walk the office's index instead).
    """
    tp = TreatmentPlan
    newest = select(tp.id, tp.patient_id, tp.title, tp.status, tp.updated_at)
    if by_patient:
        newest = newest.join(Patient, Patient.id == tp.patient_id).where(
            tp.patient_id == bindparam("patient_id"), Patient.office_id == bindparam("office_id")
        )
    else:
        newest = newest.where(tp.office_id == bindparam("office_id"))
    if by_status:
        newest = newest.where(tp.status == bindparam("status", type_=tp.status.type))
    chosen = newest.order_by(tp.updated_at.desc(), tp.id.desc()).limit(bindparam("limit")).cte("chosen")
    done = PlanItem.status == ItemStatus.COMPLETED
    items = (
        select(
            PlanItem.plan_id.label("plan_id"),
            func.count(PlanItem.id).label("n_items"),
            func.sum(case((done, 1), else_=0)).label("n_done"),
            # type_coerce keeps these sums in the Money type: Decimal cents, on both databases.
            type_coerce(func.sum(func.coalesce(PlanItem.fee, 0)), Money()).label("total"),
            type_coerce(func.sum(case((done, func.coalesce(PlanItem.fee, 0)), else_=0)), Money()).label("done_total"),
        )
        .where(PlanItem.plan_id.in_(select(chosen.c.id)), counted_item())
        .group_by(PlanItem.plan_id)
        .subquery("items")
    )
    return (
        select(
            chosen.c.id,
            chosen.c.patient_id,
            Patient.last_name,
            Patient.first_name,
            Patient.patient_number,
            chosen.c.title,
            chosen.c.status,
            items.c.n_items,
            items.c.n_done,
            items.c.total,
            items.c.done_total,
            chosen.c.updated_at,
        )
        .join(Patient, Patient.id == chosen.c.patient_id)
        .outerjoin(items, items.c.plan_id == chosen.c.id)
        .order_by(chosen.c.updated_at.desc(), chosen.c.id.desc())
    )
