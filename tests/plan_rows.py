"""Plan items and plan views as the plan services return them, built by hand for tests of the
editor's working copy and item tree without a database or a window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dentaldesk.domain.money import ZERO
from dentaldesk.domain.plans import progress
from dentaldesk.domain.terms import Category, ItemStatus, PlanStatus, ToothNumbering
from dentaldesk.services.plans import PlanItemRecord, PlanView

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def row(
    item_id: int, code: str, fee: str, *, tooth: str | None = None, prerequisites: tuple[int, ...] = ()
) -> PlanItemRecord:
    return PlanItemRecord(
        id=item_id,
        code_id=item_id,
        code=code,
        name=f"name of {code}",
        category=Category.RESTORATIVE,
        insurable=True,
        requires_tooth=tooth is not None,
        requires_surface=False,
        charts_graphic=False,
        tooth=tooth,
        surfaces="",
        provider_id=1,
        provider_name="Dr. Dent",
        collection_provider_id=None,
        fee=Decimal(fee),
        schedule_fee=Decimal(fee),
        fee_source="Fee schedule 0",
        rtu=30,
        visit=1,
        sequence=item_id,
        status=ItemStatus.PLANNED,
        completed_on=None,
        approved_fee=None,
        prerequisites=prerequisites,
        notes="",
    )


def view(*rows: PlanItemRecord, version: int = 3) -> PlanView:
    facts = [r.facts() for r in rows]
    return PlanView(
        id=7,
        office_id=1,
        office_code="TST01",
        numbering=ToothNumbering.UNIVERSAL,
        patient_id=1,
        patient_name="Anna Smith",
        patient_number="1001",
        account_number="A1",
        title="Phase 1",
        status=PlanStatus.DRAFT,
        version=version,
        created_at=NOW,
        updated_at=NOW,
        cancel_reason="",
        items=rows,
        total=sum((r.fee for r in rows), ZERO),
        approved_total=None,
        progress=progress(facts),
        approval_problems=(),
        needs_reapproval=False,
        blocked_item_ids=frozenset(),
        latest_approval=None,
        history=(),
    )
