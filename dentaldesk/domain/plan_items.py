"""One plan item as every layer above the database sees it: :class:`PlanItemRecord` (TP-6).

The services return it (``PlanView.items``), the editor's working item is it plus the editor's key
(``ui.plans.working_copy``), and the rules' :class:`ItemFacts` and the estimate's
:class:`PlanLine` are taken from it by one function each. What each field is for is said once, in
its metadata, and every field list is read from there:

* ``typed``: a person enters it in the Patient Transactions dialog; an edit changes it, a save
  sends it (``ItemInput`` has exactly these fields) and a rebase re-applies it field by field.
* ``column``: the plan_item column an add or an edit writes (the audit snapshot records it).
* ``comes_with``: the typed field whose change brings this one along (a code brings its name,
  flags and schedule fee; a provider its name).
* ``called``: how a person names the field in a message ("the RTU's of D2740 #14").

Adding an option to plan items is: its column (model and migration), its field here, its widget.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from dentaldesk.domain.estimates import PlanLine, charge_insurable
from dentaldesk.domain.item_check import item_label
from dentaldesk.domain.money import money
from dentaldesk.domain.plans import ItemFacts, plan_order_key
from dentaldesk.domain.preauth import PreauthAnswer
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.terms import Category, ItemStatus, ToothNumbering


def _meta(
    *, typed: bool = False, column: str | None = None, comes_with: str | None = None, called: str | None = None
) -> dict[str, object]:
    return {"typed": typed, "column": column, "comes_with": comes_with, "called": called}


@dataclass(frozen=True, kw_only=True)
class PlanItemRecord:
    """One plan item (TP-6). ``tooth`` is stored Universal, shown in ``numbering`` (ID-1).

    ``insurable`` is the code's option; ``taxable_override`` and ``insurable_override`` are the
    person's choices for the item's charge, None for the default (TX-TAX-2, TX-INS-1).
    ``prerequisites`` are the ids of the items it waits for (TP-8). ``id`` is 0 for an item not
    saved. The order of the ``column`` fields is the order of the audit snapshot.
    """

    id: int = 0
    code_id: int = field(default=0, metadata=_meta(column="procedure_code_id", comes_with="code"))
    code: str = field(metadata=_meta(typed=True, called="code"))
    name: str = field(metadata=_meta(comes_with="code"))
    category: Category = field(metadata=_meta(comes_with="code"))
    insurable: bool = field(metadata=_meta(comes_with="code"))
    requires_tooth: bool = field(metadata=_meta(comes_with="code"))
    requires_surface: bool = field(metadata=_meta(comes_with="code"))
    charts_graphic: bool = field(metadata=_meta(comes_with="code"))
    tooth: str | None = field(metadata=_meta(typed=True, column="tooth", called="tooth"))
    surfaces: str = field(metadata=_meta(typed=True, column="surfaces", called="surfaces"))
    provider_id: int | None = field(metadata=_meta(typed=True, column="provider_id", called="provider"))
    provider_name: str = field(default="", metadata=_meta(comes_with="provider_id"))
    collection_provider_id: int | None = field(
        metadata=_meta(typed=True, column="collection_provider_id", called="collection provider")
    )
    fee: Decimal | None = field(metadata=_meta(typed=True, column="fee", called="fee"))
    schedule_fee: Decimal | None = field(metadata=_meta(column="schedule_fee", comes_with="code"))
    fee_source: str = field(metadata=_meta(column="fee_source", comes_with="code"))
    rtu: int = field(metadata=_meta(typed=True, column="rtu", called="RTU's"))
    taxable_override: bool | None = field(
        default=None, metadata=_meta(typed=True, column="taxable_override", called="Taxable choice")
    )
    insurable_override: bool | None = field(
        default=None, metadata=_meta(typed=True, column="insurable_override", called="Insurable choice")
    )
    visit: int | None = field(metadata=_meta(typed=True, column="visit", called="visit"))
    notes: str = field(default="", metadata=_meta(typed=True, column="notes", called="notes"))
    sequence: int = 0
    status: ItemStatus = ItemStatus.PLANNED
    completed_on: dt.date | None = None
    approved_fee: Decimal | None = None  # the fee the patient last approved; None = added since
    benefit_year: int | None = None  # CASE-5: None = the year its coverage is in
    prerequisites: tuple[int, ...] = ()
    numbering: ToothNumbering = ToothNumbering.UNIVERSAL

    @property
    def label(self) -> str:
        return item_label(self.code, self.tooth, self.numbering)

    @property
    def tooth_display(self) -> str:
        return display_tooth(self.tooth, self.numbering)

    @property
    def is_override(self) -> bool:
        """The fee differs from the schedule fee (MONEY-2: the discount stays visible)."""
        return self.fee is not None and self.schedule_fee is not None and money(self.fee) != money(self.schedule_fee)

    @property
    def is_completed(self) -> bool:
        return self.status is ItemStatus.COMPLETED

    @property
    def claimed(self) -> bool:
        """Whether insurance is estimated on the item: its code's option and the person's choice."""
        return charge_insurable(self.insurable, self.insurable_override)

    def facts(self) -> ItemFacts:
        """The item as the TP-* rules see it: every :class:`ItemFacts` field read by name."""
        values = {f.name: getattr(self, f.name) for f in fields(ItemFacts)}
        return ItemFacts(**values | {"prerequisites": frozenset(self.prerequisites)})

    def order(self) -> tuple[int, int, int]:
        """Where the item sits on screen and on the handout (TP-16)."""
        return plan_order_key(self.facts())


def _names(**wanted: object) -> tuple[str, ...]:
    return tuple(
        f.name for f in fields(PlanItemRecord) if all(f.metadata.get(key) == value for key, value in wanted.items())
    )


TYPED_FIELDS = _names(typed=True)
CODE_FIELDS = _names(comes_with="code")
FIELD_WORDS = {f.name: f.metadata["called"] for f in fields(PlanItemRecord) if f.metadata.get("called")}
COLUMNS = {f.name: f.metadata["column"] for f in fields(PlanItemRecord) if f.metadata.get("column")}
# What an item's audit snapshot records: the columns an edit writes, then how far the item is.
AUDITED_COLUMNS = (*COLUMNS.values(), "status", "completed_on")


def companions(changed: set[str] | list[str]) -> tuple[str, ...]:
    """The fields that come along with the typed fields ``changed`` (a code's name and flags)."""
    return tuple(f.name for f in fields(PlanItemRecord) if f.metadata.get("comes_with") in changed)


def record_values(record: PlanItemRecord) -> dict[str, Any]:
    """Every field of ``record`` by name (for a record of another kind built from it)."""
    return {f.name: getattr(record, f.name) for f in fields(PlanItemRecord)}


def column_values(record: PlanItemRecord) -> dict[str, Any]:
    """The plan_item columns an add or an edit writes, from the record (the one mapper to the row)."""
    return {column: getattr(record, name) for name, column in COLUMNS.items()}


def plan_line(record: PlanItemRecord, *, key: int, preauth: PreauthAnswer | None = None) -> PlanLine:
    """The one estimate input of an item (INS-9): saved (``key`` its id) or in the editor (its key)."""
    return PlanLine(
        key=key,
        code=record.code,
        category=record.category,
        fee=record.fee,
        code_insurable=record.insurable,
        insurable_choice=record.insurable_override,
        completed=record.is_completed,
        order=record.order(),
        tooth=record.tooth or "",
        benefit_year=record.benefit_year,
        preauth=preauth,
        visit=record.visit,
    )
