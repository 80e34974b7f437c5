"""F1 as a person presses it in the UI tests: the focused field's help, and a screenshot of it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from dentaldesk.ui.kit.widgets import install_field_help


def press_f1(qtbot, widget: QWidget | None = None) -> str:  # type: ignore[no-untyped-def]
    """F1 on ``widget`` (focused first) or on the field that has the focus, as the app has it
    (install_field_help): the help text shown beside the field."""
    install_field_help()
    if widget is not None:
        widget.setFocus()
    QApplication.processEvents()
    QToolTip.hideText()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    return QToolTip.text()


def snap_help(window: QWidget, path: Path) -> None:
    """The window with the F1 text shown over it (a tool tip is a window of its own)."""
    QApplication.processEvents()
    shot = window.grab()
    tip = next(w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel") and w.isVisible())
    painter = QPainter(shot)
    painter.drawPixmap(window.mapFromGlobal(tip.pos()), tip.grab())
    painter.end()
    shot.save(str(path))
