"""Building a plan: one function per user action, each one unit of work (DATA-1), editors only (TP-1).

Every action except ``create_plan`` takes the plan version the person's screen was loaded from
(``expected_version``) and is refused with ConflictError when another workstation saved the plan
since (DATA-2); nothing is changed then. Each returns :class:`PlanSaved` with the new version.
"""

from __future__ import annotations

from dentaldesk.db.models import Patient, PlanOption, PlanStatusChange, TreatmentPlan
from dentaldesk.domain.errors import NotFound, ValidationError
from dentaldesk.domain.options import default_option_name
from dentaldesk.domain.terms import PlanStatus
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.plans.core import PlanWork
from dentaldesk.services.plans.inputs import ItemInput, ItemRef, New, PlanChanges, PlanSaved
from dentaldesk.services.uow import UnitOfWork

TITLE_MAX = 160


def _saved(work: PlanWork, item_id: int | None = None, new_ids: dict[int, int] | None = None) -> PlanSaved:
    return PlanSaved(plan_id=work.plan.id, version=work.plan.version, item_id=item_id, new_item_ids=new_ids or {})


def _edit(uow: UnitOfWork, actor: Actor, plan_id: int, expected_version: int) -> PlanWork:
    work = PlanWork.open(uow, actor, plan_id, expected_version)
    work.require_editable()
    return work


def check_title(title: str) -> str:
    cleaned = " ".join((title or "").split())
    if not cleaned:
        raise ValidationError('Give the plan a title, e.g. "Phase 1: restorations".', "title")
    if len(cleaned) > TITLE_MAX:
        raise ValidationError(f"A plan title has at most {TITLE_MAX} characters.", "title")
    return cleaned


@guarded(Right.EDIT_PLANS, patient_id=Patient)
def create_plan(uow: UnitOfWork, actor: Actor, patient_id: int, title: str) -> PlanSaved:
    """ "+ New Plan": a DRAFT plan for a patient (TP-2, TP-3), with its first status change and
    its first option (CASE-1: a plan holds at least one)."""
    cleaned = check_title(title)
    with uow:
        session = uow.session
        patient = session.get(Patient, patient_id)
        if patient is None or patient.office_id != actor.office_id:
            raise NotFound("This patient no longer exists.", "patient")
        plan = TreatmentPlan(
            office_id=actor.office_id,
            patient_id=patient_id,
            title=cleaned,
            status=PlanStatus.DRAFT,
            created_by_id=actor.user_id,
        )
        session.add(plan)
        uow.flush()
        session.add(PlanOption(plan_id=plan.id, name=default_option_name([]), position=1, chosen=False))
        uow.flush()
        work = PlanWork(uow, actor, plan)
        session.add(
            PlanStatusChange(plan_id=plan.id, from_status=None, to_status=PlanStatus.DRAFT, user_id=actor.user_id)
        )
        work.event("plan_created", f'Created the plan "{cleaned}" for {patient.full_name}.')
        audit.record(
            session,
            actor,
            "create_plan",
            "treatment_plan",
            plan.id,
            after={"patient_id": patient_id, "title": cleaned, "status": PlanStatus.DRAFT.value},
        )
        uow.commit()
        return _saved(work)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def add_item(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    entry: ItemInput,
    *,
    expected_version: int,
    option_id: int | None = None,
) -> PlanSaved:
    """ "+ Add item" (TP-6): code from the office list (CODE-3), tooth/surfaces checked (CODE-4),
    fee pre-filled by the fee resolver unless typed (TX-FEE, MONEY-2); into ``option_id`` (the
    counted option unless named, CASE-1)."""
    with uow:
        work = _edit(uow, actor, plan_id, expected_version)
        item = work.add_item(entry, option_id)
        work.finish()
        uow.commit()
        return _saved(work, item.id)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def edit_item(
    uow: UnitOfWork, actor: Actor, plan_id: int, item_id: int, entry: ItemInput, *, expected_version: int
) -> PlanSaved:
    """Change an item; a fee override keeps the schedule fee beside it (MONEY-2). On an approved
    plan a raised total asks for the patient's approval again (TP-12)."""
    with uow:
        work = _edit(uow, actor, plan_id, expected_version)
        work.change_item(work.item(item_id), entry)
        work.finish()
        uow.commit()
        return _saved(work, item_id)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def remove_item(uow: UnitOfWork, actor: Actor, plan_id: int, item_id: int, *, expected_version: int) -> PlanSaved:
    """Remove a planned item with its links and planned chart mark; completed items stay (TP-13)."""
    with uow:
        work = _edit(uow, actor, plan_id, expected_version)
        work.remove_item(work.item(item_id))
        work.finish()
        uow.commit()
        return _saved(work, item_id)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def link_prerequisite(
    uow: UnitOfWork, actor: Actor, plan_id: int, item_id: int, prerequisite_id: int, *, expected_version: int
) -> PlanSaved:
    """ "Depends on": ``item_id`` waits for ``prerequisite_id``; a cycle is refused with its path (TP-8)."""
    with uow:
        work = _edit(uow, actor, plan_id, expected_version)
        work.item(item_id)
        work.item(prerequisite_id)
        work.link(item_id, prerequisite_id)
        work.finish()
        uow.commit()
        return _saved(work, item_id)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def unlink_prerequisite(
    uow: UnitOfWork, actor: Actor, plan_id: int, item_id: int, prerequisite_id: int, *, expected_version: int
) -> PlanSaved:
    """Remove a "depends on" link (TP-8)."""
    with uow:
        work = _edit(uow, actor, plan_id, expected_version)
        work.unlink(item_id, prerequisite_id)
        work.finish()
        uow.commit()
        return _saved(work, item_id)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def move_item_to_visit(
    uow: UnitOfWork, actor: Actor, plan_id: int, item_id: int, visit: int | None, *, expected_version: int
) -> PlanSaved:
    """Put an item in a visit (phase), or in none (TP-16)."""
    with uow:
        work = _edit(uow, actor, plan_id, expected_version)
        work.move_item(work.item(item_id), visit)
        work.finish()
        uow.commit()
        return _saved(work, item_id)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def save_draft(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    changes: PlanChanges | None = None,
    *,
    expected_version: int,
) -> PlanSaved:
    """ "Save draft" (Ctrl+S): the editor's working copy saved whole or not at all (DATA-1).

    Applies removals, additions, changes, unlinks and links in that order, each checked as in the
    single-step actions; links may name items added in the same save by ``New(key)``. With no
    changes it only records the save and moves the version on. Works on APPROVED plans too
    (TP-12): each change lands in the history and a raised total asks for re-approval.
    """
    changes = changes or PlanChanges()
    with uow:
        work = _edit(uow, actor, plan_id, expected_version)
        for item_id in changes.removed:
            work.remove_item(work.item(item_id))
        new_ids: dict[int, int] = {}
        for new in changes.added:
            if new.key in new_ids:
                raise ValidationError("Two new items share one key.", "item")
            new_ids[new.key] = work.add_item(new.item, new.option_id).id
        for change in changes.changed:
            work.change_item(work.item(change.item_id), change.item)
        for item_id, prerequisite_id in changes.unlinked:
            work.unlink(item_id, prerequisite_id)

        def resolve(ref: ItemRef) -> int:
            if isinstance(ref, New):
                if ref.key not in new_ids:
                    raise NotFound("A link names a new item that is not in this save.", "item")
                return new_ids[ref.key]
            work.item(ref)
            return ref

        for item_ref, prerequisite_ref in changes.linked:
            work.link(resolve(item_ref), resolve(prerequisite_ref))
        if changes.is_empty:
            work.event("saved", "Saved without changes.")
        work.finish()
        audit.record(
            uow.session,
            actor,
            "save_plan",
            "treatment_plan",
            plan_id,
            after={
                "removed": len(changes.removed),
                "added": len(changes.added),
                "changed": len(changes.changed),
                "unlinked": len(changes.unlinked),
                "linked": len(changes.linked),
            },
        )
        uow.commit()
        return _saved(work, None, new_ids)
