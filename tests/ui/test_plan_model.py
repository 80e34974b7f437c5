"""The plan editor's item tree model and its controllers' rules driven directly, with no view and
no editor: the working copy in, the rows and texts a person would read out (TP-7, TP-8, TP-9,
TP-16, MONEY-2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from plan_rows import row, view
from PySide6.QtCore import QModelIndex, Qt

from dentaldesk.domain.terms import ItemStatus, PlanStatus
from dentaldesk.ui.plans.plan_model import COLUMNS, FEE_COLUMN, KEY_ROLE, Grouping, PlanTreeModel
from dentaldesk.ui.plans.status_flows import completion_refusal
from dentaldesk.ui.plans.working_copy import WorkingPlan

CODE, TOOTH, STATUS = COLUMNS.index("Code"), COLUMNS.index("Tooth"), COLUMNS.index("Status")


def texts(model: PlanTreeModel, parent: QModelIndex | None = None) -> list[tuple[str, ...]]:
    """Each row under ``parent`` as the columns show it."""
    parent = parent or QModelIndex()
    return [
        tuple(model.index(r, c, parent).data(Qt.ItemDataRole.DisplayRole) for c in range(len(COLUMNS)))
        for r in range(model.rowCount(parent))
    ]


def extraction_and_implant() -> WorkingPlan:
    """An extraction #19 in visit 1, the implant #19 that waits for it in visit 2, a cleaning."""
    return WorkingPlan.load(
        view(
            row(10, "D7140", "185", tooth="19"),
            replace(row(11, "D6010", "2300", tooth="19", prerequisites=(10,)), visit=2),
            row(12, "D1110", "95"),
        )
    )


def test_tp8_by_dependency_an_item_sits_under_the_item_it_waits_for(qapp) -> None:
    """TP-8: the implant is a child row of the extraction; the cleaning stands alone."""
    model = PlanTreeModel()
    model.rebuild(extraction_and_implant(), editable_fees=True)
    top = texts(model)
    assert [(t[CODE], t[TOOTH]) for t in top] == [("D7140", "19"), ("D1110", "")]
    extraction = model.index(0, 0)
    assert [t[CODE] for t in texts(model, extraction)] == ["D6010"]
    assert top[0][FEE_COLUMN] == "185.00" and top[0][STATUS] == "Planned"


def test_tp16_by_visit_each_visit_is_a_group_with_its_chair_time_and_fees(qapp) -> None:
    """TP-16, TX-RTU-1: one group row per visit with its items, minutes and fees."""
    model = PlanTreeModel()
    model.grouping = Grouping.BY_VISIT
    model.rebuild(extraction_and_implant(), editable_fees=True)
    captions = [t[0] for t in texts(model)]
    assert captions == [
        "Visit 1 - 2 items, 60 min chair time, 280.00",
        "Visit 2 - 1 item, 30 min chair time, 2,300.00",
    ]
    assert [t[CODE] for t in texts(model, model.index(0, 0))] == ["D7140", "D1110"]


def test_money2_an_override_shows_what_it_replaced_and_only_planned_fees_are_editable(qapp) -> None:
    """MONEY-2: an overridden fee names the schedule fee and the discount; a completed item's fee
    cell is not editable and its status says when it was done (TP-9)."""
    plan = WorkingPlan.load(
        view(
            replace(row(10, "D2740", "1350", tooth="14"), fee=Decimal("1200.00")),
            replace(row(11, "D0120", "65"), status=ItemStatus.COMPLETED, completed_on=dt.date(2026, 11, 20)),
        )
    )
    model = PlanTreeModel()
    model.rebuild(plan, editable_fees=True)
    crown, exam = texts(model)
    assert crown[FEE_COLUMN] == "1,200.00 (schedule fee 1,350.00, discount 150.00)"
    assert exam[STATUS] == "\u2713 Completed 2026-11-20"
    assert model.itemFromIndex(model.index(0, FEE_COLUMN)).isEditable()
    assert not model.itemFromIndex(model.index(1, FEE_COLUMN)).isEditable()


def test_tp7_a_fee_changed_in_the_working_copy_updates_its_cell_and_its_visit_caption(qapp) -> None:
    """TP-7: update_fee redraws the one row and its visit's total without a rebuild."""
    plan = extraction_and_implant()
    model = PlanTreeModel()
    model.grouping = Grouping.BY_VISIT
    model.rebuild(plan, editable_fees=True)
    key = next(k for k, i in plan.items.items() if i.code == "D7140")
    plan.replace_item(replace(plan.item(key), fee=Decimal("200.00")))
    model.update_fee(plan, key)
    index = model.index_of(key)
    assert model.key_at(index) == key and index.data(KEY_ROLE) == key
    assert index.siblingAtColumn(FEE_COLUMN).data() == "200.00 (schedule fee 185.00)"
    assert model.index(0, 0).data() == "Visit 1 - 2 items, 60 min chair time, 295.00"


def test_tp9_completing_waits_for_a_save_and_for_the_prerequisite(qapp) -> None:
    """TP-9: an unsaved item cannot be completed; the implant waits for its extraction."""
    plan = WorkingPlan.load(
        replace(
            view(
                row(10, "D7140", "185", tooth="19"),
                replace(row(11, "D6010", "2300", tooth="19", prerequisites=(10,)), visit=2),
            ),
            status=PlanStatus.APPROVED,
            approved_total=Decimal("2485.00"),
        )
    )
    extraction, implant = (next(k for k, i in plan.items.items() if i.code == code) for code in ("D7140", "D6010"))
    assert completion_refusal(plan, extraction) is None
    assert "D7140 #19" in (completion_refusal(plan, implant) or "")
    new_key = plan.new_key()
    plan.add(replace(plan.item(extraction), key=new_key, sequence=plan.sequence_after()))
    assert completion_refusal(plan, new_key) == "Save the plan first (Ctrl+S)."
