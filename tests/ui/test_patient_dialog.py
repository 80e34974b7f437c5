"""Adding and editing patients from the Patients view, as the front desk does)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from sqlalchemy import func, select

from dentaldesk.db.models import Account, Patient
from dentaldesk.domain.terms import Icm
from dentaldesk.services.access.login import login
from dentaldesk.services.patients import records as patient_admin
from dentaldesk.services.patients.search import patient_header
from dentaldesk.services.practice import dental_plans
from dentaldesk.services.practice.pricing import quote_fee_in
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.patients.dialog import PatientDialog
from dentaldesk.ui.patients.view import PatientsView

LEFT = Qt.MouseButton.LeftButton


def choose(qtbot, combo: QComboBox, starts_with: str) -> None:
    """Pick a combo item with the keyboard (Home, then Down until it shows)."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText().startswith(starts_with):
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"no item starting with {starts_with!r} in {combo.objectName()}")


def retype(qtbot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


@pytest.fixture
def view(qtbot, demo_engine, make_ctx) -> PatientsView:
    """The Patients view of the demo practice, used by the front desk."""
    ctx = make_ctx(demo_engine, login(UnitOfWork.for_engine(demo_engine), "frontdesk", "demo-front", "ws"))
    patients = PatientsView(ctx)
    qtbot.addWidget(patients)
    patients.resize(900, 500)
    patients.show()
    return patients


def open_new(qtbot, view: PatientsView) -> PatientDialog:
    qtbot.mouseClick(view.new_button, LEFT)
    dialog = view.patient_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def type_person(
    qtbot, dialog: PatientDialog, first: str = "Maria", last: str = "Lopez", born: str = "1988-06-14"
) -> None:
    qtbot.keyClicks(dialog.first_name, first)
    qtbot.keyClicks(dialog.last_name, last)
    qtbot.keyClicks(dialog.birth_date, born)
    qtbot.keyClicks(dialog.phone, "(217) 555-0199")
    qtbot.keyClicks(dialog.email, "maria.lopez@example.com")


def patient_count(view: PatientsView) -> int:
    with view.ctx.uow() as uow:
        return uow.session.scalar(select(func.count(Patient.id))) or 0


def test_front_desk_adds_a_patient_with_a_new_account(qtbot, view: PatientsView, shots: Path) -> None:
    """New patient gives a system patient ID and a new account with the ICM chosen; the view shows them."""
    dialog = open_new(qtbot, view)
    assert dialog.patient_number.text() == "given by the system when saved"
    type_person(qtbot, dialog)
    choose(qtbot, dialog.icm, "ICM 2")
    choose(qtbot, dialog.fee_schedule, "1 -")
    dialog.grab().save(str(shots / "patient_dialog_new.png"))
    with qtbot.waitSignal(view.patient_chosen) as chosen:
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert not dialog.isVisible()
    saved = dialog.saved
    assert saved is not None and saved.patient_number == "1041"  # the demo's next patient number
    assert chosen.args == [saved.patient_id]
    assert view.model.row(0).row.display_name == "Lopez, Maria"
    header = patient_header(view.ctx.uow(), view.ctx.user, saved.patient_id)
    assert (header.icm, header.fee_schedule, header.email) == (
        Icm.PATIENT_PORTION_AT_SERVICE,
        1,
        "maria.lopez@example.com",
    )


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("birth_date", "2099-01-01", "The birth date 2099-01-01 is in the future."),
        ("email", "maria.example.com", "'maria.example.com' is not an e-mail address"),
    ],
)
def test_bad_birth_date_or_email_is_refused_at_the_field(
    qtbot, view: PatientsView, field: str, typed: str, message: str, shots: Path
) -> None:
    """Bad input: a birth date in the future or an e-mail that is not one is refused beside it; nothing saved."""
    before = patient_count(view)
    dialog = open_new(qtbot, view)
    type_person(qtbot, dialog)
    retype(qtbot, getattr(dialog, field), typed)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible()
    assert dialog.errors[field].isVisible() and dialog.errors[field].text().startswith(message)
    assert patient_count(view) == before
    dialog.grab().save(str(shots / f"patient_dialog_bad_{field}.png"))


def test_duplicate_name_and_birth_date_warns_and_save_anyway_saves(qtbot, view: PatientsView, shots: Path) -> None:
    """Same name and birth date shows a warning with Save anyway; it is a warning, not a refusal."""
    with view.ctx.uow() as uow:
        twin = uow.session.scalar(select(Patient).order_by(Patient.id).limit(1))
        first, last, born, number = twin.first_name, twin.last_name, f"{twin.birth_date:%Y-%m-%d}", twin.patient_number
    before = patient_count(view)
    dialog = open_new(qtbot, view)
    type_person(qtbot, dialog, first.upper(), last, born)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.duplicate.isVisible()
    assert f"{last}, {first} (patient ID {number})" in dialog.duplicate_text.text()
    assert patient_count(view) == before
    dialog.grab().save(str(shots / "patient_dialog_duplicate.png"))
    qtbot.mouseClick(dialog.save_anyway, LEFT)
    assert not dialog.isVisible() and dialog.saved is not None
    assert patient_count(view) == before + 1


def test_tx_fee2_patient_added_with_dmo_coverage_gets_the_cap_fee(qtbot, view: PatientsView, shots: Path) -> None:
    """TX-FEE-2 story: a patient added with the DMO/Capitation plan is charged the plan's bluebook cap fee."""
    dialog = open_new(qtbot, view)
    type_person(qtbot, dialog)
    assert not dialog.primary.subscriber_id.isEnabled()  # nothing to fill in without a plan
    choose(qtbot, dialog.primary.plan, "Cigna Dental Care DHMO")
    assert dialog.primary.subscriber_id.isEnabled()
    qtbot.keyClicks(dialog.primary.subscriber_id, "CGN-5521")
    retype(qtbot, dialog.primary.benefits_used, "120.00")
    dialog.grab().save(str(shots / "patient_dialog_dmo.png"))
    qtbot.mouseClick(dialog.save_button, LEFT)
    saved = dialog.saved
    assert saved is not None
    header = patient_header(view.ctx.uow(), view.ctx.user, saved.patient_id)
    assert [c.plan_name for c in header.coverages] == ["Cigna Dental Care DHMO"]
    owner = login(view.ctx.uow(), "owner", "demo-owner", "ws")
    plan_id = dialog.primary.plan.currentData()
    cap = next(line for line in dental_plans.load_bluebook(view.ctx.uow(), owner, plan_id) if line.code == "D0150")
    with view.ctx.uow() as uow:
        quote = quote_fee_in(uow.session, saved.patient_id, "D0150")
    assert quote.source == "Bluebook cap fee (Cigna Dental Care DHMO)"
    assert quote.fee == Decimal(cap.plan_fee)
    record = patient_admin.load_patient(view.ctx.uow(), view.ctx.user, saved.patient_id)
    assert (record.form.primary.subscriber_name, record.form.primary.benefits_used) == ("Maria Lopez", "120.00")


def test_patient_joins_an_existing_account_and_takes_its_terms(qtbot, view: PatientsView, shots: Path) -> None:
    """Glossary (Account): typing an account number shows its guarantor and fills its ICM and fee schedule."""
    with view.ctx.uow() as uow:
        account = uow.session.scalar(select(Account).where(Account.icm == 1).order_by(Account.id).limit(1))
        number, schedule = account.account_number, account.fee_schedule
    dialog = open_new(qtbot, view)
    type_person(qtbot, dialog)
    qtbot.keyClicks(dialog.account_number, number)
    assert dialog.existing_account.isChecked()
    qtbot.waitUntil(lambda: dialog.account_info.text().startswith(f"Account {number}: guarantor"))
    assert dialog.icm.currentData() == 1 and dialog.fee_schedule.currentData() == schedule
    dialog.grab().save(str(shots / "patient_dialog_existing_account.png"))
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.saved is not None and dialog.saved.account_number == number


def test_unknown_account_number_is_refused_beside_it(qtbot, view: PatientsView) -> None:
    """An account number that does not exist is refused beside the account field."""
    dialog = open_new(qtbot, view)
    type_person(qtbot, dialog)
    qtbot.keyClicks(dialog.account_number, "99999")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert "There is no account 99999" in dialog.account_error.text()
    assert dialog.isVisible()


def test_edit_patient_from_the_list_changes_the_phone(qtbot, view: PatientsView, shots: Path) -> None:
    """SEC-2: Edit patient opens the chosen patient filled in; a changed phone is saved."""
    assert not view.edit_button.isEnabled()
    with view.ctx.uow() as uow:
        someone = uow.session.scalar(select(Patient).order_by(Patient.id).limit(1))
        number, patient_id = someone.patient_number, someone.id
    qtbot.keyClicks(view.search, number)
    qtbot.waitUntil(lambda: view.chosen_id == patient_id)  # the first match is highlighted and chosen
    assert view.edit_button.isEnabled()
    qtbot.mouseClick(view.edit_button, LEFT)
    dialog = view.patient_dialog
    qtbot.addWidget(dialog)
    assert dialog.patient_number.text() == number
    assert dialog.existing_account.isChecked() and dialog.account_number.text()
    retype(qtbot, dialog.phone, "(217) 555-0000")
    dialog.grab().save(str(shots / "patient_dialog_edit.png"))
    with qtbot.waitSignal(view.patient_chosen):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert patient_header(view.ctx.uow(), view.ctx.user, patient_id).phone == "(217) 555-0000"


def test_patient_dialog_keyboard_order_mnemonics_and_names(qtbot, view: PatientsView) -> None:
    """Accessibility: Tab goes down the patient fields to the account; Alt+B jumps to Birth date; inputs named."""
    dialog = open_new(qtbot, view)
    order = []
    for _ in range(9):
        order.append(QApplication.focusWidget().objectName())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert order == [
        "first_name",
        "last_name",
        "birth_date",
        "phone",
        "email",
        "address",
        "new_account",
        "account_number",
        "icm",
    ]
    qtbot.keyClick(dialog, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialog.birth_date
    unnamed = [
        w.objectName()
        for w in dialog.findChildren(QLineEdit) + dialog.findChildren(QComboBox)
        if not w.accessibleName()
    ]
    assert unnamed == []


def test_data4_a_stale_patient_form_keeps_the_typing_and_reloads_with_it_re_applied(
    qtbot, view: PatientsView, shots: Path
) -> None:
    """DATA-4: another workstation saves the patient's address while this dialog is open; Save is refused
    in red naming who saved and when, the typed phone stays; Reload, keeping my changes shows their address
    with my phone, the red line goes; Save then keeps both."""
    from dataclasses import replace

    with view.ctx.uow() as uow:
        patient_id = uow.session.scalar(select(Patient.id).order_by(Patient.id).limit(1))
    dialog = PatientDialog(view.ctx, patient_id)
    qtbot.addWidget(dialog)
    dialog.show()
    retype(qtbot, dialog.phone, "(217) 555-0123")
    elsewhere = login(UnitOfWork.for_engine(view.ctx.engine), "owner", "demo-owner", "front-2")
    record = patient_admin.load_patient(view.ctx.uow(), elsewhere, patient_id)
    patient_admin.edit_patient(
        view.ctx.uow(),
        elsewhere,
        patient_id,
        replace(record.form, address="12 Harbour Road"),
        expected_versions=record.versions,
    )
    qtbot.mouseClick(dialog.save_button, LEFT)
    bar = dialog.conflict
    assert dialog.isVisible() and bar.text.isVisible()
    assert "on front-2 saved this patient at " in bar.text.text()
    assert dialog.phone.text() == "(217) 555-0123"  # what was typed is kept
    dialog.grab().save(str(shots / "patient_dialog_conflict.png"))
    qtbot.mouseClick(bar.reload_button, LEFT)
    assert not bar.text.isVisible() and "re-applied" in bar.note.text()
    assert dialog.phone.text() == "(217) 555-0123" and dialog.address.toPlainText() == "12 Harbour Road"
    dialog.grab().save(str(shots / "patient_dialog_reloaded.png"))
    qtbot.mouseClick(dialog.save_button, LEFT)
    header = patient_header(view.ctx.uow(), view.ctx.user, patient_id)
    assert header.phone == "(217) 555-0123"
    assert patient_admin.load_patient(view.ctx.uow(), elsewhere, patient_id).form.address == "12 Harbour Road"
