"""The Patient Transactions dialog driven as a person does, on the demo practice: opened from the plan
editor (Ins) and from the Ledger (Post charge, Enter on a charge), each TX rule checked on screen
(TX-1 .. TX-VAL-1, TX-CHART-1/2, INS-*)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from acting import staff
from field_help import press_f1, snap_help
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from sqlalchemy import Engine, delete, func, select, update

from dentaldesk import clock
from dentaldesk.db.models import (
    Account,
    AuditEvent,
    BluebookEntry,
    Claim,
    Coverage,
    DentalPlan,
    FeeSchedule,
    FeeScheduleEntry,
    LedgerTransaction,
    Office,
    Patient,
    PlanItem,
    ProcedureCode,
    Provider,
)
from dentaldesk.domain.estimates import EstimateInput, estimate_items
from dentaldesk.domain.money import format_money, percent_of
from dentaldesk.domain.terms import ClaimStatus, EstimationType, Icm, TaxMethod
from dentaldesk.services.access.login import login
from dentaldesk.services.ledger.aging import account_aging
from dentaldesk.services.ledger.transactions import posted_charge
from dentaldesk.services.plans import ItemInput, add_item, create_plan
from dentaldesk.services.practice.pricing import load_coverages
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.chart.dialogs import RechartDialog, RemoveGraphicDialog
from dentaldesk.ui.ledger.view import LedgerView
from dentaldesk.ui.plans.editor import PlanEditor
from dentaldesk.ui.transactions import PatientTransactionDialog

LEFT = Qt.MouseButton.LeftButton
TODAY = clock.today()
DMO_PLAN = "Cigna Dental Care DHMO"


class Demo:
    """The demo practice: who is where (ICM, plans, schedule), codes and fees, read with queries."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.uow = UnitOfWork.for_engine(engine)
        self.dentist = login(self.uow, "dentist", "demo-dentist", "ws-test")

    def patient(
        self,
        *,
        icm: Icm | None = None,
        plans: tuple[EstimationType, ...] | None = None,
        schedule: int | None = None,
        open_claim: bool = False,
    ) -> int:
        """The first patient whose account has this ICM/schedule and whose coverage is ``plans``
        (primary first; () for none)."""
        with self.uow:
            s = self.uow.session
            for patient_id, account_icm, account_schedule in s.execute(
                select(Patient.id, Account.icm, Account.fee_schedule)
                .join(Account, Account.id == Patient.account_id)
                .order_by(Patient.id)
            ):
                kinds = tuple(
                    EstimationType(k)
                    for k in s.scalars(
                        select(DentalPlan.estimation_type)
                        .join(Coverage, Coverage.dental_plan_id == DentalPlan.id)
                        .where(Coverage.patient_id == patient_id)
                        .order_by(Coverage.rank)
                    )
                )
                claims = s.scalar(
                    select(func.count(Claim.id)).where(Claim.patient_id == patient_id, Claim.status == ClaimStatus.OPEN)
                )
                if (
                    (icm is None or account_icm == int(icm))
                    and (plans is None or kinds == plans)
                    and (schedule is None or account_schedule == schedule)
                    and (claims > 0 or not open_claim)
                ):
                    return patient_id
        pytest.fail(f"the demo practice has no patient with icm={icm} plans={plans} schedule={schedule}")

    def fee(self, code: str, schedule: int) -> Decimal | None:
        with self.uow:
            return self.uow.session.scalar(
                select(FeeScheduleEntry.fee)
                .join(FeeSchedule, FeeSchedule.id == FeeScheduleEntry.fee_schedule_id)
                .join(ProcedureCode, ProcedureCode.id == FeeScheduleEntry.procedure_code_id)
                .where(FeeSchedule.number == schedule, ProcedureCode.code == code)
            )

    def cap_fee(self, code: str) -> Decimal | None:
        with self.uow:
            return self.uow.session.scalar(
                select(BluebookEntry.plan_fee)
                .join(DentalPlan, DentalPlan.id == BluebookEntry.dental_plan_id)
                .where(DentalPlan.name == DMO_PLAN, BluebookEntry.code == code)
            )

    def set_tax(self, method: TaxMethod, rate: str | None = "6") -> None:
        with self.uow:
            self.uow.session.execute(update(Office).values(tax_method=method, tax_rate=Decimal(rate) if rate else None))
            self.uow.commit()

    def plan(self, patient_id: int, *items: tuple[str, str, str]) -> int:
        """A draft plan of (code, tooth, surfaces) items made through the services."""
        saved = create_plan(self.uow, self.dentist, patient_id, "Phase 1")
        version = saved.version
        with self.uow:
            provider = self.uow.session.scalar(select(Provider.id).order_by(Provider.id))
        for code, tooth, surfaces in items:
            version = add_item(
                self.uow,
                self.dentist,
                saved.plan_id,
                ItemInput(code, tooth, surfaces, provider_id=provider),
                expected_version=version,
            ).version
        return saved.plan_id

    def count(self, model, *where) -> int:  # type: ignore[no-untyped-def]
        with self.uow:
            return self.uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def demo(demo_engine: Engine) -> Demo:
    return Demo(demo_engine)


def activate(qtbot, window: QWidget) -> None:
    """Shortcuts belong to the active window, as on a desktop."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)


def open_editor(qtbot, demo: Demo, make_ctx, plan_id: int) -> PlanEditor:
    editor = PlanEditor(make_ctx(demo.engine, demo.dentist), plan_id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def add_item_dialog(qtbot, demo: Demo, make_ctx, patient_id: int) -> tuple[PlanEditor, PatientTransactionDialog]:
    """A plan for the patient opened in the editor, and Ins pressed: the dialog for a new item."""
    editor = open_editor(qtbot, demo, make_ctx, demo.plan(patient_id))
    activate(qtbot, editor)
    QTest.keyClick(editor.tree, Qt.Key.Key_Insert)
    dialog = editor.dialog
    assert isinstance(dialog, PatientTransactionDialog) and dialog.isVisible()
    qtbot.addWidget(dialog)
    return editor, dialog


def choose(qtbot, dialog: PatientTransactionDialog, code: str, tooth: str = "", surfaces: str = "") -> None:
    section = dialog.procedure
    qtbot.keyClicks(section.code_edit, code)
    assert section.code is not None and section.code.code == code
    if tooth:
        qtbot.keyClicks(section.tooth.lineEdit(), tooth)
    if surfaces:
        qtbot.keyClicks(section.surfaces, surfaces)


def type_fee(qtbot, dialog: PatientTransactionDialog, text: str) -> None:
    dialog.procedure.fee.selectAll()
    qtbot.keyClicks(dialog.procedure.fee, text)


def step_date(qtbot, edit: QWidget, key: Qt.Key, times: int = 1) -> None:
    """Up/Down on a date field steps its first part (the year) as the keyboard does."""
    edit.setFocus()
    for _ in range(times):
        QTest.keyClick(edit, key)


def snap(dialog: QWidget, path: Path) -> None:
    """A screenshot once the window has laid itself out again (it resizes to its content)."""
    QApplication.processEvents()
    dialog.grab().save(str(path))


def assert_unique_mnemonics(dialog: QWidget) -> None:
    """No two visible captions or buttons of the window share their & letter."""
    captions = [
        w
        for w in dialog.findChildren(QWidget)
        if callable(getattr(w, "text", None)) and not isinstance(w, QLineEdit) and w.isVisibleTo(dialog)
    ]
    texts = [w.text() for w in captions if "&" in w.text() and not w.text().startswith("<")]
    keys = [t[t.index("&") + 1].lower() for t in texts]
    assert len(keys) == len(set(keys)), sorted(texts)


def shown(label: QLabel) -> str:
    return label.text() if label.isVisibleTo(label.window()) else ""


# --- header and fee (TX-1, TX-FEE-1..4)


def test_tx1_tx_fee1_header_and_the_accounts_schedule_fee(qtbot, demo, make_ctx, shots: Path) -> None:
    """TX-1/TX-FEE-1: Office and Pat/Acct ID read-only; the fee is schedule 1's for a schedule 1 account."""
    patient = demo.patient(schedule=1, plans=(EstimationType.PERCENTAGE,))
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    assert dialog.header.office_id.text() == "MSD01" and dialog.header.office_id.isReadOnly()
    assert dialog.header.patient_account.isReadOnly() and " / " in dialog.header.patient_account.text()
    choose(qtbot, dialog, "D2391", "3", "MO")
    assert dialog.procedure.fee.text() == f"{demo.fee('D2391', 1):,.2f}"
    assert dialog.procedure.fee_source_label.text() == "Fee schedule 1"


def test_tx_fee2_a_dmo_patient_is_charged_the_bluebook_cap_fee(qtbot, demo, make_ctx, shots: Path) -> None:
    """TX-FEE-2: a DMO patient's fee is the plan's bluebook cap fee, and says so."""
    patient = demo.patient(plans=(EstimationType.DMO,))
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D2950", "14")
    assert demo.cap_fee("D2950") is not None
    assert dialog.procedure.fee.text() == f"{demo.cap_fee('D2950'):,.2f}"
    assert dialog.procedure.fee_source_label.text() == f"Bluebook cap fee ({DMO_PLAN})"
    dialog.insurance.why.click()
    assert "bluebook insurance pays" in shown(dialog.insurance.explanation)  # INS-5
    snap(dialog, shots / "tx_dmo_cap_fee.png")


def test_tx_fee3_a_dmo_patient_without_a_bluebook_entry_gets_fee_0(qtbot, demo, make_ctx) -> None:
    """TX-FEE-3/INS-5: no bluebook entry for the code: Fee 0's amount, and the estimate is fee - copay."""
    patient = demo.patient(plans=(EstimationType.DMO,))
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D2391", "3", "MO")
    assert demo.cap_fee("D2391") is None
    assert dialog.procedure.fee.text() == f"{demo.fee('D2391', 0):,.2f}"
    assert dialog.procedure.fee_source_label.text() == f"Fee 0 (no bluebook entry for {DMO_PLAN})"
    dialog.insurance.why.click()
    assert "no bluebook entry: fee" in shown(dialog.insurance.explanation)


def test_tx_fee4_no_fee_in_the_schedule_falls_back_to_fee_0_then_must_be_typed(qtbot, demo, make_ctx) -> None:
    """TX-FEE-4: schedule 1 lacks D2740 -> Fee 0; with Fee 0 gone too the fee is empty and asked for."""
    patient = demo.patient(schedule=1, plans=(EstimationType.PERCENTAGE,))
    assert demo.fee("D2740", 1) is None
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D2740", "14")
    assert dialog.procedure.fee.text() == f"{demo.fee('D2740', 0):,.2f}"
    assert dialog.procedure.fee_source_label.text() == "Fee 0 (schedule 1 has no fee for D2740)"
    with demo.uow:
        code_id = demo.uow.session.scalar(select(ProcedureCode.id).where(ProcedureCode.code == "D2740"))
        demo.uow.session.execute(delete(FeeScheduleEntry).where(FeeScheduleEntry.procedure_code_id == code_id))
        demo.uow.commit()
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D2740", "14")
    assert dialog.procedure.fee.text() == ""
    assert "Type a fee" in shown(dialog.procedure.hints["fee"])


# --- tax (TX-TAX-1/2)


def test_tx_tax2_non_pro_rata_taxable_follows_the_code_and_the_tax_follows_the_fee(qtbot, demo, make_ctx) -> None:
    """TX-TAX-1/2: Non-pro rata 6 %: Taxable enabled and checked for a taxable code; tax = fee x 6 %,
    following the fee typed; unchecking exempts this charge."""
    patient = demo.patient(plans=())
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D9941")
    charges = dialog.charges
    fee = demo.fee("D9941", 0)
    assert charges.taxable.isEnabled() and charges.taxable.isChecked()
    assert charges.tax.text() == f"Tax {format_money(percent_of(fee, 6))}"
    type_fee(qtbot, dialog, "200")
    assert charges.tax.text() == "Tax 12.00"
    charges.taxable.setFocus()
    QTest.keyClick(charges.taxable, Qt.Key.Key_Space)
    assert not charges.taxable.isChecked() and charges.tax.text() == "Tax 0.00"
    type_fee(qtbot, dialog, "300")
    assert not charges.taxable.isChecked() and charges.tax.text() == "Tax 0.00"  # the choice stays
    choose_again = dialog.procedure
    choose_again.code_edit.clear()
    qtbot.keyClicks(choose_again.code_edit, "D2391")
    assert charges.taxable.isEnabled() and not charges.taxable.isChecked()  # D2391 is not taxable


def test_tx_tax1_pro_rata_taxable_is_disabled_and_checked(qtbot, demo, make_ctx, shots: Path) -> None:
    """TX-TAX-1: under Pro rata every charge is taxed: Taxable disabled and checked, tax shown."""
    demo.set_tax(TaxMethod.PRO_RATA)
    patient = demo.patient(plans=())
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D2391", "3", "MO")
    charges = dialog.charges
    assert not charges.taxable.isEnabled() and charges.taxable.isChecked()
    assert "Pro rata" in shown(charges.taxable_reason)
    assert charges.tax.text() == f"Tax {format_money(percent_of(demo.fee('D2391', 0), 6))}"
    snap(dialog, shots / "tx_pro_rata.png")


@pytest.mark.parametrize(
    ("method", "rate", "says"), [(TaxMethod.NONE, "6", "No tax method"), (TaxMethod.NON_PRO_RATA, None, "No tax rate")]
)
def test_tx_tax1_no_method_or_no_rate_taxable_is_disabled_and_unchecked(
    qtbot, demo, make_ctx, method, rate, says
) -> None:
    """TX-TAX-1: with no tax method or no rate, Taxable is disabled and unchecked, and no tax."""
    demo.set_tax(method, rate)
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, demo.patient(plans=()))
    choose(qtbot, dialog, "D9941")
    charges = dialog.charges
    assert not charges.taxable.isEnabled() and not charges.taxable.isChecked()
    assert says in shown(charges.taxable_reason) and charges.tax.text() == "Tax 0.00"


# --- RTU's, options (TX-RTU-1, TX-OPT-1)


def test_tx_rtu1_and_tx_opt1_default_rtus_and_the_codes_options(qtbot, demo, make_ctx) -> None:
    """TX-RTU-1/TX-OPT-1: RTU's default to the code's; the option boxes show the code, and do not change."""
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, demo.patient(plans=()))
    boxes = dialog.options.boxes
    assert not any(box.isChecked() for box in boxes.values())
    choose(qtbot, dialog, "D2391", "3", "MO")
    assert dialog.procedure.rtu.text() == str(dialog.procedure.code.default_rtu)
    assert {name for name, box in boxes.items() if box.isChecked()} == {
        "insurable",
        "requires_tooth",
        "requires_surface",
        "charts_graphic",
    }
    qtbot.mouseClick(boxes["taxable"], LEFT)
    assert not boxes["taxable"].isChecked()  # read-only
    dialog.procedure.code_edit.clear()
    qtbot.keyClicks(dialog.procedure.code_edit, "D9630")
    assert {name for name, box in boxes.items() if box.isChecked()} == {"taxable"}


# --- aging (TX-AGE-1..5)


def test_tx_age1_aged_is_shown_only_once_a_code_is_chosen(qtbot, demo, make_ctx) -> None:
    """TX-AGE-1: no code, no Aged field; a code chosen shows it."""
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, demo.patient(plans=()))
    assert not dialog.charges.aged.isVisible()
    choose(qtbot, dialog, "D0120")
    assert dialog.charges.aged.isVisible()


def test_tx_age2_icm0_plan_item_ages_from_the_day_it_is_completed(qtbot, demo, make_ctx) -> None:
    """TX-AGE-2 / TX-DOS-1: an insurable charge on ICM 0 has Aged = DOS (today); a plan item's DOS and
    Aged are read-only (its charge takes the day of completion), so the arrow keys leave them."""
    patient = demo.patient(icm=Icm.FULL_FEE_AT_SERVICE, plans=(EstimationType.PPO,))
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D2391", "3", "MO")
    charges = dialog.charges
    assert dialog.insurance.insurable.isChecked() and charges.aged.value() == TODAY
    assert charges.dos.isReadOnly() and charges.aged.edit.isReadOnly() and not charges.aged.blank.isEnabled()
    step_date(qtbot, charges.dos, Qt.Key.Key_Up)
    assert charges.dos_value == TODAY and charges.aged.value() == TODAY
    assert "day the item is completed" in shown(charges.dos_note)
    assert not shown(charges.messages["dos"]) and dialog.ok_button.isEnabled()


def test_tx_age2_a_non_insurable_charge_on_icm1_ages_from_today(qtbot, demo, make_ctx) -> None:
    """TX-AGE-2: a non-insurable code ages at once even on an ICM 1 account."""
    patient = demo.patient(icm=Icm.AFTER_INSURANCE, plans=(EstimationType.PERCENTAGE,))
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D9630")
    assert not dialog.insurance.insurable.isChecked() and dialog.charges.aged.value() == TODAY


def test_tx_age3_icm1_insurable_aged_is_blank(qtbot, demo, make_ctx, shots: Path) -> None:
    """TX-AGE-3: an insurable charge on ICM 1 leaves Aged blank: current until the claim completes."""
    patient = demo.patient(icm=Icm.AFTER_INSURANCE, plans=(EstimationType.PERCENTAGE,))
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D2391", "3", "MO")
    charges = dialog.charges
    assert charges.aged.value() is None and charges.aged.blank.isChecked()
    assert charges.aged.edit.text() == "blank - current"
    assert "whole charge stays current" in shown(charges.aged_hint)
    dialog.insurance.why.click()
    snap(dialog, shots / "tx_icm1_insurable_aged_blank.png")


def test_tx_age4_icm2_insurable_aged_is_blank_and_the_insurance_part_is_held(qtbot, demo, make_ctx) -> None:
    """TX-AGE-4: on ICM 2 Aged is blank for the insurance portion, held current; the rest ages from DOS."""
    patient = demo.patient(icm=Icm.PATIENT_PORTION_AT_SERVICE, plans=(EstimationType.PERCENTAGE,))
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D2391", "3", "MO")
    pays = dialog.insurance.insurance_pays.text()
    assert dialog.charges.aged.value() is None and Decimal(pays.replace(",", "")) > 0
    assert f"Insurance portion {pays} stays current" in shown(dialog.charges.aged_hint)


def test_tx_age5_future_aged_allowed_blank_by_keyboard_and_before_dos_refused(qtbot, demo, ledger) -> None:
    """TX-AGE-5: posting from the Ledger, a future Aged date is current until then; Space on Current
    blanks it; before DOS is refused at the field with OK disabled."""
    patient = demo.patient(icm=Icm.FULL_FEE_AT_SERVICE, plans=())
    dialog = post_dialog(qtbot, ledger(patient))
    choose(qtbot, dialog, "D0120")
    charges = dialog.charges
    step_date(qtbot, charges.aged.edit, Qt.Key.Key_Up)
    assert charges.aged.value() > TODAY and "Current until" in shown(charges.aged_hint)
    assert dialog.ok_button.isEnabled()
    charges.aged.blank.setFocus()
    QTest.keyClick(charges.aged.blank, Qt.Key.Key_Space)
    assert charges.aged.value() is None and "stays current until a date" in shown(charges.aged_hint)
    step_date(qtbot, charges.aged.edit, Qt.Key.Key_Down)  # a blank date starts from the DOS
    assert charges.aged.value() == TODAY
    step_date(qtbot, charges.aged.edit, Qt.Key.Key_Down)
    assert "before the date of service" in shown(charges.messages["aged"])
    assert not dialog.ok_button.isEnabled()


# --- insurance (TX-INS-1..5, INS-2)


def test_tx_ins1_insurable_only_when_covered(qtbot, demo, make_ctx) -> None:
    """TX-INS-1: no insurance -> Insurable unchecked and disabled; covered insurable code -> checked;
    a code whose Insurable option is off -> unchecked."""
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, demo.patient(plans=()))
    choose(qtbot, dialog, "D2391", "3", "MO")
    insurance = dialog.insurance
    assert not insurance.insurable.isChecked() and not insurance.insurable.isEnabled()
    assert "No insurance on file" in shown(insurance.insurable_reason)
    assert insurance.coverage_type.text() == "No insurance" and insurance.insurance_pays.text() == "0.00"
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, demo.patient(plans=(EstimationType.PERCENTAGE,)))
    choose(qtbot, dialog, "D2391", "3", "MO")
    assert dialog.insurance.insurable.isChecked() and dialog.insurance.insurable.isEnabled()
    dialog.procedure.code_edit.clear()
    qtbot.keyClicks(dialog.procedure.code_edit, "D9630")
    assert not dialog.insurance.insurable.isChecked()
    assert "Insurable option is off" in shown(dialog.insurance.insurable_reason)


def test_tx_ins3_ins4_ins5_type_deductible_and_pays_come_from_the_estimate_engine(qtbot, demo, make_ctx) -> None:
    """TX-INS-3/4/5: Type, primary and secondary Deductible and Insurance Pays are the engine's, follow
    the fee typed, and Why? shows the engine's explanation."""
    patient = demo.patient(plans=(EstimationType.PPO, EstimationType.PERCENTAGE))
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D2391", "3", "MO")
    insurance = dialog.insurance
    for fee in ("180.00", "240.00"):
        type_fee(qtbot, dialog, fee)
        with demo.uow:
            [engine] = estimate_items(
                [EstimateInput(key=0, code="D2391", category=dialog.procedure.code.category, fee=Decimal(fee))],
                *load_coverages(demo.uow.session, patient),
            )
        assert insurance.coverage_type.text() == engine.coverage_type
        assert "Restorative" in engine.coverage_type and "; secondary: " in engine.coverage_type
        assert insurance.deductible.text() == (
            f"Primary {format_money(engine.deductible_primary)} · Secondary {format_money(engine.deductible_secondary)}"
        )
        assert insurance.insurance_pays.text() == format_money(engine.insurance)
    assert not insurance.explanation.isVisible()
    qtbot.mouseClick(insurance.why, LEFT)
    assert insurance.explanation.isVisible() and insurance.explanation.text() == engine.explanation


def test_ins2_the_dialog_estimates_a_new_item_after_the_plans_items(qtbot, demo, make_ctx) -> None:
    """INS-2: the crown already planned meets the deductible, so the new item shows none, as the handout."""
    patient = demo.patient(icm=Icm.AFTER_INSURANCE, plans=(EstimationType.PERCENTAGE,))
    editor = open_editor(qtbot, demo, make_ctx, demo.plan(patient, ("D2740", "14", "")))
    activate(qtbot, editor)
    QTest.keyClick(editor.tree, Qt.Key.Key_Insert)
    dialog = editor.dialog
    qtbot.addWidget(dialog)
    choose(qtbot, dialog, "D2391", "3", "MO")
    crown_fee = demo.fee("D2740", 0)
    with demo.uow:
        crown, filling = estimate_items(
            [
                EstimateInput(key=1, code="D2740", category=dialog.procedure.code.category, fee=crown_fee),
                EstimateInput(
                    key=2,
                    code="D2391",
                    category=dialog.procedure.code.category,
                    fee=Decimal(dialog.procedure.fee.text().replace(",", "")),
                ),
            ],
            *load_coverages(demo.uow.session, patient),
        )
    assert crown.deductible_primary > 0 and filling.deductible_primary == 0
    assert dialog.insurance.deductible.text() == "Primary 0.00"
    assert dialog.insurance.insurance_pays.text() == format_money(filling.insurance)


def test_tx_ins2_a_planned_item_is_on_no_claim(qtbot, demo, make_ctx) -> None:
    """TX-INS-2: a planned item shows no claim number; it goes on one once completed and filed."""
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, demo.patient(plans=(EstimationType.PERCENTAGE,)))
    choose(qtbot, dialog, "D0120")
    assert dialog.insurance.claim_number.isVisible() and dialog.insurance.claim_number.text() == ""
    assert "once it is completed" in shown(dialog.insurance.claim_hint)


# --- what a plan item keeps of its charge (TX-TAX-2, TX-INS-1; services.plans docstring)


def test_tx_tax2_tx_ins1_a_plan_item_keeps_taxable_and_insurable_unticked_after_save_draft(
    qtbot, demo, make_ctx, shots: Path
) -> None:
    """TX-TAX-2/TX-INS-1: Ins, D9941, Taxable and Insurable unticked, OK, Save draft; the plan opened again
    shows the item's window with both still unticked and no tax, as the charge it will post."""
    patient = demo.patient(plans=(EstimationType.PERCENTAGE,))
    editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D9941")
    charges, insurance = dialog.charges, dialog.insurance
    assert charges.taxable.isChecked() and insurance.insurable.isChecked()  # the code's defaults
    for box in (charges.taxable, insurance.insurable):
        box.setFocus()
        QTest.keyClick(box, Qt.Key.Key_Space)
    assert charges.tax.text() == "Tax 0.00" and "keeps Taxable and Insurable" in shown(charges.dos_note)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    activate(qtbot, editor)
    QTest.keyClick(editor.tree, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.is_dirty()
    with demo.uow:
        kept = demo.uow.session.execute(
            select(PlanItem.taxable_override, PlanItem.insurable_override).where(PlanItem.plan_id == editor.plan_id)
        ).one()
    assert tuple(kept) == (False, False)
    editor.close()
    again = open_editor(qtbot, demo, make_ctx, editor.plan_id)
    [key] = again.working.items
    again.tree.setCurrentIndex(again.model.index_of(key))
    activate(qtbot, again)
    QTest.keyClick(again.tree, Qt.Key.Key_Return)
    reopened = again.dialog
    assert isinstance(reopened, PatientTransactionDialog)
    qtbot.addWidget(reopened)
    assert reopened.charges.taxable.isEnabled() and not reopened.charges.taxable.isChecked()
    assert reopened.charges.tax.text() == "Tax 0.00"
    assert reopened.insurance.insurable.isEnabled() and not reopened.insurance.insurable.isChecked()
    assert reopened.insurance.coverage_type.text() == "Not claimed (Insurable unchecked)"
    assert reopened.insurance.insurance_pays.text() == "0.00"
    procedure = reopened.procedure
    assert procedure.results.currentItem().text().startswith("D9941")  # its own code, not the list's first
    snap(reopened, shots / "tx_plan_item_taxable_unticked.png")
    qtbot.mouseClick(reopened.ok_button, LEFT)
    assert not again.is_dirty()  # OK with nothing changed keeps the choices as they were


# --- OK, Cancel and bad input (TX-VAL-1)


def test_tx_val1_ok_puts_the_item_in_the_plan_and_cancel_leaves_everything(qtbot, demo, make_ctx) -> None:
    """TX-VAL-1/TP-7: Cancel adds nothing and writes nothing; OK adds the item as typed (saved with the plan)."""
    patient = demo.patient(plans=(EstimationType.PERCENTAGE,))
    items = demo.count(PlanItem)
    editor, dialog = add_item_dialog(qtbot, demo, make_ctx, patient)
    choose(qtbot, dialog, "D2391", "3", "MO")
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert editor.working.items == {} and demo.count(PlanItem) == items
    activate(qtbot, editor)
    QTest.keyClick(editor.tree, Qt.Key.Key_Insert)
    dialog = editor.dialog
    qtbot.addWidget(dialog)
    choose(qtbot, dialog, "D2391", "3", "MO")
    type_fee(qtbot, dialog, "150")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    [item] = editor.working.items.values()
    assert (item.code, item.tooth, item.surfaces, item.fee) == ("D2391", "3", "MO", Decimal("150.00"))
    assert demo.count(PlanItem) == items  # nothing written until Save draft


@pytest.mark.parametrize(
    ("code", "tooth", "surfaces", "fee", "rtu", "field", "says"),
    [
        ("D2391", "33", "MO", "", "", "tooth", "1-32"),  # ID-1: not in the numbering
        ("D2740", "14", "MO", "", "", "surfaces", "does not take surfaces"),  # CODE-4
        ("D2391", "3", "MO", "12,3a", "", "fee", "is not an amount"),  # MONEY-1: malformed
        ("D2391", "3", "MO", "-5", "", "fee", "cannot be negative"),  # MONEY-2
        ("D2391", "3", "MO", "", "1.5", "rtu", "whole minutes"),  # TX-RTU-1
    ],
)
def test_tx_val1_bad_input_is_refused_at_its_field_and_ok_stays_disabled(
    qtbot, demo, make_ctx, code, tooth, surfaces, fee, rtu, field, says
) -> None:
    """TX-VAL-1: each bad field says why next to it and OK stays disabled."""
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, demo.patient(plans=()))
    choose(qtbot, dialog, code, tooth, surfaces)
    if fee:
        type_fee(qtbot, dialog, fee)
    if rtu:
        dialog.procedure.rtu.selectAll()
        qtbot.keyClicks(dialog.procedure.rtu, rtu)
    assert says in shown(dialog.procedure.messages[field])
    assert not dialog.ok_button.isEnabled()


def test_id3_a_primary_tooth_on_an_implant_is_refused_at_the_tooth_field(qtbot, demo, make_ctx, shots: Path) -> None:
    """ID-3: D6010 (an implant, permanent teeth only) says so in the tooth field's hint; typing
    primary tooth K shows the refusal at the tooth field and OK (or Enter) adds nothing; tooth 19 is
    accepted and the item is added on it."""
    editor, dialog = add_item_dialog(qtbot, demo, make_ctx, demo.patient(plans=()))
    section = dialog.procedure
    assert section.tooth.lineEdit().placeholderText() == "Universal: 1-32, primary A-T"
    choose(qtbot, dialog, "D6010", "K")
    assert section.tooth.lineEdit().placeholderText() == "Universal: 1-32 (permanent only)"
    assert shown(section.messages["tooth"]) == (
        "D6010 (Implant placement surgery) is for permanent teeth (Universal 1-32); tooth K is a primary tooth."
    )
    assert not dialog.ok_button.isEnabled()
    QTest.keyClick(section.tooth.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible() and editor.working.items == {}
    snap(dialog, shots / "id3_implant_on_primary_tooth.png")
    section.tooth.lineEdit().selectAll()
    qtbot.keyClicks(section.tooth.lineEdit(), "19")
    assert shown(section.messages["tooth"]) == ""
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, LEFT)
    [item] = editor.working.items.values()
    assert (item.code, item.tooth) == ("D6010", "19")


def test_f1_explains_the_focused_field_fee_and_the_tooth_in_the_numbering_in_force(
    qtbot, demo, make_ctx, shots: Path
) -> None:
    """F1 on Fee says what the fee is and what it accepts (TX-FEE-1..4, MONEY-3); F1 on Tooth names the
    office's numbering (ID-1) and, once an implant is chosen, that it is for permanent teeth (ID-3)."""
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, demo.patient(plans=()))
    section = dialog.procedure
    fee_help = press_f1(qtbot, section.fee)
    assert fee_help.startswith("Fee: what the procedure costs.")
    assert "fee schedule amount" in fee_help and "99,999.99" in fee_help
    snap_help(dialog, shots / "f1_fee.png")
    tooth_text = press_f1(qtbot, section.tooth)
    assert "Universal numbering (1-32 permanent teeth, A-T primary teeth)" in tooth_text
    choose(qtbot, dialog, "D6010")
    tooth_text = press_f1(qtbot, section.tooth)
    assert tooth_text.endswith("D6010 is for permanent teeth only: Universal: 1-32 (permanent only).")
    snap_help(dialog, shots / "f1_tooth_implant.png")
    assert press_f1(qtbot, section.rtu).startswith("RTU's: real time units")
    assert press_f1(qtbot, dialog.charges.dos).startswith("DOS: the date of service")


# --- keyboard)


def test_keyboard_tab_reaches_every_section_with_names_and_unique_mnemonics(qtbot, demo, make_ctx) -> None:
    """Keyboard alone: Tab goes code -> ... -> Charges/Aging -> Insurance -> OK; every stop has an
    accessible name; no two captions share a mnemonic."""
    _editor, dialog = add_item_dialog(qtbot, demo, make_ctx, demo.patient(plans=(EstimationType.PERCENTAGE,)))
    choose(qtbot, dialog, "D2391", "3", "MO")
    activate(qtbot, dialog)
    dialog.procedure.code_edit.setFocus()
    visited = []
    for _ in range(40):
        widget = QApplication.focusWidget()
        visited.append(widget)
        if widget is dialog.ok_button:
            break
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    names = [w.objectName() for w in visited]
    for expected in (
        "code_search",
        "tooth",
        "surfaces",
        "provider",
        "notes",
        "fee",
        "taxable",
        "rtu",
        "insurable",
        "why",
        "ok",
    ):  # a plan item's DOS and Aged are read-only: they show the charge it will post (TX-DOS-1)
        assert expected in names, names
    assert names.index("fee") < names.index("rtu") < names.index("insurable") < names.index("ok")
    assert all(w.accessibleName() or w.text() for w in visited)
    assert_unique_mnemonics(dialog)


# --- Remove Chart Graphic from the plan editor (TX-CHART-1/2)


def test_tx_chart1_2_remove_and_chart_again_from_the_item_dialog(qtbot, demo, make_ctx) -> None:
    """TX-CHART-1/2: the planned filling's mark is removed with a reason, then charted on the right
    tooth; the history shows both, and the plan item is untouched."""
    patient = demo.patient(plans=(EstimationType.PERCENTAGE,))
    editor = open_editor(qtbot, demo, make_ctx, demo.plan(patient, ("D2391", "3", "MO")))
    editor.tree.setCurrentIndex(editor.model.index_of(next(iter(editor.working.items))))
    activate(qtbot, editor)
    QTest.keyClick(editor.tree, Qt.Key.Key_Return)
    dialog = editor.dialog
    assert isinstance(dialog, PatientTransactionDialog)
    qtbot.addWidget(dialog)
    chart = dialog.chart
    assert chart is not None and "D2391 MO on #3 (planned)" in chart.history.text()
    assert chart.remove_button.isEnabled() and not chart.rechart_button.isEnabled()
    qtbot.mouseClick(chart.remove_button, LEFT)
    remove = chart.dialog
    assert isinstance(remove, RemoveGraphicDialog)
    qtbot.addWidget(remove)
    qtbot.keyClicks(remove.reason, "charted on the wrong tooth")
    qtbot.mouseClick(remove.ok, LEFT)
    assert "removed" in chart.history.text() and "charted on the wrong tooth" in chart.history.text()
    assert chart.rechart_button.isEnabled() and not chart.remove_button.isEnabled()
    qtbot.mouseClick(chart.rechart_button, LEFT)
    again = chart.dialog
    assert isinstance(again, RechartDialog)
    qtbot.addWidget(again)
    again.tooth.clear()
    qtbot.keyClicks(again.tooth, "4")
    qtbot.mouseClick(again.ok, LEFT)
    lines = chart.history.text().splitlines()
    assert len(lines) == 2 and "#3" in lines[0] and "removed" in lines[0] and "#4" in lines[1]
    assert demo.count(AuditEvent, AuditEvent.action == "remove_chart_graphic") >= 1
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert not editor.is_dirty()


# --- from the Ledger: post a procedure, open a posted charge (TX-DOS-1, TX-INS-2, TX-CHART-1)


@pytest.fixture
def ledger(qtbot, demo: Demo, make_ctx):  # type: ignore[no-untyped-def]
    ctx = make_ctx(demo.engine, login(demo.uow, "owner", "demo-owner", "ws-test"))
    view = LedgerView(ctx)
    qtbot.addWidget(view)
    view.resize(1180, 720)
    view.show()

    def for_patient(patient_id: int) -> LedgerView:
        with demo.uow:
            account = demo.uow.session.scalar(select(Patient.account_id).where(Patient.id == patient_id))
        ctx.changes.patient_selected.emit(patient_id)
        view.set_account(account)
        return view

    return for_patient


def post_dialog(qtbot, view: LedgerView) -> PatientTransactionDialog:
    qtbot.mouseClick(view.charge_button, LEFT)
    dialog = view.dialog
    assert isinstance(dialog, PatientTransactionDialog) and dialog.isVisible()
    qtbot.addWidget(dialog)
    return dialog


def test_tx_dos1_a_completed_procedure_dated_ahead_is_refused(qtbot, demo, ledger) -> None:
    """TX-DOS-1: posting a completed procedure, a DOS in the future is refused at DOS; OK disabled."""
    view = ledger(demo.patient(plans=()))
    dialog = post_dialog(qtbot, view)
    choose(qtbot, dialog, "D0120")
    assert dialog.ok_button.isEnabled()
    step_date(qtbot, dialog.charges.dos, Qt.Key.Key_Up)
    assert "in the future" in shown(dialog.charges.messages["dos"])
    assert not dialog.ok_button.isEnabled()
    rows = demo.count(LedgerTransaction)
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert demo.count(LedgerTransaction) == rows


def test_tx_ins2_post_against_an_open_claim_then_the_charge_shows_its_claim(qtbot, demo, ledger, shots) -> None:
    """TX-INS-2/TX-TAX-2: posting offers the patient's open claims; the charge posted against one shows
    its claim number when opened from the Ledger, money read-only."""
    patient = demo.patient(open_claim=True)
    view = ledger(patient)
    dialog = post_dialog(qtbot, view)
    choose(qtbot, dialog, "D2391", "3", "MO")
    claim = dialog.insurance.claim
    with demo.uow:
        number = demo.uow.session.scalar(
            select(Claim.claim_number)
            .where(Claim.patient_id == patient, Claim.status == ClaimStatus.OPEN)
            .order_by(Claim.id)
        )
    assert_unique_mnemonics(dialog)
    labels = [claim.itemText(i) for i in range(claim.count())]
    assert labels[0] == "(not on a claim)" and any(f"Claim {number} " in t for t in labels[1:])
    claim.setFocus()
    QTest.keyClick(claim, Qt.Key.Key_Down)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible() and "D2391 posted" in view.message.text()
    row = next(i for i, r in enumerate(view.model.rows) if r.code == "D2391" and r.dos == TODAY)
    view.table.setCurrentIndex(view.model.index(row, 0))
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_Return)
    posted = view.dialog
    assert isinstance(posted, PatientTransactionDialog)
    qtbot.addWidget(posted)
    assert posted.insurance.claim_number.text().startswith(f"{number} (open)")
    assert posted.procedure.fee.isReadOnly() and not posted.charges.taxable.isEnabled()
    assert not posted.procedure.tooth.isEnabled() and posted.charges.dos.isReadOnly()
    assert_unique_mnemonics(posted)
    snap(posted, shots / "tx_ledger_posted_charge.png")


def test_posted_charge_notes_and_aged_are_saved_with_audit_and_cancel_changes_nothing(qtbot, demo, ledger) -> None:
    """TX-AGE-5/SEC-2: from the Ledger, a posted charge's notes and Aged date change through the service
    (audited); its money does not; Cancel leaves it as it was."""
    patient = demo.patient(icm=Icm.FULL_FEE_AT_SERVICE, plans=())
    view = ledger(patient)
    dialog = post_dialog(qtbot, view)
    choose(qtbot, dialog, "D0120")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    row = next(i for i, r in enumerate(view.model.rows) if r.code == "D0120" and r.dos == TODAY)
    tx_id = view.model.rows[row].id
    before = posted_charge(demo.uow, staff(demo.uow), tx_id)
    view.open_transaction(view.model.index(row, 0))
    posted = view.dialog
    qtbot.addWidget(posted)
    qtbot.keyClicks(posted.procedure.notes, "changed, then cancelled")
    qtbot.mouseClick(posted.cancel_button, LEFT)
    assert posted_charge(demo.uow, staff(demo.uow), tx_id) == before
    view.open_transaction(view.model.index(row, 0))
    posted = view.dialog
    qtbot.addWidget(posted)
    assert posted.charges.aged.value() == TODAY
    qtbot.keyClicks(posted.procedure.notes, "Statement in 30 days")
    step_date(qtbot, posted.charges.aged.edit, Qt.Key.Key_Up)
    qtbot.mouseClick(posted.ok_button, LEFT)
    after = posted_charge(demo.uow, staff(demo.uow), tx_id)
    assert after.notes == "Statement in 30 days" and after.aged_date > TODAY
    assert (after.fee, after.tax, after.dos) == (before.fee, before.tax, before.dos)
    assert demo.count(AuditEvent, AuditEvent.action == "edit_posted_charge", AuditEvent.entity_id == tx_id) == 1
    assert "saved" in view.message.text()


def test_tx_chart1_removing_a_posted_charges_mark_leaves_balance_and_claim_identical(qtbot, demo, ledger) -> None:
    """TX-CHART-1: Remove Chart Graphic on a posted charge on a claim: the account balance, aging and
    the claim's lines are exactly as before."""
    patient = demo.patient(open_claim=True)
    view = ledger(patient)
    dialog = post_dialog(qtbot, view)
    choose(qtbot, dialog, "D2391", "3", "MO")
    dialog.insurance.claim.setCurrentIndex(1)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    row = next(i for i, r in enumerate(view.model.rows) if r.code == "D2391" and r.dos == TODAY)
    tx_id = view.model.rows[row].id
    before = (
        posted_charge(demo.uow, staff(demo.uow), tx_id),
        account_aging(demo.uow, staff(demo.uow), view.account_id, TODAY),
    )
    view.open_transaction(view.model.index(row, 0))
    posted = view.dialog
    qtbot.addWidget(posted)
    assert posted.chart is not None and posted.chart.remove_button.isEnabled()
    qtbot.mouseClick(posted.chart.remove_button, LEFT)
    remove = posted.chart.dialog
    qtbot.addWidget(remove)
    qtbot.keyClicks(remove.reason, "wrong tooth")
    qtbot.mouseClick(remove.ok, LEFT)
    assert "removed" in posted.chart.history.text()
    after = (
        posted_charge(demo.uow, staff(demo.uow), tx_id),
        account_aging(demo.uow, staff(demo.uow), view.account_id, TODAY),
    )
    assert after == before
