"""Remove Chart Graphic in the Patient Transactions window (seed 004, TX-CHART-1/2).

Shown for a procedure that exists already (a saved plan item or a posted charge). It lists the
procedure's chart marks, current and removed (TX-CHART-2: the history keeps both), and offers:

* "Remove Chart Graphic…": the chart's own Remove dialog (asks why) and service
  (:func:`~dentaldesk.services.chart.marks.remove_chart_graphic`): the mark comes off the chart; the
  transaction, fee, claim link and ledger are not touched (TX-CHART-1).
* "Chart again…": the chart's own Chart-again dialog (TX-CHART-2), once the mark is removed.

Removing or charting again is its own action, confirmed in its own dialog and saved at once
(audited, SEC-2), as it is from the chart panel: it is a correction of the clinical record, not
part of the charge being edited, so the transaction dialog's Cancel does not take it back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from dentaldesk import clock
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.terms import ToothNumbering
from dentaldesk.domain.times import shown_time
from dentaldesk.services.chart.marks import ChartMark, can_change_chart, graphic_history, patient_chart
from dentaldesk.ui.chart.dialogs import RechartDialog, RemoveGraphicDialog
from dentaldesk.ui.chart.layout import default_dentition
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.widgets import hint_label, show_message

ROLE_NOTE = "Only Owner, Admin or Dentist users change the chart: it is part of the clinical record."


def _when(moment: dt.datetime | None) -> str:
    return shown_time(moment)


def mark_line(mark: ChartMark, numbering: ToothNumbering) -> str:
    """One line of the procedure's chart history, as a person reads it."""
    where = f" on #{display_tooth(mark.tooth, numbering)}" if mark.tooth else ""
    surfaces = f" {mark.surfaces}" if mark.surfaces else ""
    text = f"{mark.code}{surfaces}{where} ({mark.status.value}): charted {_when(mark.created_at)}"
    if mark.created_by:
        text += f" by {mark.created_by}"
    if mark.removed:
        text += f"; removed {_when(mark.removed_at)}"
        if mark.removed_by:
            text += f" by {mark.removed_by}"
        if mark.removal_reason:
            text += f": {mark.removal_reason}"
    return text


class ChartGraphicSection(QGroupBox):
    """The procedure's chart marks with Remove Chart Graphic and Chart again (TX-CHART-1/2)."""

    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        patient_id: int,
        numbering: ToothNumbering,
        marks: Sequence[ChartMark],
        *,
        transaction_id: int | None,
        plan_item_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Chart graphic", parent)
        self.setObjectName("chart_graphic_section")
        self.ctx = ctx
        self.patient_id = patient_id
        self.numbering = numbering
        self.transaction_id = transaction_id
        self.plan_item_id = plan_item_id
        self.marks: tuple[ChartMark, ...] = tuple(marks)
        self.may_change = can_change_chart(ctx.user.role)
        self.dialog: QDialog | None = None

        self.history = QLabel()
        self.history.setObjectName("chart_history")
        self.history.setWordWrap(True)
        self.history.setAccessibleName("Chart history of this procedure")
        self.remove_button = QPushButton("Re&move Chart Graphic…")
        self.remove_button.setObjectName("remove_chart_graphic")
        self.rechart_button = QPushButton("C&hart again…")
        self.rechart_button.setObjectName("chart_again")
        self.note = hint_label(name="chart_note", shown=False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.rechart_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.history)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self.remove_button.clicked.connect(self.ask_remove)
        self.rechart_button.clicked.connect(self.ask_rechart)
        self._show()

    def live_mark(self) -> ChartMark | None:
        return next((m for m in reversed(self.marks) if not m.removed), None)

    def removed_mark(self) -> ChartMark | None:
        return next((m for m in reversed(self.marks) if m.removed), None)

    def _show(self) -> None:
        live = self.live_mark()
        removed = self.removed_mark()
        if self.marks:
            self.history.setText("\n".join(mark_line(m, self.numbering) for m in self.marks))
        else:
            self.history.setText("This procedure has no mark on the tooth chart.")
        self.remove_button.setEnabled(self.may_change and live is not None)
        self.rechart_button.setEnabled(self.may_change and live is None and removed is not None)
        if not self.may_change:
            tip = ROLE_NOTE
            self.remove_button.setToolTip(tip)
            self.rechart_button.setToolTip(tip)
            show_message(self.note, tip if self.marks else "")
            return
        self.remove_button.setToolTip(
            "Take this procedure's mark off the chart; its charge, fee, claim and ledger stay (TX-CHART-1)."
            if live is not None
            else "The procedure has no mark on the chart to remove."
        )
        self.rechart_button.setToolTip(
            "Chart the procedure again on the right tooth; the removed mark stays in its history (TX-CHART-2)."
            if self.rechart_button.isEnabled()
            else "Remove the mark first; then it can be charted again."
        )
        show_message(
            self.note,
            "Removing or charting again is saved at once, with who and when; Cancel below does not undo it."
            if self.marks
            else "",
        )

    def reload(self) -> None:
        transaction_id, plan_item_id = self.transaction_id, self.plan_item_id
        ok, marks = run_op(
            self.ctx,
            self,
            lambda: graphic_history(
                self.ctx.uow(), self.ctx.user, transaction_id=transaction_id, plan_item_id=plan_item_id
            ),
        )
        if not ok or marks is None:
            return
        self.marks = tuple(marks)
        self._show()
        self.changed.emit()

    def ask_remove(self) -> RemoveGraphicDialog | None:
        """TX-CHART-1: the chart's Remove dialog; on success the history shows the removal."""
        mark = self.live_mark()
        if mark is None or not self.may_change:
            return None
        dialog = RemoveGraphicDialog(self.ctx, mark, self.numbering, self)
        dialog.accepted.connect(self.reload)
        self.dialog = dialog
        dialog.open()
        return dialog

    def ask_rechart(self) -> RechartDialog | None:
        """TX-CHART-2: chart the removed mark's procedure again, on the right tooth."""
        mark = self.removed_mark()
        if mark is None or self.live_mark() is not None or not self.may_change:
            return None
        patient_id = self.patient_id
        ok, chart = run_op(self.ctx, self, lambda: patient_chart(self.ctx.uow(), self.ctx.user, patient_id))
        if not ok or chart is None:
            return None
        teeth = [m.tooth for m in chart.marks if not m.removed and m.tooth]
        dentition = default_dentition(chart.birth_date, teeth, clock.today())
        dialog = RechartDialog(self.ctx, mark, chart, dentition, None, self)
        dialog.accepted.connect(self.reload)
        self.dialog = dialog
        dialog.open()
        return dialog

    def is_valid(self) -> bool:
        return True
