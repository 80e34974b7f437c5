"""The plan editor's options as a person uses them (CASE-1): present two options side by side,
approve one with a signature, see the other read-only "not chosen"."""

from __future__ import annotations

from acting import staff
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select
from test_plan_editor import Office, draw_signature, open_editor, select_code

from dentaldesk.db.models import PlanOption
from dentaldesk.domain.terms import PlanStatus
from dentaldesk.services.plans import load_plan
from dentaldesk.ui.plans.approval_dialog import ApprovalDialog
from dentaldesk.ui.plans.options_panel import OptionNameDialog

BRIDGE_CODES = ["D6240", "D6750"]  # beside test_plan_editor's codes


def _office(fast_practice) -> Office:
    office = Office(fast_practice)
    from dentaldesk.services.practice.codes import copy_master_codes

    copy_master_codes(office.uow, fast_practice.owner, BRIDGE_CODES)
    return office


def _add(qtbot, editor, code: str, tooth: str) -> None:
    """+ Add item: type the code, pick it, pick the tooth, OK (one undo step)."""
    dialog = editor.add_item()
    section = dialog.procedure
    qtbot.keyClicks(section.code_edit, code)
    QTest.keyClick(section.code_edit, Qt.Key.Key_Down)
    QTest.keyClick(section.results, Qt.Key.Key_Return)
    assert section.code_edit.text() == code
    section.tooth.setCurrentIndex(section.tooth.findText(tooth))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def _tab_texts(editor) -> list[str]:
    tabs = editor.options.tabs
    return [tabs.tabText(i) for i in range(tabs.count())]


def _name_and_ok(qtbot, dialog: OptionNameDialog, name: str) -> None:
    dialog.name.selectAll()
    QTest.keyClicks(dialog.name, name)
    QTest.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_case1_present_two_options_approve_one_with_a_signature_the_other_is_read_only(
    qtbot, fast_practice, make_ctx, shots
) -> None:
    """CASE-1: rename the first option "Implant", copy it as "Bridge" and swap the implant for a
    bridge; the comparison shows both side by side; approve "Bridge" signed at the desk; "Implant"
    is then greyed, labelled not chosen, and every edit of it is refused."""
    office = _office(fast_practice)
    plan_id, _ids = office.plan(("D7140", "19", 1), ("D6010", "19", 2), links=((1, 0),))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    assert _tab_texts(editor) == ["Option A"] and not editor.options.comparison.isVisible()
    assert editor.options.comparison.columnCount() == 0  # one option: nothing filled in the hidden table

    # Rename the option, then copy it as the start of another.
    editor.chrome.rename_option_action.trigger()
    _name_and_ok(qtbot, editor_dialog(editor), "Implant")
    assert _tab_texts(editor) == ["Implant"]
    editor.chrome.copy_option_action.trigger()
    dialog = editor_dialog(editor)
    assert dialog.name.text() == "Option B"
    _name_and_ok(qtbot, dialog, "Bridge")
    assert _tab_texts(editor) == ["Implant", "Bridge"]
    assert editor.view.option_name == "Bridge" and editor.options.tabs.currentIndex() == 1
    assert editor.options.comparison.isVisible()
    assert sorted(i.code for i in editor.working.items.values()) == ["D6010", "D7140"]

    # In "Bridge": remove the implant, add a pontic and an abutment crown (undoable edits), save.
    select_code(editor, "D6010")
    editor.remove_item()
    for code, tooth in (("D6240", "19"), ("D6750", "18")):
        _add(qtbot, editor, code, tooth)
    assert editor.chrome.undo_action.isEnabled()
    editor.chrome.undo_action.trigger()  # the abutment crown goes, and comes back with redo
    assert "D6750" not in {i.code for i in editor.working.items.values()}
    editor.chrome.redo_action.trigger()
    assert editor.save()
    comparison = editor.options.comparison
    assert comparison.horizontalHeaderItem(0).text() == "Implant"
    assert comparison.cell_text("Items", 0).splitlines()[1].startswith("D6010 #19")
    assert comparison.cell_text("Items", 1).count("\n") == 2  # three items
    bridge_view = load_plan(office.uow, staff(office.uow), plan_id, editor.view.option_id)
    assert comparison.cell_text("Fee", 1) == f"{bridge_view.total:,.2f}"
    assert comparison.cell_text("Chair time", 1) == f"{sum(r.rtu for r in bridge_view.items)} min"
    editor.resize(1280, 860)
    QApplication.processEvents()
    editor.grab().save(str(shots / "options_editor_two_options.png"))

    # Approve "Bridge", the option shown, signed at the desk.
    qtbot.mouseClick(editor.chrome.approve_button, Qt.MouseButton.LeftButton)
    approval = editor.dialog
    assert isinstance(approval, ApprovalDialog)
    summary = approval.findChild(type(approval.lines), "approval_summary")
    assert "Option chosen: <b>Bridge</b> (not chosen: Implant)" in summary.text()
    draw_signature(qtbot, approval.pad)
    qtbot.mouseClick(approval.ok_button, Qt.MouseButton.LeftButton)
    assert editor.view.status is PlanStatus.APPROVED
    assert _tab_texts(editor) == ["Implant (not chosen)", "Bridge (chosen)"]
    assert editor.panels.approval.signature.pixmap() is not None
    assert not editor.panels.approval.mismatch.isVisible()

    # The other option: greyed, labelled, read-only; its items cannot be completed.
    editor.options.select_option(editor.view.options[0].id)
    assert editor.view.option_name == "Implant" and editor.view.is_not_chosen
    assert editor.options.banner.isVisible() and "Not chosen" in editor.options.banner.text()
    assert "#98a2b3" in editor.tree.styleSheet()
    for action in (
        editor.chrome.add_action,
        editor.chrome.save_action,
        editor.chrome.rename_option_action,
        editor.chrome.remove_option_action,
    ):
        assert not action.isEnabled(), action.text()
    assert "was not chosen" in editor.chrome.add_action.toolTip()
    select_code(editor, "D7140")
    assert not editor.chrome.complete_action.isEnabled() and not editor.chrome.remove_action.isEnabled()
    assert not editor.chrome.add_option_action.isEnabled()  # no option is added after the choice
    QApplication.processEvents()
    editor.grab().save(str(shots / "options_editor_not_chosen.png"))
    with office.uow:
        chosen = office.uow.session.scalars(select(PlanOption.name).where(PlanOption.chosen.is_(True))).all()
    assert list(chosen) == ["Bridge"]


def test_case1_an_empty_option_cannot_be_approved_and_remove_option_asks(qtbot, fast_practice, make_ctx) -> None:
    """CASE-1 (bad input): a new empty option keeps Approve disabled with the reason; Remove
    option asks first and takes the option away; the last option cannot be removed."""
    office = _office(fast_practice)
    plan_id, _ids = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    editor.chrome.add_option_action.trigger()
    _name_and_ok(qtbot, editor_dialog(editor), "")
    assert _tab_texts(editor) == ["Option A", "Option B"] and editor.view.option_name == "Option B"
    assert not editor.chrome.approve_button.isEnabled()
    assert "an option with no items cannot be approved" in editor.chrome.approve_button.toolTip()
    assert editor.approve_reason.isVisible()
    editor.chrome.remove_option_action.trigger()
    box = editor.dialog
    assert isinstance(box, QMessageBox) and 'Remove the option "Option B"' in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _tab_texts(editor) == ["Option A"])
    assert not editor.chrome.remove_option_action.isEnabled()
    assert "at least one option" in editor.chrome.remove_option_action.toolTip()
    assert editor.chrome.approve_button.isEnabled()


def test_case1_switching_options_saves_pending_edits_first(qtbot, fast_practice, make_ctx) -> None:
    """CASE-1: picking another option's tab saves this option's unsaved edits, then shows the other."""
    office = _office(fast_practice)
    plan_id, _ids = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    editor.chrome.add_option_action.trigger()
    _name_and_ok(qtbot, editor_dialog(editor), "Crown")
    _add(qtbot, editor, "D2740", "14")
    assert editor.is_dirty()
    editor.options.tabs.setCurrentIndex(0)  # as a click on "Option A"
    assert editor.view.option_name == "Option A" and not editor.is_dirty()
    assert [r.code for r in editor.view.items] == ["D0120"]
    QTest.keyClick(editor.tree, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert editor.view.option_name == "Crown"
    assert [r.code for r in editor.view.items] == ["D2740"]
    QApplication.processEvents()


def editor_dialog(editor) -> OptionNameDialog:
    dialog = editor.dialog
    assert isinstance(dialog, OptionNameDialog)
    return dialog
