"""Every refusal shows where the person looks (the editor's message line, the field), never only as
a tooltip; it goes when its cause is gone; and nothing is refused before the person has typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_plan_editor import Office, open_editor, press, select_code

from dentaldesk.domain.terms import ApprovalMethod


@pytest.fixture
def office(fast_practice) -> Office:
    return Office(fast_practice)


@pytest.mark.parametrize("key", [Qt.Key.Key_Insert, Qt.Key.Key_F2, Qt.Key.Key_Delete])
def test_tp1_front_desk_pressing_an_edit_key_is_told_why_on_the_message_line(qtbot, office, make_ctx, key) -> None:
    """TP-1: Ins, F2 or Delete from the front desk opens nothing and says why on the message line."""
    plan_id, _ = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id, actor=office.p.front_desk)
    select_code(editor, "D0120")
    assert not editor.message.isVisible()
    press(qtbot, editor, key)
    assert editor.dialog is None and editor.message.isVisible()
    assert editor.message.text().startswith("Front desk users cannot change treatment plans (TP-1)")


def test_a_refused_fee_in_the_row_goes_once_the_fee_reads_and_after_a_reload(qtbot, office, make_ctx) -> None:
    """MONEY-3: an empty or bad fee in the row is refused on the message line; typing a good fee
    takes the refusal away, and so does Reload (F5)."""
    plan_id, _ = office.plan(("D2740", "14", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    select_code(editor, "D2740")
    editor.edit_fee_in_place()
    fee_editor = QApplication.focusWidget()
    fee_editor.clear()
    QTest.keyClick(fee_editor, Qt.Key.Key_Return)
    qtbot.waitUntil(editor.message.isVisible)
    editor.edit_fee_in_place()
    fee_editor = QApplication.focusWidget()
    fee_editor.clear()
    qtbot.keyClicks(fee_editor, "12x")
    assert editor.message.isVisible()
    QTest.keyClick(fee_editor, Qt.Key.Key_Backspace)
    assert not editor.message.isVisible()  # "12" reads as a fee: the refusal is gone as it is typed
    QTest.keyClick(fee_editor, Qt.Key.Key_Escape)
    editor.show_message("A refusal about the plan as it was")
    press(qtbot, editor, Qt.Key.Key_F5)
    assert not editor.message.isVisible()


def test_new_plan_refuses_an_empty_title_at_the_field_only_once_ok_is_pressed(qtbot, office, make_ctx) -> None:
    """TP-2: no refusal at open; Enter with no title says so under the title; typing one clears it."""
    from dentaldesk.services.patients.search import search_patients
    from dentaldesk.services.plans import create_plan
    from dentaldesk.ui.plans.dialogs import NewPlanDialog

    made: list[str] = []

    def submit(_dialog, patient: int, title: str) -> bool:  # type: ignore[no-untyped-def]
        create_plan(office.uow, office.p.owner, patient, title)
        made.append(title)
        return True

    dialog = NewPlanDialog(
        lambda text: search_patients(office.uow, office.p.owner, text), submit, patient=(office.patient, "Anna Smith")
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.errors["title"].isVisible() and dialog.ok_button.isEnabled()
    QTest.keyClick(dialog.title, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.errors["title"].isVisible()
    assert dialog.errors["title"].text() == "Give the plan a title." and made == []
    QTest.keyClicks(dialog.title, "Hygiene")
    assert not dialog.errors["title"].isVisible()
    QTest.keyClick(dialog.title, Qt.Key.Key_Return)
    assert made == ["Hygiene"] and not dialog.isVisible()


def test_tp15_an_emptied_approver_name_is_refused_at_the_field(qtbot, office, make_ctx) -> None:
    """TP-15: the approver's name starts filled in; emptied, the field says a name is needed (in
    the dialog, not in a tooltip); typed again, the refusal goes."""
    plan_id, _ = office.plan(("D0120", "", 1))
    editor = open_editor(qtbot, office, make_ctx, plan_id)
    dialog = editor.approve()
    qtbot.waitExposed(dialog)
    dialog.method.setCurrentIndex(dialog.method.findData(ApprovalMethod.ON_PAPER))
    assert not dialog.errors["approver"].isVisible()
    dialog.approver.selectAll()
    QTest.keyClick(dialog.approver, Qt.Key.Key_Delete)
    assert dialog.errors["approver"].isVisible()
    assert dialog.errors["approver"].text() == "Enter the name of the person approving the plan."
    QTest.keyClicks(dialog.approver, "Anna Smith")
    assert not dialog.errors["approver"].isVisible() and dialog.ok_button.isEnabled()
    dialog.reject()


def test_tx_val1_no_red_refusal_at_open_the_provider_line_is_a_hint_until_touched(qtbot, demo_engine, make_ctx) -> None:
    """TX-VAL-1: Post charge opened by a front desk with no provider of their own: "Choose who will do
    this procedure" is a grey hint at open, red only once the person has been at the provider."""
    from dentaldesk.demo import DEMO_PASSWORDS
    from dentaldesk.services.access.login import login
    from dentaldesk.services.uow import UnitOfWork
    from dentaldesk.ui.shell.main_window import MainWindow

    actor = login(UnitOfWork.for_engine(demo_engine), "frontdesk", DEMO_PASSWORDS["frontdesk"], "ws-refuse")
    window = MainWindow(make_ctx(demo_engine, actor))
    qtbot.addWidget(window)
    window.show()
    window.choose_patient(1)
    window.nav_actions["Ledger"].trigger()
    window.ledger.open_post_charge()
    dialog = window.ledger.dialog
    qtbot.waitExposed(dialog)
    section = dialog.procedure
    assert section.provider.currentData() is None
    assert not section.messages["provider"].isVisible()
    assert section.hints["provider"].isVisible()
    assert section.hints["provider"].text().startswith("Choose who will do this procedure.")
    section.provider.setFocus()
    QTest.keyClick(section.provider, Qt.Key.Key_Down)  # a provider chosen, then back to none
    QTest.keyClick(section.provider, Qt.Key.Key_Home)
    assert section.provider.currentData() is None
    assert section.messages["provider"].isVisible()
    assert section.messages["provider"].text() == "Choose who will do this procedure."
    dialog.reject()
