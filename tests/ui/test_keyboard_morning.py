"""A morning at the front desk with the keyboard alone: find a patient, build a three-item plan,
approve it, look at the handout's print preview, complete an item and take a payment.

One test, no mouse event: every step is a key press or typed text sent to the widget that has the
focus, and every check reads what the window shows. The plan is built by the practice's Owner at
the desk (a Front desk login may not build plans, TP-1); approving, printing, completing and the
payment are what a front desk does with it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from test_plan_editor import Office

from dentaldesk.domain.terms import ApprovalMethod, PlanStatus
from dentaldesk.ui.ledger.dialogs import PaymentDialog
from dentaldesk.ui.plans.approval_dialog import ApprovalDialog
from dentaldesk.ui.plans.dialogs import CompleteItemDialog, NewPlanDialog
from dentaldesk.ui.plans.editor import PlanEditor
from dentaldesk.ui.plans.print_handout import HandoutPreviewDialog
from dentaldesk.ui.shell.main_window import MainWindow
from dentaldesk.ui.transactions import PatientTransactionDialog

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def key(k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), k, modifier)


def type_text(text: str) -> None:
    QTest.keyClicks(focused(), text)


def test_a_keyboard_only_front_desk_morning(qtbot, fast_practice, make_ctx, monkeypatch, shots) -> None:
    """Search, plan of three items, approval, print preview (no printer), completion and a payment,
    all by keyboard (TP-5, TP-15, TP-17, TP-13, AGE-2)."""
    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(lambda: []))  # no printer here
    office = Office(fast_practice)
    window = MainWindow(make_ctx(office.engine, office.p.owner))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    def active(widget: QWidget) -> None:
        qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=3000)

    # 1. Find the patient: type, Enter chooses the first match.
    assert focused() is window.patients.search
    type_text("brow")
    key(Qt.Key.Key_Return)
    assert window.header.accessibleName().startswith("Patient Peter Brown")

    # 2. A new plan for him: Ctrl+2 (Treatments), Ctrl+N, a title, Enter.
    key(Qt.Key.Key_2, CTRL)
    key(Qt.Key.Key_N, CTRL)
    dialog = window.treatments.dialog
    assert isinstance(dialog, NewPlanDialog)
    active(dialog)
    assert dialog.chosen.text().startswith("Peter Brown")
    type_text("Extraction and implant")
    key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.treatments.editors))
    editor: PlanEditor = next(iter(window.treatments.editors.values()))
    qtbot.addWidget(editor)  # the plan's own window: closed with the test
    active(editor)

    # 3. Three items: Ins, the code, Enter (on to the tooth), the tooth, Tab to the provider,
    # Down picks the office's dentist, Enter (the dialog's OK) adds the item.
    for code, tooth in (("D0120", ""), ("D7140", "19"), ("D6010", "19")):
        key(Qt.Key.Key_Insert)
        item_dialog = editor.dialog
        assert isinstance(item_dialog, PatientTransactionDialog)
        active(item_dialog)
        assert focused() is item_dialog.procedure.code_edit
        type_text(code)
        key(Qt.Key.Key_Return)
        assert item_dialog.isVisible(), "Enter after the code must not add the item yet"
        if tooth:
            type_text(tooth)
        while focused() is not item_dialog.procedure.provider:
            key(Qt.Key.Key_Tab)
        key(Qt.Key.Key_Down)
        key(Qt.Key.Key_Return)
        qtbot.waitUntil(lambda d=item_dialog: not d.isVisible())
        active(editor)
    assert sorted(i.code for i in editor.working.items.values()) == ["D0120", "D6010", "D7140"]
    key(Qt.Key.Key_S, CTRL)
    assert not editor.is_dirty()
    editor.grab().save(str(shots / "morning_plan_editor.png"))

    # 4. Approve: Ctrl+Enter, the patient's name is already typed, on paper, Enter.
    key(Qt.Key.Key_Return, CTRL)
    approval = editor.dialog
    assert isinstance(approval, ApprovalDialog)
    active(approval)
    assert focused() is approval.approver and approval.approver.text() == "Peter Brown"
    key(Qt.Key.Key_Tab)
    assert focused() is approval.method
    while approval.method.currentData() != ApprovalMethod.ON_PAPER:
        key(Qt.Key.Key_Down)
    key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.view.status is PlanStatus.APPROVED)
    active(editor)

    # 5. The handout's print preview with no printer: Ctrl+P, look, Escape.
    key(Qt.Key.Key_P, CTRL)
    preview = editor.dialog
    assert isinstance(preview, HandoutPreviewDialog)
    active(preview)
    assert preview.page_labels and not preview.print_button.isEnabled()
    assert preview.status.text().startswith("No printer is installed")
    key(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: editor.dialog is None)
    active(editor)

    # 6. The exam is done today: arrows to it, Ctrl+Enter, Enter posts its charge (TP-13).
    editor.tree.setFocus()
    key(Qt.Key.Key_Home)
    for _ in range(10):
        selected = editor.working.items.get(editor.selected_key())
        if selected is not None and selected.code == "D0120":
            break
        key(Qt.Key.Key_Down)
    key(Qt.Key.Key_Return, CTRL)
    completion = editor.dialog
    assert isinstance(completion, CompleteItemDialog)
    active(completion)
    key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(i.is_completed for i in editor.working.items.values()))
    active(editor)
    key(Qt.Key.Key_W, CTRL)  # close the plan
    qtbot.waitUntil(lambda: not editor.isVisible())

    # 7. The patient pays: Ctrl+4 (Ledger), Alt+P (Post payment), the amount, Enter.
    window.activateWindow()  # what the desktop does when the plan's window closes (offscreen has no window manager)
    active(window)
    key(Qt.Key.Key_4, CTRL)
    assert window.stack.currentWidget() is window.ledger
    key(Qt.Key.Key_P, ALT)
    qtbot.waitUntil(lambda: isinstance(window.ledger.dialog, PaymentDialog))  # a mnemonic presses after a flash
    payment = window.ledger.dialog
    assert isinstance(payment, PaymentDialog)
    active(payment)
    assert focused() is payment.amount
    type_text("25.00")
    key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not payment.isVisible())
    with office.engine.connect() as conn:
        posted = conn.exec_driver_sql(
            "SELECT kind, amount FROM ledger_transaction WHERE account_id = ? ORDER BY id", (office.p.account_id,)
        ).all()
    assert [tuple(row) for row in posted] == [("charge", 6500), ("payment", 2500)]  # cents: 65.00, then 25.00
    window.grab().save(str(shots / "morning_ledger.png"))
