"""The plan editor's small dialogs: new plan, depends on, move to visit, complete item, cancel plan.

Each shows a refusal next to its field and stays open until the action succeeds (TX-VAL-1).
Dialogs that run a service take a ``submit`` callable returning True on success; the caller runs
it through ``run_op`` with the dialog's labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import clock
from dentaldesk.domain.aging import BACK_DATING_DAYS
from dentaldesk.domain.errors import RuleViolation
from dentaldesk.domain.plans import check_link
from dentaldesk.services.patients.search import PatientRow
from dentaldesk.ui.kit.widgets import date_edit, day_of, enter_in_text_box_presses, error_label, make_default
from dentaldesk.ui.plans.working_copy import WorkingPlan


class _Dialog(QDialog):
    def __init__(self, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setModal(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName("ok")
        make_default(self.ok_button)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)

    def finish_layout(self) -> None:
        self.body.addWidget(self.buttons)


class NewPlanDialog(_Dialog):
    """ "+ New Plan": pick the patient (the current one by default) and give a title (seed 000)."""

    def __init__(
        self,
        find: Callable[[str], list[PatientRow]],
        submit: Callable[[NewPlanDialog, int, str], bool],
        *,
        patient: tuple[int, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("New treatment plan", "&Create plan", parent)
        self.setObjectName("new_plan_dialog")
        self._find_patients = find  # the patient search, as the acting user (SEC-3), through run_op
        self._submit = submit
        self.patient_id: int | None = None
        self.search = QLineEdit()
        self.search.setObjectName("patient_search")
        self.search.setAccessibleName("Find the patient")
        self.search.setPlaceholderText("Name, patient ID or birth date")
        self.results = QListWidget()
        self.results.setObjectName("patient_results")
        self.results.setAccessibleName("Matching patients")
        self.results.setMaximumHeight(140)
        self.chosen = QLabel()
        self.chosen.setObjectName("chosen_patient")
        self.title = QLineEdit()
        self.title.setObjectName("plan_title")
        self.title.setAccessibleName("Plan title")
        self.title.setPlaceholderText('e.g. "Phase 1: restorations"')
        self.errors = {"patient": error_label("patient"), "title": error_label("title")}
        self._typed: set[str] = set()  # fields whose refusal may show: typed in, or OK pressed
        self.general = error_label("new_plan")
        form = QFormLayout()
        search_caption = QLabel("&Patient")
        search_caption.setBuddy(self.search)
        title_caption = QLabel("&Title")
        title_caption.setBuddy(self.title)
        form.addRow(search_caption, self.search)
        form.addRow("", self.results)
        form.addRow("Chosen", self.chosen)
        form.addRow("", self.errors["patient"])
        form.addRow(title_caption, self.title)
        form.addRow("", self.errors["title"])
        self.body.addLayout(form)
        self.body.addWidget(self.general)
        self.finish_layout()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._find)
        self.search.textEdited.connect(lambda _t: self._timer.start())
        self.results.currentItemChanged.connect(lambda item, _old: self._choose(item))
        self.title.textChanged.connect(lambda _t: self._update())
        self.buttons.accepted.connect(self._ok)
        if patient is not None:
            self.patient_id = patient[0]
            self.chosen.setText(patient[1])
        self._update()
        (self.title if patient is not None else self.search).setFocus()

    def _find(self) -> None:
        rows = self._find_patients(self.search.text())
        self.results.clear()
        for row in rows:
            item = QListWidgetItem(f"{row.display_name} ({row.patient_number}), born {row.birth_date:%Y-%m-%d}")
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.results.addItem(item)
        if len(rows) == 1:
            self.results.setCurrentRow(0)

    def _choose(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        row: PatientRow = item.data(Qt.ItemDataRole.UserRole)
        self.patient_id = row.id
        self.chosen.setText(f"{row.first_name} {row.last_name} ({row.patient_number})")
        self._update()

    def _update(self) -> None:
        """OK stays pressable; a refusal shows at its field once the person has been at it (a title
        typed then emptied) or pressed OK, and goes as soon as its cause is gone."""
        self._show_refusals(pressed=False)

    def _refusals(self) -> dict[str, str]:
        found = {}
        if self.patient_id is None:
            found["patient"] = "Find and choose the patient first."
        if not self.title.text().strip():
            found["title"] = "Give the plan a title."
        return found

    def _show_refusals(self, *, pressed: bool) -> dict[str, str]:
        found = self._refusals()
        if self.title.isModified():
            self._typed.add("title")
        if pressed:
            self._typed.update(found)
        for name, label in self.errors.items():
            shown = name in found and name in self._typed
            label.setText(found.get(name, "") if shown else "")
            label.setVisible(shown)
        self.ok_button.setToolTip("; ".join(found.values()))
        return found

    def _ok(self) -> None:
        if self._show_refusals(pressed=True):
            (self.title if self.patient_id is not None else self.search).setFocus()
            return
        if self.patient_id is not None and self._submit(self, self.patient_id, self.title.text()):
            self.accept()


class DependsOnDialog(_Dialog):
    """ "Depends on…": pick the item this one waits for; a loop is refused with its path (TP-8)."""

    def __init__(self, plan: WorkingPlan, key: int, parent: QWidget | None = None) -> None:
        super().__init__(f"{plan.label(key)} depends on…", "&Link", parent)
        self.setObjectName("depends_on_dialog")
        self.plan = plan
        self.key = key
        self.prerequisite: int | None = None
        self.choices = QListWidget()
        self.choices.setObjectName("prerequisite_choices")
        self.choices.setAccessibleName(f"Items {plan.label(key)} can wait for")
        current = plan.item(key).prerequisites
        for other in plan.ordered():
            if other.key == key or other.key in current:
                continue
            visit = f"visit {other.visit}" if other.visit is not None else "no visit"
            entry = QListWidgetItem(f"{other.label}  {other.name} ({visit})")
            entry.setData(Qt.ItemDataRole.UserRole, other.key)
            self.choices.addItem(entry)
        self.error = error_label("link")
        caption = QLabel(f"&{plan.label(key)} cannot be done before:")
        caption.setBuddy(self.choices)
        self.body.addWidget(caption)
        self.body.addWidget(self.choices)
        self.body.addWidget(self.error)
        self.finish_layout()
        self.choices.currentItemChanged.connect(lambda _i, _o: self._check())
        self.choices.itemActivated.connect(lambda _i: self.ok_button.click())  # Enter or a double-click
        self.buttons.accepted.connect(self._ok)
        if self.choices.count():
            self.choices.setCurrentRow(0)
        self._check()
        self.choices.setFocus()

    def _check(self) -> bool:
        item = self.choices.currentItem()
        self.prerequisite = None if item is None else int(item.data(Qt.ItemDataRole.UserRole))
        if self.prerequisite is None:
            self.error.setText("There is no other item to depend on." if not self.choices.count() else "")
            self.error.setVisible(not self.choices.count())
            self.ok_button.setEnabled(False)
            return False
        try:
            check_link(self.plan.facts(), self.key, self.prerequisite)
        except RuleViolation as exc:
            self.error.setText(exc.message)
            self.error.setVisible(True)
            self.ok_button.setEnabled(False)
            self.ok_button.setToolTip(exc.message)
            return False
        self.error.setVisible(False)
        self.ok_button.setEnabled(True)
        self.ok_button.setToolTip("")
        return True

    def _ok(self) -> None:
        if self._check():
            self.accept()


class VisitDialog(_Dialog):
    """Move an item to a visit (phase), or to no visit (TP-16)."""

    def __init__(self, label: str, visit: int | None, parent: QWidget | None = None) -> None:
        super().__init__(f"Move {label} to a visit", "&Move", parent)
        self.setObjectName("visit_dialog")
        self.visit = QSpinBox()
        self.visit.setObjectName("visit")
        self.visit.setRange(0, 99)
        self.visit.setSpecialValueText("No visit")
        self.visit.setValue(visit or 0)
        self.visit.setAccessibleName("Visit number")
        caption = QLabel("&Visit")
        caption.setBuddy(self.visit)
        form = QFormLayout()
        form.addRow(caption, self.visit)
        self.body.addLayout(form)
        self.finish_layout()
        self.buttons.accepted.connect(self.accept)
        self.visit.setFocus()
        self.visit.selectAll()

    def chosen(self) -> int | None:
        return self.visit.value() or None


class CompleteItemDialog(_Dialog):
    """Complete an item on its date of service; its charge is posted at the plan price (TP-13)."""

    def __init__(
        self,
        label: str,
        name: str,
        fee_text: str,
        submit: Callable[[CompleteItemDialog, dt.date], bool],
        *,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Complete {label}", "&Complete and post charge", parent)
        self.setObjectName("complete_item_dialog")
        self._submit = submit
        today = today or clock.today()
        what = QLabel(f"<b>{label}</b> {name}<br>Charge posted to the ledger: <b>{fee_text}</b> (plan price)")
        what.setWordWrap(True)
        self.dos = date_edit("dos", "Date of service", today)
        self.errors = {"dos": error_label("dos")}
        self.general = error_label("complete")
        # TX-DOS-2: a date of service more than 30 days back is posted only once confirmed.
        self.confirm_back_dating = QCheckBox("Post it with this date (&back-dated)")
        self.confirm_back_dating.setObjectName("confirm_back_dating")
        self.confirm_back_dating.setAccessibleName("Confirm the back-dated date of service")
        self._today = today
        caption = QLabel("&Date of service")
        caption.setBuddy(self.dos)
        form = QFormLayout()
        form.addRow(caption, self.dos)
        form.addRow("", self.errors["dos"])
        form.addRow("", self.confirm_back_dating)
        self.dos.dateChanged.connect(lambda _d: self._show_confirmation())
        self._show_confirmation()
        self.body.addWidget(what)
        self.body.addLayout(form)
        self.body.addWidget(self.general)
        self.finish_layout()
        self.buttons.accepted.connect(self._ok)
        self.dos.setFocus()

    def chosen_date(self) -> dt.date:
        return day_of(self.dos)

    def back_dating_confirmed(self) -> bool:
        return self.confirm_back_dating.isVisibleTo(self) and self.confirm_back_dating.isChecked()

    def _show_confirmation(self) -> None:
        days = (self._today - self.chosen_date()).days
        self.confirm_back_dating.setVisible(days > BACK_DATING_DAYS)
        self.confirm_back_dating.setText(f"Post it dated {days} days back (&back-dated, audited)")

    def _ok(self) -> None:
        if self._submit(self, self.chosen_date()):
            self.accept()


class CancelPlanDialog(_Dialog):
    """Cancel a plan: the reason is required and kept with the plan (TP-3)."""

    def __init__(
        self, title: str, submit: Callable[[CancelPlanDialog, str], bool], parent: QWidget | None = None
    ) -> None:
        super().__init__(f'Cancel the plan "{title}"', "Cancel &plan", parent)
        self.setObjectName("cancel_plan_dialog")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Keep the plan")
        self._submit = submit
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setAccessibleName("Why the plan is cancelled")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("e.g. Patient moved away; treatment done elsewhere")
        enter_in_text_box_presses(self.reason, self.ok_button)  # Enter cancels the plan, Shift+Enter: new line
        self.errors = {"reason": error_label("reason")}
        self.general = error_label("cancel")
        caption = QLabel("&Reason (required)")
        caption.setBuddy(self.reason)
        note = QLabel("Completed items and their charges stay; the planned items will not be done.")
        note.setWordWrap(True)
        self.body.addWidget(note)
        self.body.addWidget(caption)
        self.body.addWidget(self.reason)
        self.body.addWidget(self.errors["reason"])
        self.body.addWidget(self.general)
        self.finish_layout()
        self.reason.textChanged.connect(self._update)
        self.buttons.accepted.connect(self._ok)
        self._update()
        self.reason.setFocus()

    def _update(self) -> None:
        empty = not self.reason.toPlainText().strip()
        self.ok_button.setEnabled(not empty)
        self.ok_button.setToolTip("Say why the plan is cancelled." if empty else "")

    def _ok(self) -> None:
        if self._submit(self, self.reason.toPlainText()):
            self.accept()
