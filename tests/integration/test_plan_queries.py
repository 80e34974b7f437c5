"""The plan list of the Treatments view: totals and progress per plan (TP-7, TP-11)."""

from __future__ import annotations

from decimal import Decimal

from acting import staff
from sqlalchemy import select

from dentaldesk.db.models import PlanItem, TreatmentPlan
from dentaldesk.domain.terms import ItemStatus, PlanStatus
from dentaldesk.services.plans.queries import plan_summaries


def test_tp7_listed_totals_equal_the_sum_of_item_fees(demo_uow) -> None:
    """TP-7/TP-11: each listed plan's total and completed total equal its items' fees, to the cent."""
    with demo_uow:
        demo_uow.session.scalar(select(TreatmentPlan.office_id).limit(1))
        expected = {}
        for plan in demo_uow.session.scalars(select(TreatmentPlan)):
            items = list(demo_uow.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id)))
            expected[plan.id] = (
                sum((i.fee or Decimal("0.00") for i in items), Decimal("0.00")),
                sum((i.fee or Decimal("0.00") for i in items if i.status is ItemStatus.COMPLETED), Decimal("0.00")),
                len(items),
            )
    rows = plan_summaries(demo_uow, staff(demo_uow))
    assert len(rows) == len(expected)
    for row in rows:
        total, done, count = expected[row.id]
        assert (row.total, row.done_total, row.items) == (total, done, count)
        assert isinstance(row.total, Decimal) and row.total.as_tuple().exponent == -2
    assert any(r.total > 100 for r in rows)


def test_status_filter_and_patient_scope(demo_uow) -> None:
    """The list filters by status and by patient."""
    with demo_uow:
        office_id, patient_id = demo_uow.session.execute(
            select(TreatmentPlan.office_id, TreatmentPlan.patient_id)
            .where(TreatmentPlan.status == PlanStatus.APPROVED)
            .limit(1)
        ).one()
    approved = plan_summaries(demo_uow, staff(demo_uow), status=PlanStatus.APPROVED)
    assert approved and all(r.status is PlanStatus.APPROVED for r in approved)
    mine = plan_summaries(demo_uow, staff(demo_uow), patient_id=patient_id)
    assert mine and all(r.patient_id == patient_id for r in mine)


def test_tp11_the_list_keeps_the_newest_plans_with_their_own_totals(demo_uow) -> None:
    """TP-11: with a limit, the newest plans are listed (updated last first) with the same totals as unlimited."""
    everything = plan_summaries(demo_uow, staff(demo_uow))
    assert [(r.updated_at, r.id) for r in everything] == sorted(
        ((r.updated_at, r.id) for r in everything), reverse=True
    )
    newest = plan_summaries(demo_uow, staff(demo_uow), limit=3)
    assert newest == everything[:3]
