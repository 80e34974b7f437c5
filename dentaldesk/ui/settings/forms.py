"""Form building blocks shared by the set-up windows and the patient dialog.

A :class:`FieldForm` puts each input under a caption with a mnemonic (Alt+letter moves to it),
gives it an accessible name, and keeps a red message line under it where a refusal is shown
(TX-VAL-1): ``run_op(..., field_labels=form.errors)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.table_model import SAMPLE_ROWS
from dentaldesk.ui.kit.widgets import (
    RowsTable,
    error_label,
    row_height,
)


def plain(caption: str) -> str:
    return caption.replace("&", "").rstrip(":")


class FieldForm(QFormLayout):
    """A form layout whose rows know their input, their accessible name and their error line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

    def add(self, key: str, caption: str, widget: QWidget, *, hint: str = "") -> QWidget:
        widget.setObjectName(key)
        widget.setAccessibleName(plain(caption))
        if hint:
            widget.setToolTip(hint)
            widget.setAccessibleDescription(hint)
        caption_label = QLabel(caption)
        caption_label.setBuddy(widget)  # the & letter in the caption jumps here (mnemonic)
        error = error_label(key)
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        cell.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.addRow(caption_label, cell)
        self.inputs[key] = widget
        self.errors[key] = error
        return widget

    def line(self, key: str, caption: str, *, placeholder: str = "", hint: str = "", width: int = 0) -> QLineEdit:
        edit = QLineEdit()
        if placeholder:
            edit.setPlaceholderText(placeholder)
        if width:
            edit.setMaximumWidth(width)
        self.add(key, caption, edit, hint=hint)
        return edit

    def combo(self, key: str, caption: str, items: Iterable[tuple[str, Any]], *, hint: str = "") -> QComboBox:
        box = QComboBox()
        for text, data in items:
            box.addItem(text, data)
        self.add(key, caption, box, hint=hint)
        return box

    def text(self, key: str, caption: str, *, height: int = 70, hint: str = "") -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)  # Tab leaves the box instead of typing a tab
        edit.setFixedHeight(height)
        self.add(key, caption, edit, hint=hint)
        return edit

    def check(self, key: str, caption: str, *, hint: str = "") -> QCheckBox:
        box = QCheckBox(caption)
        box.setObjectName(key)
        box.setAccessibleName(plain(caption))
        if hint:
            box.setToolTip(hint)
        self.addRow("", box)
        self.inputs[key] = box
        return box

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.setVisible(False)


def enum_items(members: Iterable[Enum]) -> list[tuple[str, Any]]:
    """Combo items for an enum: the label shown, the stored value as the item's data."""
    return [(getattr(m, "label", str(m.value)), m.value) for m in members]


def select_data(box: QComboBox, value: object) -> None:
    """Choose the item whose data is ``value`` (no change if none has it)."""
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)


class SetupWindow(QDialog):
    """A set-up window: not modal (several can be open), closes with Esc, says what it saved."""

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"DentalDesk - {title}")
        self.setObjectName(title.lower().replace(" ", "_"))
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setAccessibleName("Status")
        self.status.setStyleSheet(f"color: {palette.SAVED};")
        self.status.setWordWrap(True)
        self.problem = error_label("problem")  # a refusal that names no single field

    def say(self, text: str) -> None:
        self.problem.setVisible(False)
        self.status.setText(text)
        self.status.setAccessibleDescription(text)


def button(text: str, name: str, *, tip: str = "") -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setAutoDefault(False)  # Enter in a table or search box must not press the first button of the window
    b.setAccessibleName(text.replace("&", "").rstrip(".…"))
    if tip:
        b.setToolTip(tip)
    return b


def fit_columns(table: QTableView, stretch: int) -> None:
    """Compact rows; every column as wide as its content except ``stretch``, which takes the rest.

    A :class:`RowsTable` sizes its columns from a sample of rows on each reset; another table has
    Qt size them to the content of a sample of rows (``resizeContentsPrecision``), not every row.
    """
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    if isinstance(table, RowsTable):
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    else:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(SAMPLE_ROWS)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setDefaultSectionSize(row_height(table))
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    if isinstance(table, RowsTable):
        table.fit_columns()
