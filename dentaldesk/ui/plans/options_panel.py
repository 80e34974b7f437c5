"""The plan editor's options (CASE-1): a tab per option, the side-by-side comparison, the name dialog.

Layout and display only: the tabs choose which option the editor's working copy is of, the
comparison shows every option's figures as the service computed them (``compare_options``: each
option's one estimate, INS-9), and the name dialog asks a name for Add, Copy and Rename. What an
option may do is decided by the services and the editor (editor_options.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.money import format_money
from dentaldesk.domain.options import CHOSEN, NOT_CHOSEN
from dentaldesk.services.plans.options import OptionSummary
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.widgets import error_label
from dentaldesk.ui.plans.dialogs import _Dialog

GREY = palette.color(palette.FAINT)
CHOSEN_GREEN = palette.color(palette.SAVED)
ROWS = ("Items", "Visits", "Fee", "Insurance", "Write-off", "Patient portion", "Chair time")
NOT_CHOSEN_STYLE = f"color: {palette.SUBTLE}; font-style: italic;"


def option_caption(summary: OptionSummary) -> str:
    """An option's name as its tab and column say it, with its state (CASE-1)."""
    return f"{summary.name} ({summary.state})" if summary.state else summary.name


def comparison_cells(summary: OptionSummary) -> list[str]:
    """The comparison's cells of one option, top to bottom (ROWS), as a person reads them."""
    unknown = "not estimated"
    return [
        "\n".join(summary.items) if summary.items else "no items yet",
        str(summary.visits),
        format_money(summary.fee),
        format_money(summary.insurance) if summary.estimated else unknown,
        format_money(summary.write_off) if summary.estimated else unknown,
        format_money(summary.patient) if summary.estimated else unknown,
        f"{summary.chair_minutes} min",
    ]


class OptionComparison(QTableWidget):
    """The options side by side: one column per option, one row per figure (CASE-1)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(len(ROWS), 0, parent)
        self.setObjectName("option_comparison")
        self.setAccessibleName("Options side by side")
        self.setVerticalHeaderLabels(list(ROWS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def show_options(self, summaries: Sequence[OptionSummary], current: int | None) -> None:
        self.setColumnCount(len(summaries))
        for column, summary in enumerate(summaries):
            header = QTableWidgetItem(option_caption(summary))
            font = QFont(header.font())
            font.setBold(summary.id == current)
            header.setFont(font)
            if summary.state == NOT_CHOSEN:
                header.setForeground(QBrush(GREY))
            elif summary.state == CHOSEN:
                header.setForeground(QBrush(CHOSEN_GREEN))
            self.setHorizontalHeaderItem(column, header)
            for row, text in enumerate(comparison_cells(summary)):
                cell = QTableWidgetItem(text)
                cell.setTextAlignment(
                    (Qt.AlignmentFlag.AlignLeft if row == 0 else Qt.AlignmentFlag.AlignRight)
                    | Qt.AlignmentFlag.AlignVCenter
                )
                if summary.state == NOT_CHOSEN:
                    cell.setForeground(QBrush(GREY))
                self.setItem(row, column, cell)
        self.resizeRowsToContents()
        height = self.horizontalHeader().height() + sum(self.rowHeight(r) for r in range(self.rowCount())) + 4
        self.setFixedHeight(min(height, 300))

    def cell_text(self, row_name: str, column: int) -> str:
        item = self.item(ROWS.index(row_name), column)
        return item.text() if item is not None else ""


class OptionsStrip(QWidget):
    """The option tabs and their tool bar (Add, Copy, Rename, Remove), the not-chosen banner and,
    with two or more options, the comparison."""

    option_picked = Signal(int)  # an option id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("options_strip")
        self.tabs = QTabBar()
        self.tabs.setObjectName("option_tabs")
        self.tabs.setAccessibleName("Options of the plan")
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(False)
        self.tools = QToolBar()
        self.tools.setObjectName("option_tools")
        self.banner = QLabel()
        self.banner.setObjectName("option_state")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(NOT_CHOSEN_STYLE)
        self.banner.setVisible(False)
        self.comparison = OptionComparison()
        self._ids: list[int] = []
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Options:"))
        row.addWidget(self.tabs)
        row.addWidget(self.tools)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.comparison)
        layout.addWidget(self.banner)
        self.tabs.currentChanged.connect(self._picked)

    def _picked(self, index: int) -> None:
        if 0 <= index < len(self._ids):
            self.option_picked.emit(self._ids[index])

    def show_options(self, summaries: Sequence[OptionSummary], current: int, banner: str) -> None:
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        self._ids = [s.id for s in summaries]
        for index, summary in enumerate(summaries):
            self.tabs.addTab(option_caption(summary))
            self.tabs.setTabToolTip(index, f"{summary.item_count} items, {format_money(summary.fee)}")
            if summary.state == NOT_CHOSEN:
                self.tabs.setTabTextColor(index, GREY)
            elif summary.state == CHOSEN:
                self.tabs.setTabTextColor(index, CHOSEN_GREEN)
        if current in self._ids:
            self.tabs.setCurrentIndex(self._ids.index(current))
        self.tabs.blockSignals(False)
        several = len(summaries) > 1
        if several:
            self.comparison.show_options(summaries, current)
        else:  # one option compares with nothing: the hidden table is emptied, not filled and measured
            self.comparison.setColumnCount(0)
        self.comparison.setVisible(several)
        self.banner.setText(banner)
        self.banner.setVisible(bool(banner))

    def select_option(self, option_id: int) -> None:
        """Pick an option as a click on its tab would."""
        self.tabs.setCurrentIndex(self._ids.index(option_id))


class OptionNameDialog(_Dialog):
    """Add option, Copy option, Rename option: the name, refused at the field (CASE-1)."""

    def __init__(
        self,
        title: str,
        ok_text: str,
        name: str,
        submit: Callable[[OptionNameDialog, str], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, ok_text, parent)
        self.setObjectName("option_name_dialog")
        self._submit = submit
        self.name = QLineEdit(name)
        self.name.setObjectName("option_name")
        self.name.setAccessibleName("Option name")
        self.name.setMaxLength(60)
        self.name.setPlaceholderText('e.g. "Implant" or "Bridge"')
        self.name.selectAll()
        caption = QLabel("&Name")
        caption.setBuddy(self.name)
        self.errors = {"option_name": error_label("option_name")}
        self.general = error_label("option")
        self.body.addWidget(caption)
        self.body.addWidget(self.name)
        self.body.addWidget(self.errors["option_name"])
        self.body.addWidget(self.general)
        self.finish_layout()
        self.buttons.accepted.connect(self._ok)
        self.name.setFocus()

    def _ok(self) -> None:
        if self._submit(self, self.name.text()):
            self.accept()
