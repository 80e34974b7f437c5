"""The Ledger's small dialogs: Post payment, Adjustment, Create claim, Post insurance payment.

Each dialog collects what a person types and hands it, unparsed, to one service call through
``run_op``; a refusal is shown under the field it concerns (TX-VAL-1) and the dialog stays open
with everything typed, so nothing is lost. On success the dialog keeps the service's result in
``result`` and closes; the Ledger view shows the result's message.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.money import format_money
from dentaldesk.services.claims.filing import (
    ClaimCandidate,
    ClaimDetail,
    ClaimSummary,
    claim_candidates,
    claim_detail,
    complete_claim,
    create_claim,
    post_insurance_payment,
)
from dentaldesk.services.ledger.posting import PAYMENT_METHODS, post_adjustment, post_payment
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import date_edit, day_of, error_label, hint_label, make_default, make_table


class LedgerDialog(QDialog):
    """A form whose fields each have an error line, an action button, and a fallback message line."""

    action_text = "&Post"

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_value: Any = None
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.errors: dict[str, QLabel] = {}
        self.fallback = error_label("dialog")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.action_button = self.buttons.addButton(self.action_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.action_button.setObjectName("action_button")
        make_default(self.action_button)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)

    def finish_layout(self) -> None:
        self.body.addWidget(self.fallback)
        self.body.addWidget(self.buttons)

    def add_field(self, key: str, caption: str, widget: QWidget, *, hint: str = "") -> QWidget:
        widget.setObjectName(key)
        widget.setAccessibleName(caption.replace("&", ""))
        if hint:
            widget.setToolTip(hint)
        caption_label = QLabel(caption)
        caption_label.setBuddy(widget)
        self.form.addRow(caption_label, widget)
        error = error_label(key)
        self.form.addRow("", error)
        self.errors[key] = error
        return widget

    def clear_errors(self) -> None:
        for label in (*self.errors.values(), self.fallback):
            label.clear()
            label.setVisible(False)

    # Each dialog below defines action(): what was typed, read on the GUI thread, as the service call
    # its OK button makes; run_op runs that call on a worker in a unit of work of its own.
    action: Callable[[], Callable[[UnitOfWork], Any]]

    def submit(self) -> None:
        self.clear_errors()
        work = self.action()
        ok, result = run_op(
            self.ctx,
            self,
            lambda: work(self.ctx.uow()),
            changed="ledger",
            field_labels=self.errors,
            fallback=self.fallback,
            off_thread=f"{self.windowTitle()}...",
        )
        if ok:
            self.result_value = result
            self.accept()


class PaymentDialog(LedgerDialog):
    """Post payment: amount, date, how it was paid, a reference (AGE-2; overpayment = credit)."""

    action_text = "&Post payment"

    def __init__(self, ctx: AppContext, account_id: int, balance: Decimal, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Post payment", parent)
        self.account_id = account_id
        owes = (
            f"The account owes {format_money(balance)}."
            if balance >= 0
            else f"The account already has a credit of {format_money(-balance)}."
        )
        self.body.insertWidget(0, hint_label(owes + " A payment larger than that is kept as a credit.", "balance_hint"))
        self.amount = self.add_field("amount", "&Amount", QLineEdit())
        self.amount.setPlaceholderText("0.00")
        self.date = self.add_field("date", "&Date", date_edit("date"))
        self.method = self.add_field("method", "Paid &by", QComboBox())
        self.method.addItems(list(PAYMENT_METHODS))
        self.reference = self.add_field(
            "reference", "&Reference", QLineEdit(), hint="Check number or card receipt (optional)"
        )
        self.finish_layout()
        self.amount.setFocus()

    def action(self) -> Callable[[UnitOfWork], Any]:
        actor, account_id = self.ctx.user, self.account_id
        amount, paid_on, method, reference = (
            self.amount.text(),
            day_of(self.date),
            self.method.currentText(),
            self.reference.text(),
        )
        return lambda uow: post_payment(
            uow, actor, account_id=account_id, amount=amount, paid_on=paid_on, method=method, reference=reference
        )


class AdjustmentDialog(LedgerDialog):
    """Adjustment: a credit lowers the balance, a debit raises it; the reason is required."""

    action_text = "&Post adjustment"

    def __init__(self, ctx: AppContext, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Adjustment", parent)
        self.account_id = account_id
        self.direction = self.add_field("direction", "&Type", QComboBox())
        self.direction.addItem("Credit - lowers what the account owes", False)
        self.direction.addItem("Debit - raises what the account owes", True)
        self.amount = self.add_field("amount", "&Amount", QLineEdit())
        self.amount.setPlaceholderText("0.00")
        self.reason = self.add_field(
            "reason", "&Reason", QLineEdit(), hint="Courtesy discount, refund, returned check fee ..."
        )
        self.date = self.add_field("date", "&Date", date_edit("date"))
        self.finish_layout()
        self.amount.setFocus()

    def action(self) -> Callable[[UnitOfWork], Any]:
        actor, account_id = self.ctx.user, self.account_id
        amount, reason, adjusted_on = self.amount.text(), self.reason.text(), day_of(self.date)
        debit = bool(self.direction.currentData())
        return lambda uow: post_adjustment(
            uow, actor, account_id=account_id, amount=amount, reason=reason, adjusted_on=adjusted_on, debit=debit
        )


CHARGE_COLUMNS: list[Column[Any]] = [
    Column("DOS", lambda c: f"{c.dos:%Y-%m-%d}"),
    Column("Code", lambda c: c.code),
    Column("Tooth", lambda c: c.tooth),
    Column("Description", lambda c: c.description),
    Column("Fee", lambda c: format_money(c.fee), align_right=True),
]


class CreateClaimDialog(LedgerDialog):
    """Create claim: a patient's completed insurable procedures not on a claim yet (TX-INS-2)."""

    action_text = "&File claim"

    def __init__(self, ctx: AppContext, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Create claim", parent)
        _, found = run_op(ctx, self, lambda: claim_candidates(ctx.uow(), ctx.user, account_id), fallback=self.fallback)
        self.candidates: list[ClaimCandidate] = found or []
        self.patient = self.add_field("patient", "&Patient", QComboBox())
        self.coverage = self.add_field("coverage", "&Claim from", QComboBox())
        self.charges_model: RowsModel[Any] = RowsModel(CHARGE_COLUMNS, self)
        self.charges = make_table("claim_charges")
        self.charges.setModel(self.charges_model)
        self.charges.horizontalHeader().setStretchLastSection(False)
        self.charges.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.charges.setMinimumHeight(160)
        self.charges_caption = QLabel("Procedures that go on the claim:")
        self.body.addWidget(self.charges_caption)
        self.body.addWidget(self.charges)
        self.errors["charges"] = error_label("charges")
        self.body.addWidget(self.errors["charges"])
        if not self.candidates:
            self.fallback.setText(
                "Nothing to file: this account has no completed insurable procedures that are on no claim. "
                "Completed plan items of insured patients appear here."
            )
            self.fallback.set_color(palette.MUTED)
            self.fallback.setVisible(True)
            self.fallback.setObjectName("nothing_to_file")
            self.action_button.setEnabled(False)
            for widget in (self.patient, self.coverage):
                self.form.setRowVisible(widget, False)
            self.charges.setVisible(False)
            self.charges_caption.setVisible(False)
        for candidate in self.candidates:
            label = f"{candidate.patient_name} ({len(candidate.charges)} procedures)"
            self.patient.addItem(label, candidate.patient_id)
        self.patient.currentIndexChanged.connect(self._show_candidate)
        self.finish_layout()
        self._show_candidate()

    def _candidate(self) -> ClaimCandidate | None:
        index = self.patient.currentIndex()
        return self.candidates[index] if 0 <= index < len(self.candidates) else None

    def _show_candidate(self) -> None:
        candidate = self._candidate()
        self.coverage.clear()
        self.charges_model.set_rows(list(candidate.charges) if candidate else [])
        for choice in candidate.coverages if candidate else ():
            self.coverage.addItem(choice.label, choice.coverage_id)

    def action(self) -> Callable[[UnitOfWork], Any]:
        actor, candidate = self.ctx.user, self._candidate()
        patient_id = candidate.patient_id if candidate else 0
        coverage_id = self.coverage.currentData()
        return lambda uow: create_claim(uow, actor, patient_id=patient_id, coverage_id=coverage_id)


class InsurancePaymentDialog(LedgerDialog):
    """Post insurance payment: what the carrier paid per line of an open claim; final completes it."""

    action_text = "&Post insurance payment"

    def __init__(
        self, ctx: AppContext, claims: list[ClaimSummary], chosen: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, "Post insurance payment", parent)
        self.setMinimumWidth(680)
        self.claims = claims
        self.detail: ClaimDetail | None = None
        self.claim = self.add_field("claim", "&Claim", QComboBox())
        for claim in claims:
            self.claim.addItem(
                f"{claim.claim_number} - {claim.patient_name}, {claim.carrier} (filed {claim.created_on:%Y-%m-%d})",
                claim.id,
            )
        if chosen is not None and self.claim.findData(chosen) >= 0:
            self.claim.setCurrentIndex(self.claim.findData(chosen))
        self.lines_box = QWidget()
        self.lines_box.setObjectName("claim_lines")
        self.lines_grid = QGridLayout(self.lines_box)
        self.paid_edits: dict[int, QLineEdit] = {}
        self.write_off_edits: dict[int, QLineEdit] = {}
        self.body.addWidget(self.lines_box)
        self.fill = QPushButton("Fill in the &estimates")
        self.fill.setObjectName("fill_estimates")
        self.fill.setToolTip("Type each line's estimate not yet paid; change what the carrier paid differently")
        self.fill.clicked.connect(self._fill_estimates)
        self.body.addWidget(self.fill, 0, Qt.AlignmentFlag.AlignLeft)
        self.errors["paid"] = error_label("paid")
        self.body.addWidget(self.errors["paid"])
        self.errors["write_off"] = error_label("write_off")
        self.body.addWidget(self.errors["write_off"])
        self.form2 = QFormLayout()
        self.date = date_edit("date")
        self.reference = QLineEdit()
        self.reference.setObjectName("reference")
        self.reference.setAccessibleName("Reference")
        self.form2.addRow("Payment &date", self.date)
        self.errors["date"] = error_label("date")
        self.form2.addRow("", self.errors["date"])
        self.form2.addRow("&Reference (EOB, check #)", self.reference)
        self.body.addLayout(self.form2)
        self.final = QCheckBox("&Final payment: complete the claim (held charges start aging from this date)")
        self.final.setObjectName("final")
        self.final.setChecked(True)
        self.bluebook = QCheckBox("&Update the plan's bluebook with what was paid")
        self.bluebook.setObjectName("update_bluebook")
        self.body.addWidget(self.final)
        self.body.addWidget(self.bluebook)
        self.claim.currentIndexChanged.connect(self._show_lines)
        self.finish_layout()
        self._show_lines()

    def _show_lines(self) -> None:
        while self.lines_grid.count():
            item = self.lines_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.paid_edits.clear()
        self.write_off_edits.clear()
        claim_id = self.claim.currentData()
        self.detail = None
        if claim_id is not None:
            _, self.detail = run_op(
                self.ctx, self, lambda: claim_detail(self.ctx.uow(), self.ctx.user, claim_id), fallback=self.fallback
            )
        if self.detail is None:
            return
        titles = ("Procedure", "Fee", "Estimated", "Paid so far", "Paid now", "Write-off")
        for column, title in enumerate(titles):
            header = QLabel(f"<b>{title}</b>")
            align = Qt.AlignmentFlag.AlignRight if column else Qt.AlignmentFlag.AlignLeft
            self.lines_grid.addWidget(header, 0, column, alignment=align)
        for row, line in enumerate(self.detail.lines, start=1):
            what = f"{line.dos:%Y-%m-%d}  {line.code} {('#' + line.tooth) if line.tooth else ''}  {line.description}"
            self.lines_grid.addWidget(QLabel(what), row, 0)
            self.lines_grid.setColumnStretch(0, 1)
            for column, value in enumerate((line.fee, line.estimated, line.paid), start=1):
                figure = QLabel(format_money(value))
                self.lines_grid.addWidget(figure, row, column, alignment=Qt.AlignmentFlag.AlignRight)
            edit = QLineEdit()
            edit.setObjectName(f"paid_{line.line_id}")
            edit.setAccessibleName(f"Paid now for {line.code}")
            edit.setPlaceholderText("0.00")
            edit.setMaximumWidth(110)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.lines_grid.addWidget(edit, row, 4)
            self.paid_edits[line.line_id] = edit
            # INS-8: the write-off the carrier reported; left as estimated it changes nothing.
            written_off = QLineEdit(
                format_money(line.write_off if line.write_off is not None else line.estimated_write_off)
            )
            written_off.setObjectName(f"write_off_{line.line_id}")
            written_off.setAccessibleName(f"Write-off for {line.code}")
            written_off.setToolTip(
                f"The write-off on the carrier's statement; {format_money(line.estimated_write_off)} was "
                "posted with the charge, and completing the claim posts the difference."
            )
            written_off.setMaximumWidth(110)
            written_off.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.lines_grid.addWidget(written_off, row, 5)
            self.write_off_edits[line.line_id] = written_off

    def _fill_estimates(self) -> None:
        if self.detail is None:
            return
        for line in self.detail.lines:
            left = max(line.estimated - line.paid, Decimal(0))
            self.paid_edits[line.line_id].setText(format_money(left))

    def action(self) -> Callable[[UnitOfWork], Any]:
        actor, claim_id = self.ctx.user, self.claim.currentData()
        paid = {line_id: edit.text() for line_id, edit in self.paid_edits.items() if edit.text().strip()}
        write_offs = {line_id: edit.text() for line_id, edit in self.write_off_edits.items() if edit.text().strip()}
        paid_on, reference = day_of(self.date), self.reference.text()
        final, bluebook = self.final.isChecked(), self.bluebook.isChecked()

        def post(uow: UnitOfWork) -> Any:
            if not paid and final:  # the carrier paid nothing: the claim is closed all the same
                return complete_claim(
                    uow, actor, claim_id=claim_id, final_payment_date=paid_on, update_bluebook=bluebook
                )
            return post_insurance_payment(
                uow,
                actor,
                claim_id=claim_id,
                paid=paid,
                write_offs=write_offs,
                paid_on=paid_on,
                reference=reference,
                final=final,
                update_bluebook=bluebook,
            )

        return post
