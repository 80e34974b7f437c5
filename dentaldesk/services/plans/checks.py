"""Checking an item's fields against its code, the office and the money rules (TP-6, CODE-3/4).

Used by every plan action that takes an item's fields: the office's rows (the code, the active
providers, the resolved fee) handed to the one pure item check, whose first refusal is raised as
a typed error naming the field, the message the dialog shows next to it (TX-VAL-1).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk.db.models import PlanItem, ProcedureCode, Provider
from dentaldesk.domain.item_check import TypedItem, check_choice, check_code, check_item, check_visit
from dentaldesk.domain.plan_items import TYPED_FIELDS, PlanItemRecord
from dentaldesk.domain.terms import ToothNumbering
from dentaldesk.services.plans.inputs import SCHEDULE_FEE, ItemInput
from dentaldesk.services.plans.records import code_values
from dentaldesk.services.practice.pricing import quote_fee_in


def find_code(session: Session, office_id: int, text: str, *, allow_inactive_id: int | None = None) -> ProcedureCode:
    """The office's code for what was typed; refuse a missing (CODE-3) or inactive code."""
    row = _code_row(session, office_id, text)
    problem = check_code(text or "", row, keep_inactive=row is not None and row.id == allow_inactive_id)
    if problem is not None:
        problem.refuse()
    assert row is not None
    return row


def _code_row(session: Session, office_id: int, text: str) -> ProcedureCode | None:
    typed = (text or "").strip().upper()
    if not typed:
        return None
    return session.scalar(
        select(ProcedureCode).where(ProcedureCode.office_id == office_id, ProcedureCode.code == typed)
    )


def resolve_item(
    session: Session,
    office_id: int,
    patient_id: int,
    numbering: ToothNumbering,
    entry: ItemInput,
    current: PlanItem | None = None,
) -> PlanItemRecord:
    """Check an item's fields against its code's flags and the office (TP-6, CODE-3/4, ID-1/2/3):
    the record the item is written with (``records.write_record``).

    The one item check of :mod:`dentaldesk.domain.item_check`, the dialog's too, with the code's
    row, the office's active providers and the resolved fee; its first refusal is raised.
    """
    keep_id = current.procedure_code_id if current is not None else None
    code = find_code(session, office_id, entry.code, allow_inactive_id=keep_id)
    if current is not None and current.procedure_code_id == code.id:
        schedule_fee, fee_source = current.schedule_fee, current.fee_source
    else:
        quote = quote_fee_in(session, patient_id, code.code)
        schedule_fee, fee_source = quote.fee, quote.source
    providers = set(
        session.scalars(select(Provider.id).where(Provider.office_id == office_id, Provider.active.is_(True)))
    )
    checked = check_item(
        TypedItem(
            code=entry.code,
            tooth=entry.tooth or "",
            surfaces=entry.surfaces or "",
            provider_id=entry.provider_id,
            collection_provider_id=entry.collection_provider_id,
            fee=schedule_fee if entry.fee is SCHEDULE_FEE else entry.fee,
            rtu=entry.rtu,
        ),
        code,
        numbering,
        providers=providers,
        keep_inactive=code.id == keep_id,
        schedule_fee=schedule_fee,
        fee_source=fee_source,
    )
    checked.refuse_first()
    # A typed option no rule here concerns is taken as given (the guard checked its kind).
    values: dict[str, Any] = {name: getattr(entry, name) for name in TYPED_FIELDS}
    values |= code_values(code) | {
        "tooth": checked.tooth,
        "surfaces": checked.surfaces,
        "fee": checked.fee,
        "schedule_fee": schedule_fee,
        "fee_source": fee_source[:120],
        "rtu": checked.rtu,
        "visit": check_visit(entry.visit),
        "notes": (entry.notes or "").strip(),
        "taxable_override": check_choice(entry.taxable_override, "taxable"),
        "insurable_override": check_choice(entry.insurable_override, "insurable"),
        "numbering": numbering,
    }
    return PlanItemRecord(**values)
