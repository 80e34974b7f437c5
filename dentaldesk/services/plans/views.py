"""Read models the plan screens show: plain frozen values, never live ORM rows (STYLE.md 6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from dentaldesk.domain.approval import ApprovedLine
from dentaldesk.domain.options import NOT_CHOSEN, OptionFacts
from dentaldesk.domain.plan_items import PlanItemRecord
from dentaldesk.domain.plans import ItemFacts, ItemProblem, Progress
from dentaldesk.domain.preauth import PreauthAnswer
from dentaldesk.domain.terms import ApprovalMethod, PlanStatus, ToothNumbering


@dataclass(frozen=True)
class ApprovalView:
    """The patient's latest approval (TP-15) and whether its signature still covers the plan."""

    id: int
    approver_name: str
    method: ApprovalMethod
    approved_at: dt.datetime
    recorded_by: str
    total: Decimal
    content_hash: str
    signature_png: bytes | None
    lines: tuple[ApprovedLine, ...]
    signature_matches: bool
    changes: tuple[str, ...] = ()  # what changed since, line by line (TP-15), as a person reads it
    option_id: int | None = None  # the option approved (CASE-1)


@dataclass(frozen=True)
class HistoryRow:
    """One entry of the plan's history (TP-2, TP-12)."""

    at: dt.datetime
    user: str
    action: str
    detail: str


@dataclass(frozen=True)
class PlanView:
    """A whole plan as the editor opens it (TP-2 .. TP-16)."""

    id: int
    office_id: int
    office_code: str
    numbering: ToothNumbering
    patient_id: int
    patient_name: str
    patient_number: str
    account_number: str
    title: str
    status: PlanStatus
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    cancel_reason: str
    items: tuple[PlanItemRecord, ...]
    total: Decimal
    approved_total: Decimal | None
    progress: Progress
    approval_problems: tuple[ItemProblem, ...]
    needs_reapproval: bool
    blocked_item_ids: frozenset[int]
    latest_approval: ApprovalView | None
    history: tuple[HistoryRow, ...]
    # CASE-2: item id -> the carrier's latest preauthorization answer; CASE-5: item id -> the
    # benefit year it is planned in, where set. The editor's estimate reads both (INS-9).
    preauth: Mapping[int, PreauthAnswer] = field(default_factory=dict)
    benefit_years: Mapping[int, int] = field(default_factory=dict)
    # CASE-1: the option shown (its items are ``items``), every option of the plan left to right,
    # and the shown option's state: "chosen", "not chosen" (read-only) or "" before the choice.
    option_id: int = 0
    options: tuple[OptionFacts, ...] = ()
    option_state: str = ""

    @property
    def option_name(self) -> str:
        return next((o.name for o in self.options if o.id == self.option_id), "")

    @property
    def is_not_chosen(self) -> bool:
        """A not-chosen option is kept read-only (CASE-1)."""
        return self.option_state == NOT_CHOSEN

    def item(self, item_id: int) -> PlanItemRecord:
        for row in self.items:
            if row.id == item_id:
                return row
        raise KeyError(item_id)

    def facts(self) -> list[ItemFacts]:
        return [row.facts() for row in self.items]


@dataclass(frozen=True)
class PatientBilling:
    """A patient's plans rolled up (TP-14). Estimates are None when nothing can be computed."""

    patient_id: int
    planned: Decimal
    completed: Decimal
    estimated_insurance: Decimal | None
    estimated_write_off: Decimal | None
    estimated_patient: Decimal | None
    drafts: Decimal = Decimal("0.00")  # draft plans' work, not yet approved (TP-4)
    # CASE-2: the part of the estimated insurance the carriers preauthorized
    preauthorized_insurance: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class ProviderChoice:
    id: int
    name: str
    short_name: str


@dataclass(frozen=True)
class ItemFormFacts:
    """What the Patient Transactions dialog's header and pickers need (TX-1)."""

    office_code: str
    patient_id: int
    patient_number: str
    account_number: str
    patient_name: str
    numbering: ToothNumbering
    providers: tuple[ProviderChoice, ...]
    default_provider_id: int | None
