"""The plan editor driven as a person does: type a code, pick a tooth, type a fee and watch the total,
link, refuse a loop, approve and sign, complete, undo and redo by name (TP-1 .. TP-15, CODE-2/3/4)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from acting import staff
from field_help import press_f1, snap_help
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from dentaldesk.db.models import LedgerTransaction, Patient, PlanItem, Provider
from dentaldesk.db.models import Office as OfficeRow
from dentaldesk.domain.terms import ApprovalMethod, PlanStatus, ToothNumbering
from dentaldesk.services.plans import (
    ItemInput,
    add_item,
    approve,
    create_plan,
    edit_item,
    link_prerequisite,
    load_plan,
)
from dentaldesk.services.practice.codes import copy_master_codes
from dentaldesk.ui.ledger.aging_report import AgingReportWindow
from dentaldesk.ui.ledger.view import LedgerView
from dentaldesk.ui.plans.approval_dialog import ApprovalDialog
from dentaldesk.ui.plans.dialogs import CancelPlanDialog, CompleteItemDialog, DependsOnDialog
from dentaldesk.ui.plans.editor import PlanEditor
from dentaldesk.ui.plans.plan_model import COLUMNS, FEE_COLUMN
from dentaldesk.ui.transactions import PatientTransactionDialog

CODES = ["D0120", "D2391", "D2740", "D2950", "D6010", "D7140"]
CTRL = Qt.KeyboardModifier.ControlModifier


class Office:
    """The small practice with codes in its list, and plans made through the services."""

    def __init__(self, practice) -> None:
        self.p = practice
        self.uow = practice.uow
        self.engine = practice.engine
        self.patient = practice.patient_ids[0]
        copy_master_codes(self.uow, practice.owner, CODES)
        with self.uow:
            self.provider = self.uow.session.scalar(select(Provider.id))

    def plan(self, *items: tuple, links: tuple[tuple[int, int], ...] = ()) -> tuple[int, list[int]]:
        """A plan of ``(code, tooth, visit[, fee])`` items; links by position (item, prerequisite)."""
        saved = create_plan(self.uow, self.p.owner, self.patient, "Phase 1: restorations")
        version, ids = saved.version, []
        for code, tooth, visit, *fee in items:
            extra = {"fee": fee[0]} if fee else {}
            done = add_item(
                self.uow,
                self.p.owner,
                saved.plan_id,
                ItemInput(code, tooth, provider_id=self.provider, visit=visit, **extra),
                expected_version=version,
            )
            version = done.version
            ids.append(done.item_id)
        for item, prerequisite in links:
            version = link_prerequisite(
                self.uow, self.p.owner, saved.plan_id, ids[item], ids[prerequisite], expected_version=version
            ).version
        return saved.plan_id, ids

    def count(self, model, *where) -> int:
        with self.uow:
            return self.uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def office(fast_practice) -> Office:
    return Office(fast_practice)


def open_editor(qtbot, office: Office, make_ctx, plan_id: int, actor=None) -> PlanEditor:
    editor = PlanEditor(make_ctx(office.engine, actor or office.p.owner), plan_id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    activate(qtbot, editor)
    return editor


def activate(qtbot, editor: PlanEditor) -> None:
    """Shortcuts belong to the active window, as on a desktop after a dialog closes."""
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=2000)


def press(qtbot, editor: PlanEditor, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    activate(qtbot, editor)
    QTest.keyClick(editor.tree, key, modifier)


def row_texts(editor: PlanEditor) -> list[tuple[int, str, str]]:
    """Every row of the tree as (depth, code or caption, fee), top to bottom."""
    model, out = editor.model, []

    def walk(parent, depth: int) -> None:
        for r in range(model.rowCount(parent)):
            index = model.index(r, 0, parent)
            out.append((depth, index.data(), model.index(r, FEE_COLUMN, parent).data() or ""))
            walk(index, depth + 1)

    walk(QModelIndex(), 0)
    return out


def total(editor: PlanEditor) -> str:
    return editor.totals.total.accessibleDescription()


def select_code(editor: PlanEditor, code: str) -> None:
    key = next(k for k, item in editor.working.items.items() if item.code == code)
    editor.tree.setCurrentIndex(editor.model.index_of(key))


def menu_text(action) -> str:
    return action.text().replace("&", "")


def draw_signature(qtbot, pad) -> None:
    """Sign with the mouse: two strokes across the pad."""
    for y in (60, 80):
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(30, y))
        for x in range(40, 300, 20):
            QTest.mouseMove(pad, QPoint(x, y + (x % 40) - 10))
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(300, y))


# --- adding an item (CODE-2, TX-FEE, TP-7)


def test_tp7_type_a_code_pick_a_tooth_type_a_fee_and_see_the_total_before_saving(
    qtbot, office, make_ctx, shots
) -> None:
    """CODE-2/TP-7: "crown" finds D2740, tooth 14 picked, 1,200 typed: the total follows before OK and save."""
    plan_id, _ = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    assert total(editor) == "Total 65.00"
    press(qtbot, editor, Qt.Key.Key_Insert)
    dialog = editor.dialog
    assert isinstance(dialog, PatientTransactionDialog) and dialog.isVisible()
    assert dialog.header.office_id.text() == "TST01" and dialog.header.office_id.isReadOnly()
    assert dialog.header.patient_account.text() == "1001 / A1"
    section = dialog.procedure
    qtbot.keyClicks(section.code_edit, "crown")
    shown = [section.results.item(i).text() for i in range(section.results.count())]
    assert shown == ["D2740  Crown, all porcelain", "D2950  Core buildup for crown"]
    assert not dialog.ok_button.isEnabled()
    QTest.keyClick(section.code_edit, Qt.Key.Key_Down)
    QTest.keyClick(section.results, Qt.Key.Key_Return)
    assert section.code_edit.text() == "D2740" and section.description.text() == "Crown, all porcelain"
    assert section.fee.text() == "1,350.00" and section.fee_source_label.text() == "Fee schedule 0"
    assert section.rtu.text() == "90"
    assert "needs a tooth" in section.hints["tooth"].text()
    section.tooth.setCurrentIndex(section.tooth.findText("14"))
    assert not section.hints["tooth"].isVisible()
    section.fee.selectAll()
    qtbot.keyClicks(section.fee, "1200")
    assert total(editor) == "Total 1,265.00"  # TP-7: before OK, before any save
    assert section.fee_source_label.text() == "Override; Fee schedule 0: 1,350.00"
    qtbot.wait(20)  # the layout settles as it does between a person's keystrokes
    dialog.grab().save(str(shots / "transaction_dialog.png"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert ("D2740" in [r[1] for r in row_texts(editor)]) and total(editor) == "Total 1,265.00"
    assert "1,200.00 (schedule fee 1,350.00, discount 150.00)" in [r[2] for r in row_texts(editor)]
    assert editor.windowTitle().startswith("* ")
    assert office.count(PlanItem) == 1  # nothing saved yet
    press(qtbot, editor, Qt.Key.Key_S, CTRL)
    assert not editor.windowTitle().startswith("* ")
    view = load_plan(office.uow, staff(office.uow), plan_id)
    crown = next(row for row in view.items if row.code == "D2740")
    assert (crown.tooth, crown.fee, crown.schedule_fee) == ("14", Decimal("1200.00"), Decimal("1350.00"))


def test_code3_a_code_missing_from_the_office_list_is_refused_at_the_field(qtbot, office, make_ctx) -> None:
    """CODE-3: typing D9999 says where to add it; OK stays disabled; Cancel changes nothing."""
    plan_id, _ = office.plan()
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    dialog = editor.add_item()
    qtbot.keyClicks(dialog.procedure.code_edit, "D9999")
    error = dialog.procedure.messages["code"]
    assert error.isVisible() and "Settings -> Procedure codes" in error.text() and "master list" in error.text()
    assert not dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert editor.working.items == {} and not editor.is_dirty()


@pytest.mark.parametrize(
    ("code", "tooth", "surfaces", "fee", "field", "says"),
    [
        ("D2740", "33", "", "", "tooth", "1-32"),  # ID-1
        ("D2740", "14", "MO", "", "surfaces", "does not take surfaces"),  # CODE-4
        ("D2391", "14", "MOX", "", "surfaces", "'X' is not a surface"),  # ID-2
        ("D2740", "14", "", "-5", "fee", "cannot be negative"),  # MONEY-2
        ("D2740", "14", "", "12,3a", "fee", "is not an amount"),  # MONEY-1
    ],
)
def test_tx_val1_bad_input_is_refused_at_its_field_and_ok_stays_disabled(
    qtbot, office, make_ctx, code, tooth, surfaces, fee, field, says
) -> None:
    """TX-VAL-1, ID-1/2, CODE-4, MONEY-1/2: each bad field shows why next to it; OK is disabled."""
    plan_id, _ = office.plan()
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    dialog = editor.add_item()
    section = dialog.procedure
    qtbot.keyClicks(section.code_edit, code)
    assert section.code is not None
    qtbot.keyClicks(section.tooth.lineEdit(), tooth)
    qtbot.keyClicks(section.surfaces, surfaces)
    if fee:
        section.fee.clear()
        qtbot.keyClicks(section.fee, fee)
    assert section.messages[field].isVisible() and says in section.messages[field].text()
    assert not dialog.ok_button.isEnabled()


# --- dependencies (TP-8) and grouping (TP-16)


def test_tp8_depends_on_builds_the_tree_and_a_loop_is_refused_with_its_path(qtbot, office, make_ctx, shots) -> None:
    """TP-8: the implant depends on the extraction and shows under it; the reverse link is refused."""
    plan_id, _ = office.plan(
        ("D7140", "19", 1), ("D6010", "19", 2), ("D2950", "14", 1), ("D2740", "14", 2, "1000"), links=((3, 2),)
    )
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    select_code(editor, "D6010")
    press(qtbot, editor, Qt.Key.Key_D, CTRL)
    dialog = editor.dialog
    assert isinstance(dialog, DependsOnDialog)
    ext = next(i for i in range(dialog.choices.count()) if dialog.choices.item(i).text().startswith("D7140"))
    dialog.choices.setCurrentRow(ext)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert row_texts(editor)[:2] == [(0, "D7140", "185.00"), (1, "D6010", "2,300.00")]
    assert menu_text(editor.chrome.undo_action) == "Undo Make D6010 #19 depend on D7140 #19"
    editor.grab().save(str(shots / "editor_draft_dependency_tree.png"))
    select_code(editor, "D7140")
    dialog = editor.depends_on()
    implant = next(i for i in range(dialog.choices.count()) if dialog.choices.item(i).text().startswith("D6010"))
    dialog.choices.setCurrentRow(implant)
    assert dialog.error.isVisible()
    assert "(D7140 #19 -> D6010 #19 -> D7140 #19)" in dialog.error.text()
    assert not dialog.ok_button.isEnabled()
    dialog.reject()
    editor.set_grouping(editor.model.grouping.BY_VISIT)
    captions = [r[1] for r in row_texts(editor) if r[0] == 0]
    assert captions == [
        "Visit 1 - 2 items, 60 min chair time, 470.00",
        "Visit 2 - 2 items, 180 min chair time, 3,300.00",
    ]
    assert editor.totals.chair.text() == "Chair time - Visit 1: 60 min · Visit 2: 180 min"
    editor.grab().save(str(shots / "editor_draft_by_visit.png"))


# --- undo and redo by name (STYLE.md 7), fee typed in place (TP-7)


def test_tp7_fee_typed_in_the_row_moves_the_total_and_undo_redo_name_the_edit(qtbot, office, make_ctx) -> None:
    """TP-7: F2 on the crown, typing 999 moves the total at each key; Ctrl+Z/Ctrl+Y name "Change fee of D2740 #14"."""
    plan_id, _ = office.plan(("D2740", "14", 1), ("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    assert total(editor) == "Total 1,415.00"
    select_code(editor, "D2740")
    press(qtbot, editor, Qt.Key.Key_F2)
    fee_editor = QApplication.focusWidget()
    assert fee_editor.objectName() == "fee_editor" and fee_editor.text() == "1,350.00"
    qtbot.keyClicks(fee_editor, "9")
    assert editor.totals.total.text().endswith("(typing)") and total(editor) == "Total 74.00"
    qtbot.keyClicks(fee_editor, "99")
    assert total(editor) == "Total 1,064.00"
    QTest.keyClick(fee_editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.undo_stack.count() == 1)
    assert total(editor) == "Total 1,064.00" and not editor.totals.total.text().endswith("(typing)")
    assert menu_text(editor.chrome.undo_action) == "Undo Change fee of D2740 #14"
    assert "999.00 (schedule fee 1,350.00, discount 351.00)" in [r[2] for r in row_texts(editor)]
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)
    assert total(editor) == "Total 1,415.00"
    assert menu_text(editor.chrome.redo_action) == "Redo Change fee of D2740 #14"
    press(qtbot, editor, Qt.Key.Key_Y, CTRL)
    assert total(editor) == "Total 1,064.00"
    select_code(editor, "D0120")
    press(qtbot, editor, Qt.Key.Key_Delete)
    assert menu_text(editor.chrome.undo_action) == "Undo Remove D0120" and total(editor) == "Total 999.00"
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)
    assert total(editor) == "Total 1,064.00" and editor.is_dirty()


def test_f1_in_the_item_list_explains_the_column_and_the_fee_being_typed(qtbot, office, make_ctx, shots) -> None:
    """F1 in the plan editor: on the list it says what the list is and its keys; on a Tooth cell it
    names the office's numbering (an FDI office: ID-1); in the fee typed with F2 it says what a plan
    fee is and what it accepts (TP-7, MONEY-3)."""
    with office.uow:
        office.uow.session.get(OfficeRow, office.p.office_id).tooth_numbering = ToothNumbering.FDI
        office.uow.commit()
    plan_id, _ = office.plan(("D2740", "16", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    select_code(editor, "D2740")
    assert press_f1(qtbot, editor.tree).startswith("Plan items: one row per procedure")
    index = editor.tree.currentIndex().siblingAtColumn(COLUMNS.index("Tooth"))
    assert index.data() == "16"
    qtbot.mouseClick(editor.tree.viewport(), Qt.MouseButton.LeftButton, pos=editor.tree.visualRect(index).center())
    tooth_help = press_f1(qtbot)
    assert "in the office's FDI numbering (11-18, 21-28, 31-38, 41-48 permanent teeth" in tooth_help
    snap_help(editor, shots / "f1_plan_tooth_fdi.png")
    press(qtbot, editor, Qt.Key.Key_F2)
    assert QApplication.focusWidget().objectName() == "fee_editor"
    fee_help = press_f1(qtbot)
    assert fee_help.startswith("Fee: the item's price") and "plan price wins over the fee schedule" in fee_help
    assert "99,999.99" in fee_help


def test_tp7_a_malformed_fee_typed_in_the_row_is_refused_and_nothing_changes(qtbot, office, make_ctx) -> None:
    """MONEY-1: "abc" as a fee is refused with its reason; the item and total stay as they were."""
    plan_id, _ = office.plan(("D2740", "14", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    select_code(editor, "D2740")
    editor.edit_fee_in_place()
    fee_editor = QApplication.focusWidget()
    fee_editor.clear()
    qtbot.keyClicks(fee_editor, "abc")
    QTest.keyClick(fee_editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.message.isVisible())
    assert "'abc' is not an amount" in editor.message.text()
    assert total(editor) == "Total 1,350.00" and editor.undo_stack.count() == 0


def test_undo_after_save_is_saved_by_the_next_save(qtbot, office, make_ctx) -> None:
    """Undo survives Save draft: undoing a saved fee change and saving again restores the old fee."""
    plan_id, ids = office.plan(("D2740", "14", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    select_code(editor, "D2740")
    editor._change_fee(next(iter(editor.working.items)), Decimal("1000.00"))
    assert editor.save()
    assert load_plan(office.uow, staff(office.uow), plan_id).item(ids[0]).fee == Decimal("1000.00")
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)
    assert editor.is_dirty()
    press(qtbot, editor, Qt.Key.Key_S, CTRL)
    assert load_plan(office.uow, staff(office.uow), plan_id).item(ids[0]).fee == Decimal("1350.00")


# --- approval and signature (TP-5, TP-15)


def test_tp5_approve_is_disabled_with_the_reason_naming_which_item_lacks_what(qtbot, office, make_ctx) -> None:
    """TP-5/CODE-4: a crown without its tooth keeps Approve disabled, saying so; filling it enables it."""
    plan_id, _ = office.plan(("D2740", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    assert not editor.chrome.approve_button.isEnabled()
    assert editor.approve_reason.isVisible()
    assert "Item D2740 lacks: tooth" in editor.approve_reason.text()
    assert "Item D2740 lacks: tooth" in editor.chrome.approve_button.toolTip()
    select_code(editor, "D2740")
    dialog = editor.edit_item()
    dialog.procedure.tooth.setCurrentText("14")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert menu_text(editor.chrome.undo_action) == "Undo Change tooth of D2740"
    assert editor.chrome.approve_button.isEnabled() and not editor.approve_reason.isVisible()


def test_tp15_approve_with_a_drawn_signature_then_a_change_shows_it_no_longer_matches(
    qtbot, office, make_ctx, shots
) -> None:
    """TP-15: sign on the pad with the mouse; the plan is APPROVED with the signature; a later
    re-pricing shows "Signature no longer matches the plan" (TP-12)."""
    plan_id, ids = office.plan(("D7140", "19", 1), ("D6010", "19", 2), links=((1, 0),))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    qtbot.mouseClick(editor.chrome.approve_button, Qt.MouseButton.LeftButton)
    dialog = editor.dialog
    assert isinstance(dialog, ApprovalDialog)
    assert dialog.approver.text() == "Anna Smith" and dialog.chosen_method is ApprovalMethod.SIGNED_AT_DESK
    assert not dialog.ok_button.isEnabled()  # signed at the desk: the pad is empty
    draw_signature(qtbot, dialog.pad)
    assert not dialog.pad.is_empty() and dialog.ok_button.isEnabled()
    dialog.grab().save(str(shots / "approval_dialog_signed.png"))
    png = dialog.pad.png_bytes()
    assert png is not None and png.startswith(b"\x89PNG")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    view = load_plan(office.uow, staff(office.uow), plan_id)
    assert view.status is PlanStatus.APPROVED and view.latest_approval.signature_png == png
    assert "Approved by <b>Anna Smith</b>" in editor.panels.approval.summary.text()
    assert editor.panels.approval.signature.pixmap() is not None and not editor.panels.approval.mismatch.isVisible()
    assert editor.chrome.approve_button.text().replace("&", "") == "Record new approval…"
    assert not editor.chrome.approve_button.isEnabled()
    # A re-price on the approved plan (TP-12): saved, the stored signature no longer covers it.
    select_code(editor, "D6010")
    editor._change_fee(editor.selected_key(), Decimal("2500.00"))
    assert editor.save()
    assert editor.panels.approval.mismatch.isVisible()
    assert editor.panels.approval.mismatch.text().startswith("Signature no longer matches the plan")
    assert editor.chrome.approve_button.isEnabled()  # the raised total needs the patient's approval again
    assert "needs the patient's approval of the new total" in editor.totals.approved.text()


def test_tp15_clear_empties_the_pad_and_on_paper_needs_no_signature(qtbot, office, make_ctx) -> None:
    """TP-15: Clear wipes the signature; "On paper" can be recorded without one."""
    plan_id, _ = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    dialog = editor.approve()
    draw_signature(qtbot, dialog.pad)
    qtbot.mouseClick(dialog.clear, Qt.MouseButton.LeftButton)
    assert dialog.pad.is_empty() and dialog.pad.png_bytes() is None and not dialog.ok_button.isEnabled()
    dialog.method.setCurrentIndex(dialog.method.findData(ApprovalMethod.ON_PAPER))
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert load_plan(office.uow, staff(office.uow), plan_id).latest_approval.method is ApprovalMethod.ON_PAPER
    assert "No signature" in editor.panels.approval.signature.text()


# --- completing (TP-9 .. TP-13)


def _approved(office: Office) -> tuple[int, list[int]]:
    plan_id, ids = office.plan(("D7140", "19", 1), ("D6010", "19", 2, "2000"), ("D0120", "", 1), links=((1, 0),))
    view = load_plan(office.uow, staff(office.uow), plan_id)
    approve(
        office.uow,
        office.p.owner,
        plan_id,
        expected_version=view.version,
        approver_name="Anna Smith",
        method=ApprovalMethod.ON_PAPER,
    )
    return plan_id, ids


def _complete(qtbot, editor: PlanEditor, code: str) -> None:
    select_code(editor, code)
    press(qtbot, editor, Qt.Key.Key_Return, CTRL)
    dialog = editor.dialog
    assert isinstance(dialog, CompleteItemDialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_tp9_completing_early_is_refused_naming_the_prerequisite_then_progress_and_tp10_completed(
    qtbot, office, make_ctx, shots
) -> None:
    """TP-9: the implant is refused until the extraction is done; TP-11 progress; TP-10 COMPLETED by itself;
    TP-13 each completion posts its charge at the plan price."""
    plan_id, ids = _approved(office)
    editor = open_editor(qtbot, office, make_ctx, plan_id, actor=office.p.front_desk)
    select_code(editor, "D6010")
    assert editor.chrome.complete_button.isEnabled()
    assert "Complete D7140 #19 first" in editor.chrome.complete_button.toolTip()
    qtbot.mouseClick(editor.chrome.complete_button, Qt.MouseButton.LeftButton)
    assert editor.message.text() == "Complete D7140 #19 first: D6010 #19 depends on it."
    assert editor.dialog is None and office.count(LedgerTransaction) == 0
    _complete(qtbot, editor, "D7140")
    assert editor.totals.progress.value() == 8  # 185 of 2,250.00 by fee
    _complete(qtbot, editor, "D6010")
    assert editor.totals.progress.value() == 97
    assert editor.totals.progress.format().startswith("97% done by fee - 2 of 3 items")
    editor.grab().save(str(shots / "editor_approved_half_done.png"))
    with office.uow:
        amounts = sorted(office.uow.session.scalars(select(LedgerTransaction.amount)))
    assert amounts == [Decimal("185.00"), Decimal("2000.00")]  # TP-13: the plan's 2,000, not the schedule's
    _complete(qtbot, editor, "D0120")
    assert editor.view.status is PlanStatus.COMPLETED and editor.totals.progress.value() == 100
    assert "Completed" in editor.title_label.text()
    assert not editor.chrome.complete_button.isEnabled() and not editor.chrome.approve_button.isEnabled()


def test_completing_an_item_announces_what_it_changed_so_the_open_ledger_and_aging_report_refresh(
    qtbot, office, make_ctx
) -> None:
    """Operations say what changed: completing a plan item posts its charge (TP-13) and marks the chart,
    and the editor's one operation helper announces the areas the action's transaction committed, so the
    Ledger and the office aging report open beside it show the charge without the editor naming them."""
    plan_id, _ = _approved(office)
    ctx = make_ctx(office.engine, office.p.owner)
    with office.uow:
        account_id = office.uow.session.scalar(select(Patient.account_id).where(Patient.id == office.patient))
    ledger = LedgerView(ctx)
    qtbot.addWidget(ledger)
    ledger.show()
    ledger.set_account(account_id)
    report = AgingReportWindow(ctx)
    qtbot.addWidget(report)
    report.show()
    qtbot.waitUntil(lambda: report.report is not None, timeout=5000)
    assert not report.report.rows and ledger.model.rowCount() == 0
    heard: list[str] = []
    ctx.changes.changed.connect(heard.append)
    editor = PlanEditor(ctx, plan_id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    activate(qtbot, editor)
    _complete(qtbot, editor, "D7140")
    assert {"plans", "ledger", "chart"} <= set(heard)
    qtbot.waitUntil(lambda: ledger.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: report.report is not None and len(report.report.rows) == 1, timeout=5000)
    assert report.report.totals.balance == Decimal("185.00")


def test_tx_dos1_a_future_date_of_service_is_refused_in_the_dialog(qtbot, office, make_ctx) -> None:
    """TX-DOS-1: the completion dialog refuses tomorrow at the date field and posts nothing."""
    plan_id, _ = _approved(office)
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    select_code(editor, "D7140")
    dialog = editor.complete_item()
    dialog.dos.setDate(dialog.dos.date().addDays(1))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "in the future" in dialog.errors["dos"].text()
    assert office.count(LedgerTransaction) == 0


# --- roles, cancel, conflicts, keyboard (TP-1, TP-3, DATA-2)


def test_tp1_front_desk_sees_edit_buttons_disabled_with_the_reason(qtbot, office, make_ctx) -> None:
    """TP-1: front desk may open and approve, not edit; buttons say why and Ins opens nothing (the message line says why: test_refusals.py)."""
    plan_id, _ = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id, actor=office.p.front_desk)
    for button in (
        editor.chrome.add_button,
        editor.chrome.remove_button,
        editor.chrome.link_button,
        editor.chrome.save_button,
        editor.chrome.cancel_button,
    ):
        assert not button.isEnabled()
        assert "Front desk users cannot change treatment plans (TP-1)" in button.toolTip()
    assert editor.chrome.approve_button.isEnabled()
    press(qtbot, editor, Qt.Key.Key_Insert)
    assert editor.dialog is None
    assert not editor.model.item(0, FEE_COLUMN).isEditable()


def test_tp3_cancel_asks_a_reason_and_then_nothing_can_be_edited(qtbot, office, make_ctx) -> None:
    """TP-3: Cancel plan needs a reason; the cancelled plan is final."""
    plan_id, _ = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    qtbot.mouseClick(editor.chrome.cancel_button, Qt.MouseButton.LeftButton)
    dialog = editor.dialog
    assert isinstance(dialog, CancelPlanDialog) and not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.reason, "Patient moved away")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert editor.view.status is PlanStatus.CANCELLED
    assert not editor.chrome.add_button.isEnabled() and "Cancelled" in editor.chrome.add_button.toolTip()
    assert "Reason: Patient moved away" in editor.panels.history.item(0).text()


def test_data2_saving_over_another_workstations_change_is_refused_with_a_clear_message(qtbot, office, make_ctx) -> None:
    """DATA-2/DATA-4: another workstation saves first; this editor's save is refused naming who and when,
    and overwrites nothing; Reload, keeping my changes re-applies the edits the other did not touch
    (the added exam) and keeps theirs where both changed (the fee), and the red line goes."""
    plan_id, ids = office.plan(("D2740", "14", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    view = load_plan(office.uow, staff(office.uow), plan_id)
    edit_item(
        office.uow,
        office.p.owner,
        plan_id,
        ids[0],
        ItemInput("D2740", "14", provider_id=office.provider, fee="1111"),
        expected_version=view.version,
    )
    crown = next(iter(editor.working.items))
    editor._change_fee(crown, Decimal("999.00"))
    exam = replace(
        editor.working.item(crown), key=editor.working.new_key(), code="D0120", tooth=None, fee=Decimal("65.00")
    )
    editor.working.add(exam)
    editor.refresh()
    assert not editor.save()
    bar = editor.conflict
    assert bar.text.isVisible() and not editor.message.isVisible()
    assert bar.text.text().startswith("Olive Owner on test-ws saved this treatment plan at ")
    assert load_plan(office.uow, staff(office.uow), plan_id).item(ids[0]).fee == Decimal("1111.00")
    qtbot.mouseClick(bar.reload_button, Qt.MouseButton.LeftButton)
    assert not bar.text.isVisible()  # the stale red line is gone after reloading
    assert "the fee of D2740 #14" in bar.note.text()
    assert total(editor) == "Total 1,176.00" and editor.is_dirty()  # their 1,111.00 + my exam
    assert editor.save()
    saved = load_plan(office.uow, staff(office.uow), plan_id)
    assert sorted((i.code, i.fee) for i in saved.items) == [("D0120", Decimal("65.00")), ("D2740", Decimal("1111.00"))]


def test_data5_add_remove_the_newest_save_undo_save_keeps_every_item(qtbot, office, make_ctx) -> None:
    """DATA-5: add B, remove Y (the newest item), save, undo "Remove Y", save again: B and Y are both saved
    (Y as a new row with an id never used before), nothing else changes."""
    plan_id, ids = office.plan(("D2740", "14", 1), ("D2391", "3", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    y = next(k for k, item in editor.working.items.items() if item.code == "D2391")
    b = replace(editor.working.item(y), key=editor.working.new_key(), code="D0120", tooth=None, fee=Decimal("65.00"))
    editor.working.add(b)
    editor.refresh()
    select_code(editor, "D2391")
    editor.remove_item()
    assert editor.save()
    after_first = {i.code: i.id for i in load_plan(office.uow, staff(office.uow), plan_id).items}
    assert set(after_first) == {"D2740", "D0120"} and after_first["D0120"] != ids[1]
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)  # undo "Remove D2391 #3"
    assert editor.save()
    after = {i.code: i.id for i in load_plan(office.uow, staff(office.uow), plan_id).items}
    assert set(after) == {"D2740", "D0120", "D2391"}
    assert after["D0120"] == after_first["D0120"] and after["D2391"] not in (ids[1], after_first["D0120"])


def test_keyboard_only_tab_order_accessible_names_and_close_asks_to_save(qtbot, office, make_ctx) -> None:
    """The tree, then the edit buttons by Tab; names for screen readers; closing with
    unsaved changes asks Save / Discard / Cancel."""
    plan_id, _ = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    editor.tree.setFocus()
    assert editor.tree.nextInFocusChain() is not None
    press(qtbot, editor, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.chrome.add_button
    for widget in (
        editor.tree,
        editor.totals.progress,
        editor.totals.total,
        editor.chrome.add_button,
        editor.chrome.approve_button,
    ):
        assert widget.accessibleName()
    assert (
        editor.chrome.add_action.shortcut().toString() == "Ins"
        and editor.chrome.save_action.shortcut().toString() == "Ctrl+S"
    )
    assert editor.chrome.new_plan_action.shortcut().toString() == "Ctrl+N"
    select_code(editor, "D0120")
    press(qtbot, editor, Qt.Key.Key_Delete)
    editor.close()
    box = editor.dialog
    assert isinstance(box, QMessageBox) and editor.isVisible()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not editor.isVisible()
    assert load_plan(office.uow, staff(office.uow), plan_id).items == ()


def test_tp16_move_to_visit_and_remove_dependency_are_named_steps_saved_together(qtbot, office, make_ctx) -> None:
    """TP-16/TP-8: Ctrl+M moves the implant to visit 3, Ctrl+Shift+D unlinks it, Ctrl+G groups by visit;
    one Save draft stores both."""
    plan_id, ids = office.plan(("D7140", "19", 1), ("D6010", "19", 2), links=((1, 0),))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    select_code(editor, "D6010")
    press(qtbot, editor, Qt.Key.Key_M, CTRL)
    dialog = editor.dialog
    dialog.visit.setValue(3)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert menu_text(editor.chrome.undo_action) == "Undo Move D6010 #19 to visit 3"
    press(qtbot, editor, Qt.Key.Key_D, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert menu_text(editor.chrome.undo_action) == "Undo Remove dependency of D6010 #19 on D7140 #19"
    assert [r[:2] for r in row_texts(editor)] == [(0, "D7140"), (0, "D6010")]
    press(qtbot, editor, Qt.Key.Key_G, CTRL)
    assert [r[1].split(" - ")[0] for r in row_texts(editor) if r[0] == 0] == ["Visit 1", "Visit 3"]
    press(qtbot, editor, Qt.Key.Key_S, CTRL)
    saved = load_plan(office.uow, staff(office.uow), plan_id).item(ids[1])
    assert (saved.visit, saved.prerequisites) == (3, ())
    assert [h.detail for h in load_plan(office.uow, staff(office.uow), plan_id).history[-2:]] == [
        "Moved D6010 #19 to visit 3.",
        "D6010 #19 no longer depends on D7140 #19.",
    ]
