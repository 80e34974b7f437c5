"""Moving a plan through its life: approval with signature, completing items, cancelling (TP-3..TP-15).

Front desk may record the patient's approval and complete items (TP-1); cancelling is for plan
editors. Each function is one unit of work and takes the plan version the screen showed (DATA-2):
the patient approves exactly what was on the screen, or nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from sqlalchemy import select

from dentaldesk import clock
from dentaldesk.db.models import PlanApproval, PlanItem, Provider, TreatmentPlan
from dentaldesk.db.models.base import utcnow
from dentaldesk.domain.aging import check_dos
from dentaldesk.domain.approval import (
    CURRENT_VERSION,
    ApprovedLine,
    LineTerms,
    approved_lines,
    content_hash,
    signature_matches,
)
from dentaldesk.domain.errors import RuleViolation, ValidationError
from dentaldesk.domain.money import ZERO, format_money, money
from dentaldesk.domain.options import check_can_choose
from dentaldesk.domain.plans import (
    blocked_by_reapproval,
    check_can_complete,
    check_ready_for_approval,
    check_transition,
    needs_reapproval,
    new_approval_refusal,
    plan_is_finished,
    plan_order_key,
    plan_total,
)
from dentaldesk.domain.terms import PLAN_EDITOR_ROLES, ApprovalMethod, ItemStatus, PlanStatus, Role
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.chart.marks import complete_item_marks_in, remove_item_marks_in
from dentaldesk.services.ledger.posting import post_charge_in
from dentaldesk.services.plans.core import PlanWork
from dentaldesk.services.plans.estimate import PlanEstimate, plan_estimate_in, plan_lines_in
from dentaldesk.services.plans.inputs import PlanSaved
from dentaldesk.services.uow import UnitOfWork

# TP-1: front desk records the patient's approval and posts completed items too.
DESK_ROLES = PLAN_EDITOR_ROLES | {Role.FRONT_DESK}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 2_000_000
APPROVER_MAX = 160
REASON_MAX = 2000


def approval_lines(work: PlanWork, option_id: int) -> tuple[list[ApprovedLine], list[dict[str, object]]]:
    """One option of the plan as the patient sees it, in handout order: hash lines and their
    stored JSON (TP-15, CASE-1), with each item's Taxable and Insurable choices and its estimate
    (INS-9)."""
    providers: dict[int | None, str] = {
        provider_id: name
        for provider_id, name in work.session.execute(
            select(Provider.id, Provider.name).where(Provider.office_id == work.plan.office_id)
        )
    }
    work.uow.flush()
    estimate = plan_estimate_in(work.session, work.plan.id, option_id=option_id)
    facts = sorted(work.facts(option_id), key=plan_order_key)
    lines = approved_lines(
        facts,
        lambda f: providers.get(work.items[f.id].provider_id, "") if work.items[f.id].provider_id else "",
        lambda f: line_terms(work.items[f.id], estimate),
    )
    stored: list[dict[str, object]] = []
    for fact, line in zip(facts, lines, strict=True):
        item = work.items[fact.id]
        stored.append(
            {
                "item_id": item.id,
                "code": line.code,
                "name": work.code_of(item).name,
                "label": fact.label,
                "tooth": line.tooth,
                "surfaces": line.surfaces,
                "provider": line.provider,
                "fee": f"{line.fee:.2f}",
                "schedule_fee": None if item.schedule_fee is None else f"{money(item.schedule_fee):.2f}",
                "visit": line.visit,
                "taxable": line.taxable,
                "insurable": line.insurable,
                "insurance": f"{line.insurance:.2f}",
                "patient": f"{line.patient:.2f}",
            }
        )
    return lines, stored


def line_terms(item: PlanItem, estimate: PlanEstimate) -> LineTerms:
    """What an item's approved line holds beyond the item: its choices and its estimate (INS-9;
    a completed item's the estimate posted with its charge, which a later claim payment leaves)."""
    figures = estimate.of(item.id)
    insurance = figures.posted_estimate if figures.posted else figures.insurance
    patient = max(ZERO, figures.fee - figures.write_off - insurance) if figures.posted else figures.patient
    return LineTerms(item.taxable_override, item.insurable_override, insurance, patient)


def _check_signature(method: ApprovalMethod, signature_png: bytes | None) -> bytes | None:
    if signature_png is not None and len(signature_png) == 0:
        signature_png = None
    if signature_png is not None:
        if not isinstance(signature_png, (bytes, bytearray)) or not bytes(signature_png).startswith(PNG_MAGIC):
            raise ValidationError("The signature is not a PNG image.", "signature")
        if len(signature_png) > MAX_SIGNATURE_BYTES:
            raise ValidationError("The signature image is too large.", "signature")
        signature_png = bytes(signature_png)
    if method is ApprovalMethod.SIGNED_AT_DESK and signature_png is None:
        raise ValidationError("Signed at the desk needs the patient's signature: ask the patient to sign.", "signature")
    return signature_png


def _latest_approval_covers(work: PlanWork) -> bool:
    """True when the plan's last approval's content hash still matches the plan (TP-15)."""
    latest = work.session.scalars(
        select(PlanApproval).where(PlanApproval.plan_id == work.plan.id).order_by(PlanApproval.id.desc()).limit(1)
    ).one_or_none()
    if latest is None:
        return False
    lines, _stored = approval_lines(work, latest.option_id)
    return signature_matches(
        latest.content_hash, work.plan.title, lines, plan_total(work.facts(latest.option_id)), latest.hash_version
    )


def _record(
    work: PlanWork, option_id: int, approver_name: str, method: ApprovalMethod, signature_png: bytes | None
) -> None:
    """Freeze the chosen option's lines and total with the signature, bound by the content hash
    (TP-15, CASE-1: the hash covers that option's lines only)."""
    facts = work.facts(option_id)
    check_ready_for_approval(facts)
    lines, stored = approval_lines(work, option_id)
    total = plan_total(facts)
    digest = content_hash(work.plan.title, lines, total, CURRENT_VERSION)
    approval = PlanApproval(
        plan_id=work.plan.id,
        option_id=option_id,
        approver_name=approver_name,
        method=method,
        approved_at=utcnow(),
        recorded_by_id=work.actor.user_id,
        total=total,
        lines_json=json.dumps(stored, sort_keys=True),
        content_hash=digest,
        hash_version=CURRENT_VERSION,
        signature_png=signature_png,
    )
    work.session.add(approval)
    for item in work.option_items(option_id):
        if item.status is ItemStatus.PLANNED:
            item.approved_fee = item.fee
    before_total = work.plan.approved_total
    work.plan.approved_total = total
    signed = " with signature" if signature_png else ""
    option = work.options[option_id]
    which = f' "{option.name}"' if len(work.options) > 1 else ""
    work.event(
        "approved",
        f"Approved{which} by {approver_name} ({method.label.lower()}{signed}), total {format_money(total)}.",
    )
    work.uow.flush()
    work.audit(
        "record_approval",
        "treatment_plan",
        work.plan.id,
        {"approved_total": before_total},
        {
            "approved_total": total,
            "approver": approver_name,
            "method": method.value,
            "hash": digest,
            "option_id": option_id,
            "option": option.name,
            "signature": signature_png,
            # SEC-5: what the patient approved, line by line with its fee, kept in the audit log.
            "lines": [
                {key: line.get(key) for key in ("item_id", "code", "tooth", "surfaces", "provider", "fee")}
                for line in stored
            ],
        },
    )


def _check_approver(approver_name: str, method: ApprovalMethod | str) -> tuple[str, ApprovalMethod]:
    name = " ".join((approver_name or "").split())
    if not name:
        raise ValidationError("Enter the name of the person approving the plan.", "approver")
    if len(name) > APPROVER_MAX:
        raise ValidationError(f"A name has at most {APPROVER_MAX} characters.", "approver")
    try:
        chosen = ApprovalMethod(method)
    except ValueError:
        raise ValidationError("Choose how the patient approved.", "method") from None
    return name, chosen


def _choose(work: PlanWork, option_id: int) -> None:
    """Mark the patient's choice (CASE-1). The other options stay as they were, not chosen; their
    planned items' marks leave the chart (as a cancelled plan's do) and stay in its history."""
    chosen = work.options[option_id]
    chosen.chosen = True
    if len(work.options) == 1:
        return
    others = [o for o in work.option_facts() if o.id != option_id]
    for other in others:
        for item in work.option_items(other.id):
            if item.status is ItemStatus.PLANNED:
                remove_item_marks_in(work.session, work.actor, item.id, f'Option "{other.name}" was not chosen.')
    work.event(
        "option_chosen",
        f'The patient chose "{chosen.name}"; not chosen: ' + ", ".join(f'"{o.name}"' for o in others) + ".",
    )
    work.audit(
        "choose_option",
        "plan_option",
        option_id,
        None,
        {"plan_id": work.plan.id, "chosen": chosen.name, "not_chosen": [o.name for o in others]},
    )
    work.uow.flush()


@guarded(Right.PRESENT_PLANS, plan_id=TreatmentPlan)
def approve(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    *,
    expected_version: int,
    approver_name: str,
    method: ApprovalMethod | str,
    signature_png: bytes | None = None,
    option_id: int | None = None,
) -> PlanSaved:
    """ "Approve plan": the patient's first approval moves a DRAFT to APPROVED (TP-3, TP-5, TP-15)
    and records the option the patient chose (CASE-1; ``option_id`` may be left out of a
    one-option plan). The option must hold items; the others become "not chosen": read-only, and
    their planned chart marks leave the chart."""
    name, chosen = _check_approver(approver_name, method)
    signature = _check_signature(chosen, signature_png)
    with uow:
        work = PlanWork.open(uow, actor, plan_id, expected_version)
        if work.plan.status is PlanStatus.APPROVED:
            raise RuleViolation("The plan is already approved. Record a new approval if the patient approved a change.")
        check_transition(work.plan.status, PlanStatus.APPROVED)
        option = check_can_choose(work.option_facts(), option_id)
        check_ready_for_approval(work.facts(option.id))
        _choose(work, option.id)
        work.move_status(PlanStatus.APPROVED, f"Approved by {name}.")
        _record(work, option.id, name, chosen, signature)
        work.touch()
        uow.commit()
        return PlanSaved(work.plan.id, work.plan.version)


@guarded(Right.PRESENT_PLANS, plan_id=TreatmentPlan)
def record_approval(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    *,
    expected_version: int,
    approver_name: str,
    method: ApprovalMethod | str,
    signature_png: bytes | None = None,
    option_id: int | None = None,
) -> PlanSaved:
    """A new approval of an APPROVED plan, e.g. of a raised total (TP-12, TP-15), of the option
    the patient chose (CASE-1: a not-chosen option is refused).

    Items added or raised since the last approval can be completed again afterwards.
    """
    name, chosen = _check_approver(approver_name, method)
    signature = _check_signature(chosen, signature_png)
    with uow:
        work = PlanWork.open(uow, actor, plan_id, expected_version)
        status = PlanStatus(work.plan.status)
        if status not in (PlanStatus.DRAFT, PlanStatus.APPROVED):
            check_transition(status, PlanStatus.APPROVED)
        refusal = new_approval_refusal(
            status,
            total_raised=needs_reapproval(work.facts(), work.plan.approved_total),
            approval_covers_plan=_latest_approval_covers(work),
        )
        if refusal:
            raise RuleViolation(refusal)
        option = check_can_choose(work.option_facts(), option_id or work.counted_option_id)
        _record(work, option.id, name, chosen, signature)
        work.touch()
        uow.commit()
        return PlanSaved(work.plan.id, work.plan.version)


@guarded(Right.PRESENT_PLANS, plan_id=TreatmentPlan)
def complete_item(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    item_id: int,
    *,
    expected_version: int,
    completed_on: dt.date | None = None,
    today: dt.date | None = None,
    back_dating_confirmed: bool = False,
) -> PlanSaved:
    """Mark an item done on its date of service (TP-9, TP-12) and post its charge at the plan
    item's fee: the plan price wins (TP-13), with the item's Taxable and Insurable choices
    (TX-TAX-1/2, TX-INS-1) and the item's one estimate among the plan's planned items in plan
    order (INS-9: what the dialog, the editor and the handout showed). The DOS is not in the
    future, not before the patient's birth nor before a prerequisite's DOS, and more than 30 days
    back only when confirmed (TX-DOS-1/2). The last item completes the plan (TP-10)."""
    today = today or clock.today()
    dos = completed_on or today
    check_dos(dos, today, completed=True)
    with uow:
        work = PlanWork.open(uow, actor, plan_id, expected_version)
        item = work.item(item_id)
        work.require_option_editable(item.option_id)  # CASE-1: a not-chosen option's items are never done
        facts = work.facts(item.option_id)
        check_can_complete(facts, item_id, work.plan.status, blocked_by_reapproval(facts, work.plan.approved_total))
        if item.fee is None:
            raise RuleViolation(f"{work.label(item)} has no fee; enter one before completing it.", "fee")
        label = work.label(item)
        mine = next(f for f in facts if f.id == item.id)
        prerequisites = [
            (work.label(work.items[p]), work.items[p].completed_on)
            for p in mine.prerequisites
            if p in work.items and work.items[p].completed_on is not None
        ]
        work.uow.flush()
        transaction = post_charge_in(
            work.session,
            actor,
            patient_id=work.plan.patient_id,
            procedure_code_id=item.procedure_code_id,
            fee=item.fee,
            dos=dos,
            today=today,
            tooth=item.tooth,
            surfaces=item.surfaces or "",
            production_provider_id=item.provider_id,
            collection_provider_id=item.collection_provider_id or item.provider_id,
            rtu=item.rtu,
            taxable=item.taxable_override,
            insurable=item.insurable_override,
            plan_item_id=item.id,
            notes=item.notes or "",
            # CASE-5: the charge counts in the benefit year of its DOS, whatever year it was planned in.
            plan_lines=[
                replace(line, benefit_year=dos.year) if line.key == item.id else line
                for line in plan_lines_in(work.session, work.plan.id, item.option_id)
            ],
            order=plan_order_key(mine),
            prerequisites=prerequisites,  # type: ignore[arg-type]  # completed_on is not None: filtered above
            back_dating_confirmed=back_dating_confirmed,
        )
        item.status = ItemStatus.COMPLETED
        item.completed_on = dos
        complete_item_marks_in(work.session, actor, item.id, transaction.id)
        work.event(
            "item_completed",
            f"Completed {label} on {dos.isoformat()}; charge of {format_money(item.fee)} posted to the ledger"
            + (f" with a write-off of {format_money(transaction.write_off)}." if transaction.write_off else "."),
        )
        work.audit(
            "complete_item",
            "plan_item",
            item.id,
            {"status": ItemStatus.PLANNED.value},
            {"status": ItemStatus.COMPLETED.value, "completed_on": dos, "transaction_id": transaction.id},
        )
        if plan_is_finished(work.facts()):
            work.move_status(PlanStatus.COMPLETED, "Every item is completed (TP-10).")
        work.touch()
        uow.commit()
        return PlanSaved(work.plan.id, work.plan.version, item_id=item.id)


@guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
def cancel_plan(uow: UnitOfWork, actor: Actor, plan_id: int, reason: str, *, expected_version: int) -> PlanSaved:
    """Close a DRAFT or APPROVED plan as CANCELLED with the reason (TP-3). Completed items and
    their charges stay; the planned items' chart marks are taken off the chart."""
    cleaned = (reason or "").strip()
    if not cleaned:
        raise ValidationError('Say why the plan is cancelled, e.g. "Patient moved away".', "reason")
    if len(cleaned) > REASON_MAX:
        raise ValidationError(f"A reason has at most {REASON_MAX} characters.", "reason")
    with uow:
        work = PlanWork.open(uow, actor, plan_id, expected_version)
        work.move_status(PlanStatus.CANCELLED, f"Reason: {cleaned}")
        work.plan.cancel_reason = cleaned
        for item in work.items.values():
            if item.status is ItemStatus.PLANNED:
                remove_item_marks_in(work.session, actor, item.id, f"Plan cancelled: {cleaned}")
        work.touch()
        uow.commit()
        return PlanSaved(work.plan.id, work.plan.version)
