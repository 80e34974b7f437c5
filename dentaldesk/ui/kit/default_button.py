"""The form's default button (Enter presses it), in a module of its own: the login window, the
first window of a session, uses it without loading the rest of the widget kit."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QPushButton


class _KeepDefault(QObject):
    """Makes its button the default again each time it is shown (see :func:`make_default`)."""

    def __init__(self, button: QPushButton) -> None:
        super().__init__(button)
        self.button = button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            # After the whole dialog is shown: a QDialogButtonBox makes another of its buttons the
            # default while it is being shown (Cancel, in a box made with StandardButton.Cancel).
            QTimer.singleShot(0, self, self._again)  # with this object as context: never after the button is gone
        return False

    def _again(self) -> None:
        self.button.setDefault(True)


def make_default(button: QPushButton) -> QPushButton:
    """OK (Post, Save) is the form's default button: Enter in any field presses it, Escape cancels.

    Tab onto another button and Enter presses that one instead, as everywhere on the desktop.
    """
    button.setDefault(True)
    button.setAutoDefault(True)
    button.installEventFilter(_KeepDefault(button))
    return button
