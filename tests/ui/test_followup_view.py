"""The Follow-up view (CASE-3): the waiting plans as the front desk sees them, a contact recorded
from the list into the plan's history, a declined plan cancelled with its reason (TP-1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from dentaldesk.domain.terms import PlanStatus
from dentaldesk.services.plans import load_plan
from dentaldesk.ui.plans.followup_view import ContactDialog, FollowUpView


def make_view(qtbot, case_desk, make_ctx, actor=None) -> FollowUpView:
    view = FollowUpView(make_ctx(case_desk.p.engine, actor or case_desk.front))
    qtbot.addWidget(view)
    view.resize(1250, 420)
    view.show()
    view.refresh()
    return view


def three_plans(case_desk) -> dict[str, int]:
    d = case_desk
    return {
        "crowns": d.plan(
            0, "Crowns", [("D2740", "14", "1200.00"), ("D2740", "3", "1100.00")], approved=dt.date(2026, 4, 2), done=1
        ),
        "implant": d.plan(1, "Implant", [("D6010", "19", "2400.00")], presented=dt.date(2026, 4, 22)),
        "cleaning": d.plan(
            2, "Cleaning", [("D1110", "", "95.00")], provider=d.hygienist, presented=dt.date(2026, 3, 13)
        ),
    }


def cell(view: FollowUpView, row: int, column: str) -> str:
    names = [c.title for c in view.model.columns]
    return view.model.index(row, names.index(column)).data()


def test_case3_the_list_shows_the_waiting_plans_oldest_first_and_filters(
    qtbot, case_desk, make_ctx, shots: Path
) -> None:
    """CASE-3: phone, amounts, days waiting, last contact; the provider and amount filters narrow the list."""
    plans = three_plans(case_desk)
    view = make_view(qtbot, case_desk, make_ctx)
    assert view.model.rowCount() == 3
    assert [cell(view, n, "Plan") for n in range(3)] == ["Cleaning", "Crowns", "Implant"]
    assert (cell(view, 0, "Phone"), cell(view, 0, "Days"), cell(view, 0, "Waiting for")) == (
        "555-0102",
        "60",
        "approval",
    )
    assert (cell(view, 1, "Total"), cell(view, 1, "Still to do")) == ("2,300.00", "1,100.00")
    assert cell(view, 2, "Last contact") == "none yet"
    assert view.summary.text() == "3 plans waiting; 3,595.00 still to do."
    view.grab().save(str(shots / "followup.png"))
    qtbot.keyClicks(view.min_amount, "1,500")
    QTest.keyClick(view.min_amount, Qt.Key.Key_Return)
    assert [cell(view, n, "Plan") for n in range(view.model.rowCount())] == ["Implant"]
    view.min_amount.clear()
    qtbot.keyClicks(view.min_amount, "12,34")
    QTest.keyClick(view.min_amount, Qt.Key.Key_Return)
    assert view.amount_error.isVisible() and "not an amount" in view.amount_error.text()
    view.min_amount.clear()
    QTest.keyClick(view.min_amount, Qt.Key.Key_Return)
    view.provider.setCurrentIndex(view.provider.findText("Dr. Hana Hygiene"))
    assert [cell(view, n, "Plan") for n in range(view.model.rowCount())] == ["Cleaning"]
    assert plans  # the three plans above


def test_case3_a_contact_recorded_from_the_list_shows_in_the_row_and_the_plans_history(
    qtbot, case_desk, make_ctx, shots: Path
) -> None:
    """CASE-3 story: Enter on a row, "Will call back" with a day and a note, Record: the row's last
    contact says it and the plan's history keeps it."""
    plans = three_plans(case_desk)
    view = make_view(qtbot, case_desk, make_ctx)
    view.table.setFocus()
    view.table.selectRow(2)
    QTest.keyClick(view.table, Qt.Key.Key_Return)
    dialog = view.dialog
    assert isinstance(dialog, ContactDialog) and dialog.row.plan_id == plans["implant"]
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findText("Declined"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.errors["note"].isVisible()
    assert "Say why the patient declined" in dialog.errors["note"].text()
    dialog.kind.setCurrentIndex(dialog.kind.findText("Will call back"))
    assert dialog.call_back.isEnabled()
    qtbot.keyClicks(dialog.note, "Checking with her insurer")
    dialog.grab().save(str(shots / "followup_contact.png"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    row = next(n for n in range(view.model.rowCount()) if cell(view, n, "Plan") == "Implant")
    assert cell(view, row, "Last contact") == "2026-05-12: Will call back on 2026-05-19: Checking with her insurer"
    history = [h.detail for h in load_plan(case_desk.uow, case_desk.owner, plans["implant"]).history]
    assert "Contact: Will call back on 2026-05-19: Checking with her insurer" in history


def test_case3_a_declined_plan_is_cancelled_from_the_list_with_the_decline_reason(qtbot, case_desk, make_ctx) -> None:
    """CASE-3: the desk records the decline; the Owner cancels from Follow-up with that reason; the
    front desk's Cancel plan is disabled with the reason (TP-1)."""
    plans = three_plans(case_desk)
    desk_view = make_view(qtbot, case_desk, make_ctx)
    assert not desk_view.cancel_button.isEnabled() and "cannot cancel plans (TP-1)" in desk_view.cancel_button.toolTip()
    desk_view.table.selectRow(0)
    dialog = desk_view.record_contact()
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findText("Declined"))
    qtbot.keyClicks(dialog.note, "Cost")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    owner_view = make_view(qtbot, case_desk, make_ctx, case_desk.owner)
    owner_view.table.selectRow(0)
    qtbot.mouseClick(owner_view.cancel_button, Qt.MouseButton.LeftButton)
    cancel = owner_view.dialog
    qtbot.addWidget(cancel)
    assert cancel.reason.toPlainText() == "Declined: Cost"
    qtbot.mouseClick(cancel.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not cancel.isVisible())
    assert load_plan(case_desk.uow, case_desk.owner, plans["cleaning"]).status is PlanStatus.CANCELLED
    assert [cell(owner_view, n, "Plan") for n in range(owner_view.model.rowCount())] == ["Crowns", "Implant"]
    assert QApplication.activeModalWidget() is None
