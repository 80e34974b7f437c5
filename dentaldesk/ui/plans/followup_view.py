"""Follow-up (CASE-3): the plans waiting for the patient, with the calls made about them.

The list (oldest first) shows approved plans with unfinished items and presented plans not yet
approved, with the patient's phone, the plan's total and what is still to do, the last contact
and the days waiting; it filters by provider and by the amount still to do. **Record contact**
(Enter on a row, or the button) writes a contact note to the plan's history; **Cancel plan**
cancels a plan the patient declined, with the decline's reason (Owner, Admin, Dentist: TP-1);
**Open plan** opens the plan editor.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import clock
from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.followup import ContactKind
from dentaldesk.domain.money import PAYMENT_MAX, format_money, parse_money
from dentaldesk.domain.terms import PLAN_EDITOR_ROLES
from dentaldesk.domain.times import shown_day
from dentaldesk.services.plans import cancel_plan
from dentaldesk.services.plans.followup import FollowUpRow, follow_up_list, record_contact
from dentaldesk.services.practice.staff import list_providers
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op, show_error
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import (
    EmptyState,
    RefreshWhenShown,
    date_edit,
    day_of,
    enter_in_text_box_presses,
    error_label,
    hint_label,
    make_default,
    make_table,
)
from dentaldesk.ui.plans.dialogs import CancelPlanDialog

COLUMNS: list[Column[FollowUpRow]] = [
    Column("Patient", lambda r: f"{r.patient_name} ({r.patient_number})"),
    Column("Phone", lambda r: r.phone or "-"),
    Column("Plan", lambda r: r.title),
    Column("Waiting for", lambda r: r.waiting_for),
    Column("Since", lambda r: f"{r.since:%Y-%m-%d}"),
    Column("Days", lambda r: str(r.days_waiting), align_right=True),
    Column("Total", lambda r: format_money(r.total), align_right=True),
    Column("Still to do", lambda r: format_money(r.open_fee), align_right=True),
    Column("Provider", lambda r: ", ".join(r.providers)),
    Column("Last contact", lambda r: _contact_text(r)),
]


def _contact_text(row: FollowUpRow) -> str:
    contact = row.last_contact
    if contact is None:
        return "none yet"
    return f"{shown_day(contact.at)}: {contact.summary}"


class ContactDialog(QDialog):
    """One contact note: what came of it, a note (the reason, for a decline), the call-back day."""

    def __init__(self, ctx: AppContext, row: FollowUpRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.recorded = False
        self.setObjectName("contact_dialog")
        self.setWindowTitle(f"Contact about {row.title}: {row.patient_name}")
        self.kind = QComboBox()
        self.kind.setObjectName("contact_kind")
        self.kind.setAccessibleName("What came of the contact")
        for kind in ContactKind:
            self.kind.addItem(kind.label, kind.value)
        self.note = QPlainTextEdit()
        self.note.setObjectName("contact_note")
        self.note.setAccessibleName("Contact note")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(80)
        self.call_back = date_edit("call_back_on", "Will call back on", clock.today() + dt.timedelta(days=7))
        self.errors = {name: error_label(name) for name in ("kind", "note", "call_back_on")}
        self.general = error_label("contact")
        form = QFormLayout()
        phone = row.phone or "no phone on file"
        form.addRow(hint_label(f"{row.patient_name}, {phone}. {row.title}: {format_money(row.open_fee)} still to do."))
        kind_caption = QLabel("&Outcome")
        kind_caption.setBuddy(self.kind)
        form.addRow(kind_caption, self.kind)
        form.addRow("", self.errors["kind"])
        note_caption = QLabel("&Note")
        note_caption.setBuddy(self.note)
        form.addRow(note_caption, self.note)
        form.addRow("", self.errors["note"])
        call_caption = QLabel("&Call back on")
        call_caption.setBuddy(self.call_back)
        form.addRow(call_caption, self.call_back)
        form.addRow("", self.errors["call_back_on"])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton("&Record contact", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("record_contact")
        make_default(self.ok_button)
        enter_in_text_box_presses(self.note, self.ok_button)  # Enter records, Shift+Enter: a new line
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def chosen(self) -> ContactKind:
        return ContactKind(self.kind.currentData())

    def _kind_changed(self) -> None:
        kind = self.chosen()
        self.call_back.setEnabled(kind is ContactKind.WILL_CALL_BACK)
        self.note.setPlaceholderText(
            "Why the patient declined (required)" if kind is ContactKind.DECLINED else "What was said (optional)"
        )

    def submit(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.setVisible(False)
        call_back = day_of(self.call_back) if self.call_back.isEnabled() else None
        kind, note = self.chosen(), self.note.toPlainText()
        ok, _saved = run_op(
            self.ctx,
            self,
            lambda: record_contact(self.ctx.uow(), self.ctx.user, self.row.plan_id, kind, note, call_back_on=call_back),
            changed="plans",
            field_labels=self.errors,
            fallback=self.general,
        )
        if ok:
            self.recorded = True
            self.accept()


class FollowUpView(QWidget):
    open_plan_requested = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: QDialog | None = None
        self.provider = QComboBox()
        self.provider.setObjectName("followup_provider")
        self.provider.setAccessibleName("Provider filter")
        self.provider.addItem("All providers", None)
        ok, providers = run_op(ctx, self, lambda: list_providers(ctx.uow(), ctx.user))
        for p in providers or []:
            self.provider.addItem(p.name if p.active else f"{p.name} (inactive)", p.id)
        provider_caption = QLabel("P&rovider")
        provider_caption.setBuddy(self.provider)
        self.min_amount = QLineEdit()
        self.min_amount.setObjectName("followup_min_amount")
        self.min_amount.setAccessibleName("At least this much still to do")
        self.min_amount.setPlaceholderText("any amount")
        self.min_amount.setMaximumWidth(120)
        amount_caption = QLabel("Still to do at &least")
        amount_caption.setBuddy(self.min_amount)
        self.amount_error = error_label("min_amount")

        self.contact_button = QPushButton("Record &contact...")
        self.contact_button.setObjectName("record_contact_button")
        self.contact_button.setToolTip("Record a call or message about the selected plan (Enter)")
        self.contact_button.clicked.connect(self.record_contact)
        self.open_button = QPushButton("&Open plan")
        self.open_button.setObjectName("followup_open_plan")
        self.open_button.clicked.connect(self.open_selected)
        self.cancel_button = QPushButton("Cancel pla&n...")
        self.cancel_button.setObjectName("followup_cancel_plan")
        may_cancel = ctx.user.role in PLAN_EDITOR_ROLES
        self.cancel_button.setEnabled(may_cancel)
        self.cancel_button.setToolTip(
            "Cancel a plan the patient declined, with the reason"
            if may_cancel
            else f"{ctx.user.role.label} users cannot cancel plans (TP-1); record the decline, an Owner, "
            "Admin or Dentist cancels."
        )
        self.cancel_button.clicked.connect(self.cancel_selected)

        bar = QHBoxLayout()
        bar.addWidget(self.contact_button)
        bar.addWidget(self.open_button)
        bar.addWidget(self.cancel_button)
        bar.addSpacing(24)
        bar.addWidget(provider_caption)
        bar.addWidget(self.provider)
        bar.addSpacing(12)
        bar.addWidget(amount_caption)
        bar.addWidget(self.min_amount)
        bar.addStretch(1)

        self.model: RowsModel[FollowUpRow] = RowsModel(COLUMNS, self)
        self.table = make_table("followup_list")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Plans waiting for the patient")
        self.table.activated.connect(lambda _index: self.record_contact())
        self.empty = EmptyState("")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.summary = QLabel()
        self.summary.setObjectName("followup_summary")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.amount_error)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.summary)

        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(lambda _c=False: self.refresh())
        self.addAction(refresh)
        self.provider.currentIndexChanged.connect(lambda _i: self.refresh())
        self.min_amount.editingFinished.connect(self.refresh)
        self.when_shown = RefreshWhenShown(self, self.refresh)
        ctx.changes.changed.connect(lambda area: self.when_shown.request() if area in ("plans", "patients") else None)

    def _amount(self) -> Decimal | None:
        text = self.min_amount.text().strip()
        if not text:
            return None
        return parse_money(text, field="min_amount", what="The amount", maximum=PAYMENT_MAX)

    def refresh(self) -> None:
        self.when_shown.done()
        self.amount_error.setVisible(False)
        try:
            amount = self._amount()
        except ValidationError as refused:
            show_error(self, refused, {"min_amount": self.amount_error})
            return
        provider = self.provider.currentData()
        ok, rows = run_op(
            self.ctx,
            self,
            lambda: follow_up_list(self.ctx.uow(), self.ctx.user, provider_id=provider, min_amount=amount),
        )
        if not ok or rows is None:
            return
        selected = self.selected()
        self.model.set_rows(rows)
        if rows:
            self.stack.setCurrentWidget(self.table)
            keep = next((n for n, r in enumerate(rows) if selected and r.plan_id == selected.plan_id), 0)
            self.table.selectRow(keep)
            waiting = sum(r.open_fee for r in rows)
            self.summary.setText(f"{len(rows)} plans waiting; {format_money(waiting)} still to do.")
        else:
            filtered = provider is not None or amount is not None
            self.empty.set_message(
                "No plan matches these filters."
                if filtered
                else "No plan is waiting for a patient: nothing to follow up."
            )
            self.stack.setCurrentWidget(self.empty)
            self.summary.setText("")
        for button in (self.contact_button, self.open_button):
            button.setEnabled(bool(rows))

    def selected(self) -> FollowUpRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row(index.row())

    def record_contact(self) -> ContactDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = ContactDialog(self.ctx, row, self)
        self.dialog = dialog
        dialog.finished.connect(lambda _r: self.refresh() if dialog.recorded else None)
        dialog.open()
        return dialog

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_plan_requested.emit(row.plan_id)

    def cancel_selected(self) -> CancelPlanDialog | None:
        """Cancel the selected plan (TP-3) with the reason of the patient's decline filled in."""
        row = self.selected()
        if row is None or not self.cancel_button.isEnabled():
            return None
        contact = row.last_contact
        reason = f"Declined: {contact.note}" if contact and contact.kind is ContactKind.DECLINED else ""

        def submit(dialog: CancelPlanDialog, text: str) -> bool:
            ok, _saved = run_op(
                self.ctx,
                dialog,
                lambda: cancel_plan(
                    self.ctx.uow(), self.ctx.user, row.plan_id, text, expected_version=row.plan_version
                ),
                changed="plans",
                field_labels=dialog.errors,
                fallback=dialog.general,
            )
            if ok:
                self.refresh()
            return ok

        dialog = CancelPlanDialog(row.title, submit, self)
        dialog.reason.setPlainText(reason)
        self.dialog = dialog
        dialog.open()
        return dialog
