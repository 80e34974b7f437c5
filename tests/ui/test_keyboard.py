"""The keyboard across the app's windows: one underlined letter per thing in each window and menu,
the standard shortcuts (Ctrl+P, Ctrl+Enter, F1), and Tab cycles that reach every field.

The dialogs of tests/ui/test_dialog_defaults.py are checked there for mnemonics too; this file
walks the windows: the main window on each of its views, the plan editor (draft, approved, front
desk), the Patient Transactions window, the print preview and the list windows of Settings/Tools.
"""

from __future__ import annotations

import pytest
from keyboard import assert_no_clashes, context_menu_clashes, mnemonic_clashes
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import Engine, select

from dentaldesk.db.models import Patient, TreatmentPlan
from dentaldesk.domain.terms import PlanStatus
from dentaldesk.services.access.login import login
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.plans.editor import PlanEditor
from dentaldesk.ui.shell.main_window import MainWindow


def _login(engine: Engine, who: str):  # type: ignore[no-untyped-def]
    from dentaldesk.demo import DEMO_PASSWORDS

    return login(UnitOfWork.for_engine(engine), who, DEMO_PASSWORDS[who], "ws-keys")


def _shown(qtbot, window: QWidget) -> QWidget:  # type: ignore[no-untyped-def]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _plan(engine: Engine, status: PlanStatus) -> int:
    with engine.connect() as conn:
        plan = conn.scalar(
            select(TreatmentPlan.id).where(TreatmentPlan.status == status).order_by(TreatmentPlan.id).limit(1)
        )
    assert plan is not None
    return plan


@pytest.mark.parametrize("who", ["owner", "frontdesk"])
def test_mnemonics_are_unique_in_the_main_window_on_every_view(qtbot, demo_engine, make_ctx, who: str) -> None:
    """Alt+letter reaches one thing in the main window whichever view shows, with a patient chosen."""
    window = _shown(qtbot, MainWindow(make_ctx(demo_engine, _login(demo_engine, who))))
    with demo_engine.connect() as conn:
        patient = conn.scalar(select(Patient.id).order_by(Patient.id).limit(1))
    window.choose_patient(patient)
    for name in ("Patients", "Treatments", "Follow-up", "Ledger", "Settings"):
        window.nav_actions[name].trigger()
        qtbot.wait(10)
        assert_no_clashes(window, name)


@pytest.mark.parametrize(
    ("who", "status"), [("owner", PlanStatus.DRAFT), ("owner", PlanStatus.APPROVED), ("frontdesk", PlanStatus.APPROVED)]
)
def test_mnemonics_are_unique_in_the_plan_editor_and_its_menus(
    qtbot, demo_engine, make_ctx, who: str, status: PlanStatus
) -> None:
    """Alt+E opens the Edit menu and Alt+P the Plan menu: no button of the editor takes their letters,
    and every menu's actions have a letter each."""
    editor = _shown(qtbot, PlanEditor(make_ctx(demo_engine, _login(demo_engine, who)), _plan(demo_engine, status)))
    assert_no_clashes(editor)


def test_mnemonics_are_unique_in_the_patient_transactions_window(qtbot, demo_engine, make_ctx) -> None:
    """The Patient Transactions window opened by + Add item: one letter per field and button."""
    editor = _shown(
        qtbot, PlanEditor(make_ctx(demo_engine, _login(demo_engine, "owner")), _plan(demo_engine, PlanStatus.DRAFT))
    )
    dialog = editor.add_item()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert_no_clashes(dialog)


def test_mnemonics_are_unique_in_the_list_windows(qtbot, demo_engine, make_ctx) -> None:
    """Procedure codes, Backups, the audit log and the aging report: one letter per thing."""
    from dentaldesk.ui.audit.window import AuditWindow
    from dentaldesk.ui.ledger.aging_report import AgingReportWindow
    from dentaldesk.ui.settings.backups_window import BackupsWindow
    from dentaldesk.ui.settings.codes_window import ProcedureCodesWindow

    ctx = make_ctx(demo_engine, _login(demo_engine, "owner"))
    for make in (ProcedureCodesWindow, BackupsWindow, AuditWindow, AgingReportWindow):
        window = _shown(qtbot, make(ctx))
        assert_no_clashes(window, make.__name__)
        QApplication.processEvents()


def test_context_menus_are_checked_for_their_letters_too(qtbot) -> None:
    """A context menu's actions need a letter each: a clash in a widget's own menu (ActionsContextMenu)
    is found, and the standard menu of a text field (right-click: Undo, Cut, Copy, Paste) is read."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout

    window = QWidget()
    layout = QVBoxLayout(window)
    field = QLineEdit()
    listing = QWidget()
    listing.setObjectName("listing")
    listing.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    for text in ("&Copy plan", "&Cancel plan", "&Print"):
        listing.addAction(QAction(text, listing))
    layout.addWidget(field)
    layout.addWidget(listing)
    _shown(qtbot, window)
    standard = field.createStandardContextMenu()
    assert sum(1 for a in standard.actions() if "&" in a.text()) >= 3  # Qt's own letters are there to check
    assert context_menu_clashes(window) == ["context menu of listing: Alt+C on ['&Copy plan', '&Cancel plan']"]
    assert mnemonic_clashes(window) == context_menu_clashes(window)


def test_alt_e_opens_the_edit_menu_and_alt_p_the_plan_menu(qtbot, demo_engine, make_ctx) -> None:
    """The menu bar's letters belong to the menus: Alt+E shows Edit, Alt+P shows Plan."""
    ctx = make_ctx(demo_engine, _login(demo_engine, "owner"))
    editor = _shown(qtbot, PlanEditor(ctx, _plan(demo_engine, PlanStatus.DRAFT)))
    menus = {a.text(): a.menu() for a in editor.menuBar().actions()}
    for letter, title in ((Qt.Key.Key_E, "&Edit"), (Qt.Key.Key_P, "&Plan")):
        editor.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
        QTest.keyClick(editor.tree, letter, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
        assert QApplication.activePopupWidget() is menus[title], title
        QTest.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_Escape)
        QTest.keyClick(editor.menuBar(), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)


# --- the standard shortcuts of the plan editor


@pytest.fixture
def office(fast_practice):  # type: ignore[no-untyped-def]
    from test_plan_editor import Office

    return Office(fast_practice)


def test_ctrl_enter_approves_a_draft_then_completes_the_selected_item(qtbot, office, make_ctx) -> None:
    """Ctrl+Enter goes ahead as fits: on a draft it opens Approve plan; once approved, Complete item."""
    from test_plan_editor import open_editor, press, select_code

    from dentaldesk.ui.plans.approval_dialog import ApprovalDialog
    from dentaldesk.ui.plans.dialogs import CompleteItemDialog

    plan_id, _ = office.plan(("D0120", "", 1), ("D7140", "19", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    assert [k.toString() for k in editor.chrome.approve_action.shortcuts()] == ["Ctrl+Return", "Ctrl+Enter"]
    assert editor.chrome.complete_action.shortcuts() == []
    press(qtbot, editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(editor.dialog, ApprovalDialog)
    editor.dialog.reject()
    from acting import staff

    from dentaldesk.domain.terms import ApprovalMethod
    from dentaldesk.services.plans import approve, load_plan

    version = load_plan(office.uow, staff(office.uow), plan_id).version
    approve(
        office.uow,
        office.p.owner,
        plan_id,
        expected_version=version,
        approver_name="Anna Smith",
        method=ApprovalMethod.ON_PAPER,
    )
    editor.reload()
    select_code(editor, "D0120")
    assert editor.chrome.approve_action.shortcuts() == []
    press(qtbot, editor, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)  # the keypad's Enter
    assert isinstance(editor.dialog, CompleteItemDialog)
    editor.dialog.reject()


def test_ctrl_p_opens_the_print_preview_with_no_printer(qtbot, office, make_ctx, monkeypatch) -> None:
    """Ctrl+P in the plan editor: the handout's preview opens even with no printer (TP-17); unsaved
    changes are refused first, at the editor's message line."""
    from PySide6.QtPrintSupport import QPrinterInfo
    from test_plan_editor import open_editor, press, select_code

    from dentaldesk.ui.plans.print_handout import HandoutPreviewDialog

    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(lambda: []))
    plan_id, _ = office.plan(("D0120", "", 1), ("D7140", "19", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    assert editor.chrome.print_button.isVisible() and editor.chrome.print_action.shortcut().toString() == "Ctrl+P"
    press(qtbot, editor, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    preview = editor.dialog
    assert isinstance(preview, HandoutPreviewDialog) and len(preview.page_labels) >= 1
    assert not preview.print_button.isEnabled()
    assert_no_clashes(preview, "print preview")  # Print, Save as PDF, Close and the fields' context menus
    QTest.keyClick(preview.scroll, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: editor.dialog is None)
    select_code(editor, "D0120")
    press(qtbot, editor, Qt.Key.Key_Delete)
    press(qtbot, editor, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert editor.dialog is None and editor.message.isVisible()
    assert editor.message.text().startswith("Save the plan first")


def test_tab_goes_round_the_patient_transactions_window_and_cancel_wraps_to_the_code(qtbot, office, make_ctx) -> None:
    """Keyboard alone in the Patient Transactions window (+ Add item): Tab from the code reaches every
    field and, from Cancel, comes back to the code; each date is one stop; Shift+Tab goes back."""
    from keyboard import assert_tab_cycle
    from test_plan_editor import open_editor

    plan_id, _ = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    dialog = editor.add_item()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert_tab_cycle(dialog, dialog.procedure.code_edit, "add item")
    dialog.cancel_button.setFocus()
    QTest.keyClick(dialog.cancel_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.procedure.code_edit


def test_tab_goes_round_the_plan_editor(qtbot, office, make_ctx) -> None:
    """Keyboard alone in the plan editor: Tab from the item list reaches every button and panel field
    and comes back; Shift+Tab walks it back."""
    from keyboard import assert_tab_cycle
    from test_plan_editor import open_editor

    plan_id, _ = office.plan(("D0120", "", 1), ("D7140", "19", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    assert_tab_cycle(editor, editor.tree, "plan editor")


def test_exact_code_then_enter_moves_to_the_tooth_and_adds_nothing(qtbot, office, make_ctx) -> None:
    """Typing an exact code and Enter picks it and moves on to the tooth; the item is added only by
    the dialog's OK (Enter again in a later field), with the tooth typed."""
    from test_plan_editor import open_editor

    plan_id, _ = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    dialog = editor.add_item()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    section = dialog.procedure
    QTest.keyClicks(section.code_edit, "D7140")
    QTest.keyClick(section.code_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and len(editor.working.items) == 1
    assert QApplication.focusWidget() is section.tooth or section.tooth.isAncestorOf(QApplication.focusWidget())
    QTest.keyClicks(QApplication.focusWidget(), "19")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    added = [item for item in editor.working.items.values() if item.code == "D7140"]
    assert len(added) == 1 and added[0].tooth == "19"


def test_f1_shows_the_focused_fields_help(qtbot, fast_practice, make_ctx) -> None:
    """F1 on a field shows its help beside it: the search's own explanation, and a line for any field."""
    from PySide6.QtWidgets import QToolTip

    window = _shown(qtbot, MainWindow(make_ctx(fast_practice.engine, fast_practice.front_desk)))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.patients.search.setFocus()
    QTest.keyClick(window.patients.search, Qt.Key.Key_F1)
    assert QToolTip.isVisible() and QToolTip.text().startswith("Type part of a last or first name")
    window.patients.new_button.click()
    dialog = window.patients.patient_dialog
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    field = QApplication.focusWidget()
    QTest.keyClick(field, Qt.Key.Key_F1)
    assert QToolTip.isVisible() and QToolTip.text().strip()
    dialog.reject()
