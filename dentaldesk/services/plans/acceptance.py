"""The case acceptance report (CASE-6): presented and accepted plans per provider and month.

What counts is in :mod:`dentaldesk.domain.acceptance`; this module reads, for every plan of the
office, the day it was first presented (its first handout, or its first approval when that came
first), its fees per provider, and its first approval (day and total), then hands them to the
pure aggregation. Days are the workstation's local days (SEC-2: times are stored in UTC).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select, type_coerce

from dentaldesk.db.models import PlanApproval, PlanEvent, PlanItem, Provider, TreatmentPlan
from dentaldesk.db.types import Money
from dentaldesk.domain.acceptance import AcceptanceReport, PresentedPlan, acceptance, check_period, plan_provider
from dentaldesk.domain.money import ZERO, money
from dentaldesk.domain.times import local_day
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.plans.followup import PRESENTED_ACTIONS
from dentaldesk.services.plans.option_scope import counted_item
from dentaldesk.services.uow import UnitOfWork

# Stored instants are UTC; a day in the workstation's time zone starts up to 14 hours either side.
_ZONE_SLACK = dt.timedelta(hours=14)


def _local_day(at: dt.datetime) -> dt.date:
    return local_day(at)


@guarded(Right.READ_PLANS)
def acceptance_report(uow: UnitOfWork, actor: Actor, start: dt.date | None, end: dt.date | None) -> AcceptanceReport:
    """CASE-6: the plans first presented from ``start`` to ``end`` (both included), counted and
    summed per month and provider, with how many (and how much) the patients accepted."""
    start, end = check_period(start, end)
    low = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC) - _ZONE_SLACK
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC) + _ZONE_SLACK
    with uow.read():
        s = uow.session
        office_plans = select(TreatmentPlan.id).where(TreatmentPlan.office_id == actor.office_id)
        first_shown: dict[int, dt.datetime] = dict(
            s.execute(
                select(PlanEvent.plan_id, func.min(PlanEvent.at))
                .where(PlanEvent.plan_id.in_(office_plans), PlanEvent.action.in_(PRESENTED_ACTIONS))
                .group_by(PlanEvent.plan_id)
            ).all()
        )
        first_approval_id = (
            select(func.min(PlanApproval.id))
            .where(PlanApproval.plan_id.in_(office_plans))
            .group_by(PlanApproval.plan_id)
        )
        approvals: dict[int, tuple[dt.datetime, Decimal]] = {
            plan_id: (at, money(total))
            for plan_id, at, total in s.execute(
                select(PlanApproval.plan_id, PlanApproval.approved_at, PlanApproval.total).where(
                    PlanApproval.id.in_(first_approval_id)
                )
            )
        }
        presented_at: dict[int, dt.datetime] = {}
        for plan_id in set(first_shown) | set(approvals):
            candidates = [t for t in (first_shown.get(plan_id), approvals.get(plan_id, (None,))[0]) if t is not None]
            at = min(candidates, key=lambda t: t if t.tzinfo else t.replace(tzinfo=dt.UTC))
            aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
            if low <= aware < high:
                presented_at[plan_id] = at
        fees: dict[int, dict[str, Decimal]] = {}
        if presented_at:
            for plan_id, name, fee in s.execute(
                select(PlanItem.plan_id, Provider.name, type_coerce(func.sum(PlanItem.fee), Money()))
                .outerjoin(Provider, Provider.id == PlanItem.provider_id)
                .where(PlanItem.plan_id.in_(list(presented_at)), counted_item())
                .group_by(PlanItem.plan_id, Provider.name)
            ):
                fees.setdefault(plan_id, {})[name or ""] = money(fee if fee is not None else ZERO)
    plans = []
    for plan_id, at in presented_at.items():
        by_provider = fees.get(plan_id, {})
        approval = approvals.get(plan_id)
        plans.append(
            PresentedPlan(
                plan_id=plan_id,
                provider=plan_provider(by_provider),
                presented_on=_local_day(at),
                amount=money(sum(by_provider.values(), ZERO)),
                accepted_on=_local_day(approval[0]) if approval else None,
                accepted_amount=approval[1] if approval else ZERO,
            )
        )
    return acceptance(plans, start, end)
