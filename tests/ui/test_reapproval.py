"""A changed approved plan (TP-12, TP-15): "Record new approval..." is there whenever the
patient's approval no longer covers the plan, by the same rule the service applies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from acting import staff
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from dentaldesk.db.models import Provider
from dentaldesk.domain.errors import RuleViolation
from dentaldesk.domain.terms import ApprovalMethod, PlanStatus
from dentaldesk.services.plans import ItemInput, add_item, approve, create_plan, load_plan
from dentaldesk.services.plans.status import record_approval
from dentaldesk.services.practice.codes import copy_master_codes
from dentaldesk.ui.plans.approval_dialog import ApprovalDialog
from dentaldesk.ui.plans.editor import PlanEditor


class Approved:
    """An approved plan of a crown on #14 and an exam, on paper."""

    def __init__(self, practice) -> None:
        self.p = practice
        self.uow = practice.uow
        copy_master_codes(self.uow, practice.owner, ["D0120", "D2740", "D2950"])
        with self.uow:
            provider = self.uow.session.scalar(select(Provider.id))
        saved = create_plan(self.uow, practice.owner, practice.patient_ids[0], "Crown")
        version = saved.version
        for code, tooth in (("D2740", "14"), ("D0120", "")):
            version = add_item(
                self.uow,
                practice.owner,
                saved.plan_id,
                ItemInput(code, tooth, provider_id=provider),
                expected_version=version,
            ).version
        self.plan_id = saved.plan_id
        approve(
            self.uow,
            practice.owner,
            self.plan_id,
            expected_version=version,
            approver_name="Anna Smith",
            method=ApprovalMethod.ON_PAPER,
        )

    def view(self):
        return load_plan(self.uow, staff(self.uow), self.plan_id)


@pytest.fixture
def plan(fast_practice) -> Approved:
    return Approved(fast_practice)


def open_editor(qtbot, plan: Approved, make_ctx) -> PlanEditor:
    editor = PlanEditor(make_ctx(plan.p.engine, plan.p.owner), plan.plan_id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=2000)
    return editor


def type_fee(qtbot, editor: PlanEditor, code: str, fee: str) -> None:
    """Select the item's row, F2, type the fee, Enter: as a person re-prices a line."""
    key = next(k for k, item in editor.working.items.items() if item.code == code)
    editor.tree.setCurrentIndex(editor.model.index_of(key))
    QTest.keyClick(editor.tree, Qt.Key.Key_F2)
    fee_editor = QApplication.focusWidget()
    assert fee_editor.objectName() == "fee_editor"
    fee_editor.selectAll()
    qtbot.keyClicks(fee_editor, fee)
    QTest.keyClick(fee_editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.undo_stack.count() >= 1)


def test_tp12_tp15_lowering_a_fee_leads_to_a_new_approval_not_a_dead_end(qtbot, plan, make_ctx, shots) -> None:
    """TP-12/TP-15: a lowered fee needs no re-approval of the total, but the signature stops
    matching; "Record new approval..." is enabled, records it, and the approval covers the plan again."""
    editor = open_editor(qtbot, plan, make_ctx)
    assert not editor.chrome.approve_button.isEnabled()
    assert editor.chrome.approve_action.toolTip() == "The patient's approval covers this plan as it stands."
    type_fee(qtbot, editor, "D2740", "1200")
    assert editor.chrome.approve_button.isEnabled()  # unsaved: saving will change what was approved
    QTest.keyClick(editor.tree, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.is_dirty())
    assert editor.panels.approval.mismatch.isVisible()
    assert "Record a new approval" in editor.panels.approval.mismatch.text()
    assert not plan.view().needs_reapproval  # the total went down
    assert editor.chrome.approve_button.isEnabled()
    qtbot.mouseClick(editor.chrome.approve_button, Qt.MouseButton.LeftButton)
    dialog = editor.dialog
    assert isinstance(dialog, ApprovalDialog)
    changes = dialog.changes.text()
    assert dialog.changes.isVisible() and "Changed since the last approval" in changes
    assert "D2740 #14: fee 1,350.00 → 1,200.00" in changes
    dialog.grab().save(str(shots / "reapproval_dialog.png"))
    dialog.method.setCurrentIndex(dialog.method.findData(ApprovalMethod.ON_PAPER))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    view = plan.view()
    assert view.status is PlanStatus.APPROVED and view.latest_approval.signature_matches
    assert view.latest_approval.total == view.total == Decimal("1265.00")
    assert not editor.panels.approval.mismatch.isVisible()
    assert not editor.chrome.approve_button.isEnabled()


def test_tp15_the_service_refuses_a_new_approval_of_an_unchanged_plan(plan) -> None:
    """TP-15: the same rule in the service: nothing changed since the approval, nothing to approve."""
    with pytest.raises(RuleViolation) as err:
        record_approval(
            plan.uow,
            plan.p.owner,
            plan.plan_id,
            expected_version=plan.view().version,
            approver_name="Anna Smith",
            method=ApprovalMethod.ON_PAPER,
        )
    assert err.value.message == "The patient's approval covers this plan as it stands."
