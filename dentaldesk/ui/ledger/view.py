"""Ledger: the current patient's account: transactions with a running balance, aging, open claims.

The buckets are the account's aging today (AGE-1..3, computed by the service); the buttons open
the small dialogs of :mod:`dentaldesk.ui.ledger.dialogs`; "Office aging report..." opens the
whole office's report. Nothing here computes money: every figure comes from a service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import clock
from dentaldesk.domain.aging import AgingBuckets
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.money import format_money
from dentaldesk.domain.terms import TransactionKind
from dentaldesk.services.claims.filing import ClaimCompleted, ClaimSummary, InsurancePaymentPosted
from dentaldesk.services.ledger.account_view import account_view
from dentaldesk.services.ledger.aging import account_aging
from dentaldesk.services.ledger.posting import ADJUSTMENT_ROLES, PostedCredit
from dentaldesk.services.ledger.queries import LedgerRow
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import EmptyState, RefreshWhenShown, make_table, tint
from dentaldesk.ui.ledger.aging_report import AgingReportWindow
from dentaldesk.ui.ledger.dialogs import AdjustmentDialog, CreateClaimDialog, InsurancePaymentDialog, PaymentDialog

LEDGER_COLUMNS: list[Column[LedgerRow]] = [
    Column("DOS", lambda r: f"{r.dos:%Y-%m-%d}"),
    Column("Patient", lambda r: r.patient_name),
    Column("Code", lambda r: r.code),
    Column("Tooth", lambda r: r.tooth),
    Column("Description", lambda r: r.description),
    Column("Charge", lambda r: format_money(r.charge) if r.charge else "", align_right=True),
    Column("Tax", lambda r: format_money(r.tax) if r.tax else "", align_right=True),
    # INS-8: a procedure's write-off, what insurance paid (or is estimated to pay, marked "est."),
    # and the patient's portion of it; the running balance counts each row once.
    Column("Write-off", lambda r: format_money(r.write_off) if r.write_off else "", align_right=True),
    Column("Insurance", lambda r: insurance_text(r), align_right=True),
    Column(
        "Patient owes", lambda r: format_money(r.patient_owes) if r.patient_owes is not None else "", align_right=True
    ),
    Column("Credit", lambda r: format_money(r.credit) if r.credit else "", align_right=True),
    Column("Aged", lambda r: aged_text(r)),
    Column("Balance", lambda r: format_money(r.balance), align_right=True),
]


def insurance_text(row: LedgerRow) -> str:
    """Insurance on a procedure: what the carrier paid once its claim is complete, else the estimate."""
    if row.insurance is None:
        return ""
    return format_money(row.insurance) + ("" if row.insurance_paid else " est.")


def aged_text(row: LedgerRow) -> str:
    """When a charge's patient part ages (TX-AGE-2..5), and whether part of it waits for insurance."""
    if row.credit:
        return ""
    text = f"{row.aged_date:%Y-%m-%d}" if row.aged_date else "current"
    return text + (" (part held)" if row.held and row.aged_date else (" (held)" if row.held else ""))


CLAIM_COLUMNS: list[Column[ClaimSummary]] = [
    Column("Claim #", lambda c: c.claim_number),
    Column("Filed", lambda c: f"{c.created_on:%Y-%m-%d}"),
    Column("Patient", lambda c: c.patient_name),
    Column("Carrier", lambda c: f"{c.carrier} ({c.rank.value})"),
    Column("Billed", lambda c: format_money(c.billed), align_right=True),
    Column("Estimated", lambda c: format_money(c.estimated), align_right=True),
    Column("Paid", lambda c: format_money(c.paid), align_right=True),
]

# The aging strip: (key, caption); the key names the AgingBuckets field (or the balance).
AGING_BOXES = (
    ("current", "Current"),
    ("d0_30", "0-30"),
    ("d31_60", "31-60"),
    ("d61_90", "61-90"),
    ("over_90", "Over 90"),
    ("credit", "Credit"),
    ("balance", "Balance"),
)


def aging_figures(buckets: AgingBuckets) -> dict[str, str]:
    """The strip's text per box, formatted at the edge (MONEY-1)."""
    return {key: format_money(buckets.balance if key == "balance" else getattr(buckets, key)) for key, _ in AGING_BOXES}


def result_message(result: Any) -> str:
    """What the person reads after an action in one of the ledger's dialogs."""
    if isinstance(result, PostedCredit):
        return result.message
    if isinstance(result, ClaimSummary):
        return (
            f"Claim {result.claim_number} filed for {result.patient_name} with {result.carrier}: "
            f"{format_money(result.billed)} billed, {format_money(result.estimated)} estimated."
        )
    if isinstance(result, InsurancePaymentPosted):
        text = f"Insurance payment of {format_money(result.amount)} posted on claim {result.claim_number}."
        if result.completed is not None:
            text += f" The claim is complete; what insurance did not pay ages from {result.completed.completed_on}."
        return text + f" Balance now {format_money(result.balance)}."
    if isinstance(result, ClaimCompleted):
        return (
            f"Claim {result.claim_number} is complete ({format_money(result.paid)} paid); "
            f"what insurance did not pay ages from {result.completed_on}."
        )
    return ""


def stretch_column(table: Any, columns: list[Any], title: str) -> None:
    """Give the spare width to one text column instead of the last (money) column."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode([c.title for c in columns].index(title), QHeaderView.ResizeMode.Stretch)


class AgingStrip(QFrame):
    """Current / 0-30 / 31-60 / 61-90 / Over 90 / Credit / Balance, side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aging_strip")
        self.setAccessibleName("Account aging")
        self.setStyleSheet(
            f"#aging_strip {{ background: {palette.STRIP}; border: 1px solid {palette.BORDER}; border-radius: 6px; }}"
            f"QLabel[role='caption'] {{ color: {palette.MUTED}; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        self.values: dict[str, QLabel] = {}
        for key, caption in AGING_BOXES:
            box = QVBoxLayout()
            title = QLabel(caption)
            title.setProperty("role", "caption")
            title.setAlignment(Qt.AlignmentFlag.AlignRight)
            value = QLabel("0.00")
            value.setObjectName(f"aging_{key}")
            value.setAccessibleName(f"{caption} amount")
            value.setAlignment(Qt.AlignmentFlag.AlignRight)
            value.setStyleSheet("font-size: 13pt;" + (" font-weight: 600;" if key == "balance" else ""))
            box.addWidget(title)
            box.addWidget(value)
            layout.addLayout(box)
            if key == "over_90":
                layout.addSpacing(18)
            self.values[key] = value
        self.as_of = QLabel()
        self.as_of.setObjectName("aging_as_of")
        self.as_of.setStyleSheet(f"color: {palette.MUTED};")
        layout.addSpacing(12)
        layout.addWidget(self.as_of, 0, Qt.AlignmentFlag.AlignBottom)

    def show_buckets(self, buckets: AgingBuckets, as_of: dt.date) -> None:
        for key, text in aging_figures(buckets).items():
            self.values[key].setText(text)
        self.values["over_90"].setStyleSheet(
            "font-size: 13pt;" + (f" color: {palette.ERROR};" if buckets.over_90 > 0 else "")
        )
        self.as_of.setText(f"as of {as_of:%Y-%m-%d}")


class LedgerView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.account_id: int | None = None
        self.patient_id: int | None = None  # the patient chosen under Patients: Post charge is for them
        self.dialog: QDialog | None = None
        self.report: AgingReportWindow | None = None

        self.title = QLabel()
        self.title.setObjectName("ledger_title")
        self.report_button = QPushButton("Office &aging report...")
        self.report_button.setObjectName("office_aging_button")
        self.report_button.setToolTip("Every account with a balance, by age, as of any date")
        self.report_button.clicked.connect(self.open_aging_report)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.report_button)

        self.strip = AgingStrip()
        self.charge_button = self._button("Post charg&e...", "post_charge_button", self.open_post_charge)
        self.pay_button = self._button("Post &payment...", "post_payment_button", self.open_payment)
        self.adjust_button = self._button("Ad&justment...", "adjustment_button", self.open_adjustment)
        self.claim_button = self._button("Create &claim...", "create_claim_button", self.open_create_claim)
        self.insurance_button = self._button(
            "Post &insurance payment...", "insurance_payment_button", self.open_insurance_payment
        )
        actions = QHBoxLayout()
        for button in (
            self.charge_button,
            self.pay_button,
            self.adjust_button,
            self.claim_button,
            self.insurance_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        self.message = QLabel()
        self.message.setObjectName("ledger_message")
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        self.model: RowsModel[LedgerRow] = RowsModel(LEDGER_COLUMNS, self)
        self.table = make_table("ledger_table")
        self.table.setModel(self.model)
        self.table.activated.connect(self.open_transaction)  # double-click or Enter on a charge
        stretch_column(self.table, LEDGER_COLUMNS, "Description")
        self.table_empty = EmptyState("")
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table_empty)
        self.table_stack.addWidget(self.table)

        self.claims_model: RowsModel[ClaimSummary] = RowsModel(CLAIM_COLUMNS, self)
        self.claims_table = make_table("claims_table")
        self.claims_table.setModel(self.claims_model)
        stretch_column(self.claims_table, CLAIM_COLUMNS, "Carrier")
        self.claims_table.doubleClicked.connect(lambda _index: self.open_insurance_payment())
        self.claims_empty = QLabel("No open claims. Create claim files this account's completed insurable procedures.")
        self.claims_empty.setObjectName("claims_empty")
        self.claims_empty.setStyleSheet(f"color: {palette.MUTED}; padding: 8px;")
        self.claims_stack = QStackedWidget()
        self.claims_stack.addWidget(self.claims_empty)
        self.claims_stack.addWidget(self.claims_table)
        claims_box = QWidget()
        claims_layout = QVBoxLayout(claims_box)
        claims_layout.setContentsMargins(0, 0, 0, 0)
        claims_title = QLabel("<b>Open claims</b>")
        claims_layout.addWidget(claims_title)
        claims_layout.addWidget(self.claims_stack)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table_stack)
        splitter.addWidget(claims_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        self.account_panel = QWidget()
        panel = QVBoxLayout(self.account_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.addWidget(self.strip)
        panel.addLayout(actions)
        panel.addWidget(self.message)
        panel.addWidget(splitter, 1)
        self.empty = EmptyState(
            "Choose a patient under Patients to see the account's ledger. "
            "The office aging report (top right) covers every account."
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.account_panel)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.when_shown = RefreshWhenShown(self, self.refresh)
        ctx.changes.changed.connect(lambda area: self.when_shown.request() if area in ("ledger", "plans") else None)
        ctx.changes.patient_selected.connect(lambda patient_id: setattr(self, "patient_id", patient_id))

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # --- Showing -----------------------------------------------------------------------------------

    def set_account(self, account_id: int | None, account_number: str = "") -> None:
        if account_id != self.account_id:
            self.message.setVisible(False)
        self.account_id = account_id
        self.refresh()

    def refresh(self) -> None:
        self.when_shown.done()
        if self.account_id is None:
            self.title.setText("")
            self.model.set_rows([])
            self.claims_model.set_rows([])
            self.stack.setCurrentWidget(self.empty)
            return
        today, account_id, actor = clock.today(), self.account_id, self.ctx.user

        ok, found = run_op(self.ctx, self, lambda: account_view(self.ctx.uow(), actor, account_id, today))
        if not ok or found is None:
            return
        facts, buckets, rows, claims = found.facts, found.buckets, found.rows, found.claims
        guarantor = f" - {facts.guarantor}" if facts.guarantor else ""
        self.title.setText(f"<b>Account {facts.account_number}{guarantor}</b> &nbsp; {facts.icm.label}")
        self.strip.show_buckets(buckets, today)
        self.model.set_rows(rows)
        if rows:
            self.table_stack.setCurrentWidget(self.table)
            self.model.fetch_all()  # the newest rows are at the bottom, where the view opens
            self.table.scrollToBottom()
        else:
            self.table_empty.set_message(
                "This account has no transactions yet. Completed plan items post here as charges; "
                "Post payment records money received."
            )
            self.table_stack.setCurrentWidget(self.table_empty)
        self.claims_model.set_rows(claims)
        self.claims_stack.setCurrentWidget(self.claims_table if claims else self.claims_empty)
        self._enable_actions(bool(claims))
        self.stack.setCurrentWidget(self.account_panel)

    def _enable_actions(self, has_claims: bool) -> None:
        may_adjust = self.ctx.user.role in ADJUSTMENT_ROLES
        self.adjust_button.setEnabled(may_adjust)
        self.adjust_button.setToolTip(
            "Post a credit or debit adjustment with a reason"
            if may_adjust
            else "Only an Owner or Admin posts adjustments; ask one of them."
        )
        self.insurance_button.setEnabled(has_claims)
        self.insurance_button.setToolTip(
            "Post what the carrier paid on an open claim" if has_claims else "No open claims: use Create claim first."
        )

    def show_message(self, text: str, *, refusal: bool = False) -> None:
        """The line under the buttons: what an action did (green), or why it was refused (red)."""
        tint(self.message, palette.ERROR if refusal else palette.SUCCESS)
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.setAccessibleDescription(f"Refused: {text}" if refusal and text else text)

    def show_refusal(self, text: str) -> None:
        self.show_message(text, refusal=True)

    # --- Acting ------------------------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.show_message(result_message(getattr(dialog, "result_value", None))))
        dialog.open()

    def open_payment(self) -> None:
        if self.account_id is None:
            return
        account_id, actor = self.account_id, self.ctx.user
        ok, buckets = run_op(
            self.ctx, self, lambda: account_aging(self.ctx.uow(), actor, account_id), fallback=self.message
        )
        if ok and buckets is not None:
            self._open(PaymentDialog(self.ctx, account_id, buckets.balance, self))

    def open_adjustment(self) -> None:
        if self.account_id is not None:
            self._open(AdjustmentDialog(self.ctx, self.account_id, self))

    def open_create_claim(self) -> None:
        if self.account_id is not None:
            self._open(CreateClaimDialog(self.ctx, self.account_id, self))

    def open_insurance_payment(self) -> None:
        claims = self.claims_model.rows
        if self.account_id is None or not claims:
            return
        selected = self.claims_table.selectionModel().selectedRows()
        chosen = claims[selected[0].row()].id if selected else None
        self._open(InsurancePaymentDialog(self.ctx, claims, chosen, self))

    def open_post_charge(self) -> None:
        """ "Post charge...": the Patient Transactions window for a completed procedure (seed 004)."""
        if self.account_id is None:
            return
        if self.patient_id is None:
            self.show_refusal("Choose the patient under Patients first: a charge is posted for one patient.")
            return
        from dentaldesk.ui.transactions.ledger_flows import open_post_charge

        self.dialog = open_post_charge(self.ctx, self.patient_id, self.show_message, self)

    def open_transaction(self, index: Any = None) -> None:
        """Double-click or Enter on a charge: the Patient Transactions window for the posted charge."""
        row_index = index if index is not None else self.table.currentIndex()
        if not row_index.isValid():
            return
        row = self.model.rows[row_index.row()]
        if row.kind is not TransactionKind.CHARGE or not row.code:
            self.show_refusal("Only a procedure charge opens in the Patient Transactions window.")
            return
        from dentaldesk.ui.transactions.ledger_flows import open_posted_charge

        try:
            self.dialog = open_posted_charge(self.ctx, row.id, self.show_message, self)
        except DentalDeskError as exc:
            self.show_refusal(exc.message)

    def open_aging_report(self) -> None:
        if self.report is None:
            self.report = AgingReportWindow(self.ctx, self)
        self.report.show()
        self.report.raise_()
        self.report.activateWindow()
