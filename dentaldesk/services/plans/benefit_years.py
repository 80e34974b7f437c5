"""Benefit years (CASE-5): suggest moving unfinished visits into the next benefit year, and apply it.

``benefit_year_split`` estimates the plan as it stands and with each allowed split
(``domain.benefit_years.suggest_split``, prerequisites respected) and returns the one that saves
the patient most, with the saving. ``set_benefit_year`` sets the unfinished items of the chosen
visits into the next benefit year (or back into this one); every estimate of the plan follows,
since they all read the item's benefit year through the one plan estimate
(``services.plans.estimate``). The year is the calendar year (claims count benefits by the year
of the DOS).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk import clock
from dentaldesk.db.models import ItemPrerequisite, PlanItem, TreatmentPlan
from dentaldesk.domain.benefit_years import breaks_prerequisites, suggest_split
from dentaldesk.domain.errors import NotFound, RuleViolation
from dentaldesk.domain.estimates import estimate_plan
from dentaldesk.domain.money import format_money
from dentaldesk.domain.terms import ItemStatus
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.ledger.charge_facts import charge_terms
from dentaldesk.services.plans.core import PlanWork
from dentaldesk.services.plans.estimate import plan_lines_in
from dentaldesk.services.plans.inputs import PlanSaved
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True)
class SplitView:
    """The suggested split as the editor shows it (CASE-5)."""

    plan_id: int
    visits: tuple[int, ...]
    next_year: int
    items: tuple[str, ...]  # the moved items' labels ("D2740 #14")
    patient_before: Decimal
    patient_after: Decimal
    insurance_before: Decimal
    insurance_after: Decimal
    # CASE-2: moved items whose preauthorization holds for this benefit year only
    losing_preauth: tuple[str, ...] = ()

    @property
    def saving(self) -> Decimal:
        return self.patient_before - self.patient_after

    @property
    def visits_text(self) -> str:
        names = [f"visit {v}" for v in self.visits]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _needs(session: Session, plan_id: int) -> dict[int, set[int]]:
    needs: dict[int, set[int]] = {}
    for item_id, prerequisite_id in session.execute(
        select(ItemPrerequisite.item_id, ItemPrerequisite.prerequisite_id)
        .join(PlanItem, PlanItem.id == ItemPrerequisite.item_id)
        .where(PlanItem.plan_id == plan_id)
    ):
        needs.setdefault(item_id, set()).add(prerequisite_id)
    return needs


@dataclass(frozen=True)
class BenefitYears:
    """What the editor's benefit-year panel shows: the suggestion, if any, and the visits already
    set into the next benefit year (which can be put back)."""

    year: int
    suggestion: SplitView | None
    moved_visits: tuple[int, ...]


@guarded(Right.READ_PLANS, plan_id=TreatmentPlan)
def benefit_year_split(uow: UnitOfWork, actor: Actor, plan_id: int) -> BenefitYears:
    """CASE-5: the split into the next benefit year that lowers the patient's portion most (None
    when none does), and the visits whose unfinished items are already there."""
    with uow.read():
        s = uow.session
        plan = s.get(TreatmentPlan, plan_id)
        if plan is None:
            raise NotFound("This treatment plan no longer exists.")
        work = PlanWork(uow, actor, plan)
        lines = plan_lines_in(s, plan_id)
        terms = charge_terms(s, plan.patient_id, {line.code for line in lines})
        year = terms.year or clock.today().year
        moved = tuple(
            sorted(
                {
                    line.visit
                    for line in lines
                    if line.visit is not None and not line.completed and (line.year_of(year) or year) > year
                }
            )
        )
        split = suggest_split(lines, _needs(s, plan_id), terms.primary, terms.secondary, year)
        if split is None:
            return BenefitYears(year, None, moved)
        keys = sorted(split.moved_keys, key=lambda k: (work.items[k].visit or 0, work.items[k].sequence, k))
        now = estimate_plan(lines, terms.primary, terms.secondary, year=year)
        return BenefitYears(
            year,
            SplitView(
                plan_id=plan_id,
                visits=split.visits,
                next_year=split.next_year,
                items=tuple(work.label(work.items[key]) for key in keys),
                patient_before=split.patient_before,
                patient_after=split.patient_after,
                insurance_before=split.insurance_before,
                insurance_after=split.insurance_after,
                losing_preauth=tuple(work.label(work.items[k]) for k in keys if k in now and now[k].preauthorized),
            ),
            moved,
        )


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def set_benefit_year(
    uow: UnitOfWork, actor: Actor, plan_id: int, visits: Iterable[int], *, next_year: bool, expected_version: int
) -> PlanSaved:
    """CASE-5 "Apply": the unfinished items of ``visits`` go into the next benefit year
    (``next_year``) or back into this one. Refused when an item done this year would wait for one
    moved into the next (TP-8, TP-9); recorded in the plan's history and the audit log."""
    chosen = sorted(set(visits))
    if not chosen:
        raise RuleViolation("Choose the visits to move.")
    year = clock.today().year
    with uow:
        s = uow.session
        work = PlanWork.open(uow, actor, plan_id, expected_version)
        work.require_editable()
        moving = [
            item
            for item in work.option_items(work.counted_option_id)  # CASE-1: the plan's counted option
            if item.visit in chosen and ItemStatus(item.status) is not ItemStatus.COMPLETED
        ]
        if not moving:
            raise RuleViolation("Those visits have no unfinished items to move.")
        target = year + 1 if next_year else None
        moved_ids = {item.id for item in moving}
        after = [
            replace(line, benefit_year=target) if line.key in moved_ids else line for line in plan_lines_in(s, plan_id)
        ]
        broken = breaks_prerequisites(after, _needs(s, plan_id), year)
        if broken:
            waiting, need = broken[0]
            raise RuleViolation(
                f"{work.label(work.items[waiting])} waits for {work.label(work.items[need])}: both go into the same "
                "benefit year, or the one it waits for into the earlier (TP-8)."
            )
        before = {item.id: item.benefit_year for item in moving}
        for item in moving:
            item.benefit_year = target
        names = ", ".join(str(v) for v in chosen)
        where = f"the {year + 1} benefit year" if next_year else f"this benefit year ({year})"
        labels = ", ".join(work.label(item) for item in sorted(moving, key=lambda i: (i.visit or 0, i.sequence)))
        work.event("benefit_year_set", f"Moved visit{'s' if len(chosen) > 1 else ''} {names} into {where}: {labels}.")
        work.audit(
            "set_benefit_year",
            "treatment_plan",
            plan_id,
            {"benefit_years": {str(k): v for k, v in before.items()}},
            {"benefit_years": {str(item.id): target for item in moving}},
        )
        work.finish()
        uow.commit()
        return PlanSaved(plan_id=plan_id, version=work.plan.version)


def saving_text(split: SplitView) -> str:
    """The sentence the editor shows for a suggestion (CASE-5)."""
    return (
        f"Moving {split.visits_text} into the {split.next_year} benefit year lowers the patient's portion "
        f"from {format_money(split.patient_before)} to {format_money(split.patient_after)}: "
        f"a saving of {format_money(split.saving)}."
    )
