"""The Audit window (SEC-5): the office's audit log for Owner and Admin, filtered and exported.

Filters: a patient (by patient ID), the user, the action and a date range (local calendar days);
Search (Enter) lists the newest rows first, in the workstation's local time (SEC-2). Export CSV
writes the rows shown; Verify chain walks the whole hash chain and names the first broken link.
The service refuses other roles too; the menu entry is disabled for them and says why.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.times import shown_time
from dentaldesk.services.access.audit_log import (
    AuditFilter,
    AuditRow,
    audit_choices,
    audit_csv,
    search_audit,
    verify_audit,
)
from dentaldesk.services.patients.search import search_patients
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op, show_error
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import date_edit, day_of, make_default, make_table

ANY = "(any)"
NO_DATE = QDate(2000, 1, 1)


def _summary(text: str, limit: int | None = 60) -> str:
    """A before/after JSON object as "key: value, ...": each value cut at ``limit`` characters."""
    if not text:
        return ""
    try:
        values = json.loads(text)
    except ValueError:
        return text
    if not isinstance(values, dict):
        return text
    parts = []
    for key, value in values.items():
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)
        cut = limit is not None and len(shown) > limit
        parts.append(f"{key}: {shown[: limit - 3] + '...' if cut and limit else shown}")
    return ", ".join(parts)


COLUMNS: list[Column[AuditRow]] = [
    Column("Time", lambda r: shown_time(r.at, seconds=True)),
    Column("User", lambda r: r.username),
    Column("Workstation", lambda r: r.workstation),
    Column("Action", lambda r: r.action),
    Column("Record", lambda r: r.entity + ("" if r.entity_id is None else f" {r.entity_id}")),
    Column("Before", lambda r: _summary(r.before)),
    Column("After", lambda r: _summary(r.after)),
]


def _day(edit: QDateEdit) -> dt.date | None:
    return None if edit.date() == NO_DATE else day_of(edit)


class AuditWindow(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("audit_window")
        self.setWindowTitle("Audit log")
        self.resize(1100, 620)
        self.patient = QLineEdit()
        self.patient.setObjectName("audit_patient")
        self.patient.setAccessibleName("Patient ID")
        self.patient.setPlaceholderText("patient ID, e.g. 1042")
        self.patient_name = QLabel()
        self.patient_name.setObjectName("audit_patient_name")
        self.user = QComboBox()
        self.user.setObjectName("audit_user")
        self.user.setAccessibleName("User")
        self.action = QComboBox()
        self.action.setObjectName("audit_action")
        self.action.setAccessibleName("Action")
        self.date_from = date_edit("audit_from", "From date")
        self.date_to = date_edit("audit_to", "To date")
        for edit in (self.date_from, self.date_to):
            edit.setMinimumDate(NO_DATE)
            edit.setSpecialValueText(ANY)  # the minimum date reads "(any)": no limit
            edit.setDate(NO_DATE)
        self.error = QLabel()
        self.error.setObjectName("audit_error")
        self.error.setStyleSheet(f"color: {palette.ERROR};")
        self.error.setVisible(False)
        self.status = QLabel()
        self.status.setObjectName("audit_status")
        self.status.setWordWrap(True)

        form = QFormLayout()
        patient_row = QHBoxLayout()
        patient_row.addWidget(self.patient)
        patient_row.addWidget(self.patient_name, 1)
        form.addRow(self._label("&Patient", self.patient), patient_row)
        form.addRow("&User", self.user)
        form.addRow("&Action", self.action)
        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        form.addRow(self._label("&Dates", self.date_from), dates)

        self.search_button = QPushButton("&Search")
        self.search_button.setObjectName("audit_search")
        make_default(self.search_button)
        self.search_button.clicked.connect(self.search)
        self.export_button = QPushButton("&Export CSV...")
        self.export_button.setObjectName("audit_export")
        self.export_button.clicked.connect(self.export)
        self.verify_button = QPushButton("&Verify chain")
        self.verify_button.setObjectName("audit_verify")
        self.verify_button.setToolTip("Check every row's hash against the row before (SEC-5)")
        self.verify_button.clicked.connect(self.verify)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.search_button, self.export_button, self.verify_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        self.model: RowsModel[AuditRow] = RowsModel(COLUMNS, self)
        self.table = make_table("audit_rows")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        for column in (len(COLUMNS) - 2, len(COLUMNS) - 1):  # Before and After share the rest
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.details = QPlainTextEdit()
        self.details.setObjectName("audit_details")
        self.details.setAccessibleName("Row details")
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(110)
        self.details.setPlaceholderText("Choose a row to see its whole before and after.")
        self.table.selectionModel().currentRowChanged.connect(self._show_details)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.status)
        self._load_choices()
        self.search()

    def _show_details(self, current: object, _previous: object = None) -> None:
        row = current.row() if hasattr(current, "row") else -1
        if row < 0 or row >= self.model.total_rows:
            self.details.clear()
            return
        r = self.model.row(row)
        self.details.setPlainText(
            f"{r.action} on {r.entity} {r.entity_id or ''} by {r.username} at {r.workstation}, "
            f"{shown_time(r.at, seconds=True, zone=True)} (row {r.seq} of the chain)\n"
            f"Before: {_summary(r.before, limit=None) or '-'}\nAfter: {_summary(r.after, limit=None) or '-'}"
        )

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)  # the mnemonic moves the focus to the field
        return label

    def _load_choices(self) -> None:
        ok, choices = run_op(self.ctx, self, lambda: audit_choices(self.ctx.uow(), self.ctx.user), fallback=self.error)
        self.user.addItem(ANY)
        self.action.addItem(ANY)
        if ok and choices is not None:
            self.user.addItems(list(choices.users))
            self.action.addItems(list(choices.actions))

    def _patient_id(self, uow: UnitOfWork) -> int | None:
        typed = self.patient.text().strip()
        self.patient_name.clear()
        if not typed:
            return None
        rows = [r for r in search_patients(uow, self.ctx.user, typed) if r.patient_number == typed]
        if not rows:
            raise ValidationError(f"No patient has the ID {typed}.", "patient")
        self.patient_name.setText(f"{rows[0].first_name} {rows[0].last_name}")
        return rows[0].id

    def current_filter(self, uow: UnitOfWork) -> AuditFilter:
        return AuditFilter(
            patient_id=self._patient_id(uow),
            username="" if self.user.currentText() == ANY else self.user.currentText(),
            action="" if self.action.currentText() == ANY else self.action.currentText(),
            date_from=_day(self.date_from),
            date_to=_day(self.date_to),
        )

    def search(self) -> None:
        self.error.setVisible(False)

        def find() -> list[AuditRow]:
            uow = self.ctx.uow()
            where = self.current_filter(uow)
            return search_audit(uow, self.ctx.user, where.patient_id, where=where)

        ok, rows = run_op(self.ctx, self, find, fallback=self.error)
        if ok and rows is not None:
            self.model.set_rows(rows)
            count = f"{len(rows):,} row" + ("" if len(rows) == 1 else "s")
            self.status.setText(f"{count}, newest first. Times are this workstation's local time.")

    def export(self) -> None:
        rows = self.model.rows
        if not rows:
            show_error(self, ValidationError("There are no rows to export; search first."), fallback=self.error)
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export the audit rows", "audit.csv", "CSV files (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        path.write_text(audit_csv(self.model.rows), encoding="utf-8")
        self.status.setText(f"{len(self.model.rows):,} rows written to {path}.")

    def verify(self) -> None:
        ok, check = run_op(self.ctx, self, lambda: verify_audit(self.ctx.uow(), self.ctx.user), fallback=self.error)
        if not ok or check is None:
            return
        if check.intact:
            self.status.setText(f"The audit log is intact: {check.rows:,} rows, every link matches.")
        else:
            where = f"row {check.broken_id}" if check.broken_id else "its end"
            self.status.setText(f"The audit log is broken at {where}: {check.reason}.")
