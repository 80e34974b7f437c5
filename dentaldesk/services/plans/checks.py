"""Checking an item's fields against its code, the office and the money rules (TP-6, CODE-3/4).

Used by every plan action that takes an item's fields; raises typed errors naming the field so
the dialog can show them next to it (TX-VAL-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk.db.models import PlanItem, ProcedureCode, Provider
from dentaldesk.domain.codes import parse_rtu
from dentaldesk.domain.errors import NotFound, RuleViolation, ValidationError
from dentaldesk.domain.money import money, parse_money
from dentaldesk.domain.teeth import display_tooth, parse_surfaces, parse_tooth
from dentaldesk.domain.terms import ToothNumbering
from dentaldesk.services.plans.inputs import SCHEDULE_FEE, ItemInput
from dentaldesk.services.practice.pricing import quote_fee_in

MAX_VISIT = 99


def code_missing_message(code: str) -> str:
    """CODE-3: what to do when a code is not in the office's list (seed 000 troubleshooting)."""
    return (
        f"{code} is not in the office's procedure code list. To use it, add it under "
        "Settings -> Procedure codes or copy it from the master list."
    )


def find_code(session: Session, office_id: int, text: str, *, allow_inactive_id: int | None = None) -> ProcedureCode:
    """The office's code for what was typed; refuse a missing (CODE-3) or inactive code."""
    typed = (text or "").strip().upper()
    if not typed:
        raise ValidationError("Choose a procedure code.", "code")
    row = session.scalar(select(ProcedureCode).where(ProcedureCode.office_id == office_id, ProcedureCode.code == typed))
    if row is None:
        raise NotFound(code_missing_message(typed), "code")
    if not row.active and row.id != allow_inactive_id:
        raise RuleViolation(
            f"{row.code} ({row.name}) is inactive in the office's code list. Make it active under "
            "Settings -> Procedure codes, or choose another code.",
            "code",
        )
    return row


def item_label(code: str, tooth: str | None, numbering: ToothNumbering) -> str:
    """How an item is named in messages and undo steps: ``D2740 #14`` (ID-1 display form)."""
    return f"{code} #{display_tooth(tooth, numbering)}" if tooth else code


@dataclass(frozen=True)
class Resolved:
    """An :class:`ItemInput` checked against the code's flags and the office (TP-6, CODE-4)."""

    code: ProcedureCode
    tooth: str | None
    surfaces: str
    provider_id: int | None
    collection_provider_id: int | None
    fee: Decimal | None
    schedule_fee: Decimal | None
    fee_source: str
    rtu: int
    visit: int | None
    notes: str
    taxable_override: bool | None
    insurable_override: bool | None


def check_fee(value: object) -> Decimal | None:
    """A fee as typed or given: text parsed (MONEY-1), never negative (MONEY-2)."""
    if value is None:
        return None
    if isinstance(value, str):
        return parse_money(value, field="fee") if value.strip() else None
    if isinstance(value, (float, bool)) or not isinstance(value, (Decimal, int)):
        raise ValidationError("A fee is an amount such as 125.00.", "fee")
    fee = money(value)
    if fee < 0:
        raise ValidationError("A fee cannot be negative.", "fee")
    return fee


def check_choice(value: object, field: str) -> bool | None:
    """A Taxable or Insurable choice: ticked, unticked, or None for the default (TX-TAX-2, TX-INS-1)."""
    if value is None or isinstance(value, bool):
        return value
    raise ValidationError("Tick the box, untick it, or leave it to the code's default.", field)


def check_visit(value: object) -> int | None:
    """A visit (phase) number, 1 to 99, or None for no visit (TP-16)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VISIT:
        raise ValidationError(f"A visit is numbered 1 to {MAX_VISIT}.", "visit")
    return value


def resolve_item(
    session: Session,
    office_id: int,
    patient_id: int,
    numbering: ToothNumbering,
    entry: ItemInput,
    current: PlanItem | None = None,
) -> Resolved:
    """Check an item's fields against its code's flags and the office (TP-6, CODE-3/4, ID-1/2)."""
    keep_id = current.procedure_code_id if current is not None else None
    code = find_code(session, office_id, entry.code, allow_inactive_id=keep_id)
    tooth_text = (entry.tooth or "").strip()
    tooth = parse_tooth(tooth_text, numbering) if tooth_text else None
    surfaces = parse_surfaces(entry.surfaces or "")
    if surfaces and not code.requires_surface:
        raise ValidationError(f"{code.code} ({code.name}) does not take surfaces; leave Surfaces empty.", "surfaces")
    provider_id = check_provider(session, office_id, entry.provider_id, "provider")
    collection_id = check_provider(session, office_id, entry.collection_provider_id, "collection_provider")
    rtu = code.default_rtu if entry.rtu is None else entry.rtu
    if isinstance(rtu, str):
        rtu = parse_rtu(rtu)
    if isinstance(rtu, bool) or not isinstance(rtu, int) or rtu < 0:
        raise ValidationError("RTU's are whole minutes (0 or more).", "rtu")
    same_code = current is not None and current.procedure_code_id == code.id
    if same_code:
        assert current is not None
        schedule_fee, fee_source = current.schedule_fee, current.fee_source
    else:
        quote = quote_fee_in(session, patient_id, code.code)
        schedule_fee, fee_source = quote.fee, quote.source
    fee = schedule_fee if entry.fee is SCHEDULE_FEE else check_fee(entry.fee)
    return Resolved(
        code=code,
        tooth=tooth,
        surfaces=surfaces,
        provider_id=provider_id,
        collection_provider_id=collection_id,
        fee=fee,
        schedule_fee=schedule_fee,
        fee_source=fee_source[:120],
        rtu=rtu,
        visit=check_visit(entry.visit),
        notes=(entry.notes or "").strip(),
        taxable_override=check_choice(entry.taxable_override, "taxable"),
        insurable_override=check_choice(entry.insurable_override, "insurable"),
    )


def check_provider(session: Session, office_id: int, provider_id: int | None, field: str) -> int | None:
    if provider_id is None:
        return None
    provider = session.get(Provider, provider_id)
    if provider is None or provider.office_id != office_id or not provider.active:
        raise ValidationError("Choose an active provider of this office.", field)
    return provider.id
