"""The plan editor's chrome: its actions with their shortcuts, the menus, the buttons and the layout.

Layout only, the way Qt Designer's ``setupUi`` would build it: :func:`make_chrome` builds the
actions (each connected to the slot of the same name on the :class:`EditorSlots` it is given),
the menus, the buttons and the layout around the editor's own widgets, and returns the actions
and buttons as one :class:`EditorChrome` the editor keeps; it sets nothing on the editor. Every
button mirrors an action (text, enabled state, the reason as its tooltip) so mouse, keyboard and
menu agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.ui.plans.options_panel import OptionsStrip
from dentaldesk.ui.plans.plan_model import Grouping


class EditorSlots(Protocol):
    """What the editor's actions call (each action's slot has the name it is connected to)."""

    def ask_new_plan(self) -> object: ...
    def add_item(self) -> object: ...
    def edit_item(self) -> object: ...
    def edit_fee_in_place(self) -> object: ...
    def remove_item(self) -> object: ...
    def depends_on(self) -> object: ...
    def remove_dependency(self) -> object: ...
    def move_to_visit(self) -> object: ...
    def save(self) -> object: ...
    def approve(self) -> object: ...
    def complete_item(self) -> object: ...
    def print_preview(self) -> object: ...
    def cancel_plan(self) -> object: ...
    def add_option(self) -> object: ...
    def copy_option(self) -> object: ...
    def rename_option(self) -> object: ...
    def remove_option(self) -> object: ...
    def next_option(self) -> object: ...
    def previous_option(self) -> object: ...
    def ask_reload(self) -> object: ...
    def close(self) -> object: ...
    def set_grouping(self, grouping: Grouping) -> object: ...
    def switch_grouping(self) -> object: ...


@dataclass(frozen=True)
class EditorWidgets:
    """The editor's own widgets the layout places (the editor makes and fills them)."""

    title_label: QLabel
    options: OptionsStrip
    tree: QWidget
    panels: QWidget
    totals: QWidget
    approve_reason: QLabel
    message: QLabel
    conflict: QWidget


@dataclass(frozen=True)
class EditorChrome:
    """The editor's actions and the buttons mirroring them."""

    new_plan_action: QAction
    add_action: QAction
    edit_action: QAction
    fee_action: QAction
    remove_action: QAction
    link_action: QAction
    unlink_action: QAction
    visit_action: QAction
    save_action: QAction
    approve_action: QAction
    complete_action: QAction
    print_action: QAction
    cancel_action: QAction
    add_option_action: QAction
    copy_option_action: QAction
    rename_option_action: QAction
    remove_option_action: QAction
    next_option_action: QAction
    previous_option_action: QAction
    reload_action: QAction
    close_action: QAction
    undo_action: QAction
    redo_action: QAction
    by_dependency: QAction
    by_visit: QAction
    toggle_grouping: QAction
    add_button: QPushButton
    edit_button: QPushButton
    remove_button: QPushButton
    link_button: QPushButton
    visit_button: QPushButton
    save_button: QPushButton
    approve_button: QPushButton
    complete_button: QPushButton
    cancel_button: QPushButton
    print_button: QPushButton
    dependency_button: QPushButton
    visit_group_button: QPushButton


def make_chrome(
    window: QMainWindow,
    slots: EditorSlots,
    undo_stack: QUndoStack,
    widgets: EditorWidgets,
    handout_menu: Callable[[], QMenu],
) -> EditorChrome:
    """Actions, menus, buttons and layout of the plan editor ``window``."""
    actions = _make_actions(window, slots, undo_stack)
    _make_menus(window, actions, handout_menu())
    buttons = _lay_out(window, actions, widgets)
    return EditorChrome(**actions, **buttons)


def _action(
    window: QWidget,
    text: str,
    name: str,
    slot: Callable[[], object],
    shortcut: str | QKeySequence | None = None,
    tip: str = "",
) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)
    return action


def _make_actions(window: QWidget, slots: EditorSlots, undo_stack: QUndoStack) -> dict[str, QAction]:
    a: dict[str, QAction] = {}
    a["new_plan_action"] = _action(window, "&New plan…", "new_plan", slots.ask_new_plan, "Ctrl+N")
    a["add_action"] = _action(window, "+ A&dd item…", "add_item", slots.add_item, "Ins")
    a["edit_action"] = _action(window, "Edi&t item…", "edit_item", slots.edit_item, "Ctrl+E")
    a["fee_action"] = _action(window, "Change &fee", "change_fee", slots.edit_fee_in_place, "F2")
    a["remove_action"] = _action(
        window, "&Remove item", "remove_item", slots.remove_item, QKeySequence.StandardKey.Delete
    )
    a["link_action"] = _action(window, "Depends o&n…", "depends_on", slots.depends_on, "Ctrl+D")
    a["unlink_action"] = _action(
        window, "Remove de&pendency", "remove_dependency", slots.remove_dependency, "Ctrl+Shift+D"
    )
    a["visit_action"] = _action(window, "&Move to visit…", "move_to_visit", slots.move_to_visit, "Ctrl+M")
    a["save_action"] = _action(window, "&Save draft", "save_draft", slots.save, QKeySequence.StandardKey.Save)
    a["approve_action"] = _action(window, "Appr&ove plan…", "approve", slots.approve)
    # Ctrl+Enter goes ahead as fits the plan: approve a draft (or a raised total), else complete the
    # selected item; the editor moves the keys between the two actions (see _update_shortcuts).
    a["complete_action"] = _action(window, "&Complete item…", "complete_item", slots.complete_item)
    a["print_action"] = _action(
        window, "Print previe&w…", "print_preview", slots.print_preview, QKeySequence.StandardKey.Print
    )
    a["cancel_action"] = _action(window, "Cance&l plan…", "cancel_plan", slots.cancel_plan)
    # CASE-1: the plan's options (in the Plan menu, and on the option strip's tool bar).
    a["add_option_action"] = _action(window, "Add opt&ion…", "add_option", slots.add_option)
    a["copy_option_action"] = _action(window, "Cop&y option…", "copy_option", slots.copy_option)
    a["rename_option_action"] = _action(window, "Rena&me option…", "rename_option", slots.rename_option)
    a["remove_option_action"] = _action(window, "Remo&ve option…", "remove_option", slots.remove_option)
    a["next_option_action"] = _action(window, "Ne&xt option", "next_option", slots.next_option, "Ctrl+PgDown")
    a["previous_option_action"] = _action(
        window, "Previo&us option", "previous_option", slots.previous_option, "Ctrl+PgUp"
    )
    a["reload_action"] = _action(window, "&Reload", "reload", slots.ask_reload, QKeySequence.StandardKey.Refresh)
    a["close_action"] = _action(window, "&Close", "close_editor", slots.close, QKeySequence.StandardKey.Close)
    # Ctrl+W closes the plan on every platform (the platform's own Close keys too, where it has them).
    close_keys = [QKeySequence("Ctrl+W")]
    close_keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Close) if k not in close_keys]
    a["close_action"].setShortcuts(close_keys)
    a["undo_action"] = undo_stack.createUndoAction(window, "&Undo")
    a["undo_action"].setObjectName("undo")
    a["undo_action"].setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
    a["redo_action"] = undo_stack.createRedoAction(window, "Red&o")
    a["redo_action"].setObjectName("redo")
    redo_keys = [QKeySequence("Ctrl+Y")]
    redo_keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo) if k not in redo_keys]
    a["redo_action"].setShortcuts(redo_keys)
    window.addAction(a["undo_action"])
    window.addAction(a["redo_action"])
    a["by_dependency"] = QAction("By &dependency", window, checkable=True)
    a["by_dependency"].setObjectName("by_dependency")
    a["by_visit"] = QAction("By &visit", window, checkable=True)
    a["by_visit"].setObjectName("by_visit")
    group = QActionGroup(window)
    for action, grouping in ((a["by_dependency"], Grouping.BY_DEPENDENCY), (a["by_visit"], Grouping.BY_VISIT)):
        group.addAction(action)
        action.triggered.connect(lambda _c=False, g=grouping: slots.set_grouping(g))
    a["by_dependency"].setChecked(True)
    a["toggle_grouping"] = _action(window, "Switch &grouping", "toggle_grouping", slots.switch_grouping, "Ctrl+G")
    return a


def _make_menus(window: QMainWindow, a: dict[str, QAction], handout: QMenu) -> None:
    bar = window.menuBar()
    plan = bar.addMenu("&Plan")
    for action in (
        a["new_plan_action"],
        a["save_action"],
        a["approve_action"],
        a["cancel_action"],
        a["reload_action"],
    ):
        plan.addAction(action)
    plan.addSeparator()
    for action in (
        a["add_option_action"],
        a["copy_option_action"],
        a["rename_option_action"],
        a["remove_option_action"],
        a["next_option_action"],
        a["previous_option_action"],
    ):
        plan.addAction(action)
    plan.addSeparator()
    plan.addAction(a["print_action"])
    plan.addMenu(handout)
    plan.addSeparator()
    plan.addAction(a["close_action"])
    edit = bar.addMenu("&Edit")
    edit.setObjectName("edit_menu")
    edit.addAction(a["undo_action"])
    edit.addAction(a["redo_action"])
    edit.addSeparator()
    for action in (
        a["add_action"],
        a["edit_action"],
        a["fee_action"],
        a["remove_action"],
        a["link_action"],
        a["unlink_action"],
        a["visit_action"],
    ):
        edit.addAction(action)
    item = bar.addMenu("&Item")
    item.addAction(a["complete_action"])
    view = bar.addMenu("&View")
    view.addAction(a["by_dependency"])
    view.addAction(a["by_visit"])
    view.addAction(a["toggle_grouping"])


def _button(action: QAction, name: str) -> QPushButton:
    """A tab-reachable button mirroring an action: text, enabled state and the reason tooltip."""
    button = QPushButton(action.text())
    button.setObjectName(name)
    button.setAccessibleName(action.text().replace("&", "").replace("…", ""))
    button.clicked.connect(action.trigger)

    def mirror() -> None:
        button.setText(action.text())
        button.setEnabled(action.isEnabled())
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        tip = action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""
        button.setToolTip(tip or (f"{action.text().replace('&', '')} ({shortcut})" if shortcut else ""))
        button.setAccessibleDescription(button.toolTip())

    action.changed.connect(mirror)
    mirror()
    return button


def _lay_out(window: QMainWindow, a: dict[str, QAction], w: EditorWidgets) -> dict[str, QPushButton]:
    b: dict[str, QPushButton] = {}
    b["add_button"] = _button(a["add_action"], "add_item_button")
    b["edit_button"] = _button(a["edit_action"], "edit_item_button")
    b["remove_button"] = _button(a["remove_action"], "remove_item_button")
    b["link_button"] = _button(a["link_action"], "depends_on_button")
    b["visit_button"] = _button(a["visit_action"], "move_to_visit_button")
    b["save_button"] = _button(a["save_action"], "save_draft_button")
    b["approve_button"] = _button(a["approve_action"], "approve_button")
    b["complete_button"] = _button(a["complete_action"], "complete_item_button")
    b["cancel_button"] = _button(a["cancel_action"], "cancel_plan_button")
    b["print_button"] = _button(a["print_action"], "print_preview_button")
    b["dependency_button"] = QPushButton("By dependency")
    b["visit_group_button"] = QPushButton("By visit")
    for button, action, name in (
        (b["dependency_button"], a["by_dependency"], "by_dependency_button"),
        (b["visit_group_button"], a["by_visit"], "by_visit_button"),
    ):
        button.setObjectName(name)
        button.setCheckable(True)
        button.setAutoExclusive(True)
        button.setChecked(action.isChecked())
        button.clicked.connect(action.trigger)
        action.toggled.connect(button.setChecked)

    edit_row = QHBoxLayout()
    for button in (
        b["add_button"],
        b["edit_button"],
        b["remove_button"],
        b["link_button"],
        b["visit_button"],
    ):
        edit_row.addWidget(button)
    edit_row.addStretch(1)
    edit_row.addWidget(QLabel("Show:"))
    edit_row.addWidget(b["dependency_button"])
    edit_row.addWidget(b["visit_group_button"])

    action_row = QHBoxLayout()
    for button in (b["save_button"], b["approve_button"], b["complete_button"], b["print_button"]):
        action_row.addWidget(button)
    action_row.addStretch(1)
    action_row.addWidget(b["cancel_button"])

    for action in (
        a["add_option_action"],
        a["copy_option_action"],
        a["rename_option_action"],
        a["remove_option_action"],
    ):
        w.options.tools.addAction(action)
        button = w.options.tools.widgetForAction(action)
        if button is not None:
            button.setObjectName(f"{action.objectName()}_button")
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(0, 0, 0, 0)
    left_layout.addWidget(w.options)
    left_layout.addLayout(edit_row)
    left_layout.addWidget(w.tree, 1)
    splitter = QSplitter()
    splitter.addWidget(left)
    splitter.addWidget(w.panels)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([880, 300])
    w.panels.setMinimumWidth(260)

    central = QWidget()
    layout = QVBoxLayout(central)
    layout.addWidget(w.title_label)
    layout.addWidget(splitter, 1)
    layout.addWidget(w.totals)
    layout.addWidget(w.approve_reason)
    layout.addWidget(w.message)
    layout.addWidget(w.conflict)
    layout.addLayout(action_row)
    window.setCentralWidget(central)
    order = [
        w.tree,
        b["add_button"],
        b["edit_button"],
        b["remove_button"],
        b["link_button"],
        b["visit_button"],
        b["dependency_button"],
        b["visit_group_button"],
        w.panels,
        b["save_button"],
        b["approve_button"],
        b["complete_button"],
        b["print_button"],
        b["cancel_button"],
    ]
    for first, second in zip(order, order[1:], strict=False):
        QWidget.setTabOrder(first, second)
    return b
