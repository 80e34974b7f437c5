"""The code field of the Patient Transactions window and its list of matches (CODE-2), usable
from the keyboard: Down moves into the list, Enter picks."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget


class CodeSearch(QLineEdit):
    """The code field: Down moves into the result list; Enter picks the first match (and does not
    close the dialog), so the search works from the keyboard."""

    down = Signal()
    enter = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.picking = lambda: False  # set by the section: is Enter a pick rather than OK?

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.picking():
            self.enter.emit()
            return
        super().keyPressEvent(event)


class CodeResults(QListWidget):
    """The matching codes; Enter picks the current one."""

    picked = Signal(object)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.picked.emit(self.currentItem().data(Qt.ItemDataRole.UserRole))
            return
        super().keyPressEvent(event)
