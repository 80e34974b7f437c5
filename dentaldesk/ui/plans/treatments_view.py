"""Treatments: plans of the current patient or of the whole office, filterable by status.

"+ New Plan" (Ctrl+N) picks the patient (the current one by default) and a title, then opens the
plan editor; Enter or a double-click on a plan opens it. Front desk users see New Plan disabled
with the reason (TP-1); they may still open plans, approve them and complete items.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.money import format_money
from dentaldesk.domain.plans import status_label
from dentaldesk.domain.terms import PLAN_EDITOR_ROLES, PlanStatus
from dentaldesk.domain.times import shown_day
from dentaldesk.services.patients.search import PatientRow, patient_header, search_patients
from dentaldesk.services.plans import create_plan
from dentaldesk.services.plans.queries import PlanSummary, plan_summaries
from dentaldesk.ui.kit.background import Background
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op, show_error
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import EmptyState, RefreshWhenShown, make_table
from dentaldesk.ui.plans.dialogs import NewPlanDialog
from dentaldesk.ui.plans.editor import PlanEditor

PLAN_COLUMNS: list[Column[PlanSummary]] = [
    Column("Patient", lambda p: f"{p.patient_name} ({p.patient_number})"),
    Column("Plan", lambda p: p.title),
    Column("Status", lambda p: status_label(p.status)),
    Column("Items", lambda p: f"{p.done_items}/{p.items} done", align_right=True),
    Column("Total", lambda p: format_money(p.total), align_right=True),
    Column("Completed", lambda p: format_money(p.done_total), align_right=True),
    Column("Updated", lambda p: shown_day(p.updated_at)),
]


class TreatmentsView(QWidget):
    editor_opened = Signal(object)  # the PlanEditor window just opened

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: int | None = None
        self.editors: dict[int, PlanEditor] = {}
        self.dialog: NewPlanDialog | None = None

        self.this_patient = QRadioButton("This &patient")
        self.this_patient.setObjectName("scope_patient")
        self.whole_office = QRadioButton("&Whole office")
        self.whole_office.setObjectName("scope_office")
        self.whole_office.setChecked(True)
        self.status = QComboBox()
        self.status.setObjectName("status_filter")
        self.status.setAccessibleName("Plan status filter")
        self.status.addItem("All statuses", None)
        for s in PlanStatus:
            self.status.addItem(status_label(s), s)
        status_caption = QLabel("&Status")
        status_caption.setBuddy(self.status)

        self.new_plan_action = QAction("+ &New Plan…", self)
        self.new_plan_action.setObjectName("new_plan")
        self.new_plan_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_plan_action.triggered.connect(lambda _c=False: self.new_plan())
        self.addAction(self.new_plan_action)
        self.new_plan_button = QPushButton("+ &New Plan…")
        self.new_plan_button.setObjectName("new_plan_button")
        self.new_plan_button.setAccessibleName("New plan")
        self.new_plan_button.clicked.connect(self.new_plan_action.trigger)
        self.open_button = QPushButton("&Open plan")
        self.open_button.setObjectName("open_plan_button")
        self.open_button.setToolTip("Open the selected plan (Enter or double-click)")
        self.open_button.clicked.connect(self.open_selected)
        # Ctrl+P on a plan of the list: its handout's print preview, as in the plan editor (TP-17).
        self.print_action = QAction("Print pre&view…", self)
        self.print_action.setObjectName("print_preview")
        self.print_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.print_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_action.triggered.connect(lambda _c=False: self.print_selected())
        self.addAction(self.print_action)
        self.print_button = QPushButton("Print pre&view…")
        self.print_button.setObjectName("print_preview_button")
        self.print_button.setToolTip("The selected plan's handout, to print or save as PDF (Ctrl+P)")
        self.print_button.clicked.connect(self.print_action.trigger)
        self.preview = None
        editor_refusal = self._edit_refusal()
        for widget in (self.new_plan_action, self.new_plan_button):
            widget.setEnabled(not editor_refusal)
            widget.setToolTip(editor_refusal or "Start a treatment plan for a patient (Ctrl+N)")

        bar = QHBoxLayout()
        bar.addWidget(self.new_plan_button)
        bar.addWidget(self.open_button)
        bar.addWidget(self.print_button)
        bar.addSpacing(24)
        bar.addWidget(self.this_patient)
        bar.addWidget(self.whole_office)
        bar.addSpacing(24)
        bar.addWidget(status_caption)
        bar.addWidget(self.status)
        bar.addStretch(1)

        self.model: RowsModel[PlanSummary] = RowsModel(PLAN_COLUMNS, self)
        self.table = make_table("plan_list")
        self.table.setModel(self.model)
        self.table.activated.connect(self._open_row)
        self.empty = EmptyState("")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self.this_patient.toggled.connect(lambda _c: self.refresh())
        self.status.currentIndexChanged.connect(lambda _i: self.refresh())
        # A change made elsewhere (a save in a plan editor in front of this list) is read on a
        # worker: the window that acted is not kept waiting for this list (STYLE.md 11).
        self.reader = Background(self, what="The plan list")
        self.when_shown = RefreshWhenShown(self, self.refresh, while_shown=lambda: self.refresh(off_thread=True))
        ctx.changes.changed.connect(lambda area: self.when_shown.request() if area in ("plans", "patients") else None)

    def set_patient(self, patient_id: int | None) -> None:
        self.patient_id = patient_id
        self.this_patient.setEnabled(patient_id is not None)
        # One refresh below, not a second one from the radio button's toggle.
        self.this_patient.blockSignals(True)
        if patient_id is not None:
            self.this_patient.setChecked(True)
        else:
            self.whole_office.setChecked(True)
        self.this_patient.blockSignals(False)
        self.refresh()

    def refresh(self, *, off_thread: bool = False) -> None:
        """Read the list for the scope and status chosen; ``off_thread`` reads it on a worker (only
        the newest answer is shown; a refusal goes to the status bar)."""
        self.when_shown.done()
        chosen = self.status.currentData()  # Qt hands a str-valued enum back as its str
        status = PlanStatus(chosen) if chosen else None
        patient = self.patient_id if self.this_patient.isChecked() else None
        ctx, actor = self.ctx, self.ctx.user

        def read() -> list[PlanSummary]:
            return plan_summaries(ctx.uow(), actor, patient_id=patient, status=status)

        if off_thread:
            self.reader.start_soon(read, lambda rows: self._show_rows(rows, patient, status), self._show_refusal)
            return
        self.reader.cancel()  # an older read on a worker must not overwrite this one
        ok, rows = run_op(self.ctx, self, read)
        if ok and rows is not None:
            self._show_rows(rows, patient, status)

    def _show_refusal(self, error: DentalDeskError) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(error.message, 8000)

    def _show_rows(self, rows: list[PlanSummary], patient: int | None, status: PlanStatus | None) -> None:
        self.model.set_rows(rows)
        if rows:
            self.stack.setCurrentWidget(self.table)
            return
        which = f"{status_label(status).lower()} " if status else ""
        step = " Press + New Plan (Ctrl+N) to start one." if not self._edit_refusal() else ""
        if patient is not None:
            self.empty.set_message(f"This patient has no {which}treatment plans yet.{step}")
        else:
            self.empty.set_message(f"The office has no {which}treatment plans yet.{step}")
        self.stack.setCurrentWidget(self.empty)

    # --- opening and creating plans

    def _edit_refusal(self) -> str:
        role = self.ctx.user.role
        if role in PLAN_EDITOR_ROLES:
            return ""
        return f"{role.label} users cannot create treatment plans (TP-1); ask an Owner, Admin or Dentist."

    def _open_row(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_plan(self.model.row(index.row()).id)

    def open_selected(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._open_row(index)

    def print_selected(self):
        """Print preview of the selected plan (Ctrl+P); with none selected, the view says so."""
        from dentaldesk.ui.plans.print_handout import print_plan

        index = self.table.currentIndex()
        if not index.isValid() or self.stack.currentWidget() is not self.table:
            window = self.window()
            if isinstance(window, QMainWindow):
                window.statusBar().showMessage("Select a plan in the list to preview its handout.", 6000)
            return None
        self.preview = print_plan(self.ctx, self, self.model.row(index.row()).id)
        return self.preview

    def open_plan(self, plan_id: int) -> PlanEditor | None:
        """Open the plan editor (one window per plan; a second open brings it to the front); None
        when the plan cannot be read (gone, or not this user's to see: the reason is shown)."""
        editor = self.editors.get(plan_id)
        if editor is None:
            try:
                editor = PlanEditor(self.ctx, plan_id)
            except DentalDeskError as exc:
                show_error(self, exc)
                return None
            editor.new_plan_requested.connect(self.new_plan)
            editor.destroyed.connect(lambda _o=None, pid=plan_id: self.editors.pop(pid, None))
            self.editors[plan_id] = editor
            self.editor_opened.emit(editor)
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def new_plan(self, patient_id: int | None = None) -> NewPlanDialog | None:
        """ "+ New Plan": pick the patient (the current one by default) and a title (seed 000)."""
        refusal = self._edit_refusal()
        if refusal:
            self.empty.set_message(refusal)
            return None
        chosen = patient_id if patient_id is not None else self.patient_id
        default = None
        if chosen is not None:
            ok, header = run_op(self.ctx, self, lambda: patient_header(self.ctx.uow(), self.ctx.user, chosen))
            if not ok or header is None:
                return None
            default = (header.id, f"{header.full_name} ({header.patient_number})")

        def submit(dialog: NewPlanDialog, patient: int, title: str) -> bool:
            ok, saved = run_op(
                self.ctx,
                dialog,
                lambda: create_plan(self.ctx.uow(), self.ctx.user, patient, title),
                changed="plans",
                field_labels=dialog.errors,
                fallback=dialog.general,
            )
            if ok and saved is not None:
                self.open_plan(saved.plan_id)
            return ok

        def find(text: str) -> list[PatientRow]:
            _, rows = run_op(self.ctx, self, lambda: search_patients(self.ctx.uow(), self.ctx.user, text))
            return rows or []

        dialog = NewPlanDialog(find, submit, patient=default, parent=self)
        self.dialog = dialog
        dialog.open()
        return dialog
