"""The one mapper between a plan_item row and :class:`PlanItemRecord`, each way (TP-6).

``record_of`` reads a row (with its code) into the record every layer above uses;
``write_record`` puts a checked record's columns on a row and says which changed. The columns are
the record's ``column`` fields (``domain.plan_items``), so a new item option is mapped with no
change here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk.db.models import ItemPrerequisite, PlanItem, ProcedureCode, Provider
from dentaldesk.domain.plan_items import COLUMNS, PlanItemRecord, column_values
from dentaldesk.domain.terms import ItemStatus, ToothNumbering


def record_of(
    item: PlanItem,
    code: ProcedureCode,
    numbering: ToothNumbering,
    *,
    provider_name: str = "",
    prerequisites: Iterable[int] = (),
) -> PlanItemRecord:
    """A plan_item row as the record: its columns by name (``COLUMNS``), its code's fields, and
    how far it is; ``provider_name`` only where a screen shows it."""
    columns = {name: getattr(item, column) for name, column in COLUMNS.items()}
    return PlanItemRecord(
        **columns | code_values(code),
        id=item.id,
        provider_name=provider_name,
        sequence=item.sequence,
        status=ItemStatus(item.status),
        completed_on=item.completed_on,
        approved_fee=item.approved_fee,
        benefit_year=item.benefit_year,
        prerequisites=tuple(prerequisites),
        numbering=numbering,
    )


def code_values(code: ProcedureCode) -> dict[str, Any]:
    """The record's fields a procedure code gives (CODE-4: its flags; the code itself)."""
    return {
        "code_id": code.id,
        "code": code.code,
        "name": code.name,
        "category": code.category,
        "insurable": bool(code.insurable),
        "requires_tooth": bool(code.requires_tooth),
        "requires_surface": bool(code.requires_surface),
        "charts_graphic": bool(code.charts_graphic),
    }


def write_record(item: PlanItem, record: PlanItemRecord) -> list[str]:
    """Put the record's columns on the row; the names of the columns that changed, in order."""
    changed = []
    for column, value in column_values(record).items():
        if getattr(item, column) != value:
            setattr(item, column, value)
            changed.append(column)
    return changed


def item_records_in(session: Session, plan_id: int, numbering: ToothNumbering, option_id: int) -> list[PlanItemRecord]:
    """One option's items (CASE-1) with their providers' names and links, in plan order (TP-16)."""
    prerequisites: dict[int, list[int]] = {}
    for item_id, prerequisite_id in session.execute(
        select(ItemPrerequisite.item_id, ItemPrerequisite.prerequisite_id)
        .join(PlanItem, PlanItem.id == ItemPrerequisite.item_id)
        .where(PlanItem.plan_id == plan_id, PlanItem.option_id == option_id)
        .order_by(ItemPrerequisite.id)
    ):
        prerequisites.setdefault(item_id, []).append(prerequisite_id)
    records = [
        record_of(item, code, numbering, provider_name=provider or "", prerequisites=prerequisites.get(item.id, ()))
        for item, code, provider in session.execute(
            select(PlanItem, ProcedureCode, Provider.name)
            .join(ProcedureCode, ProcedureCode.id == PlanItem.procedure_code_id)
            .outerjoin(Provider, Provider.id == PlanItem.provider_id)
            .where(PlanItem.plan_id == plan_id, PlanItem.option_id == option_id)
        )
    ]
    records.sort(key=PlanItemRecord.order)
    return records
