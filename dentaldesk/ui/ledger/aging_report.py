"""The office aging report: every account with a balance, by age, as of a chosen date (AGE-1..3).

The report runs in one SQL query (services.aging_report); on a large practice that takes a
moment, so it runs on a worker thread while the window shows that it is busy and stays usable
(STYLE.md 11). Changing the date starts a new run; an older run's answer is dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import clock
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.money import format_cents, format_money
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.ledger.aging import AGING_HEADERS, AccountAging, OfficeAging, office_aging
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.background import Background
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.table_model import Column, Index, RowsModel
from dentaldesk.ui.kit.widgets import EmptyState, date_edit, day_of, make_table


def _owed(cents: int) -> str:
    # A zero bucket is left blank so the amounts owed stand out; the balance always shows.
    return "" if cents == 0 else format_cents(cents)


# The rows keep integer cents; a cell is formatted when the table shows it.
REPORT_COLUMNS: list[Column[AccountAging]] = [
    Column(AGING_HEADERS[0], lambda row: row.account_number),
    Column(AGING_HEADERS[1], lambda row: row.guarantor),
    *(
        Column(title, (lambda row, n=n: _owed(row.cents[n])), align_right=True)
        for n, title in enumerate(AGING_HEADERS[2:8])  # the five buckets in BUCKETS order, then the credit
    ),
    Column(AGING_HEADERS[8], lambda row: format_money(row.balance), align_right=True),
]


class AgingRowsModel(RowsModel[AccountAging]):
    """The report's rows; the last one (the totals) is bold."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid() and index.row() == self.total_rows - 1:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


def computed_report(uow: UnitOfWork, actor: Actor, as_of: dt.date) -> tuple[OfficeAging, list[AccountAging]]:
    """The report and its rows with the totals line last, made off the GUI thread; the model formats
    only the cells a person sees (27,000 accounts x 7 amounts as text were 13 MB on the large
    practice)."""
    report = office_aging(uow, actor, as_of)
    return report, [*report.rows, report.total]


class AgingReportWindow(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Office aging report")
        self.setObjectName("aging_report")
        self.resize(960, 560)
        self.report: OfficeAging | None = None
        self.runner = Background(self, what="The aging report")

        self.as_of = date_edit("as_of")
        self.as_of.setAccessibleName("As of")
        caption = QLabel("&As of")
        caption.setBuddy(self.as_of)
        today = QPushButton("&Today")
        today.setObjectName("today_button")
        today.clicked.connect(lambda: self.as_of.setDate(clock.today()))
        self.busy = QProgressBar()
        self.busy.setObjectName("aging_busy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(140)
        self.busy.setVisible(False)
        self.summary = QLabel()
        self.summary.setObjectName("aging_summary")
        top = QHBoxLayout()
        top.addWidget(caption)
        top.addWidget(self.as_of)
        top.addWidget(today)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)
        top.addWidget(self.busy)

        self.model = AgingRowsModel(REPORT_COLUMNS, self)
        self.table = make_table("aging_table")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in range(2, len(AGING_HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, 96)
        self.empty = EmptyState("")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        note = QLabel(
            "Payments and credits pay each account's oldest charges first. Charges waiting for an insurance "
            "claim (ICM 1, and the insurance part under ICM 2) stay current until the claim is complete."
        )
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {palette.MUTED};")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(note)
        self.as_of.dateChanged.connect(lambda _date: self.compute())
        # A payment or charge posted while the report is open shows up in it (STYLE.md 6).
        ctx.changes.changed.connect(lambda area: self.compute() if area == "ledger" and self.isVisible() else None)
        self.compute()

    def compute(self) -> None:
        """Start a run for the chosen date; the answer arrives in :meth:`_show`."""
        as_of = day_of(self.as_of)
        ctx, actor = self.ctx, self.ctx.user
        self.busy.setVisible(True)
        self.summary.setStyleSheet("")
        self.summary.setText(f"Aging every account as of {as_of:%Y-%m-%d} ...")
        # An older date's answer is dropped when it comes: the person has moved on.
        self.runner.start(lambda: computed_report(ctx.uow(), actor, as_of), self._show, self._fail)

    def _show(self, answer: tuple[OfficeAging, list[AccountAging]]) -> None:
        report, lines = answer
        self.busy.setVisible(False)
        self.report = report
        if not report.rows:
            self.model.set_rows([])
            self.empty.set_message(
                f"No account had a balance on {report.as_of:%Y-%m-%d}. Pick another date above; "
                "charges and payments posted in the Ledger appear here."
            )
            self.stack.setCurrentWidget(self.empty)
            self.summary.setText(f"As of {report.as_of:%Y-%m-%d}: nothing owed.")
            return
        self.model.set_rows(lines)
        self.stack.setCurrentWidget(self.table)
        total = format_money(report.totals.balance)
        self.summary.setText(
            f"As of {report.as_of:%Y-%m-%d}: {len(report.rows)} accounts with a balance, total {total}."
        )

    def _fail(self, error: DentalDeskError) -> None:
        self.busy.setVisible(False)
        self.summary.setText(error.message)
        self.summary.setStyleSheet(f"color: {palette.ERROR};")

    def wait_for_runs(self, timeout_ms: int = 30000) -> None:
        """Let running reports finish (closing the app, tests)."""
        self.runner.wait(timeout_ms / 1000)
