"""The plan editor's Insurance tab: preauthorization (CASE-2) and benefit-year splits (CASE-5).

**Preauthorization**: "Send preauthorization…" sends the plan's planned insurable items as saved
(a numbered, dated request kept with the plan) and offers to save the printed request; the
requests are listed with their items; "Record answer…" takes the carrier's figures per item, or
"denied" for the whole request, each refused at its field (more than the fee, negative, dated
before the request). **Benefit years**: when moving unfinished visits into the next benefit year
lowers the patient's portion, the suggestion says which visits and the saving; "Apply split" sets
those visits into the next year, "Put back into this year" undoes it. Everything here acts on the
plan as saved: with unsaved edits it asks to save first. The figures all come from the services
(the one plan estimate); this tab computes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.money import format_money
from dentaldesk.domain.terms import PLAN_EDITOR_ROLES, PlanStatus
from dentaldesk.printing.files import write_atomically
from dentaldesk.printing.preauth import build_preauth_pdf
from dentaldesk.services.plans import PlanView
from dentaldesk.services.plans.benefit_years import BenefitYears, benefit_year_split, saving_text, set_benefit_year
from dentaldesk.services.plans.preauth import (
    AnswerInput,
    PreauthView,
    deny_preauthorization,
    preauth_pdf,
    preauth_requests,
    record_preauth_answer,
    send_preauthorization,
)
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.widgets import (
    RefreshWhenShown,
    date_edit,
    day_of,
    enter_in_text_box_presses,
    error_label,
    hint_label,
    make_default,
)


class InsuranceHost(Protocol):
    """What the Insurance tab needs of the editor it sits in."""

    ctx: AppContext
    plan_id: int

    @property
    def view(self) -> PlanView: ...
    def is_dirty(self) -> bool: ...
    def status_changed(self) -> None: ...
    def open_dialog(self, dialog: QWidget) -> None: ...
    def show_status(self, text: str, timeout: int) -> None: ...


REQUEST_COLUMNS = ("Item", "Fee", "Allowed", "Ded.", "Pays")


def request_summary(r: PreauthView) -> str:
    """One line per request: number, day, carrier, where it stands."""
    answered = f" {r.answered_on:%Y-%m-%d}" if r.answered_on else ""
    return f"{r.number} · {r.requested_on:%Y-%m-%d} · {r.carrier} · {r.status_text}{answered}"


def line_cells(line) -> list[str]:
    """An item of a request in the list's columns: as sent, and the carrier's figures once answered."""
    if line.denied:
        return [line.label, format_money(line.fee), "denied", "", format_money(0)]
    if line.pays is None:
        return [line.label, format_money(line.fee), "waiting", "", ""]
    return [
        line.label,
        format_money(line.fee),
        format_money(line.allowed),
        format_money(line.deductible),
        format_money(line.pays),
    ]


class PreauthAnswerDialog(QDialog):
    """The carrier's answer to one request: its date, each item's figures, or denied as a whole."""

    def __init__(self, ctx: AppContext, request: PreauthView, plan_version: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.request = request
        self.plan_version = plan_version
        self.recorded_version: int | None = None
        self.setObjectName("preauth_answer_dialog")
        self.setWindowTitle(f"Answer to preauthorization {request.number} ({request.carrier})")
        self.answered_on = date_edit("answered_on")
        self.answered_on.setAccessibleName("Day the carrier answered")
        self.denied = QCheckBox("The carrier &denied the whole request")
        self.denied.setObjectName("preauth_denied")
        self.note = QPlainTextEdit()
        self.note.setObjectName("preauth_note")
        self.note.setAccessibleName("Note on the answer")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(54)
        self.errors: dict[str, QLabel] = {name: error_label(name) for name in ("answered_on", "note")}
        self.allowed: dict[int, QLineEdit] = {}
        self.pays: dict[int, QLineEdit] = {}
        self.deductible: dict[int, QLineEdit] = {}
        grid = QGridLayout()
        for column, title in enumerate(("Item", "Fee sent", "Allowed", "Deductible", "Insurance pays")):
            head = QLabel(f"<b>{title}</b>")
            grid.addWidget(head, 0, column)
        row = 1
        for line in request.lines:
            grid.addWidget(QLabel(line.label), row, 0)
            grid.addWidget(QLabel(format_money(line.fee)), row, 1)
            refusal = error_label(f"line_{line.line_id}")  # one line under the item for its three fields
            for column, (store, field, start) in enumerate(
                (
                    (self.allowed, "allowed", format_money(line.fee)),
                    (self.deductible, "deductible", "0.00"),
                    (self.pays, "pays", ""),
                ),
                start=2,
            ):
                edit = QLineEdit(start)
                edit.setObjectName(f"{field}_{line.line_id}")
                edit.setAccessibleName(f"{field.capitalize()} for {line.label}")
                store[line.line_id] = edit
                grid.addWidget(edit, row, column)
                self.errors[f"{field}:{line.line_id}"] = refusal
            grid.addWidget(refusal, row + 1, 0, 1, 5)
            row += 2
        form = QFormLayout()
        form.addRow(
            hint_label(f"Sent {request.requested_on:%Y-%m-%d} to {request.carrier} for {request.subscriber_name}.")
        )
        caption = QLabel("&Answered on")
        caption.setBuddy(self.answered_on)
        form.addRow(caption, self.answered_on)
        form.addRow("", self.errors["answered_on"])
        form.addRow("", self.denied)
        note_caption = QLabel("&Note")
        note_caption.setBuddy(self.note)
        form.addRow(note_caption, self.note)
        form.addRow("", self.errors["note"])
        self.general = error_label("preauth_answer")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton("&Record answer", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("record_answer")
        make_default(self.ok_button)
        enter_in_text_box_presses(self.note, self.ok_button)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.denied.toggled.connect(self._denied_changed)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(grid)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)

    def _denied_changed(self, denied: bool) -> None:
        for store in (self.allowed, self.deductible, self.pays):
            for edit in store.values():
                edit.setEnabled(not denied)

    def submit(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.setVisible(False)
        on, note = day_of(self.answered_on), self.note.toPlainText()
        ctx, actor, request_id, version = self.ctx, self.ctx.user, self.request.id, self.plan_version
        if self.denied.isChecked():

            def act():
                return deny_preauthorization(ctx.uow(), actor, request_id, on, note=note, expected_version=version)
        else:
            answers = {
                line.line_id: AnswerInput(
                    self.allowed[line.line_id].text(),
                    self.pays[line.line_id].text(),
                    self.deductible[line.line_id].text(),
                )
                for line in self.request.lines
            }

            def act():
                return record_preauth_answer(
                    ctx.uow(), actor, request_id, on, answers, note=note, expected_version=version
                )

        ok, answered = run_op(self.ctx, self, act, changed="plans", field_labels=self.errors, fallback=self.general)
        if ok and answered is not None:
            self.recorded_version = answered.plan_version
            self.accept()


class InsurancePanel(QWidget):
    """The Insurance tab beside the plan's items (see the module docstring)."""

    def __init__(self, host: InsuranceHost) -> None:
        super().__init__()
        self.host = host
        self.ctx: AppContext = host.ctx
        self.setObjectName("insurance_panel")
        self._shown_version: int | None = None
        # Behind the Items tab the panel reads nothing; it reads the plan's requests and split
        # when it is shown (a 60-item plan's benefit-year split is the editor's slowest read).
        self.when_shown = RefreshWhenShown(self, self.show_plan)
        self.requests: list[PreauthView] = []
        self.years: BenefitYears | None = None

        preauth_box = QGroupBox("Preauthorization")
        self.preauth_status = QLabel()
        self.preauth_status.setObjectName("preauth_status")
        self.preauth_status.setWordWrap(True)
        self.preauth_status.setStyleSheet(palette.MUTED_STYLE)
        self.request_list = QTreeWidget()
        self.request_list.setObjectName("preauth_requests")
        self.request_list.setAccessibleName("Preauthorization requests")
        self.request_list.setColumnCount(len(REQUEST_COLUMNS))
        self.request_list.setHeaderLabels(list(REQUEST_COLUMNS))
        self.request_list.setRootIsDecorated(False)
        self.request_list.setMinimumHeight(150)
        self.request_list.setMaximumHeight(260)
        self.send_button = QPushButton("Send preauthori&zation…")
        self.send_button.setObjectName("send_preauth")
        self.answer_button = QPushButton("Record a&nswer…")
        self.answer_button.setObjectName("record_preauth_answer")
        self.pdf_button = QPushButton("Save re&quest PDF…")
        self.pdf_button.setObjectName("save_preauth_pdf")
        self.preauth_message = error_label("preauth")
        buttons = QHBoxLayout()
        for button in (self.send_button, self.answer_button, self.pdf_button):
            buttons.addWidget(button)
        box = QVBoxLayout(preauth_box)
        box.addWidget(self.preauth_status)
        box.addWidget(self.request_list)
        box.addLayout(buttons)
        box.addWidget(self.preauth_message)

        years_box = QGroupBox("Benefit years")
        self.split_text = QLabel()
        self.split_text.setObjectName("split_suggestion")
        self.split_text.setWordWrap(True)
        # A wrapped label in a group box is otherwise given the height of its unwrapped text.
        self.split_text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.MinimumExpanding)
        self.apply_button = QPushButton("Appl&y split")
        self.apply_button.setObjectName("apply_split")
        self.put_back_button = QPushButton("Put &back into this year")
        self.put_back_button.setObjectName("put_back_split")
        self.years_message = error_label("benefit_year")
        year_buttons = QHBoxLayout()
        year_buttons.addWidget(self.apply_button)
        year_buttons.addWidget(self.put_back_button)
        year_buttons.addStretch(1)
        years = QVBoxLayout(years_box)
        years.addWidget(self.split_text)
        years.addLayout(year_buttons)
        years.addWidget(self.years_message)

        layout = QVBoxLayout(self)
        layout.addWidget(preauth_box)
        layout.addWidget(years_box)
        layout.addStretch(1)

        self.send_button.clicked.connect(self.send)
        self.answer_button.clicked.connect(self.record_answer)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.apply_button.clicked.connect(self.apply_split)
        self.put_back_button.clicked.connect(self.put_back)
        self.request_list.currentItemChanged.connect(lambda *_: self._update_buttons())

    # --- showing

    def show_plan(self, *, force: bool = False) -> None:
        """Read the requests and the split again when the plan's saved version moved on."""
        view = self.host.view
        if not force and self._shown_version == view.version:
            self._update_buttons()
            return
        if not self.isVisible():
            self.when_shown.request()  # hidden: noted, and read when the tab is shown
            return
        self._shown_version = view.version
        ok, requests = run_op(
            self.ctx,
            self,
            lambda: preauth_requests(self.ctx.uow(), self.ctx.user, view.id),
            fallback=self.preauth_message,
        )
        self.requests = requests or []
        ok_years, years = run_op(
            self.ctx,
            self,
            lambda: benefit_year_split(self.ctx.uow(), self.ctx.user, view.id),
            fallback=self.years_message,
        )
        self.years = years if ok_years else None
        self._fill_requests()
        self._fill_years()
        self._update_buttons()

    def _fill_requests(self) -> None:
        selected = self.selected()
        self.request_list.clear()
        for r in self.requests:
            top = QTreeWidgetItem([request_summary(r)])
            top.setData(0, 256, r.id)
            top.setToolTip(0, request_summary(r))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for line in r.lines:
                child = QTreeWidgetItem(line_cells(line))
                for column in range(1, len(REQUEST_COLUMNS)):
                    child.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                top.addChild(child)
            if r.answer_note:
                top.addChild(QTreeWidgetItem([f"Note: {r.answer_note}"]))
            self.request_list.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            for n in range(top.childCount()):
                if top.child(n).text(1) == "":
                    top.child(n).setFirstColumnSpanned(True)
            if selected is not None and selected.id == r.id or selected is None and r is self.requests[0]:
                self.request_list.setCurrentItem(top)
        self.request_list.expandAll()
        for column in range(1, len(REQUEST_COLUMNS)):
            self.request_list.resizeColumnToContents(column)
        waiting = sum(1 for r in self.requests if r.status == "sent")
        if not self.requests:
            text = "No preauthorization sent for this plan. Send its insurable items to the carrier before treatment."
        elif waiting:
            text = f"{waiting} request{'s' if waiting > 1 else ''} waiting for the carrier's answer."
        else:
            text = "Answered items show the carrier's figures, marked preauthorized, until the item changes."
        self.preauth_status.setText(text)

    def _fill_years(self) -> None:
        years = self.years
        if years is None:
            self.split_text.setText("")
            return
        parts = []
        if years.suggestion is not None:
            split = years.suggestion
            parts.append(
                f"<span style='{palette.SAVED_STYLE}'><b>{saving_text(split)}</b></span><br>"
                f"Items moved: {', '.join(split.items)}. Insurance {format_money(split.insurance_before)} "
                f"-> {format_money(split.insurance_after)}. Prerequisites are kept in order."
            )
            if split.losing_preauth:
                parts.append(
                    f"The preauthorization of {', '.join(split.losing_preauth)} holds for {years.year} only: "
                    "next year is estimated by the plan's rules; ask the carrier again."
                )
        else:
            parts.append("No split into the next benefit year would lower the patient's portion.")
        if years.moved_visits:
            visits = ", ".join(str(v) for v in years.moved_visits)
            parts.append(
                f"Visit{'s' if len(years.moved_visits) > 1 else ''} {visits} planned in the {years.year + 1} benefit year."
            )
        self.split_text.setText("<br>".join(parts))
        self.split_text.setAccessibleDescription(self.split_text.text())

    def selected(self) -> PreauthView | None:
        item = self.request_list.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        if item is None:
            return None
        wanted = item.data(0, 256)
        return next((r for r in self.requests if r.id == wanted), None)

    def _set(self, button: QPushButton, enabled: bool, reason: str) -> None:
        button.setEnabled(enabled)
        button.setToolTip(reason)

    def _update_buttons(self) -> None:
        view = self.host.view
        open_plan = view.status in (PlanStatus.DRAFT, PlanStatus.APPROVED)
        chosen = self.selected()
        self._set(self.send_button, open_plan, "" if open_plan else "Only a draft or approved plan can be sent.")
        waiting = chosen is not None and chosen.status == "sent"
        self._set(
            self.answer_button,
            waiting,
            "" if waiting else ("Select a request waiting for its answer." if chosen is None else "Already answered."),
        )
        self._set(self.pdf_button, chosen is not None and chosen.has_pdf, "" if chosen else "Select a request.")
        editor_role = self.ctx.user.role in PLAN_EDITOR_ROLES
        refusal = "" if editor_role else f"{self.ctx.user.role.label} users cannot change treatment plans (TP-1)."
        suggestion = self.years.suggestion if self.years else None
        self._set(self.apply_button, open_plan and editor_role and suggestion is not None, refusal)
        moved = bool(self.years and self.years.moved_visits)
        self._set(self.put_back_button, open_plan and editor_role and moved, refusal)
        self.put_back_button.setVisible(moved)

    # --- acting (each on the plan as saved)

    def _saved(self, label: QLabel) -> bool:
        if self.host.is_dirty():
            label.setText("Save the plan first (Ctrl+S): this acts on the plan as saved.")
            label.setVisible(True)
            return False
        label.setVisible(False)
        return True

    def _after(self) -> None:
        self.host.status_changed()  # reloads the plan (this tab with it); its estimate follows

    def send(self) -> Path | None:
        """Send preauthorization: the request is written and kept, then offered to save as a PDF."""
        if not self._saved(self.preauth_message):
            return None
        plan_id, version = self.host.plan_id, self.host.view.version
        ok, sent = run_op(
            self.ctx,
            self,
            lambda: send_preauthorization(
                self.ctx.uow(), self.ctx.user, plan_id, expected_version=version, render=build_preauth_pdf
            ),
            changed="plans",
            fallback=self.preauth_message,
        )
        if not ok or sent is None:
            return None
        self._after()
        self.host.show_status(
            f"Preauthorization {sent.request.number} kept with the plan; print or send it to {sent.request.carrier}.",
            8000,
        )
        return self._write(sent.request, sent.pdf)

    def _write(self, request: PreauthView, pdf: bytes) -> Path | None:
        from dentaldesk.ui.plans.print_handout import handout_folder

        folder = handout_folder()
        name = f"Preauthorization {request.number} - {self.host.view.patient_name}.pdf"
        suggested = str((folder if folder.is_dir() else Path.home()) / name)
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save the preauthorization request as PDF", suggested, "PDF files (*.pdf)"
        )
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        ok, written = run_op(self.ctx, self, lambda: write_atomically(target, pdf), fallback=self.preauth_message)
        return written if ok else None

    def save_pdf(self) -> Path | None:
        chosen = self.selected()
        if chosen is None:
            return None
        ok, pdf = run_op(
            self.ctx, self, lambda: preauth_pdf(self.ctx.uow(), self.ctx.user, chosen.id), fallback=self.preauth_message
        )
        return self._write(chosen, pdf) if ok and pdf is not None else None

    def record_answer(self) -> PreauthAnswerDialog | None:
        chosen = self.selected()
        if chosen is None or chosen.status != "sent" or not self._saved(self.preauth_message):
            return None
        dialog = PreauthAnswerDialog(self.ctx, chosen, self.host.view.version, self.window())
        dialog.accepted.connect(self._after)
        self.host.open_dialog(dialog)
        return dialog

    def _set_years(self, visits: tuple[int, ...], next_year: bool) -> None:
        if not self._saved(self.years_message):
            return
        plan_id, version = self.host.plan_id, self.host.view.version
        ok, _saved = run_op(
            self.ctx,
            self,
            lambda: set_benefit_year(
                self.ctx.uow(), self.ctx.user, plan_id, visits, next_year=next_year, expected_version=version
            ),
            changed="plans",
            fallback=self.years_message,
        )
        if ok:
            self._after()

    def apply_split(self) -> None:
        """Apply split: the suggested visits into the next benefit year; every estimate follows."""
        if self.years is not None and self.years.suggestion is not None:
            self._set_years(self.years.suggestion.visits, True)

    def put_back(self) -> None:
        if self.years is not None and self.years.moved_visits:
            self._set_years(self.years.moved_visits, False)
