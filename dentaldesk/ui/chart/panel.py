"""The patient's chart: the tooth chart, the list of its marks, Remove Chart Graphic and Chart again.

TX-CHART-1: "Remove chart graphic..." asks for a reason and takes the mark off the chart; the
money stays. TX-CHART-2: "Chart again on..." puts a removed mark's procedure on the right
tooth as a new mark; the list keeps both. Who may do either is the service's rule (CHART-ROLE in
dentaldesk/services/chart/marks.py); the buttons say so when the role cannot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import clock
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.terms import ToothNumbering
from dentaldesk.domain.times import shown_time
from dentaldesk.printing.palette import STATUS_STYLES
from dentaldesk.services.chart.marks import ChartMark, PatientChart, can_change_chart, patient_chart
from dentaldesk.ui.chart.dialogs import RechartDialog, RemoveGraphicDialog
from dentaldesk.ui.chart.layout import default_dentition
from dentaldesk.ui.chart.tooth_chart import DentitionSwitch, ToothChart
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import EmptyState, RefreshWhenShown, error_label, make_table

ROLE_NOTE = "Only Owner, Admin or Dentist users change the chart: it is part of the clinical record."
AREAS = ("chart", "plans", "ledger", "patients")  # "patients": the name in the title


def _when(moment: dt.datetime | None) -> str:
    return shown_time(moment)


class MarksModel(RowsModel[ChartMark]):
    """The chart's marks, removed ones greyed and struck through (they are history)."""

    def __init__(self, parent: Any = None) -> None:
        self.numbering = ToothNumbering.UNIVERSAL
        super().__init__(
            [
                Column("Tooth", lambda m: display_tooth(m.tooth, self.numbering)),
                Column("Surfaces", lambda m: m.surfaces),
                Column("Code", lambda m: m.code),
                Column("Procedure", lambda m: m.code_name),
                Column("Status", lambda m: STATUS_STYLES[m.status].label),
                Column(
                    "Charted",
                    lambda m: f"{_when(m.created_at)} by {m.created_by}" if m.created_by else _when(m.created_at),
                ),
                Column(
                    "Removed",
                    lambda m: f"{_when(m.removed_at)} by {m.removed_by}: {m.removal_reason}" if m.removed else "",
                ),
            ],
            parent,
        )

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.DecorationRole and index.column() == 4:
            return QColor(STATUS_STYLES[self.row(index.row()).status].stroke)  # the legend's colour
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole and index.column() == 6:
            return self._columns[6].text(self.row(index.row())) or None
        if index.isValid() and self.row(index.row()).removed:
            if role == Qt.ItemDataRole.ForegroundRole:
                return palette.color(palette.SUBTLE)
            if role == Qt.ItemDataRole.FontRole and index.column() < 5:
                font = QFont()
                font.setStrikeOut(True)
                return font
        return super().data(index, role)


class PatientChartPanel(QWidget):
    """The chosen patient's tooth chart with its marks; refreshes when the chart, plans or ledger change."""

    tooth_chosen = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("patient_chart_panel")
        self.patient_id: int | None = None
        self.chart_data: PatientChart | None = None
        self.dialog: QDialog | None = None
        self.may_change = can_change_chart(ctx.user.role)

        self.title = QLabel()
        self.title.setObjectName("chart_title")
        self.switch = DentitionSwitch()
        self.chart = ToothChart()
        self.model = MarksModel(self)
        self.table = make_table("chart_marks")
        self.table.setAccessibleName("Chart marks")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.show_removed = QCheckBox("Show re&moved marks")
        self.show_removed.setObjectName("show_removed")
        self.show_removed.setChecked(True)
        self.remove_button = QPushButton("Remo&ve chart graphic…")
        self.remove_button.setObjectName("remove_graphic")
        self.rechart_button = QPushButton("Chart a&gain on…")
        self.rechart_button.setObjectName("rechart")
        self.message = error_label("chart")

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.switch)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_removed)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.rechart_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.table, 1)
        lower_layout.addLayout(buttons)
        lower_layout.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(lower)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(top)
        content_layout.addWidget(split, 1)

        self.empty = EmptyState("Choose a patient under Patients to see the tooth chart.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.switch.changed.connect(self.chart.set_dentition)
        self.chart.tooth_chosen.connect(self._tooth_chosen)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._mark_changed())
        self.show_removed.toggled.connect(lambda _on: self._fill_table())
        self.remove_button.clicked.connect(self.ask_remove)
        self.rechart_button.clicked.connect(self.ask_rechart)
        ctx.changes.patient_selected.connect(self.set_patient)
        self.when_shown = RefreshWhenShown(self, self.refresh)
        ctx.changes.changed.connect(lambda area: self.when_shown.request() if area in AREAS else None)
        self._mark_changed()

    # -- loading --------------------------------------------------------------------------------

    def set_patient(self, patient_id: int | None) -> None:
        new = patient_id != self.patient_id
        self.patient_id = patient_id
        if new:
            self.chart.select_tooth(None)
        self.refresh()
        if new and self.chart_data is not None:
            teeth = [m.tooth for m in self.chart_data.marks if not m.removed and m.tooth]
            self.switch.set_dentition(default_dentition(self.chart_data.birth_date, teeth, clock.today()))

    def refresh(self) -> None:
        self.when_shown.done()
        if self.patient_id is None:
            self.chart_data = None
            self.stack.setCurrentWidget(self.empty)
            return
        patient_id = self.patient_id
        ok, data = run_op(self.ctx, self, lambda: patient_chart(self.ctx.uow(), self.ctx.user, patient_id))
        if not ok or data is None:
            return
        self.chart_data = data
        self.title.setText(f"<b>Tooth chart</b> &nbsp;{data.patient_name} ({data.patient_number})")
        self.chart.set_numbering(data.numbering)
        self.chart.set_marks(data.marks)
        self.model.numbering = data.numbering
        self._fill_table()
        self.stack.setCurrentWidget(self.stack.widget(1))

    def _fill_table(self) -> None:
        keep = self.selected_mark()
        marks = list(self.chart_data.marks) if self.chart_data else []
        if not self.show_removed.isChecked():
            marks = [m for m in marks if not m.removed]
        self.model.set_rows(marks)
        if keep is not None:
            self.select_mark(keep.id)
        self._mark_changed()

    # -- selection ------------------------------------------------------------------------------

    def selected_mark(self) -> ChartMark | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() and index.row() < self.model.rowCount() else None

    def select_mark(self, mark_id: int) -> bool:
        for row, mark in enumerate(self.model.rows):
            if mark.id == mark_id:
                self.table.selectRow(row)
                self.table.setCurrentIndex(self.model.index(row, 0))
                return True
        return False

    def _tooth_chosen(self, tooth: str) -> None:
        on_tooth = [m for m in self.model.rows if m.tooth == tooth]
        on_tooth.sort(key=lambda m: m.removed)  # a current mark before its removed history
        if on_tooth:
            self.select_mark(on_tooth[0].id)
        else:
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
        self.tooth_chosen.emit(tooth)

    def _mark_changed(self) -> None:
        mark = self.selected_mark()
        if mark is not None and mark.tooth:
            self.chart.select_tooth(mark.tooth)
        self.remove_button.setEnabled(self.may_change and mark is not None and not mark.removed)
        replaced = self._charted_again(mark) if mark is not None and mark.removed else None
        self.rechart_button.setEnabled(self.may_change and mark is not None and mark.removed and replaced is None)
        if not self.may_change:
            tip = ROLE_NOTE
            self.remove_button.setToolTip(tip)
            self.rechart_button.setToolTip(tip)
            return
        self.remove_button.setToolTip(
            "Take the selected mark off the chart; its charge and money stay (TX-CHART-1)."
            if mark is not None and not mark.removed
            else "Select a mark on the chart or in the list first."
        )
        if replaced is not None and self.chart_data is not None:
            where = display_tooth(replaced.tooth, self.chart_data.numbering)
            self.rechart_button.setToolTip(f"This procedure is already charted again, on tooth {where}.")
        else:
            self.rechart_button.setToolTip(
                "Chart the selected removed mark's procedure on the right tooth (TX-CHART-2)."
                if mark is not None and mark.removed
                else "Select a removed mark first."
            )

    def _charted_again(self, mark: ChartMark) -> ChartMark | None:
        if self.chart_data is None or (mark.transaction_id is None and mark.plan_item_id is None):
            return None
        for other in self.chart_data.marks:
            if other.removed or other.id == mark.id:
                continue
            same_tx = mark.transaction_id is not None and other.transaction_id == mark.transaction_id
            same_item = mark.plan_item_id is not None and other.plan_item_id == mark.plan_item_id
            if same_tx or same_item:
                return other
        return None

    # -- actions --------------------------------------------------------------------------------

    def ask_remove(self) -> None:
        mark = self.selected_mark()
        if mark is None or self.chart_data is None:
            return
        self.dialog = RemoveGraphicDialog(self.ctx, mark, self.chart_data.numbering, self)
        self.dialog.open()

    def ask_rechart(self) -> None:
        mark = self.selected_mark()
        if mark is None or self.chart_data is None:
            return
        chosen = self.chart.selected_tooth
        suggested = chosen if chosen and chosen != mark.tooth else None
        dialog = RechartDialog(self.ctx, mark, self.chart_data, self.chart.dentition(), suggested, self)
        # The chart has already redrawn (the change was announced); show the new mark chosen.
        dialog.accepted.connect(lambda: self.select_mark(dialog.result.id) if dialog.result else None)
        self.dialog = dialog
        dialog.open()
