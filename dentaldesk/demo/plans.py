"""When a generated plan was made, approved, worked through and closed, and what was approved.

Both practice sizes give every plan a :class:`PlanTimeline` from :func:`plan_timeline`, so the
status history follows TP-3 (DRAFT -> APPROVED -> COMPLETED, or CANCELLED from DRAFT or
APPROVED), items are completed in plan order only after approval (TP-9, TP-12), a plan whose
items are all done is COMPLETED (TP-10) and an APPROVED one always has work left. No date is
after ``today`` (TX-DOS-1).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dentaldesk.demo import catalog
from dentaldesk.demo.treatment import ItemSpec, plan_order
from dentaldesk.domain.approval import CURRENT_VERSION, LineTerms, approved_lines, content_hash
from dentaldesk.domain.money import money
from dentaldesk.domain.plans import ItemFacts
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.terms import ApprovalMethod, PlanStatus


@dataclass
class PlanTimeline:
    status: PlanStatus
    created: date
    approved: date | None = None
    closed: date | None = None  # completed or cancelled on
    cancel_reason: str = ""
    done_on: dict[int, date] = field(default_factory=dict)  # item index -> completion date

    def moves(self) -> list[tuple[PlanStatus | None, PlanStatus, date]]:
        """The status changes to record (TP-2): (from, to, on)."""
        moves: list[tuple[PlanStatus | None, PlanStatus, date]] = [(None, PlanStatus.DRAFT, self.created)]
        if self.approved is not None:
            moves.append((PlanStatus.DRAFT, PlanStatus.APPROVED, self.approved))
        if self.closed is not None:
            moves.append((moves[-1][1], self.status, self.closed))
        return moves

    @property
    def last_change(self) -> date:
        return max([self.created, *(d for d in (self.approved, self.closed) if d), *self.done_on.values()])


def _visit_offsets(rng: random.Random, items: Sequence[ItemSpec]) -> dict[int, int]:
    """Days from the first visit to each visit number: every 2-6 weeks."""
    offsets: dict[int, int] = {}
    day = 0
    for visit in sorted({item.visit or 0 for item in items}):
        offsets[visit] = day
        day += rng.randint(14, 42)
    return offsets


def plan_timeline(
    rng: random.Random, today: date, items: Sequence[ItemSpec], status: PlanStatus, *, under_way: bool = False
) -> PlanTimeline:
    """Dates of a plan in ``status``; ``under_way`` makes sure an APPROVED plan has work done."""
    order = plan_order(tuple(items))
    if status is PlanStatus.DRAFT:
        return PlanTimeline(status, today - timedelta(days=rng.randint(0, 45)))
    if status is PlanStatus.CANCELLED and rng.random() < 0.5:  # cancelled while still a draft
        created = today - timedelta(days=rng.randint(30, 400))
        closed = min(today, created + timedelta(days=rng.randint(7, 60)))
        return PlanTimeline(status, created, closed=closed, cancel_reason=rng.choice(catalog.CANCEL_REASONS))
    offsets = _visit_offsets(rng, items)
    if status is PlanStatus.COMPLETED:
        # approval <= 14 days after creation, first visit <= 21 days after approval: all in the past
        created = today - timedelta(days=max(offsets.values()) + 36 + rng.randint(0, 660))
    elif under_way:
        created = today - timedelta(days=rng.randint(60, 240))
    else:
        created = today - timedelta(days=rng.randint(10, 240))
    approved = min(today, created + timedelta(days=rng.randint(1, 14)))
    first = approved + timedelta(days=rng.randint(0, 21))
    visits = {visit: first + timedelta(days=offset) for visit, offset in offsets.items()}
    timeline = PlanTimeline(status, created, approved)
    if status is PlanStatus.COMPLETED:
        timeline.done_on = {i: visits[items[i].visit or 0] for i in order}
        timeline.closed = max(timeline.done_on.values())
        return timeline
    stop = today
    if status is PlanStatus.CANCELLED:
        stop = min(today, approved + timedelta(days=rng.randint(10, 90)))
        timeline.closed, timeline.cancel_reason = stop, rng.choice(catalog.CANCEL_REASONS)
    done = [i for i in order if visits[items[i].visit or 0] <= stop]
    if len(done) == len(items):  # an approved or cancelled plan still has work left
        last_visit = items[order[-1]].visit or 0
        done = [i for i in done if (items[i].visit or 0) != last_visit]
    timeline.done_on = {i: visits[items[i].visit or 0] for i in done}
    return timeline


@dataclass(frozen=True)
class ApprovalRecord:
    approver_name: str
    method: ApprovalMethod
    total: Decimal
    lines_json: str
    content_hash: str
    hash_version: int = CURRENT_VERSION


def approval_method(rng: random.Random) -> ApprovalMethod:
    """How a generated patient approved (TP-15)."""
    return rng.choice(
        (
            ApprovalMethod.SIGNED_AT_DESK,
            ApprovalMethod.SIGNED_AT_DESK,
            ApprovalMethod.ON_PAPER,
            ApprovalMethod.DIGITAL,
            ApprovalMethod.BY_MAIL,
        )
    )


def approval_record(
    title: str,
    facts: Sequence[ItemFacts],
    provider_name: Callable[[ItemFacts], str],
    terms: Callable[[ItemFacts], LineTerms],
    approver_name: str,
    method: ApprovalMethod,
) -> ApprovalRecord:
    """What the patient approved: the lines in handout order with their choices and estimate, their
    total and its hash (TP-15), built by ``domain.approval.approved_lines`` as approving does."""
    lines = approved_lines(facts, provider_name, terms)
    total = money(sum((line.fee for line in lines), Decimal(0)))
    lines_json = json.dumps(
        [
            {
                "code": line.code,
                "tooth": display_tooth(line.tooth or None),
                "surfaces": line.surfaces,
                "provider": line.provider,
                "fee": f"{line.fee:.2f}",
                "visit": line.visit,
                "taxable": line.taxable,
                "insurable": line.insurable,
                "insurance": f"{line.insurance:.2f}",
                "patient": f"{line.patient:.2f}",
            }
            for line in lines
        ],
        separators=(",", ":"),
    )
    return ApprovalRecord(approver_name, method, total, lines_json, content_hash(title, lines, total))
