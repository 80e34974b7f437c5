"""Patients: search as you type by name, patient ID or birth date; today's and recent patients.

One selection: the highlighted row is the chosen patient. Moving the highlight (arrows, a click,
a search's first match) chooses that patient, so the header above, Edit patient and the other
views all act on the row the person sees highlighted; Enter in the search box chooses the
highlighted match (the first one unless the arrows moved it) at once. With nothing typed the page
lists today's patients (activity on the books today) and the ones this user opened recently.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from dentaldesk.services.patients.search import PatientRow, StartLists, search_patients, start_lists
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import EmptyState, make_table
from dentaldesk.ui.patients.dialog import PatientDialog
from dentaldesk.ui.patients.recent import note_opened, recent_patients

TODAY = "Today"
RECENT = "Opened recently"


@dataclass(frozen=True)
class ListedPatient:
    """A patient row of the page, with why it is listed when nothing is typed."""

    row: PatientRow
    listed: str = ""

    @property
    def id(self) -> int:
        return self.row.id


PATIENT_COLUMNS: list[Column[ListedPatient]] = [
    Column("Name", lambda r: r.row.display_name),
    Column("Patient ID", lambda r: r.row.patient_number),
    Column("Birth date", lambda r: f"{r.row.birth_date:%Y-%m-%d}"),
    Column("Account", lambda r: r.row.account_number),
    Column("Phone", lambda r: r.row.phone),
    Column("Listed", lambda r: r.listed),
]
LISTED_COLUMN = len(PATIENT_COLUMNS) - 1
NOTHING_TYPED = (
    "Type a name, a patient ID or a birth date above to find a patient. Today's patients and the ones "
    "you open are listed here."
)


class PatientsView(QWidget):
    patient_chosen = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, start: StartLists | None = None) -> None:
        """``start``: today's and the recent patients, already read (with the login), shown at once."""
        super().__init__(parent)
        self.ctx = ctx
        self.chosen_id: int | None = None
        self.search = QLineEdit()
        self.search.setObjectName("patient_search")
        self.search.setAccessibleName("Find patient")
        self.search.setPlaceholderText("Find a patient: last name, first name, patient ID or birth date (YYYY-MM-DD)")
        self.search.setClearButtonEnabled(True)
        self.search.setWhatsThis(
            'Type part of a last or first name ("smi", "john smi", "smith, john"), a patient ID or a '
            "birth date. The first match is highlighted and chosen; Up and Down move through the matches, "
            "Enter chooses the highlighted one."
        )
        self.search.installEventFilter(self)  # Up / Down move the highlight in the list below
        self.count = QLabel()
        self.count.setObjectName("search_count")

        self.model: RowsModel[ListedPatient] = RowsModel(PATIENT_COLUMNS, self)
        self.table = make_table("patient_results")
        self.table.setModel(self.model)
        self.table.activated.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(self._highlighted)
        # A highlight moved by holding an arrow key chooses once the key rests (header, chart follow).
        self._choose_timer = QTimer(self)
        self._choose_timer.setSingleShot(True)
        self._choose_timer.setInterval(60)
        self._choose_timer.timeout.connect(self._choose_highlighted)

        self.empty = EmptyState(NOTHING_TYPED)
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
        self.edit_button.setToolTip("Edit the chosen patient (the one highlighted, shown in the header)")
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
        # Today's list follows what is posted and planned here (a payment makes a patient today's).
        ctx.changes.changed.connect(
            lambda area: self._start_changed() if area in ("plans", "ledger", "patients") else None
        )
        if start is None:
            self.run_search()
        else:
            self._show_start(start)

    def _remote(self, change: object) -> None:
        if getattr(change, "touches", None) and change.touches("patient"):
            self.run_search(keep_highlight=True)

    def _start_changed(self) -> None:
        if not self.search.text().strip():
            self.run_search(keep_highlight=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress and self.model.rowCount():
            key = event.key()
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(key)
            if step is not None:
                current = self.table.currentIndex().row()
                row = min(max(0, current + step if current >= 0 else 0), self.model.rowCount() - 1)
                self.table.setCurrentIndex(self.model.index(row, 0))
                return True
        return super().eventFilter(watched, event)

    # --- the list

    def run_search(self, *, keep_highlight: bool = False) -> None:
        """The matches of what is typed (the first one highlighted and chosen), or today's and the
        recent patients when nothing is typed (the chosen one highlighted if listed)."""
        self._debounce.stop()
        text = self.search.text().strip()
        self.table.setColumnHidden(LISTED_COLUMN, bool(text))
        if not text:
            self._show_start()
            return
        ok, found = run_op(self.ctx, self, lambda: search_patients(self.ctx.uow(), self.ctx.user, text))
        if not ok or found is None:
            return
        rows = [ListedPatient(r) for r in found]
        self._set_rows(rows)
        if not rows:
            self.empty.set_message(
                f"No patient matches '{text}'. Check the spelling, search by birth date, or add them with New patient."
            )
            self.stack.setCurrentWidget(self.empty)
            self.count.setText("No matches")
            return
        self.stack.setCurrentWidget(self.table)
        self.count.setText(
            f"{len(rows)} match{'es' if len(rows) != 1 else ''}" + (" (first 50)" if len(rows) == 50 else "")
        )
        if keep_highlight and self._highlight(self.chosen_id):
            return
        self.table.setCurrentIndex(self.model.index(0, 0))  # the first match is the chosen patient
        self._choose_highlighted()

    def _show_start(self, lists: StartLists | None = None) -> None:
        if lists is None:
            recent = recent_patients(self.ctx.database, self.ctx.user.user_id)
            ok, lists = run_op(self.ctx, self, lambda: start_lists(self.ctx.uow(), self.ctx.user, recent))
            if not ok or lists is None:
                return
        today_ids = {r.id for r in lists.today}
        rows = [ListedPatient(r, TODAY) for r in lists.today]
        rows += [ListedPatient(r, RECENT) for r in lists.recent if r.id not in today_ids]
        self._set_rows(rows)
        if not rows:
            self.empty.set_message(NOTHING_TYPED)
            self.stack.setCurrentWidget(self.empty)
            self.count.setText("")
            return
        self.stack.setCurrentWidget(self.table)
        recent = len(rows) - len(lists.today)
        self.count.setText(
            f"Today's patients: {len(lists.today)} · Opened recently: {recent} (type above to find anyone else)"
        )
        self._highlight(self.chosen_id)

    def _set_rows(self, rows: list[ListedPatient]) -> None:
        self.table.selectionModel().blockSignals(True)  # a new list is not a new choice
        self.model.set_rows(rows)
        self.table.selectionModel().blockSignals(False)

    def _highlight(self, patient_id: int | None) -> bool:
        """Highlight the chosen patient's row without choosing again; False if not listed."""
        row = next((n for n, r in enumerate(self.model.rows) if r.id == patient_id), None)
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        if row is None:
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
        else:
            self.table.setCurrentIndex(self.model.index(row, 0))
            self.table.selectRow(row)
        selection.blockSignals(False)
        self.table.viewport().update()
        return row is not None

    def _highlighted(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._choose_timer.start()

    def _choose_highlighted(self) -> None:
        self._choose_timer.stop()
        index = self.table.currentIndex()
        if index.isValid() and index.row() < self.model.rowCount():
            self.choose(self.model.row(index.row()).id)

    def _enter(self) -> None:
        """Enter in the search box: the highlighted match (the first unless moved) is chosen now."""
        if self._debounce.isActive() or not self.model.rowCount():
            self.run_search()
        else:
            self._choose_highlighted()

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.choose(self.model.row(index.row()).id)

    # --- the chosen patient

    def choose(self, patient_id: int) -> None:
        """Make ``patient_id`` the chosen patient: noted as recent for this user, announced once."""
        if patient_id == self.chosen_id:
            return
        self.chosen_id = patient_id
        note_opened(self.ctx.database, self.ctx.user.user_id, patient_id)
        self.edit_button.setEnabled(True)
        self.patient_chosen.emit(patient_id)

    def show_chosen(self, patient_id: int | None) -> None:
        """The main window chose a patient another way: the list highlights them if they are in it."""
        if patient_id is not None and patient_id != self.chosen_id:
            self.chosen_id = patient_id
            note_opened(self.ctx.database, self.ctx.user.user_id, patient_id)
        self.edit_button.setEnabled(patient_id is not None)
        self._highlight(patient_id)

    def new_patient(self) -> None:
        self._open_dialog(None)

    def edit_patient(self) -> None:
        """Edit patient: the chosen patient, who is the one highlighted and named in the header."""
        if self.chosen_id is not None:
            self._open_dialog(self.chosen_id)

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
        saved_id = dialog.saved.patient_id
        self.chosen_id = None  # chosen again: the header shows the saved details
        self.run_search()
        if self.chosen_id != saved_id:
            self.choose(saved_id)
