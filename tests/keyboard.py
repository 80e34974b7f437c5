"""Keyboard checks shared by the UI tests: mnemonic clashes in a window, and the Tab cycle.

A mnemonic is the underlined letter of "&Edit": Alt+E. Within one window every visible button,
label with a buddy, group box, tab and menu-bar title must have its own letter (else Alt+letter
focuses one of them, or cycles, instead of doing what the person pressed), and within one menu
(the menu bar's, and each widget's context menu) every action must have its own letter.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMenuBar,
    QPlainTextEdit,
    QRadioButton,
    QTabWidget,
    QTextEdit,
    QToolBar,
    QWidget,
)


def mnemonic(text: str) -> str | None:
    """The letter after a single "&" ("&&" is a literal ampersand), lower case; None if there is none."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] == "&":
                i += 2
                continue
            return text[i + 1].lower()
        i += 1
    return None


def _shown_in(widget: QWidget, window: QWidget) -> bool:
    return widget.window() is window and widget.isVisibleTo(window)


def _menu_clashes(menu: QMenu, where: str) -> list[str]:
    return _actions_clashes(menu.actions(), where)


def _actions_clashes(actions: list[QAction], where: str) -> list[str]:
    letters: dict[str, list[str]] = defaultdict(list)
    out: list[str] = []
    for action in actions:
        if not action.isVisible() or action.isSeparator():
            continue
        letter = mnemonic(action.text())
        if letter:
            letters[letter].append(action.text())
        if action.menu() is not None:
            out += _menu_clashes(action.menu(), f"{where} > {action.text()}")
    out += [f"{where}: Alt+{k.upper()} on {v}" for k, v in letters.items() if len(v) > 1]
    return out


def mnemonic_clashes(window: QWidget) -> list[str]:
    """Every clash in ``window`` (shown): one line per letter used twice, naming the texts."""
    letters: dict[str, list[str]] = defaultdict(list)
    out: list[str] = []
    for bar in window.findChildren(QMenuBar):
        if not _shown_in(bar, window):
            continue
        for action in bar.actions():
            if action.isVisible():
                letter = mnemonic(action.text())
                if letter:
                    letters[letter].append(f"menu {action.text()}")
                if action.menu() is not None:
                    out += _menu_clashes(action.menu(), f"menu {action.text()}")
    for button in window.findChildren(QAbstractButton):
        if not _shown_in(button, window) or isinstance(button.parent(), QToolBar):
            continue  # a tool bar's buttons show the action's text without its mnemonic
        letter = mnemonic(button.text())
        if letter:
            letters[letter].append(f"button {button.text()}")
    for label in window.findChildren(QLabel):
        if _shown_in(label, window) and label.buddy() is not None:
            letter = mnemonic(label.text())
            if letter:
                letters[letter].append(f"label {label.text()}")
    for box in window.findChildren(QGroupBox):
        if _shown_in(box, window):
            letter = mnemonic(box.title())
            if letter:
                letters[letter].append(f"group {box.title()}")
    for tabs in window.findChildren(QTabWidget):
        if _shown_in(tabs, window):
            for i in range(tabs.count()):
                letter = mnemonic(tabs.tabText(i))
                if letter:
                    letters[letter].append(f"tab {tabs.tabText(i)}")
    out += [f"Alt+{k.upper()} on {v}" for k, v in letters.items() if len(v) > 1]
    out += context_menu_clashes(window)
    return out


def context_menu_clashes(window: QWidget) -> list[str]:
    """Clashes within the context menu of each shown widget of ``window``: the menu its actions
    make (ActionsContextMenu), the standard Undo/Cut/Copy/Paste menu of a text field (Qt builds it
    the same way when the person right-clicks), and a menu a widget builds itself, which it must
    offer as ``context_menu()`` so it can be checked (a right-click would run it modally)."""
    out: list[str] = []
    for widget in window.findChildren(QWidget):
        if not _shown_in(widget, window):
            continue
        where = f"context menu of {_name(widget)}"
        policy = widget.contextMenuPolicy()
        if policy == Qt.ContextMenuPolicy.ActionsContextMenu:
            out += _actions_clashes(widget.actions(), where)
        elif policy == Qt.ContextMenuPolicy.CustomContextMenu:
            builder = getattr(widget, "context_menu", None)
            if builder is None:
                out.append(f"{where}: a custom context menu the test cannot open (give the widget context_menu())")
                continue
            menu = builder()
            out += _menu_clashes(menu, where)
            menu.deleteLater()
        elif policy == Qt.ContextMenuPolicy.DefaultContextMenu and isinstance(
            widget, (QLineEdit, QPlainTextEdit, QTextEdit)
        ):
            menu = widget.createStandardContextMenu()
            out += _menu_clashes(menu, where)
            menu.deleteLater()
    return out


def editable_fields(window: QWidget) -> list[QWidget]:
    """The fields a person types in or sets in ``window``: shown, enabled, not read-only."""
    found: list[QWidget] = []
    for widget in window.findChildren(QWidget):
        if not (_shown_in(widget, window) and widget.isEnabled()):
            continue
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if isinstance(widget, QLineEdit):
            parent = widget.parent()
            if isinstance(parent, (QComboBox, QAbstractSpinBox)) or widget.isReadOnly():
                continue  # a combo's or a date's own line edit is the combo, the date
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            if widget.isReadOnly():
                continue
        elif not isinstance(widget, (QComboBox, QAbstractSpinBox, QCheckBox, QRadioButton)):
            continue
        found.append(widget)
    return found


def _press_tab(widget: QWidget, backwards: bool) -> None:
    if backwards:
        QTest.keyClick(widget, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    else:
        QTest.keyClick(widget, Qt.Key.Key_Tab)


def tab_cycle(start: QWidget, backwards: bool = False, limit: int = 120) -> list[QWidget]:
    """The widgets focus visits pressing Tab (Shift+Tab) from ``start`` until it comes back to it.

    A widget met twice before the cycle closes (a date taking a stop per part, a cycle that never
    returns to the first field) fails with the path walked."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    start = QApplication.focusWidget() or start  # a field made of parts focuses its proxy
    seen: list[QWidget] = [start]
    for _ in range(limit):
        _press_tab(QApplication.focusWidget() or start, backwards)
        now = QApplication.focusWidget()
        if now is start:
            return seen
        if now is None or now in seen:
            raise AssertionError(
                f"Tab {'back ' if backwards else ''}came to {type(now).__name__} "
                f"{now.objectName() if now else ''} again after "
                + ", ".join(w.objectName() or type(w).__name__ for w in seen)
            )
        seen.append(now)
    raise AssertionError("the Tab cycle did not come back to where it started")


def _name(widget: QWidget) -> str:
    return widget.objectName() or widget.accessibleName() or type(widget).__name__


def assert_tab_cycle(window: QWidget, start: QWidget, where: str = "") -> None:
    """Tab from ``start`` goes round the whole window and back to it, reaching every field; Shift+Tab
    goes round the same cycle the other way."""
    forward = tab_cycle(start)
    start = forward[0]
    missing = [_name(w) for w in editable_fields(window) if w not in forward and w.focusProxy() not in forward]
    assert not missing, f"{where}: Tab never reaches {missing}"
    backward = tab_cycle(start, backwards=True)
    assert backward[:1] + backward[1:][::-1] == forward, (
        f"{where}: Shift+Tab goes {[_name(w) for w in backward]}, Tab {[_name(w) for w in forward]}"
    )


def assert_no_clashes(window: QWidget, where: str = "") -> None:
    clashes = mnemonic_clashes(window)
    assert not clashes, f"{where or type(window).__name__}:\n" + "\n".join(clashes)
