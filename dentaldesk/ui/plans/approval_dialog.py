"""Recording the patient's approval at the desk (TP-15): who, how, and a signature drawn on the pad.

The dialog shows what is being approved (the plan's items and total, TP-5 having been met), takes
the approver's name and the method, and requires a signature for "signed at the desk". OK calls
``submit(dialog, approver, method, signature_png)``, which runs the service through ``run_op``
with the dialog's field labels: a refusal is shown at the field it names and the dialog stays
open; on success (True) the dialog closes.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.money import format_money
from dentaldesk.domain.terms import ApprovalMethod
from dentaldesk.services.plans import PlanView
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.widgets import error_label, make_default
from dentaldesk.ui.plans.signature_pad import SignaturePad

Submit = Callable[["ApprovalDialog", str, ApprovalMethod, bytes | None], bool]


class ApprovalDialog(QDialog):
    def __init__(
        self, view: PlanView, submit: Submit, *, reapproval: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("approval_dialog")
        title = "Record the patient's new approval" if reapproval else "Approve plan"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setModal(True)
        self._submit = submit

        count = len(view.items)
        # CASE-1: with several options the patient approves the one shown; the others become "not chosen".
        others = [o.name for o in view.options if o.id != view.option_id]
        chosen = (
            f"Option chosen: <b>{view.option_name}</b> (not chosen: {', '.join(others)})<br>"
            if others and not reapproval
            else ""
        )
        what = QLabel(
            f"<b>{view.title}</b><br>{view.patient_name} (patient ID {view.patient_number})<br>{chosen}"
            f"{count} item{'s' if count != 1 else ''}, total <b>{format_money(view.total)}</b>"
            + (f" (approved before: {format_money(view.approved_total)})" if reapproval and view.approved_total else "")
        )
        what.setObjectName("approval_summary")
        what.setWordWrap(True)
        self.lines = QLabel(self._lines_html(view))
        self.lines.setObjectName("approval_lines")
        self.lines.setAccessibleName("What the patient approves")
        self.lines.setTextFormat(Qt.TextFormat.RichText)
        # A new approval says what the patient is approving anew, line by line (TP-12, TP-15).
        self.changes = QLabel(self._changes_html(view) if reapproval else "")
        self.changes.setObjectName("approval_changes")
        self.changes.setAccessibleName("Changed since the last approval")
        self.changes.setTextFormat(Qt.TextFormat.RichText)
        self.changes.setWordWrap(True)
        self.changes.setVisible(reapproval)

        self.approver = QLineEdit(view.patient_name)
        self.approver.setObjectName("approver")
        self.approver.setAccessibleName("Approved by")
        self.method = QComboBox()
        self.method.setObjectName("method")
        self.method.setAccessibleName("How the patient approved")
        for method in ApprovalMethod:
            self.method.addItem(method.label, method)
        self.pad = SignaturePad()
        self.clear = QPushButton("C&lear signature")
        self.clear.setObjectName("clear_signature")
        self.clear.clicked.connect(self.pad.clear)
        self.errors = {name: error_label(name) for name in ("approver", "method", "signature")}
        self.general = error_label("approval")

        approver_caption = QLabel("Approved &by")
        approver_caption.setBuddy(self.approver)
        method_caption = QLabel("&Method")
        method_caption.setBuddy(self.method)
        signature_caption = QLabel("&Signature")
        signature_caption.setBuddy(self.pad)
        form = QFormLayout()
        form.addRow(approver_caption, self._stack(self.approver, self.errors["approver"]))
        form.addRow(method_caption, self._stack(self.method, self.errors["method"]))
        pad_row = QHBoxLayout()
        pad_row.addWidget(self.pad, 1)
        pad_row.addWidget(self.clear, 0, Qt.AlignmentFlag.AlignBottom)
        pad_box = QWidget()
        pad_box.setLayout(pad_row)
        pad_row.setContentsMargins(0, 0, 0, 0)
        form.addRow(signature_caption, self._stack(pad_box, self.errors["signature"]))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Record approval")
        self.ok_button.setObjectName("record_approval")
        make_default(self.ok_button)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(self.changes)
        layout.addWidget(self.lines)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)

        self.approver.textChanged.connect(lambda _t: self._update())
        self.method.currentIndexChanged.connect(lambda _i: self._update())
        self.pad.changed.connect(self._update)
        QWidget.setTabOrder(self.approver, self.method)
        QWidget.setTabOrder(self.method, self.pad)
        QWidget.setTabOrder(self.pad, self.clear)
        self._update()
        self.approver.setFocus()
        self.approver.selectAll()

    @staticmethod
    def _changes_html(view: PlanView, shown: int = 12) -> str:
        """What changed since the last approval, one line each (TP-15)."""
        approval = view.latest_approval
        changes = approval.changes if approval is not None else ()
        if not changes:
            return "<b>Changed since the last approval:</b> nothing line by line (the title or the order changed)."
        rows = "".join(f"<li>{html.escape(line)}</li>" for line in changes[:shown])
        more = f"<li>... and {len(changes) - shown} more</li>" if len(changes) > shown else ""
        return f"<b>Changed since the last approval:</b><ul style='margin:0'>{rows}{more}</ul>"

    @staticmethod
    def _lines_html(view: PlanView, shown: int = 12) -> str:
        """The lines the patient approves, in plan order (TP-15), the first ``shown`` of them."""
        rows = []
        for row in view.items[:shown]:
            visit = f"visit {row.visit}" if row.visit is not None else ""
            rows.append(
                f"<tr><td>{row.label}</td><td>{row.name}</td><td>{visit}</td>"
                f"<td align='right'>{format_money(row.fee, blank='-')}</td></tr>"
            )
        more = len(view.items) - shown
        tail = f"<tr><td colspan='4'>... and {more} more</td></tr>" if more > 0 else ""
        return f"<table cellspacing='0' cellpadding='2'>{''.join(rows)}{tail}</table>"

    @staticmethod
    def _stack(*widgets: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            layout.addWidget(w)
        return box

    @property
    def chosen_method(self) -> ApprovalMethod:
        return ApprovalMethod(self.method.currentData())

    def _why_not(self) -> str:
        if not self.approver.text().strip():
            return "Enter the name of the person approving the plan."
        if self.chosen_method is ApprovalMethod.SIGNED_AT_DESK and self.pad.is_empty():
            return "Signed at the desk: the patient signs on the pad first."
        return ""

    def _update(self) -> None:
        reason = self._why_not()
        self.ok_button.setEnabled(not reason)
        self.ok_button.setToolTip(reason)
        # The name starts filled in: once it is emptied the refusal shows at the field, in red.
        nameless = not self.approver.text().strip()
        self.errors["approver"].setText("Enter the name of the person approving the plan." if nameless else "")
        self.errors["approver"].setVisible(nameless)
        signing = self.chosen_method is ApprovalMethod.SIGNED_AT_DESK
        self.errors["signature"].setText("The patient signs here." if signing and self.pad.is_empty() else "")
        self.errors["signature"].set_color(palette.MUTED)
        self.errors["signature"].setVisible(signing and self.pad.is_empty())

    def _ok(self) -> None:
        if self._why_not():
            return
        for label in (*self.errors.values(), self.general):
            label.setVisible(False)
        self.errors["signature"].set_color(palette.ERROR)
        if self._submit(self, self.approver.text(), self.chosen_method, self.pad.png_bytes()):
            self.accept()
