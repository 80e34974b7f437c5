"""Treatments: plans of the current patient or of the whole office, filterable by status."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QRadioButton, QStackedWidget, QVBoxLayout, QWidget

from dentaldesk.domain.money import format_money
from dentaldesk.domain.plans import status_label
from dentaldesk.domain.terms import PlanStatus
from dentaldesk.services.plan_queries import PlanSummary, plan_summaries
from dentaldesk.ui.context import AppContext
from dentaldesk.ui.table_model import Column, RowsModel
from dentaldesk.ui.widgets import EmptyState, make_table

PLAN_COLUMNS: list[Column[PlanSummary]] = [
    Column("Patient", lambda p: f"{p.patient_name} ({p.patient_number})"),
    Column("Plan", lambda p: p.title),
    Column("Status", lambda p: status_label(p.status)),
    Column("Items", lambda p: f"{p.done_items}/{p.items} done", align_right=True),
    Column("Total", lambda p: format_money(p.total), align_right=True),
    Column("Completed", lambda p: format_money(p.done_total), align_right=True),
    Column("Updated", lambda p: f"{p.updated_at:%Y-%m-%d}"),
]


class TreatmentsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: int | None = None

        self.this_patient = QRadioButton("This &patient")
        self.this_patient.setObjectName("scope_patient")
        self.whole_office = QRadioButton("Whole &office")
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

        bar = QHBoxLayout()
        bar.addWidget(self.this_patient)
        bar.addWidget(self.whole_office)
        bar.addSpacing(24)
        bar.addWidget(status_caption)
        bar.addWidget(self.status)
        bar.addStretch(1)

        self.model: RowsModel[PlanSummary] = RowsModel(PLAN_COLUMNS, self)
        self.table = make_table("plan_list")
        self.table.setModel(self.model)
        self.empty = EmptyState("")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self.this_patient.toggled.connect(lambda _c: self.refresh())
        self.status.currentIndexChanged.connect(lambda _i: self.refresh())
        ctx.changes.changed.connect(lambda area: self.refresh() if area in ("plans", "patients") else None)

    def set_patient(self, patient_id: int | None) -> None:
        self.patient_id = patient_id
        self.this_patient.setEnabled(patient_id is not None)
        if patient_id is not None:
            self.this_patient.setChecked(True)
        else:
            self.whole_office.setChecked(True)
        self.refresh()

    def refresh(self) -> None:
        status = self.status.currentData()
        patient = self.patient_id if self.this_patient.isChecked() else None
        rows = plan_summaries(self.ctx.uow(), self.ctx.user.office_id, patient_id=patient, status=status)
        self.model.set_rows(rows)
        if rows:
            self.stack.setCurrentWidget(self.table)
            return
        which = f"{status_label(status).lower()} " if status else ""
        if patient is not None:
            self.empty.set_message(f"This patient has no {which}treatment plans yet.")
        else:
            self.empty.set_message(f"The office has no {which}treatment plans yet.")
        self.stack.setCurrentWidget(self.empty)
