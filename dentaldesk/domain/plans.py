"""Treatment-plan rules (DOMAIN.md TP-3 .. TP-16, CODE-4, MONEY-1).

Pure functions over :class:`ItemFacts`, the values of one plan item as the rules need them. The
service layer loads a plan, turns its items into ``ItemFacts``, asks these functions, and only then
writes. Nothing here touches a database or a window, so every rule is tested on plain values.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from dentaldesk.domain.errors import RuleViolation, ValidationError
from dentaldesk.domain.money import ZERO, money
from dentaldesk.domain.terms import ItemStatus, PlanStatus

# An item without a visit number sorts after every numbered visit (TP-16).
_NO_VISIT = sys.maxsize


@dataclass(frozen=True)
class ItemFacts:
    """One plan item as the rules see it (TP-6)."""

    id: int
    code: str | None
    label: str
    provider_id: int | None
    tooth: str | None
    surfaces: str
    fee: Decimal | None
    requires_tooth: bool = False
    requires_surface: bool = False
    status: ItemStatus = ItemStatus.PLANNED
    visit: int | None = None
    prerequisites: frozenset[int] = frozenset()
    sequence: int = 0
    # The fee the patient last approved for this item; None = added after the last approval.
    approved_fee: Decimal | None = None

    @property
    def is_completed(self) -> bool:
        return self.status is ItemStatus.COMPLETED

    @property
    def fee_or_zero(self) -> Decimal:
        """The fee as money, an empty fee counting as 0 (TP-7)."""
        return ZERO if self.fee is None else money(self.fee)


def plan_order_key(item: ItemFacts) -> tuple[int, int, int]:
    """How items are ordered on screen and on the handout: visit, then sequence (TP-16)."""
    return (item.visit if item.visit is not None else _NO_VISIT, item.sequence, item.id)


def _by_id(items: Iterable[ItemFacts]) -> dict[int, ItemFacts]:
    return {item.id: item for item in items}


def _find(items: Sequence[ItemFacts], item_id: int) -> ItemFacts:
    for item in items:
        if item.id == item_id:
            return item
    raise RuleViolation("That item is not part of this plan any more. Reopen the plan and try again.")


# --- status (TP-3)

_TRANSITIONS: dict[PlanStatus, frozenset[PlanStatus]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.APPROVED, PlanStatus.CANCELLED}),
    PlanStatus.APPROVED: frozenset({PlanStatus.COMPLETED, PlanStatus.CANCELLED}),
    PlanStatus.COMPLETED: frozenset(),
    PlanStatus.CANCELLED: frozenset(),
}


def status_label(status: PlanStatus) -> str:
    """A plan status as a person reads it: ``Draft``, ``Approved`` ..."""
    return status.value.capitalize()


def allowed_transitions(current: PlanStatus) -> frozenset[PlanStatus]:
    """The statuses a plan in ``current`` may move to (TP-3)."""
    return _TRANSITIONS[PlanStatus(current)]


def check_transition(current: PlanStatus, target: PlanStatus) -> None:
    """Refuse any status move TP-3 does not allow, naming both statuses."""
    current, target = PlanStatus(current), PlanStatus(target)
    if target in _TRANSITIONS[current]:
        return
    here, there = status_label(current), status_label(target)
    if current == target:
        raise RuleViolation(f"The plan is already {here}.")
    if not _TRANSITIONS[current]:
        reason = f"{here} plans are final; start a new plan instead."
    elif target is PlanStatus.DRAFT:
        reason = "A plan never goes back to Draft."
    else:  # DRAFT -> COMPLETED
        reason = "Record the patient's approval first; the plan completes when its last item is done."
    raise RuleViolation(f"A plan cannot move from {here} to {there}. {reason}")


# --- approval (TP-5, CODE-4)


@dataclass(frozen=True)
class ItemProblem:
    """What one item still lacks before the plan can be approved (TP-5)."""

    item_id: int
    label: str
    missing: tuple[str, ...]

    @property
    def message(self) -> str:
        return f"Item {self.label} lacks: {', '.join(self.missing)}"


def approval_problems(items: Sequence[ItemFacts]) -> list[ItemProblem]:
    """Every item that lacks a required field, in plan order (TP-5, CODE-4).

    The names in ``missing`` are the item's field names (``code``, ``provider``, ``tooth``,
    ``surfaces``, ``fee``) so the editor can point at the field concerned.
    """
    problems: list[ItemProblem] = []
    for item in sorted(items, key=plan_order_key):
        missing: list[str] = []
        if not (item.code or "").strip():
            missing.append("code")
        if item.provider_id is None:
            missing.append("provider")
        if item.requires_tooth and not (item.tooth or "").strip():
            missing.append("tooth")
        if item.requires_surface and not item.surfaces.strip():
            missing.append("surfaces")
        if item.fee is None:
            missing.append("fee")
        if missing:
            problems.append(ItemProblem(item.id, item.label, tuple(missing)))
    return problems


def check_ready_for_approval(items: Sequence[ItemFacts]) -> None:
    """Refuse approval of an empty plan or one with incomplete items, saying which lack what (TP-5)."""
    if not items:
        raise RuleViolation("Add at least one item before the plan can be approved.")
    problems = approval_problems(items)
    if problems:
        raise RuleViolation("; ".join(p.message for p in problems) + ".")


# --- prerequisites (TP-8, TP-9)


def cycle_path(items: Sequence[ItemFacts], item_id: int, prerequisite_id: int) -> list[int] | None:
    """The loop that linking ``item_id`` -> ``prerequisite_id`` would close, else None (TP-8).

    The link means "item waits for prerequisite". It closes a loop when the prerequisite already
    waits, directly or not, for the item. The answer is the shortest such loop, starting and ending
    with ``item_id``: ``[item, prerequisite, ..., item]``. A self-link is the loop ``[a, a]``.
    Links to items not in ``items`` are ignored.
    """
    if item_id == prerequisite_id:
        return [item_id, item_id]
    by_id = _by_id(items)
    if prerequisite_id not in by_id or item_id not in by_id:
        return None
    # Breadth-first from the prerequisite along "waits for" links, looking for the item.
    came_from: dict[int, int | None] = {prerequisite_id: None}
    queue = deque([prerequisite_id])
    while queue:
        current = queue.popleft()
        if current == item_id:
            path = [current]
            step = came_from[current]
            while step is not None:
                path.append(step)
                step = came_from[step]
            path.reverse()  # prerequisite ... item
            return [item_id, *path]
        successors = sorted(
            (by_id[p] for p in by_id[current].prerequisites if p in by_id and p not in came_from),
            key=plan_order_key,
        )
        for nxt in successors:
            came_from[nxt.id] = current
            queue.append(nxt.id)
    return None


def check_link(items: Sequence[ItemFacts], item_id: int, prerequisite_id: int) -> None:
    """Refuse a prerequisite link that TP-8 or TP-9 forbids, with a message naming the items.

    Refused: linking an item to itself, to an item not in this plan, a link that would close a loop
    (the message shows the loop), and making an already completed item wait for one that is not
    completed (that would break TP-9 after the fact). An existing link passes again unchanged.
    """
    by_id = _by_id(items)
    if item_id not in by_id or prerequisite_id not in by_id:
        raise RuleViolation("An item can only depend on another item of the same plan.")
    item, prerequisite = by_id[item_id], by_id[prerequisite_id]
    if item_id == prerequisite_id:
        raise RuleViolation(f"{item.label} cannot depend on itself.")
    path = cycle_path(items, item_id, prerequisite_id)
    if path is not None:
        loop = " -> ".join(by_id[i].label for i in path)
        raise RuleViolation(
            f"{item.label} cannot depend on {prerequisite.label}: that would make a loop "
            f"({loop}), so none of these items could ever be done."
        )
    if item.is_completed and not prerequisite.is_completed:
        raise RuleViolation(
            f"{item.label} is already completed, so it cannot wait for {prerequisite.label}, which is not."
        )


def unfinished_prerequisites(items: Sequence[ItemFacts], item_id: int) -> list[ItemFacts]:
    """The item's direct prerequisites that are not completed yet, in plan order (TP-9).

    Prerequisites no longer in the plan (removed items) are not counted.
    """
    by_id = _by_id(items)
    item = _find(items, item_id)
    waiting = [by_id[p] for p in item.prerequisites if p in by_id and not by_id[p].is_completed]
    return sorted(waiting, key=plan_order_key)


def check_can_complete(
    items: Sequence[ItemFacts],
    item_id: int,
    plan_status: PlanStatus,
    needs_reapproval_ids: frozenset[int] = frozenset(),
) -> None:
    """Refuse completing an item unless TP-9 and TP-12 allow it.

    Only items of an APPROVED plan, not already completed, whose prerequisites are all completed
    (the refusal names the unfinished ones), and not added or raised since the patient's approval
    (``needs_reapproval_ids``, see :func:`blocked_by_reapproval`).
    """
    item = _find(items, item_id)
    plan_status = PlanStatus(plan_status)
    if plan_status is not PlanStatus.APPROVED:
        if plan_status is PlanStatus.DRAFT:
            hint = "Record the patient's approval of the plan first."
        else:
            hint = f"This plan is {status_label(plan_status)}."
        raise RuleViolation(f"Only items of an approved plan can be completed. {hint}")
    if item.is_completed:
        raise RuleViolation(f"{item.label} is already completed.")
    waiting = unfinished_prerequisites(items, item_id)
    if waiting:
        names = ", ".join(p.label for p in waiting)
        them = "it" if len(waiting) == 1 else "them"
        raise RuleViolation(f"Complete {names} first: {item.label} depends on {them}.")
    if item_id in needs_reapproval_ids:
        raise RuleViolation(
            f"{item.label} was added or its fee raised after the patient approved the plan. "
            "Record the patient's approval of the new total before completing it."
        )


def plan_is_finished(items: Sequence[ItemFacts]) -> bool:
    """True when the plan has items and every one is completed: it flips to COMPLETED (TP-10)."""
    return bool(items) and all(item.is_completed for item in items)


# --- money (TP-7, TP-11, TP-12, TP-14)


def plan_total(items: Iterable[ItemFacts]) -> Decimal:
    """The sum of the item fees, an empty fee counting as 0 (TP-7)."""
    return money(sum((item.fee_or_zero for item in items), ZERO))


@dataclass(frozen=True)
class Progress:
    """How far a plan has come, by fee and by count (TP-11)."""

    done_fees: Decimal
    total_fees: Decimal
    done_items: int
    total_items: int

    @property
    def by_count(self) -> Decimal:
        """Completed items / items, 0..1 (0 for an empty plan)."""
        if self.total_items == 0:
            return Decimal(0)
        return Decimal(self.done_items) / Decimal(self.total_items)

    @property
    def by_fee(self) -> Decimal:
        """Completed fees / total fees, 0..1; by count when the plan's total is 0."""
        if self.total_fees == 0:
            return self.by_count
        return self.done_fees / self.total_fees

    @property
    def percent(self) -> int:
        """Whole percent for the progress bar, by fee (by count when the total is 0).

        Rounded down, and never 100 while an item is left: 100% means the plan is finished.
        """
        value = int((self.by_fee * 100).to_integral_value(rounding=ROUND_FLOOR))
        if self.done_items < self.total_items:
            value = min(value, 99)
        return max(0, min(value, 100))


def progress(items: Sequence[ItemFacts]) -> Progress:
    """Progress of a plan (TP-11)."""
    done = [item for item in items if item.is_completed]
    return Progress(
        done_fees=plan_total(done),
        total_fees=plan_total(items),
        done_items=len(done),
        total_items=len(items),
    )


def items_needing_reapproval(items: Iterable[ItemFacts]) -> frozenset[int]:
    """Planned items added or raised since the patient's approval (TP-12).

    An item never approved (``approved_fee`` None) or whose fee is now above the approved fee.
    Meaningful only for an APPROVED plan: in a draft nothing has been approved yet.
    """
    return frozenset(
        item.id
        for item in items
        if not item.is_completed and (item.approved_fee is None or item.fee_or_zero > money(item.approved_fee))
    )


def needs_reapproval(items: Iterable[ItemFacts], approved_total: Decimal | None) -> bool:
    """True when the plan's total is now above the total the patient approved (TP-12).

    ``approved_total`` None means no approval on record: a draft needs approval, not re-approval.
    """
    if approved_total is None:
        return False
    return plan_total(items) > money(approved_total)


def new_approval_refusal(status: PlanStatus, *, total_raised: bool, approval_covers_plan: bool) -> str:
    """Why "Record new approval" cannot be used now, or "" when it can (TP-12, TP-15).

    One rule for the editor's button and the service: an APPROVED plan takes a new approval
    whenever the patient's last approval no longer covers it, a raised total (TP-12) or any other
    change to what was approved (a lowered fee, a moved tooth: the signature stops matching).
    """
    if status is PlanStatus.DRAFT:
        return "This plan is still a draft: use Approve plan for its first approval."
    if status is not PlanStatus.APPROVED:
        return f"This plan is {status_label(status)}."
    if total_raised or not approval_covers_plan:
        return ""
    return "The patient's approval covers this plan as it stands."


def blocked_by_reapproval(items: Sequence[ItemFacts], approved_total: Decimal | None) -> frozenset[int]:
    """The items that cannot be completed until the patient approves again (TP-12).

    Only a change that raised the total asks for a new approval; then the items added or raised
    wait for it. Pass the result to :func:`check_can_complete`.
    """
    if not needs_reapproval(items, approved_total):
        return frozenset()
    return items_needing_reapproval(items)


@dataclass(frozen=True)
class BillingSummary:
    """A patient's plans rolled up for the billing summary (TP-14).

    ``planned`` is the approved plans' work still to do; ``drafts`` the draft plans' (not yet
    shown to or approved by the patient, TP-4), kept apart; the estimates are of ``planned``.
    """

    planned: Decimal
    completed: Decimal
    estimated_insurance: Decimal | None
    estimated_patient: Decimal | None
    drafts: Decimal = ZERO


def billing_summary(
    plans: Iterable[tuple[PlanStatus, Sequence[ItemFacts]]],
    estimated_insurance: Decimal | None = None,
) -> BillingSummary:
    """Roll a patient's plans up into planned, completed and estimated portions (TP-14).

    Planned: items not yet completed in APPROVED plans (the work the patient agreed to and has
    still to have done); a DRAFT's items are counted apart as ``drafts``. Completed: every
    completed item, a cancelled plan's included (that work was done and charged). The patient's
    portion is what is left to pay of the planned work: planned minus insurance, never below 0
    (INS-6), and only when an insurance estimate (of the approved plans) is known: without one
    it stays None rather than inventing a figure.
    """
    planned = ZERO
    drafts = ZERO
    completed = ZERO
    for status, items in plans:
        status = PlanStatus(status)
        for item in items:
            if item.is_completed:
                completed += item.fee_or_zero
            elif status is PlanStatus.APPROVED:
                planned += item.fee_or_zero
            elif status is PlanStatus.DRAFT:
                drafts += item.fee_or_zero
    insurance = None if estimated_insurance is None else money(estimated_insurance)
    patient = None if insurance is None else max(ZERO, money(planned - insurance))
    return BillingSummary(money(planned), money(completed), insurance, patient, money(drafts))


# --- display (TP-8, TP-16)


def tree_rows(items: Sequence[ItemFacts]) -> list[tuple[ItemFacts, int]]:
    """Items as a tree under their prerequisites, depth-first, each with its depth (TP-8).

    Siblings are in plan order. An item with several prerequisites is shown under the first of
    them in plan order only. Every item appears exactly once, even if stored data held a loop.
    """
    by_id = _by_id(items)
    ordered = sorted(by_id.values(), key=plan_order_key)
    children: dict[int | None, list[ItemFacts]] = {}
    for item in ordered:
        known = [by_id[p] for p in item.prerequisites if p in by_id and p != item.id]
        parent = min(known, key=plan_order_key).id if known else None
        children.setdefault(parent, []).append(item)

    rows: list[tuple[ItemFacts, int]] = []
    seen: set[int] = set()

    def walk(root: ItemFacts) -> None:
        stack = [(root, 0)]
        while stack:
            item, depth = stack.pop()
            if item.id in seen:
                continue
            seen.add(item.id)
            rows.append((item, depth))
            for child in reversed(children.get(item.id, [])):
                if child.id not in seen:
                    stack.append((child, depth + 1))

    for root in children.get(None, []):
        walk(root)
    # Items on a stored loop have no root; show them at the top rather than lose them.
    for item in ordered:
        if item.id not in seen:
            walk(item)
    return rows


def visit_groups(items: Iterable[ItemFacts]) -> list[tuple[int | None, list[ItemFacts]]]:
    """Items grouped by visit number ascending, unassigned last, in sequence order (TP-16)."""
    groups: dict[int | None, list[ItemFacts]] = {}
    for item in sorted(items, key=plan_order_key):
        groups.setdefault(item.visit, []).append(item)
    return list(groups.items())


def chair_minutes(rtus: Iterable[int]) -> int:
    """Chair time of a visit: the sum of its RTU's, 1 RTU = 1 minute (glossary, TX-RTU-1)."""
    total = 0
    for rtu in rtus:
        if rtu < 0:
            raise ValidationError("RTU's are whole minutes of chair time and cannot be negative.", "rtu")
        total += int(rtu)
    return total
