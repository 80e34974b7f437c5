"""Money after the dialog, on screen: what the Patient Transactions window shows before OK is what
completing the item posts (INS-9), the posted charge's window and the Ledger show the charge, its
write-off, what insurance paid and what the patient owes (INS-8), and the window's own cases: a plan
item's DOS and Aged read-only (TX-DOS-1), no figures for a refused fee and the empty-fee message
(TX-VAL-1), no silent tooth completion (ID-1), a back-dated DOS confirmed (TX-DOS-2), the carrier's
write-off typed per claim line (INS-8). Driven as a person does, with a fixed clock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from money_clinic import FIXED, TODAY, Clinic, R, _day
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from sqlalchemy import select, update

from dentaldesk.db.models import LedgerTransaction, Office, PlanItem
from dentaldesk.domain.money import format_money
from dentaldesk.domain.terms import CoverageRank, EstimationType, Icm, ToothNumbering, TransactionKind
from dentaldesk.ui.ledger.dialogs import InsurancePaymentDialog
from dentaldesk.ui.ledger.view import LEDGER_COLUMNS, LedgerView
from dentaldesk.ui.plans.editor import PlanEditor
from dentaldesk.ui.transactions import PatientTransactionDialog

LEFT = Qt.MouseButton.LeftButton
D = Decimal


def shown(label: QLabel) -> str:
    return label.text() if label.isVisibleTo(label.window()) else ""


def snap(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    widget.grab().save(str(path))


def open_editor(qtbot, clinic: Clinic, make_ctx, plan_id: int) -> PlanEditor:
    editor = PlanEditor(make_ctx(clinic.m.engine, clinic.owner), plan_id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=2000)
    return editor


def item_dialog(qtbot, editor: PlanEditor, item_id: int) -> PatientTransactionDialog:
    """Select a saved item in the editor and press Enter: its Patient Transactions window."""
    key = next(k for k, saved in editor.working.ids.items() if saved == item_id)
    editor.tree.setCurrentIndex(editor.model.index_of(key))
    QTest.keyClick(editor.tree, Qt.Key.Key_Return)
    dialog = editor.dialog
    assert isinstance(dialog, PatientTransactionDialog) and dialog.isVisible()
    qtbot.addWidget(dialog)
    return dialog


def new_item_dialog(qtbot, editor: PlanEditor) -> PatientTransactionDialog:
    QTest.keyClick(editor.tree, Qt.Key.Key_Insert)
    dialog = editor.dialog
    assert isinstance(dialog, PatientTransactionDialog)
    qtbot.addWidget(dialog)
    return dialog


def ledger_view(qtbot, clinic: Clinic, make_ctx) -> LedgerView:
    ctx = make_ctx(clinic.m.engine, clinic.owner)
    view = LedgerView(ctx)
    qtbot.addWidget(view)
    view.resize(1500, 640)
    view.show()
    ctx.changes.patient_selected.emit(clinic.patient)
    view.set_account(clinic.account)
    return view


# --- INS-9: before OK is what is posted, for every item of a many-item plan ----------------------

SETUPS = {
    "deductible, maximum almost used, secondary": dict(
        plans=[
            dict(name="Acme", kind=EstimationType.PERCENTAGE, percents={R: 80, FIXED: 50}, deductible="50",
                 annual_max="1500", used="1200"),
            dict(name="Second", kind=EstimationType.PERCENTAGE, percents={R: 50, FIXED: 50}, deductible="25",
                 annual_max="1000", rank=CoverageRank.SECONDARY),
        ],
        icm=Icm.PATIENT_PORTION_AT_SERVICE,
    ),
    "PPO": dict(
        plans=[dict(name="Acme PPO", kind=EstimationType.PPO, percents={R: 80, FIXED: 50}, deductible="50",
                    bluebook={"D2740": "900", "D2391": "150"})],
        icm=Icm.AFTER_INSURANCE,
    ),
    "DMO": dict(
        plans=[dict(name="Acme DMO", kind=EstimationType.DMO, percents={}, copay="20")],
        icm=Icm.FULL_FEE_AT_SERVICE,
    ),
}  # fmt: skip
ITEMS = [
    ("D2391", "3", "", "500.00"),
    ("D2391", "4", "", "180.00"),
    ("D2740", "14", "", "1200.00"),
    ("D0120", "", "", "65.00"),
    ("D2740", "19", "", "1350.00"),
    ("D1110", "", "", "125.00"),
]


@pytest.mark.parametrize("setup", list(SETUPS))
def test_ins9_every_item_shows_before_ok_what_completing_it_posts(qtbot, clinic, make_ctx, setup) -> None:
    """INS-9: for each item of a six-item plan, in plan order, the Patient Transactions window's
    Deductible, Insurance Pays, write-off and patient portion before OK are the charge's posted
    figures after the item is completed, with a deductible to meet, a maximum almost used and a
    secondary plan, on a PPO and on a DMO plan."""
    terms = SETUPS[setup]
    for plan in terms["plans"]:
        clinic.plan(icm=terms["icm"], **plan)
    saved, items = clinic.treatment(*ITEMS)
    saved = clinic.approve(saved)
    for item_id in items:
        editor = open_editor(qtbot, clinic, make_ctx, saved.plan_id)
        dialog = item_dialog(qtbot, editor, item_id)
        insurance = dialog.insurance
        before = (insurance.deductible.text(), insurance.insurance_pays.text(), insurance.portion.text())
        qtbot.mouseClick(dialog.cancel_button, LEFT)
        editor.close()
        saved = clinic.complete(saved, item_id, _day(11, 20))
        tx = clinic.charge_of_item(item_id)
        deductible = f"Primary {format_money(tx.deductible_primary)}"
        if setup.endswith("secondary"):
            deductible += f" · Secondary {format_money(tx.deductible_secondary)}"
        patient = tx.amount - tx.write_off - tx.estimated_insurance
        posted = (
            deductible,
            format_money(tx.estimated_insurance),
            f"Write-off {format_money(tx.write_off)} · Patient {format_money(patient)}",
        )
        assert before == posted, (setup, item_id)


# --- 6. A plan item's DOS and Aged are read-only (TX-DOS-1) ---------------------------------------


def test_case06_tx_dos1_a_plan_items_dos_and_aged_are_read_only(qtbot, clinic, make_ctx) -> None:
    """TX-DOS-1 / TX-AGE-2: adding a plan item, DOS and Aged show today and cannot be changed; the
    window says the charge takes the day the item is completed."""
    clinic.plan("Acme", EstimationType.PERCENTAGE, {R: 80})
    saved, _items = clinic.treatment(("D0120", "", "", "65.00"))
    dialog = new_item_dialog(qtbot, open_editor(qtbot, clinic, make_ctx, saved.plan_id))
    qtbot.keyClicks(dialog.procedure.code_edit, "D2391")
    charges = dialog.charges
    assert charges.dos.isReadOnly() and charges.aged.edit.isReadOnly() and not charges.aged.blank.isEnabled()
    charges.dos.setFocus()
    QTest.keyClick(charges.dos, Qt.Key.Key_Up)
    assert charges.dos_value == TODAY and charges.aged.value() == TODAY
    assert "day the item is completed" in shown(charges.dos_note)


# --- 10. Figures while the fee is refused, and the empty-fee message (TX-VAL-1) ---------------------


def test_case10_tx_val1_no_figures_for_a_refused_fee_and_the_empty_fee_names_the_schedule(
    qtbot, clinic, make_ctx
) -> None:
    """TX-VAL-1: with "12,34" in Fee, Tax, Deductible and Insurance Pays show no figure (not those of
    0.00) and say to fix the fee; an emptied fee says Fee schedule 0 has 180.00 for it."""
    clinic.plan("Acme", EstimationType.PERCENTAGE, {R: 80}, deductible="50")
    saved, _items = clinic.treatment(("D0120", "", "", "65.00"))
    dialog = new_item_dialog(qtbot, open_editor(qtbot, clinic, make_ctx, saved.plan_id))
    qtbot.keyClicks(dialog.procedure.code_edit, "D2391")
    assert dialog.insurance.insurance_pays.text() == "104.00"  # (180 - 50) x 80 %
    fee = dialog.procedure.fee
    fee.selectAll()
    qtbot.keyClicks(fee, "12,34")
    assert "not an amount" in shown(dialog.procedure.messages["fee"])
    insurance = dialog.insurance
    assert (dialog.charges.tax.text(), insurance.deductible.text(), insurance.insurance_pays.text()) == (
        "Tax -",
        "-",
        "-",
    )
    assert "Fix the fee" in shown(insurance.messages["insurance"])
    assert not dialog.ok_button.isEnabled()
    fee.selectAll()
    QTest.keyClick(fee, Qt.Key.Key_Delete)
    assert "Fee schedule 0: 180.00" in shown(dialog.procedure.hints["fee"])
    assert insurance.insurance_pays.text() == "-" and "Type a fee" in shown(insurance.messages["insurance"])


# --- 11. FDI tooth entry never completes silently (ID-1) ------------------------------------------


@pytest.mark.parametrize(
    ("numbering", "typed"), [(ToothNumbering.FDI, "3"), (ToothNumbering.FDI, "4"), (ToothNumbering.UNIVERSAL, "33")]
)
def test_case11_id1_a_typed_tooth_is_never_completed_silently(qtbot, clinic, make_ctx, numbering, typed) -> None:
    """ID-1: under FDI, "3" then Tab stays "3" and is refused with the valid range (it used to become
    31); the same under Universal for "33"; nothing is stored."""
    with clinic.uow:
        clinic.uow.session.execute(update(Office).values(tooth_numbering=numbering))
        clinic.uow.commit()
    saved, _items = clinic.treatment(("D0120", "", "", "65.00"))
    editor = open_editor(qtbot, clinic, make_ctx, saved.plan_id)
    dialog = new_item_dialog(qtbot, editor)
    qtbot.keyClicks(dialog.procedure.code_edit, "D2391")
    tooth = dialog.procedure.tooth
    qtbot.keyClicks(tooth.lineEdit(), typed)
    QTest.keyClick(tooth.lineEdit(), Qt.Key.Key_Tab)
    assert tooth.currentText() == typed
    assert shown(dialog.procedure.messages["tooth"]) and not dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    with clinic.uow.read():
        assert clinic.uow.session.scalar(select(PlanItem.id).where(PlanItem.tooth.like("%1"))) is None


# --- TX-DOS-2 in the window ------------------------------------------------------------------------


def test_tx_dos2_posting_a_dos_far_back_asks_for_the_box_first(qtbot, clinic, make_ctx) -> None:
    """TX-DOS-2: a DOS 40 days back shows "Post it dated 40 days back"; OK without it is refused at
    DOS and posts nothing; ticked, the charge is posted with that DOS."""
    view = ledger_view(qtbot, clinic, make_ctx)
    qtbot.mouseClick(view.charge_button, LEFT)
    dialog = view.dialog
    assert isinstance(dialog, PatientTransactionDialog)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.procedure.code_edit, "D0120")
    dialog.charges.dos.setDate(dialog.charges.dos.date().addDays(-40))
    box = dialog.charges.confirm_back_dating
    assert box.isVisibleTo(dialog) and "40 days back" in box.text()
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.isVisible() and "40 days back" in shown(dialog.charges.messages["dos"])
    with clinic.uow.read():
        assert clinic.uow.session.scalar(select(LedgerTransaction.id)) is None
    box.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    with clinic.uow.read():
        assert clinic.uow.session.scalar(select(LedgerTransaction.dos)) == TODAY - dt.timedelta(days=40)


# --- INS-8: the carrier's write-off per line, the posted charge's window, the Ledger ---------------


def test_ins8_ppo_charge_after_its_claim_completes_shows_charge_write_off_paid_and_owed(
    qtbot, clinic, make_ctx, shots: Path
) -> None:
    """INS-8: ICM 2 PPO crown, fee 1,200, allowed 900, 50 %: posted with its 300 write-off; the
    insurance payment dialog takes the carrier's paid 425 and write-off 350 per line; after the
    claim completes the Ledger's row and the charge's window show charge 1,200, write-off 350,
    insurance paid 425, patient owes 425, and no re-estimate."""
    clinic.plan(
        "Acme PPO", EstimationType.PPO, {FIXED: 50}, bluebook={"D2740": "900"}, icm=Icm.PATIENT_PORTION_AT_SERVICE
    )
    posted = clinic.charge("D2740", _day(10, 1), fee="1200.00", tooth="14")
    clinic.file(_day(10, 2))
    view = ledger_view(qtbot, clinic, make_ctx)
    qtbot.mouseClick(view.insurance_button, LEFT)
    pay = view.dialog
    assert isinstance(pay, InsurancePaymentDialog)
    qtbot.addWidget(pay)
    [line_id] = list(pay.paid_edits)
    assert pay.write_off_edits[line_id].text() == "300.00"  # the estimate posted with the charge
    qtbot.keyClicks(pay.paid_edits[line_id], "425.00")
    pay.write_off_edits[line_id].selectAll()
    qtbot.keyClicks(pay.write_off_edits[line_id], "350.00")
    pay.date.setDate(pay.date.date().addDays((_day(11, 20) - TODAY).days))
    qtbot.mouseClick(pay.action_button, LEFT)
    qtbot.waitUntil(lambda: not pay.isVisible(), timeout=3000)
    titles = [c.title for c in LEDGER_COLUMNS]
    rows = view.model.rows
    charge_row = next(n for n, r in enumerate(rows) if r.id == posted.transaction_id)

    def cell(title: str) -> str:
        return view.model.data(view.model.index(charge_row, titles.index(title)))

    assert (cell("Charge"), cell("Write-off"), cell("Insurance"), cell("Patient owes")) == (
        "1,200.00",
        "350.00",
        "425.00",
        "425.00",
    )
    assert any(r.kind is TransactionKind.WRITE_OFF and r.credit == D("50.00") for r in rows)
    assert view.strip.values["balance"].text() == "425.00"
    snap(view, shots / "ledger_after_ppo_claim.png")
    view.table.setCurrentIndex(view.model.index(charge_row, 0))
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_Return)
    window = view.dialog
    assert isinstance(window, PatientTransactionDialog)
    qtbot.addWidget(window)
    money = window.insurance.posted_money.accessibleDescription()
    assert money == "Charge 1,200.00, write-off 350.00, insurance paid 425.00, patient owes 425.00"
    assert window.insurance.insurance_pays.text() == "425.00"
    assert "as it stands today" not in window.insurance.explanation.text()
    assert "Insurance paid 425.00" in window.insurance.explanation.text()
    snap(window, shots / "posted_ppo_charge_after_claim.png")
