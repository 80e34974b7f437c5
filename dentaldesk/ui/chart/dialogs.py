"""The two dialogs of the chart: Remove Chart Graphic (TX-CHART-1) and Chart again (TX-CHART-2).

Each loads nothing, saves with one service call through ``run_op``, shows a refusal next to the
field it concerns (TX-VAL-1) and closes only when the action succeeded.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.teeth import display_tooth, numbering_hint
from dentaldesk.domain.terms import ToothNumbering
from dentaldesk.services.chart.marks import ChartMark, PatientChart, rechart, remove_chart_graphic
from dentaldesk.ui.chart.layout import Dentition
from dentaldesk.ui.chart.tooth_chart import ToothChart
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.widgets import error_label, make_default


class RemoveGraphicDialog(QDialog):
    """TX-CHART-1: asks why, then removes the mark; the money is not touched."""

    def __init__(self, ctx: AppContext, mark: ChartMark, numbering: ToothNumbering, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.mark = mark
        self.setObjectName("remove_graphic_dialog")
        self.setWindowTitle("Remove chart graphic")
        tooth = display_tooth(mark.tooth, numbering)
        surfaces = f" {mark.surfaces}" if mark.surfaces else ""
        self.intro = intro = QLabel(
            f"Remove the mark of <b>{mark.code}{surfaces} {mark.code_name}</b> on tooth <b>{tooth}</b> from the "
            "chart?<br>Its charge, fee, claim and ledger history stay exactly as they are, and the mark stays "
            "in the procedure's history. You can then chart it again on the right tooth."
        )
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("removal_reason")
        self.reason.setAccessibleName("Reason for removing the chart graphic")
        self.reason.setPlaceholderText("For example: charted on the wrong tooth")
        self.reason.setMaxLength(500)
        caption = QLabel("&Reason")
        caption.setBuddy(self.reason)
        self.reason_error = error_label("reason")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = make_default(self.buttons.button(QDialogButtonBox.StandardButton.Ok))
        self.ok.setText("Remove graphic")
        self.ok.setEnabled(False)
        self.ok.setToolTip("Type the reason first.")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._reason_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(caption)
        layout.addWidget(self.reason)
        layout.addWidget(self.reason_error)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())

    def _reason_changed(self, text: str) -> None:
        self.ok.setEnabled(bool(text.strip()))
        self.reason_error.setVisible(False)

    def save(self) -> None:
        reason = self.reason.text()
        ok, _mark = run_op(
            self.ctx,
            self,
            lambda: remove_chart_graphic(self.ctx.uow(), self.ctx.user, self.mark.id, reason),
            changed="chart",
            field_labels={"reason": self.reason_error},
            fallback=self.reason_error,
        )
        if ok:
            self.accept()


class RechartDialog(QDialog):
    """TX-CHART-2: chart a removed mark's procedure again, typed or picked on a small chart."""

    def __init__(
        self,
        ctx: AppContext,
        mark: ChartMark,
        chart: PatientChart,
        dentition: Dentition,
        suggested_tooth: str | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.mark = mark
        self.numbering = chart.numbering
        self.setObjectName("rechart_dialog")
        self.setWindowTitle(f"Chart {mark.code} again")
        old = display_tooth(mark.tooth, self.numbering)
        intro = QLabel(
            f"Chart <b>{mark.code} {mark.code_name}</b> again on the right tooth. The removed mark on tooth "
            f"<b>{old}</b> stays in the history; the charge and its money do not change."
        )
        intro.setWordWrap(True)
        self.picker = ToothChart()
        self.picker.setObjectName("rechart_picker")
        self.picker.setAccessibleName("Pick the tooth")
        self.picker.set_numbering(self.numbering)
        self.picker.set_dentition(dentition)
        self.picker.set_marks(chart.marks)
        self.picker.tooth_chosen.connect(lambda t: self.tooth.setText(display_tooth(t, self.numbering)))
        self.picker.setMinimumHeight(200)
        self.result: ChartMark | None = None
        self.tooth = QLineEdit(display_tooth(suggested_tooth, self.numbering) if suggested_tooth else "")
        self.tooth.setObjectName("rechart_tooth")
        self.tooth.setAccessibleName("Tooth")
        self.tooth.setPlaceholderText(numbering_hint(self.numbering))
        self.surfaces = QLineEdit(mark.surfaces)
        self.surfaces.setObjectName("rechart_surfaces")
        self.surfaces.setAccessibleName("Surfaces")
        if mark.surfaces:
            self.surfaces.setPlaceholderText("M, O, D, B, L, I, F")
        else:
            self.surfaces.setEnabled(False)
            self.surfaces.setPlaceholderText("whole tooth: no surfaces")
        self.tooth_error = error_label("tooth")
        self.surfaces_error = error_label("surfaces")
        self.general_error = error_label("rechart")
        form = QFormLayout()
        tooth_caption = QLabel("&Tooth")
        tooth_caption.setBuddy(self.tooth)
        surfaces_caption = QLabel("&Surfaces")
        surfaces_caption.setBuddy(self.surfaces)
        form.addRow(tooth_caption, self.tooth)
        form.addRow("", self.tooth_error)
        form.addRow(surfaces_caption, self.surfaces)
        form.addRow("", self.surfaces_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = make_default(self.buttons.button(QDialogButtonBox.StandardButton.Ok))
        self.ok.setText("Chart again")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for edit, error in ((self.tooth, self.tooth_error), (self.surfaces, self.surfaces_error)):
            edit.textChanged.connect(lambda _t, e=error: (e.setVisible(False), self.general_error.setVisible(False)))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.picker, 1)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(600, 420)
        self.tooth.setFocus()

    def save(self) -> None:
        tooth, surfaces = self.tooth.text(), self.surfaces.text()
        ok, self.result = run_op(
            self.ctx,
            self,
            lambda: rechart(self.ctx.uow(), self.ctx.user, self.mark.id, tooth, surfaces),
            changed="chart",
            field_labels={"tooth": self.tooth_error, "surfaces": self.surfaces_error},
            fallback=self.general_error,
        )
        if ok:
            self.accept()
