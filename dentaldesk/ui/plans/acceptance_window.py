"""Case acceptance report (CASE-6): presented and accepted plans per provider and month.

Tools > Case acceptance report. A period (first and last day), Show (Enter): the table lists each
month and provider with the plans presented and accepted, count and amount, and the rates, then
the period's total; the bar chart (QtCharts) shows per month the plans presented beside those
accepted, for all providers or the one chosen, by count or by amount. Export CSV writes the table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import clock
from dentaldesk.domain.acceptance import AcceptanceReport, AcceptanceRow, acceptance_table, by_month
from dentaldesk.domain.money import format_money
from dentaldesk.printing.files import write_atomically
from dentaldesk.services.plans.acceptance import acceptance_report
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import date_edit, day_of, error_label, hint_label, make_default, make_table

PRESENTED_COLOUR = palette.color(palette.FAINT)
ACCEPTED_COLOUR = palette.color(palette.ACCENT)

COLUMNS: list[Column[AcceptanceRow]] = [
    Column("Month", lambda r: "Total" if r.month == "total" else r.month),
    Column("Provider", lambda r: r.provider),
    Column("Presented", lambda r: str(r.presented), align_right=True),
    Column("Presented amount", lambda r: format_money(r.presented_amount), align_right=True),
    Column("Accepted", lambda r: str(r.accepted), align_right=True),
    Column("Accepted amount", lambda r: format_money(r.accepted_amount), align_right=True),
    Column("Accepted %", lambda r: f"{r.rate} %", align_right=True),
    Column("Amount accepted %", lambda r: f"{r.amount_rate} %", align_right=True),
]


def _whole(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_HALF_UP))


def report_csv(report: AcceptanceReport) -> str:
    """The table as CSV, the same cells as ``dentaldesk report acceptance --csv``."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(acceptance_table(report))
    return out.getvalue()


class AcceptanceWindow(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: AcceptanceReport | None = None
        self.setObjectName("acceptance_window")
        self.setWindowTitle("DentalDesk - Case acceptance report")
        today = clock.today()
        first = dt.date(today.year - (1 if today.month < 12 else 0), today.month % 12 + 1, 1)  # 12 months back
        self.start = date_edit("start", "First day", first)
        self.end = date_edit("end", "Last day", today)
        start_caption = QLabel("&From")
        start_caption.setBuddy(self.start)
        end_caption = QLabel("&To")
        end_caption.setBuddy(self.end)
        self.show_button = QPushButton("S&how")
        self.show_button.setObjectName("show_report")
        make_default(self.show_button)  # Enter in a date shows the period
        self.show_button.clicked.connect(self.refresh)
        self.export_button = QPushButton("&Export CSV...")
        self.export_button.setObjectName("export_csv")
        self.export_button.setAutoDefault(False)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        self.errors = {"start": error_label("start"), "end": error_label("end")}
        self.message = hint_label("", "report_message")

        self.chart_provider = QComboBox()
        self.chart_provider.setObjectName("chart_provider")
        self.chart_provider.setAccessibleName("Chart provider")
        self.chart_measure = QComboBox()
        self.chart_measure.setObjectName("chart_measure")
        self.chart_measure.setAccessibleName("Chart by")
        self.chart_measure.addItem("Plans (count)", "count")
        self.chart_measure.addItem("Amount", "amount")
        provider_caption = QLabel("Chart &provider")
        provider_caption.setBuddy(self.chart_provider)
        measure_caption = QLabel("Chart &by")
        measure_caption.setBuddy(self.chart_measure)

        bar = QHBoxLayout()
        for widget in (start_caption, self.start, end_caption, self.end, self.show_button, self.export_button):
            bar.addWidget(widget)
        bar.addSpacing(24)
        for widget in (provider_caption, self.chart_provider, measure_caption, self.chart_measure):
            bar.addWidget(widget)
        bar.addStretch(1)

        self.model: RowsModel[AcceptanceRow] = RowsModel(COLUMNS, self)
        self.table = make_table("acceptance_table")
        self.table.setAccessibleName("Presented and accepted plans per month and provider")
        self.table.setModel(self.model)
        self.chart = QChart()
        self.chart.setObjectName("acceptance_chart")
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("acceptance_chart_view")
        self.chart_view.setAccessibleName("Bar chart of presented and accepted plans per month")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(240)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.chart_view)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.errors["start"])
        layout.addWidget(self.errors["end"])
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        self.chart_provider.currentIndexChanged.connect(lambda _i: self.draw_chart())
        self.chart_measure.currentIndexChanged.connect(lambda _i: self.draw_chart())
        self.resize(1100, 700)
        self.refresh()

    def refresh(self) -> None:
        for label in self.errors.values():
            label.setVisible(False)
        start, end = day_of(self.start), day_of(self.end)
        ok, report = run_op(
            self.ctx,
            self,
            lambda: acceptance_report(self.ctx.uow(), self.ctx.user, start, end),
            field_labels=self.errors,
            fallback=self.errors["end"],
        )
        if not ok or report is None:
            return
        self.report = report
        self.model.set_rows([*report.rows, report.total] if report.rows else [])
        self.export_button.setEnabled(bool(report.rows))
        total = report.total
        if report.rows:
            self.message.setText(
                f"{total.presented} plans presented ({format_money(total.presented_amount)}), {total.accepted} "
                f"accepted ({format_money(total.accepted_amount)}): {total.rate} % of the plans."
            )
        else:
            self.message.setText("No plan was presented in this period.")
        chosen = self.chart_provider.currentData()
        self.chart_provider.blockSignals(True)
        self.chart_provider.clear()
        self.chart_provider.addItem("All providers", None)
        for name in report.providers:
            self.chart_provider.addItem(name, name)
        index = self.chart_provider.findData(chosen)
        self.chart_provider.setCurrentIndex(max(index, 0))
        self.chart_provider.blockSignals(False)
        self.draw_chart()

    def draw_chart(self) -> None:
        """Per month, the plans presented beside those accepted (count or amount)."""
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        if self.report is None:
            return
        months = by_month(self.report, self.chart_provider.currentData())
        amount = self.chart_measure.currentData() == "amount"
        presented, accepted = QBarSet("Presented"), QBarSet("Accepted")
        presented.setColor(PRESENTED_COLOUR)
        accepted.setColor(ACCEPTED_COLOUR)
        for row in months:
            # Amounts in whole currency units for the bars' heights (MONEY-1: no float of ours).
            presented.append(_whole(row.presented_amount) if amount else row.presented)
            accepted.append(_whole(row.accepted_amount) if amount else row.accepted)
        series = QBarSeries()
        series.append(presented)
        series.append(accepted)
        self.chart.addSeries(series)
        months_axis = QBarCategoryAxis()
        months_axis.append([row.month for row in months])
        self.chart.addAxis(months_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(months_axis)
        values = QValueAxis()
        top = max([_whole(row.presented_amount) if amount else row.presented for row in months] or [1])
        values.setRange(0, max(1, top + top // 10 + (0 if amount else 1)))
        values.setLabelFormat("%.0f")
        if not amount:
            values.setTickType(QValueAxis.TickType.TicksDynamic)
            values.setTickInterval(max(1, top // 5))
            values.setTickAnchor(0)
        values.setTitleText("Amount" if amount else "Plans")
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(values)
        who = self.chart_provider.currentText() or "All providers"
        self.chart.setTitle(f"Presented and accepted plans per month: {who}")
        self.chart_values = [(r.month, r.presented, r.accepted, r.presented_amount, r.accepted_amount) for r in months]

    def export(self) -> Path | None:
        if self.report is None:
            return None
        suggested = f"acceptance {self.report.start:%Y-%m-%d} to {self.report.end:%Y-%m-%d}.csv"
        chosen, _ = QFileDialog.getSaveFileName(self, "Export the acceptance report", suggested, "CSV files (*.csv)")
        if not chosen:
            return None
        report = self.report
        ok, written = run_op(self.ctx, self, lambda: write_atomically(Path(chosen), report_csv(report).encode("utf-8")))
        if ok and written is not None:
            self.message.setText(f"Exported to {written}.")
            return written
        return None
