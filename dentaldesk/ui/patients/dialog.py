"""Add or edit a patient, their account and their coverage in one dialog and one save.

The patient ID is given by the system when a new patient is saved. A patient with the same name
and birth date as one on file is a warning shown in the dialog with "Save anyway", not a refusal.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.terms import CoverageRank, Icm
from dentaldesk.services.patients.records import (
    CoverageForm,
    FormChoices,
    PatientForm,
    PatientRecord,
    PossibleDuplicate,
    SavedPatient,
    add_patient,
    confirmed,
    edit_patient,
    find_account,
    form_choices,
    load_patient,
)
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.conflicts import ConflictBar, reload_keeping_edits
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.widgets import error_label, hint_label, make_default
from dentaldesk.ui.settings.forms import FieldForm, select_data

# How a reload names the fields it could not re-apply (DATA-4).
CAPTIONS = {
    "first_name": "First name",
    "last_name": "Last name",
    "birth_date": "Birth date",
    "phone": "Phone",
    "email": "E-mail",
    "address": "Address",
    "account_number": "Account",
    "icm": "ICM",
    "fee_schedule": "Fee schedule",
} | {
    f"{rank}.{field}": f"{rank.capitalize()} {caption}"
    for rank in ("primary", "secondary")
    for field, caption in (
        ("dental_plan_id", "plan"),
        ("subscriber_name", "subscriber"),
        ("subscriber_id", "subscriber ID"),
        ("benefits_used", "benefits used"),
        ("deductible_met", "deductible met"),
    )
}


class CoverageBox(QGroupBox):
    """One coverage: plan, subscriber, and what is used of this year's benefits."""

    def __init__(self, rank: CoverageRank, caption: str, choices: FormChoices, parent: QWidget | None = None) -> None:
        super().__init__(f"{rank.value.capitalize()} coverage", parent)
        self.rank = rank
        p = rank.value
        self.form = FieldForm(self)
        self.plan = self.form.combo(f"{p}_plan", caption, [("None", None)])
        for plan in choices.plans:
            if plan.active:
                self.plan.addItem(plan.label, plan.id)
        self._inactive = {plan.id: plan.label for plan in choices.plans if not plan.active}
        self.subscriber_name = self.form.line(f"{p}_subscriber_name", "Subscriber", placeholder="blank: the patient")
        self.subscriber_id = self.form.line(f"{p}_subscriber_id", "Subscriber ID", width=200)
        self.benefits_used = self.form.line(f"{p}_benefits_used", "Benefits used this year", width=140)
        self.deductible_met = self.form.line(f"{p}_deductible_met", "Deductible met this year", width=140)
        self.plan.currentIndexChanged.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        covered = self.plan.currentData() is not None
        for edit in (self.subscriber_name, self.subscriber_id, self.benefits_used, self.deductible_met):
            edit.setEnabled(covered)
        if covered:
            for edit in (self.benefits_used, self.deductible_met):
                if not edit.text():
                    edit.setText("0.00")

    def show_coverage(self, c: CoverageForm) -> None:
        if c.dental_plan_id is not None and self.plan.findData(c.dental_plan_id) < 0:
            self.plan.addItem(self._inactive.get(c.dental_plan_id, "Plan no longer offered"), c.dental_plan_id)
        select_data(self.plan, c.dental_plan_id)
        self.subscriber_name.setText(c.subscriber_name)
        self.subscriber_id.setText(c.subscriber_id)
        self.benefits_used.setText(c.benefits_used)
        self.deductible_met.setText(c.deductible_met)
        self._enable()

    def coverage(self) -> CoverageForm:
        return CoverageForm(
            dental_plan_id=self.plan.currentData(),
            subscriber_name=self.subscriber_name.text(),
            subscriber_id=self.subscriber_id.text(),
            benefits_used=self.benefits_used.text(),
            deductible_met=self.deductible_met.text(),
        )


class PatientDialog(QDialog):
    """``patient_id`` None adds a patient; otherwise that patient is edited."""

    def __init__(self, ctx: AppContext, patient_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.saved: SavedPatient | None = None
        self._pending: PatientForm | None = None
        self._record: PatientRecord | None = None  # as loaded: the base a reload re-applies onto
        self.setObjectName("patient_dialog")
        self.setWindowTitle("New patient" if patient_id is None else "Edit patient")
        ok, choices = run_op(ctx, self, lambda: form_choices(ctx.uow(), ctx.user))
        choices = choices or FormChoices((), ())

        # The patient.
        person = QGroupBox("Patient")
        pf = FieldForm(person)
        self.patient_number = QLabel("given by the system when saved")
        self.patient_number.setObjectName("patient_number")
        self.patient_number.setAccessibleName("Patient ID")
        pf.addRow("Patient ID", self.patient_number)
        self.first_name = pf.line("first_name", "&First name")
        self.last_name = pf.line("last_name", "&Last name")
        self.birth_date = pf.line("birth_date", "&Birth date", placeholder="YYYY-MM-DD", width=140)
        self.phone = pf.line("phone", "P&hone")
        self.email = pf.line("email", "E-ma&il", placeholder="name@example.com")
        self.address = pf.text("address", "A&ddress", height=50)

        # The account.
        account = QGroupBox("Account (who pays)")
        af = FieldForm(account)
        self.new_account = QRadioButton("&New account, this patient is the guarantor")
        self.new_account.setObjectName("new_account")
        self.existing_account = QRadioButton("E&xisting account:")
        self.existing_account.setObjectName("existing_account")
        self.account_group = QButtonGroup(self)
        self.account_group.addButton(self.new_account)
        self.account_group.addButton(self.existing_account)
        self.account_number = QLineEdit()
        self.account_number.setObjectName("account_number")
        self.account_number.setAccessibleName("Account number")
        self.account_number.setPlaceholderText("account number, e.g. 1003")
        self.account_number.setMaximumWidth(180)
        self.account_info = hint_label("", "account_info")
        self.account_error = error_label("account_number")
        af.addRow(self.new_account)
        row = QHBoxLayout()
        row.addWidget(self.existing_account)
        row.addWidget(self.account_number)
        row.addStretch(1)
        af.addRow(row)
        af.addRow(self.account_error)
        af.addRow(self.account_info)
        self.icm = af.combo(
            "icm",
            "IC&M",
            [(i.label, int(i)) for i in Icm],
            hint="How insured charges are billed and when they start aging (glossary: ICM).",
        )
        self.fee_schedule = af.combo(
            "fee_schedule", "F&ee schedule", [(f"{n} - {name}", n) for n, name in choices.fee_schedules] or [("0", 0)]
        )
        af.addRow(hint_label("ICM and fee schedule belong to the account: they apply to every patient in it."))

        # The coverage.
        self.primary = CoverageBox(CoverageRank.PRIMARY, "&Primary plan", choices)
        self.secondary = CoverageBox(CoverageRank.SECONDARY, "Se&condary plan", choices)

        # Warnings, buttons.
        self.duplicate = QFrame()
        self.duplicate.setObjectName("duplicate_warning")
        self.duplicate.setStyleSheet(
            f"#duplicate_warning {{ background: {palette.NOTICE_BAND}; border: 1px solid {palette.NOTICE_BORDER}; }}"
        )
        self.duplicate_text = QLabel()
        self.duplicate_text.setObjectName("duplicate_text")
        self.duplicate_text.setWordWrap(True)
        self.duplicate_text.setStyleSheet(f"color: {palette.NOTICE_TEXT};")
        self.save_anyway = QPushButton("Save an&yway (a different person)")
        self.save_anyway.setObjectName("save_anyway")
        warn = QHBoxLayout(self.duplicate)
        warn.addWidget(self.duplicate_text, 1)
        warn.addWidget(self.save_anyway)
        self.duplicate.setVisible(False)
        self.problem = error_label("patient_problem")
        self.conflict = ConflictBar(self.reload_keeping_edits, name="patient_conflict")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_patient")
        make_default(self.save_button)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.save_anyway.clicked.connect(self.save_confirmed)

        left = QVBoxLayout()
        left.addWidget(person)
        left.addWidget(account)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.primary)
        right.addWidget(self.secondary)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.duplicate)
        layout.addWidget(self.problem)
        layout.addWidget(self.conflict)
        layout.addWidget(self.buttons)

        self.forms = (pf, af, self.primary.form, self.secondary.form)
        self.errors = {k: v for f in self.forms for k, v in f.errors.items()} | {"account_number": self.account_error}
        self._lookup = QTimer(self)
        self._lookup.setSingleShot(True)
        self._lookup.setInterval(250)
        self._lookup.timeout.connect(self.look_up_account)
        self.account_number.textEdited.connect(
            lambda _t: (self.existing_account.setChecked(True), self._lookup.start())
        )
        self.new_account.toggled.connect(self._account_mode)
        self.setTabOrder(self.address, self.new_account)
        self.setTabOrder(self.new_account, self.existing_account)
        self.setTabOrder(self.existing_account, self.account_number)
        self.setTabOrder(self.account_number, self.icm)
        self.setTabOrder(self.icm, self.fee_schedule)
        self.setTabOrder(self.fee_schedule, self.primary.plan)
        self.new_account.setChecked(True)
        self.resize(1000, 600)
        if not ok:
            self.save_button.setEnabled(False)
        elif patient_id is not None:
            self._load(patient_id)
        self.first_name.setFocus()

    def _load(self, patient_id: int) -> None:
        ok, record = run_op(
            self.ctx, self, lambda: load_patient(self.ctx.uow(), self.ctx.user, patient_id), fallback=self.problem
        )
        if not ok or record is None:
            self.save_button.setEnabled(False)
            return
        self._record = record
        f = record.form
        self.setWindowTitle(f"Edit patient - {f.first_name} {f.last_name} (ID {record.patient_number})")
        self.patient_number.setText(record.patient_number)
        self.show_form(f)

    def show_form(self, f: PatientForm) -> None:
        self.first_name.setText(f.first_name)
        self.last_name.setText(f.last_name)
        self.birth_date.setText(f.birth_date)
        self.phone.setText(f.phone)
        self.email.setText(f.email)
        self.address.setPlainText(f.address)
        self.existing_account.setChecked(True)
        self.account_number.setText(f.account_number)
        self.look_up_account(take_terms=False)
        select_data(self.icm, int(f.icm))
        select_data(self.fee_schedule, f.fee_schedule)
        self.primary.show_coverage(f.primary)
        self.secondary.show_coverage(f.secondary)

    def reload_keeping_edits(self) -> None:
        """DATA-4: the patient as the other workstation saved it, with this person's typing re-applied."""
        if self._record is None or self.patient_id is None:
            return
        patient_id = self.patient_id
        fresh: list[PatientRecord] = []

        def fetch() -> PatientForm:
            fresh.append(load_patient(self.ctx.uow(), self.ctx.user, patient_id))
            return fresh[-1].form

        if reload_keeping_edits(self.conflict, self._record.form, self.patient_form(), fetch, self.show_form, CAPTIONS):
            self._record = fresh[-1]

    def _account_mode(self) -> None:
        new = self.new_account.isChecked()
        if new:
            self.account_info.setText("A new account number is given when the patient is saved.")
            self.account_error.setVisible(False)

    def look_up_account(self, take_terms: bool = True) -> None:
        """Show whose account the typed number is; its ICM and fee schedule fill the combos."""
        self._lookup.stop()
        number = self.account_number.text().strip()
        self.account_error.setVisible(False)
        if not number:
            self.account_info.setText("")
            return
        ok, info = run_op(
            self.ctx,
            self,
            lambda: find_account(self.ctx.uow(), self.ctx.user, number),
            field_labels={"account_number": self.account_error},
            fallback=self.account_error,
        )
        if not ok or info is None:
            self.account_info.setText("")
            return
        members = ", ".join(info.members[:4]) + (" ..." if len(info.members) > 4 else "")
        self.account_info.setText(
            f"Account {info.account_number}: guarantor {info.guarantor or 'not set'}; "
            f"{len(info.members)} patient(s): {members}."
        )
        if take_terms:
            select_data(self.icm, int(info.icm))
            select_data(self.fee_schedule, info.fee_schedule)

    def patient_form(self) -> PatientForm:
        return PatientForm(
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            birth_date=self.birth_date.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            address=self.address.toPlainText(),
            account_number="" if self.new_account.isChecked() else self.account_number.text(),
            icm=Icm(self.icm.currentData()),
            fee_schedule=int(self.fee_schedule.currentData()),
            primary=self.primary.coverage(),
            secondary=self.secondary.coverage(),
        )

    def save(self) -> None:
        self._submit(self.patient_form())

    def save_confirmed(self) -> None:
        """The person says the look-alike on file is someone else: save with the warning overridden."""
        if self._pending is not None:
            self._submit(confirmed(self._pending))

    def _submit(self, form: PatientForm) -> None:
        for f in self.forms:
            f.clear_errors()
        self.account_error.setVisible(False)
        self.problem.setVisible(False)
        self.duplicate.setVisible(False)
        if self.existing_account.isChecked() and not form.account_number.strip():
            self.account_error.setText("Type the number of the existing account, or choose New account.")
            self.account_error.setVisible(True)
            return
        patient_id = self.patient_id
        warned: list[PossibleDuplicate] = []

        def action() -> SavedPatient:
            try:
                if patient_id is None:
                    return add_patient(self.ctx.uow(), self.ctx.user, form)
                versions = self._record.versions if self._record is not None else None
                return edit_patient(self.ctx.uow(), self.ctx.user, patient_id, form, expected_versions=versions)
            except PossibleDuplicate as exc:
                warned.append(exc)
                raise

        ok, saved = run_op(
            self.ctx,
            self,
            action,
            changed="patients",
            field_labels=self.errors | {"duplicate": self.duplicate_text},
            fallback=self.problem,
            conflict=self.conflict,
        )
        if warned:
            self._pending = form
            self.duplicate.setVisible(True)
            self.save_anyway.setFocus()
            return
        if ok and saved is not None:
            self.saved = saved
            self.accept()
