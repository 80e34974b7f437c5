"""The code field of the Patient Transactions window and its list of matches (CODE-2), usable
from the keyboard: Down moves into the list, Enter picks and moves on to the tooth."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget


class CodeSearch(QLineEdit):
    """The code field: Down moves into the result list; Enter picks the first match, or keeps the
    exact code typed, and moves on to the next field: Enter here never presses OK, so an item is
    never added before its tooth and fee could be reached (the dialog's OK adds it)."""

    down = Signal()
    enter = Signal()

    def __init__(self) -> None:
        super().__init__()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter.emit()
            return
        super().keyPressEvent(event)


class CodeResults(QListWidget):
    """The matching codes; Enter picks the current one (the section then moves on to the tooth)."""

    picked = Signal(object)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.picked.emit(self.currentItem().data(Qt.ItemDataRole.UserRole))
            return
        super().keyPressEvent(event)
