"""Ledger: the current patient's account, every transaction with a running balance."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from dentaldesk.domain.money import format_money
from dentaldesk.services.ledger_queries import LedgerRow, account_ledger
from dentaldesk.ui.context import AppContext
from dentaldesk.ui.table_model import Column, RowsModel
from dentaldesk.ui.widgets import EmptyState, make_table

LEDGER_COLUMNS: list[Column[LedgerRow]] = [
    Column("DOS", lambda r: f"{r.dos:%Y-%m-%d}"),
    Column("Patient", lambda r: r.patient_name),
    Column("Code", lambda r: r.code),
    Column("Tooth", lambda r: r.tooth),
    Column("Description", lambda r: r.description),
    Column("Charge", lambda r: format_money(r.charge) if r.charge else "", align_right=True),
    Column("Tax", lambda r: format_money(r.tax) if r.tax else "", align_right=True),
    Column("Credit", lambda r: format_money(r.credit) if r.credit else "", align_right=True),
    Column("Aged", lambda r: f"{r.aged_date:%Y-%m-%d}" if r.aged_date else "current"),
    Column("Balance", lambda r: format_money(r.balance), align_right=True),
]


class LedgerView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.account_id: int | None = None
        self.title = QLabel()
        self.title.setObjectName("ledger_title")
        self.model: RowsModel[LedgerRow] = RowsModel(LEDGER_COLUMNS, self)
        self.table = make_table("ledger_table")
        self.table.setModel(self.model)
        self.empty = EmptyState("Choose a patient under Patients to see the account's ledger.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)
        ctx.changes.changed.connect(lambda area: self.refresh() if area in ("ledger", "plans") else None)

    def set_account(self, account_id: int | None, account_number: str = "") -> None:
        self.account_id = account_id
        self.title.setText(f"<b>Account {account_number}</b>" if account_id else "")
        self.refresh()

    def refresh(self) -> None:
        if self.account_id is None:
            self.model.set_rows([])
            self.stack.setCurrentWidget(self.empty)
            return
        rows = account_ledger(self.ctx.uow(), self.account_id)
        self.model.set_rows(rows)
        if rows:
            self.stack.setCurrentWidget(self.table)
            self.table.scrollToBottom()
        else:
            self.empty.set_message("This account has no transactions yet. Completed plan items post here.")
            self.stack.setCurrentWidget(self.empty)
