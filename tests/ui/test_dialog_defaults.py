"""OK (Post, Save) is the default button of every form: Enter posts, Escape cancels (one keyClick each).

Each case builds the real dialog on the demo practice, puts valid input in it, presses Enter in a
field a person types in (a line edit, a date, a spin box, a combo) and checks that the dialog's OK
button was pressed; a second copy gets Escape and must close without posting. The last test makes
sure every dialog class of the UI is in the list.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QWidget
from sqlalchemy import Engine, select

import dentaldesk.ui as ui_package
from dentaldesk.db.models import Account, ChartGraphic, Claim, LedgerTransaction, Patient, ProcedureCode
from dentaldesk.domain.terms import ClaimStatus, TransactionKind
from dentaldesk.services.access.login import login
from dentaldesk.services.uow import UnitOfWork

Made = tuple[QDialog, QAbstractButton, QWidget]


@dataclass
class Desk:
    engine: Engine
    ctx: object
    patient: int
    account: int
    charge: int
    claim_account: int
    graphic: int
    code_id: int


@pytest.fixture
def desk(demo_engine: Engine, make_ctx) -> Desk:
    owner = login(UnitOfWork.for_engine(demo_engine), "owner", "demo-owner", "ws-enter")
    with demo_engine.connect() as conn:
        patient = conn.scalar(select(Patient.id).order_by(Patient.id).limit(1))
        account = conn.scalar(select(Patient.account_id).where(Patient.id == patient))
        charge = conn.scalar(
            select(LedgerTransaction.id)
            .where(LedgerTransaction.kind == TransactionKind.CHARGE, LedgerTransaction.procedure_code_id.is_not(None))
            .order_by(LedgerTransaction.id)
            .limit(1)
        )
        claim_account = conn.scalar(select(Claim.account_id).where(Claim.status == ClaimStatus.OPEN).limit(1))
        graphic = conn.scalar(select(ChartGraphic.id).where(ChartGraphic.removed_at.is_(None)).limit(1))
        code_id = conn.scalar(select(ProcedureCode.id).where(ProcedureCode.code == "D0120"))
    assert None not in (patient, account, charge, claim_account, graphic, code_id)
    return Desk(demo_engine, make_ctx(demo_engine, owner), patient, account, charge, claim_account, graphic, code_id)


def _dialog_box_ok(dialog: QDialog) -> QAbstractButton:
    from PySide6.QtWidgets import QDialogButtonBox

    for box in dialog.findChildren(QDialogButtonBox):
        for button in box.buttons():
            if box.buttonRole(button) in (QDialogButtonBox.ButtonRole.AcceptRole, QDialogButtonBox.ButtonRole.YesRole):
                return button
    raise AssertionError(f"{type(dialog).__name__} has no OK button")


# --------------------------------------------------------------------------- the dialogs


def ledger_payment(d: Desk) -> Made:
    from dentaldesk.ui.ledger.dialogs import PaymentDialog

    dialog = PaymentDialog(d.ctx, d.account, Decimal("100.00"))
    dialog.amount.setText("25.00")
    return dialog, dialog.action_button, dialog.amount


def ledger_adjustment(d: Desk) -> Made:
    from dentaldesk.ui.ledger.dialogs import AdjustmentDialog

    dialog = AdjustmentDialog(d.ctx, d.account)
    dialog.amount.setText("5.00")
    dialog.reason.setText("Courtesy")
    return dialog, dialog.action_button, dialog.amount


def ledger_create_claim(d: Desk) -> Made:
    from dentaldesk.services.claims.filing import claim_candidates
    from dentaldesk.ui.ledger.dialogs import CreateClaimDialog

    uow = UnitOfWork.for_engine(d.engine)
    with d.engine.connect() as conn:
        accounts = conn.scalars(select(Account.id).order_by(Account.id)).all()
    account = next(a for a in accounts if claim_candidates(uow, d.ctx.user, a))  # type: ignore[attr-defined]
    dialog = CreateClaimDialog(d.ctx, account)
    return dialog, dialog.action_button, dialog.patient


def ledger_insurance_payment(d: Desk) -> Made:
    from dentaldesk.services.claims.filing import open_claims
    from dentaldesk.ui.ledger.dialogs import InsurancePaymentDialog

    uow = UnitOfWork.for_engine(d.engine)
    with d.engine.connect() as conn:
        accounts = conn.scalars(select(Claim.account_id).where(Claim.status == ClaimStatus.OPEN)).all()
    claims = next(c for c in (open_claims(uow, d.ctx.user, a) for a in accounts) if c)  # type: ignore[attr-defined]
    dialog = InsurancePaymentDialog(d.ctx, claims, claims[0].id)
    return dialog, dialog.action_button, dialog.reference


def patient_edit(d: Desk) -> Made:
    from dentaldesk.ui.patients.dialog import PatientDialog

    dialog = PatientDialog(d.ctx, d.patient)
    return dialog, dialog.save_button, dialog.phone


def posted_charge(d: Desk) -> Made:
    from dentaldesk.ui.transactions.ledger_flows import open_posted_charge

    dialog = open_posted_charge(d.ctx, d.charge, lambda _m: None)
    return dialog, _dialog_box_ok(dialog), dialog.charges.aged


def new_plan(d: Desk) -> Made:
    from dentaldesk.services.patients.search import search_patients
    from dentaldesk.ui.plans.dialogs import NewPlanDialog

    dialog = NewPlanDialog(
        lambda text: search_patients(UnitOfWork.for_engine(d.engine), d.ctx.user, text),
        lambda _d, _p, _t: False,
        patient=(d.patient, "Patient"),  # type: ignore[attr-defined]
    )
    dialog.title.setText("Phase 2")
    return dialog, dialog.ok_button, dialog.title


def visit(d: Desk) -> Made:
    from dentaldesk.ui.plans.dialogs import VisitDialog

    dialog = VisitDialog("D0120", 1)
    return dialog, dialog.ok_button, dialog.visit


def complete_item(d: Desk) -> Made:
    from dentaldesk.ui.plans.dialogs import CompleteItemDialog

    dialog = CompleteItemDialog("D0120", "Periodic exam", "65.00", lambda _d, _day: False)
    return dialog, dialog.ok_button, dialog.dos


def cancel_plan(d: Desk) -> Made:
    from dentaldesk.ui.plans.dialogs import CancelPlanDialog

    dialog = CancelPlanDialog("Phase 1", lambda _d, _r: False)
    dialog.reason.setPlainText("Patient moved away")
    return dialog, dialog.ok_button, dialog.reason


def option_name(d: Desk) -> Made:
    from dentaldesk.ui.plans.options_panel import OptionNameDialog

    dialog = OptionNameDialog("Add an option", "&Add option", "Option B", lambda _d, _n: False)
    return dialog, dialog.ok_button, dialog.name


def _plan_view(d: Desk):  # type: ignore[no-untyped-def]
    from dentaldesk.db.models import TreatmentPlan
    from dentaldesk.services.plans import load_plan

    with d.engine.connect() as conn:
        plan_id = conn.scalar(select(TreatmentPlan.id).order_by(TreatmentPlan.id).limit(1))
    return load_plan(UnitOfWork.for_engine(d.engine), d.ctx.user, plan_id)  # type: ignore[attr-defined]


def depends_on(d: Desk) -> Made:
    from dentaldesk.ui.plans.dialogs import DependsOnDialog
    from dentaldesk.ui.plans.working_copy import WorkingPlan

    working = WorkingPlan.load(_plan_view(d))
    keys = list(working.items)
    dialog = DependsOnDialog(working, keys[-1])
    dialog.choices.setCurrentRow(0)
    return dialog, dialog.ok_button, dialog.choices


def approval(d: Desk) -> Made:
    from dentaldesk.domain.terms import ApprovalMethod
    from dentaldesk.ui.plans.approval_dialog import ApprovalDialog

    dialog = ApprovalDialog(_plan_view(d), lambda *_a: False)
    dialog.method.setCurrentIndex(dialog.method.findData(ApprovalMethod.ON_PAPER))
    return dialog, dialog.ok_button, dialog.approver


def remove_graphic(d: Desk) -> Made:
    from dentaldesk.services.chart.queries import patient_chart
    from dentaldesk.ui.chart.dialogs import RemoveGraphicDialog

    with d.engine.connect() as conn:
        patient = conn.scalar(select(ChartGraphic.patient_id).where(ChartGraphic.id == d.graphic))
    chart = patient_chart(UnitOfWork.for_engine(d.engine), d.ctx.user, patient)  # type: ignore[attr-defined]
    mark = next(m for m in chart.marks if m.id == d.graphic)
    dialog = RemoveGraphicDialog(d.ctx, mark, chart.numbering)
    dialog.reason.setText("Charted on the wrong tooth")
    return dialog, dialog.ok, dialog.reason


def rechart(d: Desk) -> Made:
    from dentaldesk.services.chart.queries import patient_chart
    from dentaldesk.ui.chart.dialogs import RechartDialog
    from dentaldesk.ui.chart.layout import Dentition

    with d.engine.connect() as conn:
        patient = conn.scalar(select(ChartGraphic.patient_id).where(ChartGraphic.id == d.graphic))
    chart = patient_chart(UnitOfWork.for_engine(d.engine), d.ctx.user, patient)  # type: ignore[attr-defined]
    mark = next(m for m in chart.marks if m.id == d.graphic)
    dialog = RechartDialog(d.ctx, mark, chart, Dentition.PERMANENT, "3")
    return dialog, dialog.ok, dialog.tooth


def code_edit(d: Desk) -> Made:
    from dentaldesk.ui.settings.code_dialogs import CodeDialog

    dialog = CodeDialog(d.ctx, d.code_id)
    return dialog, dialog.save_button, dialog.name


def import_preview(d: Desk, tmp: Path) -> Made:
    from dentaldesk.services.practice.code_admin import preview_import
    from dentaldesk.ui.settings.code_dialogs import ImportPreviewDialog

    csv = tmp / "codes.csv"
    csv.write_text("code,name,category\nD9997,Enter test,adjunctive\n", encoding="utf-8")
    preview = preview_import(UnitOfWork.for_engine(d.engine), d.ctx.user, csv)  # type: ignore[attr-defined]
    dialog = ImportPreviewDialog(d.ctx, csv, preview)
    return dialog, dialog.import_button, dialog.import_button  # nothing to type: Enter as it opens


def raise_fees(d: Desk) -> Made:
    from dentaldesk.services.practice.settings import fee_schedules
    from dentaldesk.ui.settings.fee_schedules_window import RaiseDialog

    schedules = fee_schedules(UnitOfWork.for_engine(d.engine), d.ctx.user)  # type: ignore[attr-defined]
    dialog = RaiseDialog(d.ctx, schedules, 0)
    dialog.percent.setText("3")
    return dialog, dialog.preview_button, dialog.percent


def reset_password(d: Desk) -> Made:
    from dentaldesk.ui.settings.users_window import ResetPasswordDialog

    dialog = ResetPasswordDialog(d.ctx, d.ctx.user.user_id, "owner")  # type: ignore[attr-defined]
    dialog.password.setText("a-long-new-pass-1")
    dialog.confirm.setText("a-long-new-pass-1")
    return dialog, dialog.reset_button, dialog.confirm


def unlock(d: Desk) -> Made:
    from dentaldesk.ui.shell.idle_lock import UnlockDialog

    dialog = UnlockDialog(d.ctx)
    dialog.password.setText("demo-owner")
    return dialog, dialog.unlock_button, dialog.password


def login_window(d: Desk) -> Made:
    from dentaldesk.ui.shell.login import LoginDialog

    dialog = LoginDialog(d.ctx, "Maple Street Dental")
    dialog.username.setText("owner")
    dialog.password.setText("wrong password")
    return dialog, dialog.login_button, dialog.password


def first_run(d: Desk, tmp: Path, make_ctx) -> Made:  # type: ignore[no-untyped-def]
    from dentaldesk.db.engine import make_engine
    from dentaldesk.db.migrate import upgrade
    from dentaldesk.ui.shell.first_run import FirstRunDialog

    engine = make_engine(f"sqlite:///{tmp / 'empty.sqlite3'}")
    upgrade(engine)
    dialog = FirstRunDialog(make_ctx(engine))
    dialog.inputs["office_name"].setText("New Dental")
    return dialog, dialog.create_button, dialog.inputs["office_name"]


def general_settings(d: Desk) -> Made:
    from dentaldesk.ui.settings.general_window import GeneralSettingsWindow

    window = GeneralSettingsWindow(d.ctx)
    return window, window.save_button, window.phone


def users(d: Desk) -> Made:
    from dentaldesk.ui.settings.users_window import UsersWindow

    window = UsersWindow(d.ctx)
    window.table.selectRow(0)
    return window, window.save_button, window.full_name


def providers(d: Desk) -> Made:
    from dentaldesk.ui.settings.providers_window import ProvidersWindow

    window = ProvidersWindow(d.ctx)
    window.table.selectRow(0)
    return window, window.save_button, window.name


def dental_plans(d: Desk) -> Made:
    from dentaldesk.ui.settings.dental_plans_window import DentalPlansWindow

    window = DentalPlansWindow(d.ctx)
    return window, window.save_plan_button, window.carrier


def fee_schedule_name(d: Desk) -> Made:
    from dentaldesk.ui.settings.fee_schedules_window import FeeSchedulesWindow

    window = FeeSchedulesWindow(d.ctx)
    window.name_edit.setText("Loyalty")
    return window, window.name_button, window.name_edit


def follow_up_contact(d: Desk) -> Made:
    from dentaldesk.services.plans.followup import follow_up_list
    from dentaldesk.ui.plans.followup_view import ContactDialog

    row = follow_up_list(UnitOfWork.for_engine(d.engine), d.ctx.user)[0]  # type: ignore[attr-defined]
    dialog = ContactDialog(d.ctx, row)  # type: ignore[arg-type]
    return dialog, dialog.ok_button, dialog.kind


def send_to_patient(d: Desk) -> Made:
    from dentaldesk.ui.plans.print_handout import HandoutPdf, SendHandoutDialog, prepare_handout

    plan_id = _plan_view(d).id
    ready = prepare_handout(UnitOfWork.for_engine(d.engine), d.ctx.user, plan_id)  # type: ignore[attr-defined]
    dialog = SendHandoutDialog(d.ctx, HandoutPdf(ready.handout, ready.pdf), plan_id)  # type: ignore[arg-type]
    dialog.to.setText("pat@example.com")
    return dialog, dialog.send_button, dialog.subject


def acceptance_report(d: Desk) -> Made:
    from dentaldesk.ui.plans.acceptance_window import AcceptanceWindow

    window = AcceptanceWindow(d.ctx)  # type: ignore[arg-type]
    return window, window.show_button, window.start


def preauth_answer(d: Desk) -> Made:
    import datetime as dt

    from dentaldesk.services.plans.preauth import PreauthLineView, PreauthView
    from dentaldesk.ui.plans.insurance_panel import PreauthAnswerDialog

    line = PreauthLineView(1, 1, "D2740", "Crown", "14", "", Decimal("1200.00"), None, None, None, False)
    request = PreauthView(
        1,
        1,
        "PA-000001",
        dt.date(2026, 5, 1),
        "",
        2026,
        "Acme",
        "Basic",
        "Pat",
        "",
        "",
        "sent",
        None,
        "",
        (line,),
        True,
    )
    dialog = PreauthAnswerDialog(d.ctx, request, 1)  # type: ignore[arg-type]
    dialog.pays[1].setText("600")
    return dialog, dialog.ok_button, dialog.pays[1]


CASES: dict[str, Callable[..., Made]] = {
    f.__name__: f
    for f in (
        ledger_payment,
        ledger_adjustment,
        ledger_create_claim,
        ledger_insurance_payment,
        patient_edit,
        posted_charge,
        new_plan,
        visit,
        complete_item,
        cancel_plan,
        option_name,
        depends_on,
        approval,
        remove_graphic,
        rechart,
        code_edit,
        import_preview,
        raise_fees,
        reset_password,
        unlock,
        login_window,
        first_run,
        general_settings,
        users,
        providers,
        dental_plans,
        fee_schedule_name,
        follow_up_contact,
        send_to_patient,
        acceptance_report,
        preauth_answer,
    )
}
# Dialog classes each case covers (the coverage test below); windows without a form are named with why.
COVERED = {
    "PaymentDialog": "ledger_payment",
    "AdjustmentDialog": "ledger_adjustment",
    "CreateClaimDialog": "ledger_create_claim",
    "InsurancePaymentDialog": "ledger_insurance_payment",
    "PatientDialog": "patient_edit",
    "PatientTransactionDialog": "posted_charge",
    "NewPlanDialog": "new_plan",
    "VisitDialog": "visit",
    "CompleteItemDialog": "complete_item",
    "CancelPlanDialog": "cancel_plan",
    "DependsOnDialog": "depends_on",
    "OptionNameDialog": "option_name",
    "ApprovalDialog": "approval",
    "RemoveGraphicDialog": "remove_graphic",
    "RechartDialog": "rechart",
    "CodeDialog": "code_edit",
    "ImportPreviewDialog": "import_preview",
    "RaiseDialog": "raise_fees",
    "ResetPasswordDialog": "reset_password",
    "UnlockDialog": "unlock",
    "LoginDialog": "login_window",
    "FirstRunDialog": "first_run",
    "GeneralSettingsWindow": "general_settings",
    "UsersWindow": "users",
    "ProvidersWindow": "providers",
    "DentalPlansWindow": "dental_plans",
    "FeeSchedulesWindow": "fee_schedule_name",
    "ContactDialog": "follow_up_contact",
    "SendHandoutDialog": "send_to_patient",
    "AcceptanceWindow": "acceptance_report",
    "PreauthAnswerDialog": "preauth_answer",
}
NO_FORM = {
    "LedgerDialog": "the base of the ledger dialogs above",
    "_Dialog": "the base of the plan dialogs above",
    "SetupWindow": "the base of the set-up windows above",
    "ProcedureCodesWindow": "a list with buttons that open CodeDialog and ImportPreviewDialog (above)",
    "BackupsWindow": "a list with Back up now and Restore buttons; no form to post",
    "AuditWindow": "a report: its filters apply as they are typed",
    "AgingReportWindow": "a report: it recomputes as the date is changed",
    "HandoutPreviewDialog": "a print preview: Enter saves as PDF (or prints), tested in test_print_handout.py",
}


def _make(name: str, desk: Desk, tmp_path: Path, make_ctx) -> Made:  # type: ignore[no-untyped-def]
    maker = CASES[name]
    params = list(inspect.signature(maker).parameters)
    args = [desk, tmp_path, make_ctx][: len(params)]
    return maker(*args)


def _shown(qtbot, made: Made) -> Made:  # type: ignore[no-untyped-def]
    dialog, ok, field = made
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.wait(20)  # the dialog's first events (a person types a moment after it opens)
    field.setFocus()
    return made


# Forms of a window that also holds other work: Enter in the form's field presses its button, and the
# window has no single default (Enter in the fee grid's search box posts nothing).
ENTER_ONLY = {"fee_schedule_name"}
# The workstation's lock: Escape must not get past it (SEC-1); the dialog stays.
ESCAPE_STAYS = {"unlock"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_enter_presses_ok_and_escape_cancels(qtbot, desk: Desk, tmp_path: Path, make_ctx, name: str) -> None:
    """Enter in a field presses the form's OK (Post, Save) button; Escape closes it without posting."""
    dialog, ok, field = _shown(qtbot, _make(name, desk, tmp_path, make_ctx))
    assert ok.isEnabled(), f"{name}: OK is disabled with valid input"
    if name not in ENTER_ONLY:
        assert ok.isDefault(), f"{name}: {ok.text()} is not the default button"  # type: ignore[attr-defined]
    pressed: list[bool] = []
    ok.clicked.connect(lambda *_: pressed.append(True))
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert pressed == [True], f"{name}: Enter in {field.objectName() or type(field).__name__} did not press {ok.text()}"

    dialog2, ok2, field2 = _shown(qtbot, _make(name, desk, tmp_path, make_ctx))
    posted: list[bool] = []
    ok2.clicked.connect(lambda *_: posted.append(True))
    QTest.keyClick(field2, Qt.Key.Key_Escape)
    assert posted == [], f"{name}: Escape posted"
    assert dialog2.isVisible() == (name in ESCAPE_STAYS), f"{name}: Escape did not cancel"


def test_every_dialog_of_the_ui_is_checked_for_enter_and_escape() -> None:
    """A new dialog class must join CASES (or say in NO_FORM why it has no form to post)."""
    found = set()
    for info in pkgutil.walk_packages(ui_package.__path__, "dentaldesk.ui."):
        module = importlib.import_module(info.name)
        for cls_name, cls in vars(module).items():
            if inspect.isclass(cls) and issubclass(cls, QDialog) and cls.__module__ == info.name:
                found.add(cls_name)
    assert found - set(COVERED) - set(NO_FORM) == set()
    assert set(COVERED.values()) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_mnemonics_are_unique_in_every_dialog(qtbot, desk: Desk, tmp_path: Path, make_ctx, name: str) -> None:
    """Alt+letter reaches one thing: no two visible buttons, buddied labels, tabs or menu titles of a
    dialog share an underlined letter, nor two actions of one menu."""
    from keyboard import assert_no_clashes

    dialog, _ok, _field = _shown(qtbot, _make(name, desk, tmp_path, make_ctx))
    assert_no_clashes(dialog, name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_tab_goes_round_every_field_forward_and_back(qtbot, desk: Desk, tmp_path: Path, make_ctx, name: str) -> None:
    """Keyboard alone: Tab from the first field reaches every field of the form and comes back to it
    (Cancel wraps to the top), each date one stop; Shift+Tab walks the same cycle backwards."""
    from keyboard import assert_tab_cycle

    dialog, _ok, field = _shown(qtbot, _make(name, desk, tmp_path, make_ctx))
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert_tab_cycle(dialog, field, name)
