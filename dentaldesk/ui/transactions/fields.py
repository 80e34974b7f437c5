"""Small building blocks the Patient Transactions sections share: message lines under a field, a
caption with its mnemonic, a date field with a blank state, a box that shows a code option."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import clock
from dentaldesk.ui.kit.widgets import DateEdit

# Colours as palette entries, not style sheets: a sheet per label makes the window slower to open.
ERROR_COLOR = "#b42318"
HINT_COLOR = "#475467"
SUCCESS_COLOR = "#05603a"
DATE_FORMAT = "yyyy-MM-dd"
_BLANK = QDate(1900, 1, 1)  # the date edit's "no date" value, shown as its special text


def tint(widget: QWidget, color: str) -> None:
    """Draw a widget's text in ``color``."""
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(color))
    widget.setPalette(palette)


def bold(widget: QWidget) -> None:
    font = widget.font()
    font.setBold(True)
    widget.setFont(font)


class MessageLabel(QLabel):
    """A line under a field, coloured the first time it is shown: most of a dialog's message lines
    are never shown, and a palette per label cost the Patient Transactions window ~15 ms to open."""

    def __init__(self, color: str) -> None:
        super().__init__()
        self.color = color
        self._tinted = False

    def showEvent(self, event: QShowEvent) -> None:
        if not self._tinted:
            self._tinted = True
            tint(self, self.color)
        super().showEvent(event)


def message_label(name: str, color: str = ERROR_COLOR) -> QLabel:
    """A hidden line under a field for its refusal (red) or hint (grey) (TX-VAL-1)."""
    label = MessageLabel(color)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setVisible(False)
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))
    label.setAccessibleDescription(text)


def caption(text: str, buddy: QWidget) -> QLabel:
    """A field's caption; its & letter moves the keyboard to the field (mnemonic)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def stack(*widgets: QWidget) -> QWidget:
    """A field with its message lines below it; never taller than its visible parts."""
    box = QWidget()
    box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    for w in widgets:
        layout.addWidget(w)
    return box


def row(*widgets: QWidget, stretch: bool = True) -> QWidget:
    """Widgets side by side (a fee and its tax, a figure and its Why? button)."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    if stretch:
        layout.addStretch(1)
    return box


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def date_edit(name: str, accessible: str, day: dt.date) -> QDateEdit:
    """A date field with a calendar (Alt+Down), ISO format; arrows step the part under the cursor."""
    edit = DateEdit(to_qdate(day))
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    return edit


class _BlankableDateEdit(DateEdit):
    """A date edit whose blank value is shown as text; any step, key or click on a blank field
    starts from ``start()`` (the DOS), not from the blank's placeholder date."""

    def __init__(self) -> None:
        super().__init__()
        self.start = dt.date.today

    def is_blank(self) -> bool:
        return self.date() == _BLANK

    def _fill(self) -> None:
        if self.is_blank() and not self.isReadOnly():
            self.setDate(to_qdate(self.start()))

    def stepBy(self, steps: int) -> None:
        if self.is_blank():
            self._fill()
            return
        super().stepBy(steps)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.is_blank() and event.key() not in _PASSING_KEYS:
            self._fill()
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._fill()
        super().mousePressEvent(event)


_PASSING_KEYS = frozenset(
    {
        Qt.Key.Key_Tab,
        Qt.Key.Key_Backtab,
        Qt.Key.Key_Escape,
        Qt.Key.Key_Return,
        Qt.Key.Key_Enter,
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
    }
)


class OptionalDate(QWidget):
    """A date that may be blank: the Aged field (TX-AGE-5: blank means current).

    A date edit plus a "Current" box: checking the box blanks the date (the edit then reads
    "blank - current"); choosing a date unchecks it. Both are reached with Tab, the box toggles
    with Space, and Up/Down (or typing, or the calendar, Alt+Down) on a blank date starts from
    the DOS, so the field works from the keyboard alone.
    """

    changed = Signal()

    def __init__(self, name: str, accessible: str, blank_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = _BlankableDateEdit()
        self.edit.setObjectName(name)
        self.edit.setAccessibleName(accessible)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat(DATE_FORMAT)
        self.edit.setMinimumDate(_BLANK)
        self.edit.setSpecialValueText(blank_text)
        self.edit.setMinimumWidth(150)
        self.blank = QCheckBox("Curr&ent (no aged date)")
        self.blank.setObjectName(f"{name}_blank")
        self.blank.setAccessibleName(f"{accessible}: blank, the charge stays current")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.blank)
        layout.addStretch(1)
        self._last = clock.today()
        self._quiet = False
        self.edit.dateChanged.connect(self._date_changed)
        self.blank.toggled.connect(self._blank_toggled)
        self.setFocusProxy(self.edit)

    def value(self) -> dt.date | None:
        return None if self.edit.date() == _BLANK else from_qdate(self.edit.date())

    def set_value(self, day: dt.date | None) -> None:
        self._quiet = True
        try:
            if day is not None:
                self._last = day
            self.edit.setDate(_BLANK if day is None else to_qdate(day))
            self.blank.setChecked(day is None)
        finally:
            self._quiet = False

    def set_start(self, start: Callable[[], dt.date]) -> None:
        """Where a blank date starts when the person steps or types into it (the DOS)."""
        self.edit.start = start

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.edit.setCalendarPopup(not read_only)
        self.blank.setEnabled(not read_only)

    def _date_changed(self, day: QDate) -> None:
        if self._quiet:
            return
        is_blank = day == _BLANK
        if not is_blank:
            self._last = from_qdate(day)
        self._quiet = True
        self.blank.setChecked(is_blank)
        self._quiet = False
        self.changed.emit()

    def _blank_toggled(self, checked: bool) -> None:
        if self._quiet:
            return
        self._quiet = True
        self.edit.setDate(_BLANK if checked else to_qdate(self._last))
        self._quiet = False
        self.changed.emit()


class OptionBox(QCheckBox):
    """A code option shown as the code defines it (TX-OPT-1): readable, never changed here.

    Not greyed out (so it reads clearly) but deaf to clicks and keys; its description says where
    the option is set.
    """

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName(f"{text} (code option)")
        self.setAccessibleDescription("Read-only: set for the code under Settings -> Procedure codes.")
