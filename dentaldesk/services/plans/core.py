"""The inside of every plan action: one loaded plan in an open session, and the steps that change it.

The public functions in ``editing`` and ``status`` check the role, open a unit of work, build a
:class:`PlanWork`, call its steps and commit once (DATA-1). Every step checks before it writes, so
a refusal leaves the session's changes to be rolled back with the unit of work. Every step writes
a PlanEvent (the plan's own history, TP-12) and an audit row (SEC-2), and touches the plan so its
version moves on (DATA-2).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from dentaldesk.db.models import (
    ChartGraphic,
    ItemPrerequisite,
    Office,
    PlanEvent,
    PlanItem,
    PlanOption,
    PlanStatusChange,
    ProcedureCode,
    TreatmentPlan,
)
from dentaldesk.db.models.base import utcnow
from dentaldesk.db.versioning import check_version
from dentaldesk.domain.errors import NotFound, RuleViolation
from dentaldesk.domain.item_check import check_visit, item_label
from dentaldesk.domain.money import format_money, money
from dentaldesk.domain.options import OptionFacts, check_option_editable, counted_option, find_option, ordered
from dentaldesk.domain.plan_items import AUDITED_COLUMNS, PlanItemRecord, column_values
from dentaldesk.domain.plans import (
    ItemFacts,
    approval_problems,
    check_link,
    check_transition,
    needs_reapproval,
    plan_total,
    status_label,
)
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.terms import GraphicStatus, ItemStatus, PlanStatus, ToothNumbering
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.chart.marks import chart_procedure_in, remove_item_marks_in
from dentaldesk.services.plans.checks import resolve_item
from dentaldesk.services.plans.inputs import ItemInput
from dentaldesk.services.plans.records import record_of, write_record
from dentaldesk.services.uow import UnitOfWork

# What an item's audit snapshot records (SEC-2): the record's columns, then how far the item is.
ITEM_FIELDS = AUDITED_COLUMNS

EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.APPROVED})


def _choice_text(choice: bool | None) -> str:
    """A Taxable or Insurable choice as the plan's history says it."""
    if choice is None:
        return "as the code and office say"
    return "ticked" if choice else "unticked"


class PlanWork:
    """One plan loaded for an action inside an open unit of work."""

    def __init__(self, uow: UnitOfWork, actor: Actor, plan: TreatmentPlan) -> None:
        self.uow = uow
        self.session = uow.session
        self.actor = actor
        self.plan = plan
        office = self.session.get(Office, plan.office_id)
        self.numbering = office.tooth_numbering if office else ToothNumbering.UNIVERSAL
        self.items: dict[int, PlanItem] = {
            i.id: i for i in self.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id))
        }
        # CASE-1: the plan's options; the rules of TP-* apply to one option's items at a time.
        self.options: dict[int, PlanOption] = {
            o.id: o for o in self.session.scalars(select(PlanOption).where(PlanOption.plan_id == plan.id))
        }
        self.links: set[tuple[int, int]] = {
            (item_id, prerequisite_id)
            for item_id, prerequisite_id in self.session.execute(
                select(ItemPrerequisite.item_id, ItemPrerequisite.prerequisite_id).where(
                    ItemPrerequisite.item_id.in_(list(self.items) or [-1])
                )
            )
        }
        # The items' codes, read once and kept here: the session's identity map holds objects
        # weakly, so looking each one up by id went back to the database for every item, twice.
        self.codes: dict[int, ProcedureCode] = {
            c.id: c
            for c in self.session.scalars(
                select(ProcedureCode).where(ProcedureCode.id.in_({i.procedure_code_id for i in self.items.values()}))
            )
        }
        self._total_before = plan_total(self.facts())

    # --- opening

    @classmethod
    def open(cls, uow: UnitOfWork, actor: Actor, plan_id: int, expected_version: int | None) -> PlanWork:
        plan = uow.session.get(TreatmentPlan, plan_id)
        if plan is None or plan.office_id != actor.office_id:
            raise NotFound("This treatment plan no longer exists.")
        check_version(plan, expected_version)
        return cls(uow, actor, plan)

    def require_editable(self) -> None:
        """TP-3/TP-12: DRAFT and APPROVED plans can be changed; COMPLETED and CANCELLED are final."""
        if self.plan.status not in EDITABLE:
            raise RuleViolation(
                f"This plan is {status_label(self.plan.status)}; it can no longer be changed. Start a new plan instead."
            )

    # --- looking things up

    def item(self, item_id: int) -> PlanItem:
        found = self.items.get(item_id)
        if found is None:
            raise NotFound("That item is not part of this plan any more. Reopen the plan and try again.", "item")
        return found

    def code_of(self, item: PlanItem) -> ProcedureCode:
        code = self.codes.get(item.procedure_code_id)
        if code is None:  # an item added or re-coded during this action
            code = self.session.get(ProcedureCode, item.procedure_code_id)
            assert code is not None  # a foreign key guarantees it
            self.codes[code.id] = code
        return code

    def label(self, item: PlanItem) -> str:
        return item_label(self.code_of(item).code, item.tooth, self.numbering)

    # --- options (CASE-1)

    def option_facts(self) -> list[OptionFacts]:
        counts: dict[int, int] = {}
        for item in self.items.values():
            counts[item.option_id] = counts.get(item.option_id, 0) + 1
        return ordered(
            [OptionFacts(o.id, o.name, o.position, bool(o.chosen), counts.get(o.id, 0)) for o in self.options.values()]
        )

    @property
    def counted_option_id(self) -> int:
        """The option whose items are the plan's for status, totals and completion: the chosen
        one, else the first (CASE-1)."""
        return counted_option(self.option_facts()).id

    def option(self, option_id: int) -> PlanOption:
        find_option(self.option_facts(), option_id)
        return self.options[option_id]

    def require_option_editable(self, option_id: int) -> None:
        """CASE-1: a not-chosen option is read-only."""
        check_option_editable(self.option_facts(), option_id)

    def option_items(self, option_id: int) -> list[PlanItem]:
        return [item for item in self.items.values() if item.option_id == option_id]

    def facts(self, option_id: int | None = None) -> list[ItemFacts]:
        """The items of one option (the counted one unless named) as the TP-* rules see them."""
        option_id = self.counted_option_id if option_id is None else option_id
        prereqs: dict[int, set[int]] = {}
        for item_id, prerequisite_id in self.links:
            prereqs.setdefault(item_id, set()).add(prerequisite_id)
        return [
            record_of(item, self.code_of(item), self.numbering, prerequisites=prereqs.get(item.id, ())).facts()
            for item in self.option_items(option_id)
        ]

    # --- history, audit, version

    def event(self, action: str, detail: str) -> None:
        self.session.add(PlanEvent(plan_id=self.plan.id, user_id=self.actor.user_id, action=action, detail=detail))

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        audit.record(self.session, self.actor, action, entity, entity_id, before=before, after=after)

    def touch(self) -> None:
        """Every action moves the plan's version on (DATA-2) and its updated time."""
        self.plan.updated_at = utcnow()

    def finish(self) -> None:
        """Close an editing action: TP-12 re-approval note, approved plans kept complete, flush."""
        self.touch()
        facts = self.facts()
        if self.plan.status is PlanStatus.APPROVED:
            problems = approval_problems(facts)
            if problems:
                raise RuleViolation(
                    "An approved plan keeps every item complete (TP-5): "
                    + "; ".join(p.message for p in problems)
                    + ".",
                    problems[0].missing[0],
                )
            approved = self.plan.approved_total
            if needs_reapproval(facts, approved) and not (
                approved is not None and self._total_before > money(approved)
            ):
                self.event(
                    "needs_reapproval",
                    f"The total {format_money(plan_total(facts))} is above the approved "
                    f"{format_money(approved)}: the patient must approve the new total before the "
                    "added or raised items are completed (TP-12).",
                )
        self.uow.flush()

    # --- item fields

    # --- item steps

    def add_item(self, entry: ItemInput, option_id: int | None = None) -> PlanItem:
        """Add an item at the end of an option (the counted one unless named; TP-6, CASE-1); a
        charting code gets a planned chart mark."""
        option_id = self.counted_option_id if option_id is None else option_id
        self.require_option_editable(option_id)
        values = resolve_item(self.session, self.plan.office_id, self.plan.patient_id, self.numbering, entry)
        sequence = max((i.sequence for i in self.items.values()), default=0) + 1
        item = PlanItem(
            plan_id=self.plan.id,
            option_id=option_id,
            sequence=sequence,
            status=ItemStatus.PLANNED,
            **column_values(values),
        )
        self.session.add(item)
        self.uow.flush()
        self.items[item.id] = item
        self.sync_graphic(item, "")
        label = self.label(item)
        fee_text = format_money(values.fee, blank="no fee yet")
        if values.fee is not None and values.schedule_fee is not None and values.fee != values.schedule_fee:
            fee_text += f" (schedule fee {format_money(values.schedule_fee)})"
        self.event("item_added", f"Added {label} ({values.name}) at {fee_text}.")
        self.audit("add_item", "plan_item", item.id, None, audit.snapshot(item, *ITEM_FIELDS) | {"code": values.code})
        return item

    def change_item(self, item: PlanItem, entry: ItemInput) -> None:
        """Change a planned item's fields; each kind of change is named in the history (TP-12)."""
        if item.status is ItemStatus.COMPLETED:
            raise RuleViolation(
                f"{self.label(item)} is completed and its charge is on the ledger; it cannot be changed."
            )
        self.require_option_editable(item.option_id)
        values = resolve_item(self.session, self.plan.office_id, self.plan.patient_id, self.numbering, entry, item)
        before_label = self.label(item)
        before = audit.snapshot(item, *ITEM_FIELDS)
        changed = write_record(item, values)
        if not changed:
            return
        label = self.label(item)
        for line in self._describe(before_label, label, values, before, changed):
            self.event(*line)
        if {"procedure_code_id", "tooth", "surfaces"} & set(changed):
            self.sync_graphic(item, f"{before_label} changed to {label} {values.surfaces}".strip() + ".")
        self.audit("edit_item", "plan_item", item.id, before, audit.snapshot(item, *ITEM_FIELDS))

    def _describe(
        self,
        before_label: str,
        label: str,
        values: PlanItemRecord,
        before: dict[str, Any],
        changed: list[str],
    ) -> Iterable[tuple[str, str]]:
        if "procedure_code_id" in changed:
            yield "item_code_changed", f"Changed {before_label} to {label} ({values.name})."
        elif "tooth" in changed or "surfaces" in changed:
            where = f"{label} {values.surfaces}".strip()
            yield "item_tooth_changed", f"Changed {before_label} to {where}."
        if "fee" in changed:
            old = None if before["fee"] is None else Decimal(before["fee"])
            yield (
                "item_fee_changed",
                (
                    f"Changed fee of {label} from {format_money(old, blank='none')} "
                    f"to {format_money(values.fee, blank='none')}."
                ),
            )
        if "visit" in changed:
            where = f"visit {values.visit}" if values.visit else "no visit"
            yield "item_moved", f"Moved {label} to {where}."
        if {"provider_id", "collection_provider_id"} & set(changed):
            yield "item_provider_changed", f"Changed the provider of {label}."
        if "rtu" in changed:
            yield "item_rtu_changed", f"Changed RTU's of {label} from {before['rtu']} to {values.rtu}."
        if "notes" in changed:
            yield "item_notes_changed", f"Changed the notes of {label}."
        for name, box in (("taxable_override", "Taxable"), ("insurable_override", "Insurable")):
            if name in changed:
                yield "item_charge_option_changed", f"{box} of {label}: {_choice_text(getattr(values, name))}."

    def move_item(self, item: PlanItem, visit: int | None) -> None:
        if item.status is ItemStatus.COMPLETED:
            raise RuleViolation(f"{self.label(item)} is completed; it stays in the visit it was done in.")
        self.require_option_editable(item.option_id)
        visit = check_visit(visit)
        if item.visit == visit:
            return
        before = audit.snapshot(item, "visit")
        item.visit = visit
        where = f"visit {visit}" if visit else "no visit"
        self.event("item_moved", f"Moved {self.label(item)} to {where}.")
        self.audit("move_item", "plan_item", item.id, before, audit.snapshot(item, "visit"))

    def remove_item(self, item: PlanItem) -> None:
        """Remove a planned item, its links and its planned chart mark (TP-12 history kept)."""
        if item.status is ItemStatus.COMPLETED:
            raise RuleViolation(
                f"{self.label(item)} is completed and its charge is on the ledger; it cannot be removed."
            )
        self.require_option_editable(item.option_id)
        label, item_id, fee = self.label(item), item.id, item.fee
        before = audit.snapshot(item, *ITEM_FIELDS) | {"code": self.code_of(item).code}
        for link in [link for link in self.links if item.id in link]:
            self.links.discard(link)
        for row in self.session.scalars(
            select(ItemPrerequisite).where(
                (ItemPrerequisite.item_id == item.id) | (ItemPrerequisite.prerequisite_id == item.id)
            )
        ):
            self.session.delete(row)
        self.drop_graphics(item, f'Removed from the plan "{self.plan.title}".')
        del self.items[item.id]
        self.session.delete(item)
        self.uow.flush()
        self.event("item_removed", f"Removed {label} ({format_money(fee, blank='no fee')}).")
        self.audit("remove_item", "plan_item", item_id, before, None)

    def link(self, item_id: int, prerequisite_id: int) -> bool:
        """TP-8: ``item`` waits for ``prerequisite`` of the same option (CASE-1); a cycle is refused
        with its path."""
        item, prerequisite = self.item(item_id), self.item(prerequisite_id)
        if item.option_id != prerequisite.option_id:
            raise RuleViolation(
                f"{self.label(item)} and {self.label(prerequisite)} are in different options; "
                "an item can only depend on an item of its own option.",
                "prerequisite",
            )
        self.require_option_editable(item.option_id)
        check_link(self.facts(item.option_id), item_id, prerequisite_id)
        if (item_id, prerequisite_id) in self.links:
            return False
        self.session.add(ItemPrerequisite(item_id=item_id, prerequisite_id=prerequisite_id))
        self.links.add((item_id, prerequisite_id))
        self.event("item_linked", f"{self.label(item)} now depends on {self.label(prerequisite)}.")
        self.audit("link_prerequisite", "plan_item", item_id, None, {"prerequisite_id": prerequisite_id})
        return True

    def unlink(self, item_id: int, prerequisite_id: int) -> None:
        item, prerequisite = self.item(item_id), self.item(prerequisite_id)
        if (item_id, prerequisite_id) not in self.links:
            raise NotFound(f"{self.label(item)} does not depend on {self.label(prerequisite)}.", "prerequisite")
        self.require_option_editable(item.option_id)
        row = self.session.scalar(
            select(ItemPrerequisite).where(
                ItemPrerequisite.item_id == item_id, ItemPrerequisite.prerequisite_id == prerequisite_id
            )
        )
        if row is not None:
            self.session.delete(row)
        self.links.discard((item_id, prerequisite_id))
        self.event("item_unlinked", f"{self.label(item)} no longer depends on {self.label(prerequisite)}.")
        self.audit("unlink_prerequisite", "plan_item", item_id, {"prerequisite_id": prerequisite_id}, None)

    # --- chart marks

    def sync_graphic(self, item: PlanItem, reason: str) -> None:
        """Keep the item's planned chart mark in step with its code, tooth and surfaces.

        A charting code with its tooth (and surfaces, if it takes them) has one planned mark: it is
        moved with the item, or charted anew (TX-CHART-2) through the chart service. An item that no
        longer charts takes its planned mark off the chart, which keeps it in the chart's history.
        """
        code = self.code_of(item)
        chartable = bool(code.charts_graphic and item.tooth and (item.surfaces or not code.requires_surface))
        active = list(
            self.session.scalars(
                select(ChartGraphic).where(
                    ChartGraphic.plan_item_id == item.id,
                    ChartGraphic.removed_at.is_(None),
                    ChartGraphic.status == GraphicStatus.PLANNED,
                )
            )
        )
        if not chartable:
            if active:
                remove_item_marks_in(self.session, self.actor, item.id, reason)
            return
        if not active:
            chart_procedure_in(
                self.session,
                self.actor,
                patient_id=self.plan.patient_id,
                procedure_code_id=code.id,
                tooth=display_tooth(item.tooth, self.numbering),
                surfaces=item.surfaces or "",
                status=GraphicStatus.PLANNED,
                plan_item_id=item.id,
            )
            return
        for graphic in active:
            before = audit.snapshot(graphic, "procedure_code_id", "tooth", "surfaces")
            graphic.procedure_code_id = code.id
            graphic.tooth = item.tooth
            graphic.surfaces = item.surfaces or ""
            self.audit(
                "move_chart_graphic",
                "chart_graphic",
                graphic.id,
                before,
                audit.snapshot(graphic, "procedure_code_id", "tooth", "surfaces"),
            )

    def drop_graphics(self, item: PlanItem, reason: str) -> None:
        """Before an item is deleted: its planned mark leaves the chart, and every mark it had stays
        in the chart's history without the link to the deleted item."""
        remove_item_marks_in(self.session, self.actor, item.id, reason)
        for graphic in self.session.scalars(select(ChartGraphic).where(ChartGraphic.plan_item_id == item.id)):
            graphic.plan_item_id = None
        self.uow.flush()

    # --- status

    def move_status(self, target: PlanStatus, note: str = "") -> None:
        """TP-3 status move with who and when (TP-2), in the history and the audit log."""
        current = PlanStatus(self.plan.status)
        check_transition(current, target)
        self.plan.status = target
        self.session.add(
            PlanStatusChange(
                plan_id=self.plan.id, from_status=current, to_status=target, user_id=self.actor.user_id, note=note
            )
        )
        text = f"Status {status_label(current)} -> {status_label(target)}."
        self.event("status_changed", f"{text} {note}".strip())
        self.audit(
            "plan_status",
            "treatment_plan",
            self.plan.id,
            {"status": current.value},
            {"status": target.value, "note": note},
        )
