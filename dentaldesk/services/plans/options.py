"""A plan's options (CASE-1): add one (empty or as a copy of another), rename one, remove one,
and compare them side by side.

Editors only (TP-1), each one unit of work (DATA-1) on the plan version the screen showed (DATA-2),
written to the plan's history and the audit log (SEC-2). Options are presented before the patient
chooses: after the choice (an approval, ``status.approve``) no option is added, and the options not
chosen are kept read-only as they were presented.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentaldesk.db.models import Office, PlanItem, PlanOption, ProcedureCode, TreatmentPlan
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.money import ZERO, money
from dentaldesk.domain.options import (
    check_can_add_option,
    check_can_remove_option,
    check_option_editable,
    check_option_name,
    default_option_name,
    find_option,
    option_state,
)
from dentaldesk.domain.plan_items import COLUMNS, PlanItemRecord
from dentaldesk.domain.plans import chair_minutes, plan_order_key, plan_total
from dentaldesk.domain.terms import ItemStatus, ToothNumbering
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.plans.core import ITEM_FIELDS, PlanWork
from dentaldesk.services.plans.estimate import plan_estimate_in
from dentaldesk.services.plans.inputs import PlanSaved
from dentaldesk.services.plans.option_scope import option_facts_in
from dentaldesk.services.plans.records import record_of
from dentaldesk.services.uow import UnitOfWork

# What a copied item takes from its original: everything the person chose, none of its history.
COPIED_FIELDS = tuple(COLUMNS.values())


def _open(uow: UnitOfWork, actor: Actor, plan_id: int, expected_version: int) -> PlanWork:
    work = PlanWork.open(uow, actor, plan_id, expected_version)
    work.require_editable()
    return work


def _saved(work: PlanWork, option_id: int) -> PlanSaved:
    return PlanSaved(plan_id=work.plan.id, version=work.plan.version, option_id=option_id)


def _copy_items(work: PlanWork, source_id: int, option_id: int) -> int:
    """Copy the source option's items (planned, in plan order) and the links between them into
    the new option; each copy gets its own planned chart mark like any added item."""
    originals = sorted(work.facts(source_id), key=plan_order_key)
    sequence = max((i.sequence for i in work.items.values()), default=0)
    copies: dict[int, int] = {}
    for fact in originals:
        source = work.items[fact.id]
        sequence += 1
        item = PlanItem(
            plan_id=work.plan.id,
            option_id=option_id,
            sequence=sequence,
            status=ItemStatus.PLANNED,
            **{name: getattr(source, name) for name in COPIED_FIELDS},
        )
        work.session.add(item)
        work.uow.flush()
        work.items[item.id] = item
        copies[source.id] = item.id
        work.sync_graphic(item, "")
        work.audit(
            "add_item",
            "plan_item",
            item.id,
            None,
            audit.snapshot(item, *ITEM_FIELDS) | {"code": work.code_of(item).code, "copied_from": source.id},
        )
    for fact in originals:
        for prerequisite_id in fact.prerequisites:
            if prerequisite_id in copies:
                work.link(copies[fact.id], copies[prerequisite_id])
    return len(copies)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def add_option(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    name: str = "",
    *,
    expected_version: int,
    copy_from: int | None = None,
) -> PlanSaved:
    """ "Add option" (CASE-1): a new option at the right of the others, empty or, with
    ``copy_from``, holding a copy of that option's items and links as the start of another way to
    treat the same need. A blank name takes the next free "Option B", "Option C" ..."""
    with uow:
        work = _open(uow, actor, plan_id, expected_version)
        options = work.option_facts()
        check_can_add_option(options)
        cleaned = check_option_name(name, options) if (name or "").strip() else default_option_name(options)
        source = find_option(options, copy_from) if copy_from is not None else None
        position = (
            work.session.scalar(select(func.max(PlanOption.position)).where(PlanOption.plan_id == plan_id)) or 0
        ) + 1
        option = PlanOption(plan_id=plan_id, name=cleaned, position=position, chosen=False)
        work.session.add(option)
        uow.flush()
        work.options[option.id] = option
        copied = _copy_items(work, source.id, option.id) if source is not None else 0
        if source is not None:
            work.event("option_added", f'Added the option "{cleaned}", a copy of "{source.name}" ({copied} items).')
        else:
            work.event("option_added", f'Added the option "{cleaned}".')
        work.audit(
            "add_option",
            "plan_option",
            option.id,
            None,
            {"plan_id": plan_id, "name": cleaned, "position": position, "copy_from": copy_from},
        )
        work.finish()
        uow.commit()
        return _saved(work, option.id)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def rename_option(
    uow: UnitOfWork, actor: Actor, plan_id: int, option_id: int, name: str, *, expected_version: int
) -> PlanSaved:
    """ "Rename option" (CASE-1): a name such as "Implant" or "Bridge", unique within the plan."""
    with uow:
        work = _open(uow, actor, plan_id, expected_version)
        options = work.option_facts()
        check_option_editable(options, option_id)
        cleaned = check_option_name(name, options, renaming=option_id)
        option = work.options[option_id]
        if option.name != cleaned:
            before = option.name
            option.name = cleaned
            work.event("option_renamed", f'Renamed the option "{before}" to "{cleaned}".')
            work.audit("rename_option", "plan_option", option_id, {"name": before}, {"name": cleaned})
        work.finish()
        uow.commit()
        return _saved(work, option_id)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def remove_option(uow: UnitOfWork, actor: Actor, plan_id: int, option_id: int, *, expected_version: int) -> PlanSaved:
    """ "Remove option" (CASE-1): the option and its items, their links and planned chart marks
    (each removal in the history as for a removed item). A plan keeps at least one option; the
    chosen and not-chosen options of an approved plan stay."""
    with uow:
        work = _open(uow, actor, plan_id, expected_version)
        check_can_remove_option(work.option_facts(), option_id)
        option = work.options[option_id]
        name = option.name
        for item in sorted(work.option_items(option_id), key=lambda i: i.sequence):
            work.remove_item(item)
        del work.options[option_id]
        work.session.delete(option)
        uow.flush()
        work.event("option_removed", f'Removed the option "{name}".')
        work.audit("remove_option", "plan_option", option_id, {"plan_id": plan_id, "name": name}, None)
        work.finish()
        uow.commit()
        return _saved(work, option_id)


@dataclass(frozen=True)
class OptionSummary:
    """One option as the editor and the handout compare them side by side (CASE-1): its items,
    visits, fee, insurance, write-off, patient portion and chair time, the money from the option's
    one estimate (INS-9). ``estimated`` is False when the estimate cannot be made (coverage set up
    wrongly): insurance and patient portion are then unknown and shown as such."""

    id: int
    name: str
    position: int
    state: str  # "chosen", "not chosen" or "" before the choice
    items: tuple[str, ...]  # "D6010 #19 Implant placement surgery", in plan order
    visits: int
    fee: Decimal
    write_off: Decimal
    insurance: Decimal
    patient: Decimal
    chair_minutes: int
    estimated: bool = True

    @property
    def item_count(self) -> int:
        return len(self.items)


def option_summaries_in(session: Session, plan_id: int) -> tuple[OptionSummary, ...]:
    """Every option of the plan, left to right, summed from its own estimate (CASE-1, INS-9)."""
    numbering = ToothNumbering(
        session.scalar(
            select(Office.tooth_numbering)
            .join(TreatmentPlan, TreatmentPlan.office_id == Office.id)
            .where(TreatmentPlan.id == plan_id)
        )
    )
    options = option_facts_in(session, plan_id)
    rows = [
        (item, record_of(item, code, numbering))
        for item, code in session.execute(
            select(PlanItem, ProcedureCode)
            .join(ProcedureCode, ProcedureCode.id == PlanItem.procedure_code_id)
            .where(PlanItem.plan_id == plan_id)
        )
    ]
    summaries = []
    for option in options:
        mine = [record for item, record in rows if item.option_id == option.id]
        facts = {record.id: record.facts() for record in mine}
        ordered_items = sorted(mine, key=PlanItemRecord.order)
        try:
            estimate = plan_estimate_in(session, plan_id, option_id=option.id)
            figures = list(estimate.items.values())
            money_of = (
                money(sum((f.fee for f in figures), ZERO)),
                money(sum((f.write_off for f in figures), ZERO)),
                money(sum((f.insurance for f in figures), ZERO)),
                money(sum((f.patient for f in figures), ZERO)),
            )
            estimated = True
        except DentalDeskError:
            total = plan_total(list(facts.values()))
            money_of, estimated = (total, ZERO, ZERO, total), False
        summaries.append(
            OptionSummary(
                id=option.id,
                name=option.name,
                position=option.position,
                state=option_state(options, option.id),
                items=tuple(f"{record.label} {record.name}".strip() for record in ordered_items),
                visits=len({record.visit for record in mine if record.visit is not None}),
                fee=money_of[0],
                write_off=money_of[1],
                insurance=money_of[2],
                patient=money_of[3],
                chair_minutes=chair_minutes(record.rtu for record in mine),
                estimated=estimated,
            )
        )
    return tuple(summaries)


@guarded(Right.READ_PLANS, plan_id=TreatmentPlan)
def compare_options(uow: UnitOfWork, actor: Actor, plan_id: int) -> tuple[OptionSummary, ...]:
    """The plan's options side by side, as saved (CASE-1)."""
    with uow.read():
        return option_summaries_in(uow.session, plan_id)
