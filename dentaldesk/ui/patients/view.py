"""Patients: search as you type by name, patient ID or birth date."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from dentaldesk.services.patients.search import PatientRow, search_patients
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import EmptyState, make_table
from dentaldesk.ui.patients.dialog import PatientDialog

PATIENT_COLUMNS: list[Column[PatientRow]] = [
    Column("Name", lambda r: r.display_name),
    Column("Patient ID", lambda r: r.patient_number),
    Column("Birth date", lambda r: f"{r.birth_date:%Y-%m-%d}"),
    Column("Account", lambda r: r.account_number),
    Column("Phone", lambda r: r.phone),
]


class PatientsView(QWidget):
    patient_chosen = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = QLineEdit()
        self.search.setObjectName("patient_search")
        self.search.setAccessibleName("Find patient")
        self.search.setPlaceholderText("Find a patient: last name, first name, patient ID or birth date (YYYY-MM-DD)")
        self.search.setClearButtonEnabled(True)
        self.count = QLabel()
        self.count.setObjectName("search_count")

        self.model: RowsModel[PatientRow] = RowsModel(PATIENT_COLUMNS, self)
        self.table = make_table("patient_results")
        self.table.setModel(self.model)
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._activated)

        self.empty = EmptyState("Type a name, a patient ID or a birth date above to find a patient.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)

        # Registering and correcting a patient: every role may do both.
        self.new_button = QPushButton("&New patient...")
        self.new_button.setObjectName("new_patient")
        self.new_button.setAccessibleName("New patient")
        self.new_button.setToolTip("Add a patient with account and insurance")
        self.edit_button = QPushButton("E&dit patient...")
        self.edit_button.setObjectName("edit_patient")
        self.edit_button.setAccessibleName("Edit patient")
        self.edit_button.setToolTip("Edit the patient selected in the list")
        self.edit_button.setEnabled(False)
        self.new_button.clicked.connect(self.new_patient)
        self.edit_button.clicked.connect(self.edit_patient)
        self.patient_dialog: PatientDialog | None = None
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.edit_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.count)
        layout.addWidget(self.stack, 1)

        # Search as you type, once typing pauses for a moment; Enter searches at once.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._enter)
        # A patient saved here or on another workstation (DATA-7): the list shows it as it is now.
        ctx.changes.remote.connect(self._remote)

    def _remote(self, change: object) -> None:
        if getattr(change, "touches", None) and change.touches("patient") and self.search.text().strip():  # type: ignore[attr-defined]
            chosen = self.table.currentIndex().row()
            self.run_search()
            if 0 <= chosen < self.model.rowCount():
                self.table.selectRow(chosen)

    def run_search(self) -> None:
        self._debounce.stop()
        text = self.search.text().strip()
        rows = search_patients(self.ctx.uow(), self.ctx.user, text) if text else []
        self.model.set_rows(rows)
        if not text:
            self.empty.set_message("Type a name, a patient ID or a birth date above to find a patient.")
            self.stack.setCurrentWidget(self.empty)
            self.count.setText("")
        elif not rows:
            self.empty.set_message(
                f"No patient matches '{text}'. Check the spelling, search by birth date, or add them with New patient."
            )
            self.stack.setCurrentWidget(self.empty)
            self.count.setText("No matches")
        else:
            self.stack.setCurrentWidget(self.table)
            self.count.setText(
                f"{len(rows)} match{'es' if len(rows) != 1 else ''}" + (" (first 50)" if len(rows) == 50 else "")
            )
            self.table.selectRow(0)
        self.edit_button.setEnabled(bool(rows))

    def _enter(self) -> None:
        self.run_search()
        if self.model.rowCount() == 1:
            self.patient_chosen.emit(self.model.row(0).id)
        elif self.model.rowCount() > 1:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.patient_chosen.emit(self.model.row(index.row()).id)

    def new_patient(self) -> None:
        self._open_dialog(None)

    def edit_patient(self) -> None:
        chosen = self.table.selectionModel().selectedRows()
        if chosen:
            self._open_dialog(self.model.row(chosen[0].row()).id)

    def _open_dialog(self, patient_id: int | None) -> None:
        dialog = PatientDialog(self.ctx, patient_id, self)
        dialog.accepted.connect(lambda: self._saved(dialog))
        self.patient_dialog = dialog
        dialog.open()

    def _saved(self, dialog: PatientDialog) -> None:
        """Show the saved patient in the list and choose them (their header shows the new details)."""
        if dialog.saved is None:
            return
        self.search.setText(dialog.saved.patient_number)
        self.run_search()
        self.patient_chosen.emit(dialog.saved.patient_id)
