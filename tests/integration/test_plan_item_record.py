"""One plan-item record through every layer (TP-6): the service returns it, the editor keeps it
with its key and sends its typed fields back, and the row is read and written by one mapper."""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal

import pytest
from acting import staff
from sqlalchemy import select

from dentaldesk.db.models import PlanItem, Provider
from dentaldesk.domain.plan_items import AUDITED_COLUMNS, COLUMNS, TYPED_FIELDS, PlanItemRecord, column_values
from dentaldesk.services.plans import ItemChange, ItemInput, PlanChanges, add_item, create_plan, load_plan, save_draft
from dentaldesk.services.plans.inputs import item_input
from dentaldesk.services.practice.codes import copy_master_codes
from dentaldesk.ui.plans.working_copy import WorkingItem, WorkingPlan


@pytest.fixture
def saved_crown(fast_practice) -> tuple:
    """A plan with a crown #14 saved through the service."""
    uow, owner = fast_practice.uow, fast_practice.owner
    copy_master_codes(uow, owner, ["D2740", "D2391"])
    with uow:
        provider = uow.session.scalar(select(Provider.id))
    plan = create_plan(uow, owner, fast_practice.patient_ids[0], "Phase 1")
    entry = ItemInput(code="D2740", tooth="14", provider_id=provider, visit=2, notes="buildup first", rtu=45)
    saved = add_item(uow, owner, plan.plan_id, entry, expected_version=plan.version)
    return uow, owner, saved.plan_id, saved.item_id


def test_tp6_the_service_takes_exactly_the_records_typed_fields() -> None:
    """TP-6: what a person types in the item dialog (the record's typed fields) is what the services take."""
    assert {f.name for f in fields(ItemInput)} == set(TYPED_FIELDS)
    assert set(COLUMNS) <= {f.name for f in fields(PlanItemRecord)}
    assert all(hasattr(PlanItem, column) for column in AUDITED_COLUMNS)


def test_tp6_a_saved_item_reads_back_as_the_columns_it_was_written_with(saved_crown) -> None:
    """TP-6: the record the plan view returns carries the row's columns one to one (the one mapper)."""
    uow, _owner, plan_id, item_id = saved_crown
    record = load_plan(uow, staff(uow), plan_id).item(item_id)
    with uow:
        row = uow.session.get(PlanItem, item_id)
        stored = {column: getattr(row, column) for column in COLUMNS.values()}
    assert column_values(record) == stored
    assert (record.code, record.tooth, record.visit, record.rtu, record.notes) == (
        "D2740",
        "14",
        2,
        45,
        "buildup first",
    )


def test_tp6_the_editor_sends_back_the_same_item_unchanged(saved_crown) -> None:
    """TP-6, DATA-1: a working item is the record plus its key; re-sending it changes nothing."""
    uow, owner, plan_id, item_id = saved_crown
    view = load_plan(uow, staff(uow), plan_id)
    working = WorkingPlan.load(view)
    (item,) = working.items.values()
    assert isinstance(item, WorkingItem) and isinstance(item, PlanItemRecord)
    assert item.id == 0 and working.ids[item.key] == item_id  # known by its key (DATA-5)
    assert item_input(item) == item_input(view.item(item_id))
    working.replace_item(replace(item, fee=Decimal("1200.00")))
    changes = working.changes()
    assert changes == PlanChanges(changed=(ItemChange(item_id, item_input(working.item(item.key))),))
    saved = save_draft(uow, owner, plan_id, changes, expected_version=view.version)
    again = load_plan(uow, staff(uow), plan_id).item(item_id)
    assert (again.fee, again.schedule_fee, again.is_override) == (Decimal("1200.00"), Decimal("1350.00"), True)
    assert saved.version > view.version
