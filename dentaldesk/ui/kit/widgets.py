"""Small shared widgets: an empty-state panel that says what to do next, a table set-up."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget


class EmptyState(QWidget):
    """Shown instead of an empty table: says plainly there is nothing yet and what to do."""

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(message)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("color: #475467; font-size: 13pt; padding: 24px;")
        self.label.setAccessibleName("Empty state")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addStretch(2)

    def set_message(self, message: str) -> None:
        self.label.setText(message)


ERROR_STYLE = "color: #b42318;"
HINT_STYLE = "color: #475467;"


def error_label(name: str) -> QLabel:
    """A hidden red line under a field that shows why an input was refused (TX-VAL-1)."""
    label = QLabel()
    label.setObjectName(f"{name}_error")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setVisible(False)
    label.setAccessibleName(f"{name.replace('_', ' ').capitalize()} message")
    return label


def hint_label(text: str, name: str = "") -> QLabel:
    """A grey line of help under a field."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    if name:
        label.setObjectName(name)
    return label


def make_table(name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setAccessibleName(name.replace("_", " ").capitalize())
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table
