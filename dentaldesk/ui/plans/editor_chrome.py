"""The plan editor's chrome: its actions with their shortcuts, the menus, the buttons and the layout.

Layout only, the way Qt Designer's ``setupUi`` would build it: the functions take the editor, put
the widgets on it and connect each action to the editor's own method. Every button mirrors an
action (text, enabled state, the reason as its tooltip) so mouse, keyboard and menu agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from dentaldesk.ui.plans.plan_model import Grouping

if TYPE_CHECKING:
    from dentaldesk.ui.plans.editor import PlanEditor


def _action(
    editor: PlanEditor,
    text: str,
    name: str,
    slot: Callable[[], object],
    shortcut: str | QKeySequence | None = None,
    tip: str = "",
) -> QAction:
    action = QAction(text, editor)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    editor.addAction(action)
    return action


def make_actions(editor: PlanEditor) -> None:
    editor.new_plan_action = _action(editor, "&New plan…", "new_plan", editor.ask_new_plan, "Ctrl+N")
    editor.add_action = _action(editor, "+ A&dd item…", "add_item", editor.add_item, "Ins")
    editor.edit_action = _action(editor, "Edi&t item…", "edit_item", editor.edit_item, "Ctrl+E")
    editor.fee_action = _action(editor, "Change &fee", "change_fee", editor.edit_fee_in_place, "F2")
    editor.remove_action = _action(
        editor, "&Remove item", "remove_item", editor.remove_item, QKeySequence.StandardKey.Delete
    )
    editor.link_action = _action(editor, "Depends o&n…", "depends_on", editor.depends_on, "Ctrl+D")
    editor.unlink_action = _action(
        editor, "Remove de&pendency", "remove_dependency", editor.remove_dependency, "Ctrl+Shift+D"
    )
    editor.visit_action = _action(editor, "&Move to visit…", "move_to_visit", editor.move_to_visit, "Ctrl+M")
    editor.save_action = _action(editor, "&Save draft", "save_draft", editor.save, QKeySequence.StandardKey.Save)
    editor.approve_action = _action(editor, "Appr&ove plan…", "approve", editor.approve)
    # Ctrl+Enter goes ahead as fits the plan: approve a draft (or a raised total), else complete the
    # selected item; the editor moves the keys between the two actions (see _update_shortcuts).
    editor.complete_action = _action(editor, "&Complete item…", "complete_item", editor.complete_item)
    editor.print_action = _action(
        editor, "Print previe&w…", "print_preview", editor.print_preview, QKeySequence.StandardKey.Print
    )
    editor.cancel_action = _action(editor, "Cance&l plan…", "cancel_plan", editor.cancel_plan)
    # CASE-1: the plan's options (in the Plan menu, and on the option strip's tool bar).
    editor.add_option_action = _action(editor, "Add opt&ion…", "add_option", editor.add_option)
    editor.copy_option_action = _action(editor, "Cop&y option…", "copy_option", editor.copy_option)
    editor.rename_option_action = _action(editor, "Rena&me option…", "rename_option", editor.rename_option)
    editor.remove_option_action = _action(editor, "Remo&ve option…", "remove_option", editor.remove_option)
    editor.next_option_action = _action(editor, "Ne&xt option", "next_option", editor.next_option, "Ctrl+PgDown")
    editor.previous_option_action = _action(
        editor, "Previo&us option", "previous_option", editor.previous_option, "Ctrl+PgUp"
    )
    editor.reload_action = _action(editor, "&Reload", "reload", editor.ask_reload, QKeySequence.StandardKey.Refresh)
    editor.close_action = _action(editor, "&Close", "close_editor", editor.close, QKeySequence.StandardKey.Close)
    # Ctrl+W closes the plan on every platform (the platform's own Close keys too, where it has them).
    close_keys = [QKeySequence("Ctrl+W")]
    close_keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Close) if k not in close_keys]
    editor.close_action.setShortcuts(close_keys)
    editor.undo_action = editor.undo_stack.createUndoAction(editor, "&Undo")
    editor.undo_action.setObjectName("undo")
    editor.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
    editor.redo_action = editor.undo_stack.createRedoAction(editor, "Red&o")
    editor.redo_action.setObjectName("redo")
    redo_keys = [QKeySequence("Ctrl+Y")]
    redo_keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo) if k not in redo_keys]
    editor.redo_action.setShortcuts(redo_keys)
    editor.addAction(editor.undo_action)
    editor.addAction(editor.redo_action)
    editor.by_dependency = QAction("By &dependency", editor, checkable=True)
    editor.by_dependency.setObjectName("by_dependency")
    editor.by_visit = QAction("By &visit", editor, checkable=True)
    editor.by_visit.setObjectName("by_visit")
    group = QActionGroup(editor)
    for action, grouping in ((editor.by_dependency, Grouping.BY_DEPENDENCY), (editor.by_visit, Grouping.BY_VISIT)):
        group.addAction(action)
        action.triggered.connect(lambda _c=False, g=grouping: editor.set_grouping(g))
    editor.by_dependency.setChecked(True)
    editor.toggle_grouping = _action(editor, "Switch &grouping", "toggle_grouping", editor.switch_grouping, "Ctrl+G")


def make_menus(editor: PlanEditor) -> None:
    bar = editor.menuBar()
    plan = bar.addMenu("&Plan")
    for action in (
        editor.new_plan_action,
        editor.save_action,
        editor.approve_action,
        editor.cancel_action,
        editor.reload_action,
    ):
        plan.addAction(action)
    plan.addSeparator()
    for action in (
        editor.add_option_action,
        editor.copy_option_action,
        editor.rename_option_action,
        editor.remove_option_action,
        editor.next_option_action,
        editor.previous_option_action,
    ):
        plan.addAction(action)
    plan.addSeparator()
    plan.addAction(editor.print_action)
    plan.addMenu(_handout_menu(editor))
    plan.addSeparator()
    plan.addAction(editor.close_action)
    edit = bar.addMenu("&Edit")
    edit.setObjectName("edit_menu")
    edit.addAction(editor.undo_action)
    edit.addAction(editor.redo_action)
    edit.addSeparator()
    for action in (
        editor.add_action,
        editor.edit_action,
        editor.fee_action,
        editor.remove_action,
        editor.link_action,
        editor.unlink_action,
        editor.visit_action,
    ):
        edit.addAction(action)
    item = bar.addMenu("&Item")
    item.addAction(editor.complete_action)
    view = bar.addMenu("&View")
    view.addAction(editor.by_dependency)
    view.addAction(editor.by_visit)
    view.addAction(editor.toggle_grouping)


def _handout_menu(editor: PlanEditor):  # type: ignore[no-untyped-def]
    from dentaldesk.ui.plans.print_handout import handout_menu

    return handout_menu(editor.ctx, editor, editor.saved_plan_id, with_print=False)


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


def lay_out(editor: PlanEditor) -> None:
    editor.add_button = _button(editor.add_action, "add_item_button")
    editor.edit_button = _button(editor.edit_action, "edit_item_button")
    editor.remove_button = _button(editor.remove_action, "remove_item_button")
    editor.link_button = _button(editor.link_action, "depends_on_button")
    editor.visit_button = _button(editor.visit_action, "move_to_visit_button")
    editor.save_button = _button(editor.save_action, "save_draft_button")
    editor.approve_button = _button(editor.approve_action, "approve_button")
    editor.complete_button = _button(editor.complete_action, "complete_item_button")
    editor.cancel_button = _button(editor.cancel_action, "cancel_plan_button")
    editor.print_button = _button(editor.print_action, "print_preview_button")
    editor.dependency_button = QPushButton("By dependency")
    editor.visit_group_button = QPushButton("By visit")
    for button, action, name in (
        (editor.dependency_button, editor.by_dependency, "by_dependency_button"),
        (editor.visit_group_button, editor.by_visit, "by_visit_button"),
    ):
        button.setObjectName(name)
        button.setCheckable(True)
        button.setAutoExclusive(True)
        button.setChecked(action.isChecked())
        button.clicked.connect(action.trigger)
        action.toggled.connect(button.setChecked)

    edit_row = QHBoxLayout()
    for button in (
        editor.add_button,
        editor.edit_button,
        editor.remove_button,
        editor.link_button,
        editor.visit_button,
    ):
        edit_row.addWidget(button)
    edit_row.addStretch(1)
    edit_row.addWidget(QLabel("Show:"))
    edit_row.addWidget(editor.dependency_button)
    edit_row.addWidget(editor.visit_group_button)

    action_row = QHBoxLayout()
    for button in (editor.save_button, editor.approve_button, editor.complete_button, editor.print_button):
        action_row.addWidget(button)
    action_row.addStretch(1)
    action_row.addWidget(editor.cancel_button)

    for action in (
        editor.add_option_action,
        editor.copy_option_action,
        editor.rename_option_action,
        editor.remove_option_action,
    ):
        editor.options.tools.addAction(action)
        button = editor.options.tools.widgetForAction(action)
        if button is not None:
            button.setObjectName(f"{action.objectName()}_button")
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(0, 0, 0, 0)
    left_layout.addWidget(editor.options)
    left_layout.addLayout(edit_row)
    left_layout.addWidget(editor.tree, 1)
    splitter = QSplitter()
    splitter.addWidget(left)
    splitter.addWidget(editor.panels)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([880, 300])
    editor.panels.setMinimumWidth(260)

    central = QWidget()
    layout = QVBoxLayout(central)
    layout.addWidget(editor.title_label)
    layout.addWidget(splitter, 1)
    layout.addWidget(editor.totals)
    layout.addWidget(editor.approve_reason)
    layout.addWidget(editor.message)
    layout.addWidget(editor.conflict)
    layout.addLayout(action_row)
    editor.setCentralWidget(central)
    order = [
        editor.tree,
        editor.add_button,
        editor.edit_button,
        editor.remove_button,
        editor.link_button,
        editor.visit_button,
        editor.dependency_button,
        editor.visit_group_button,
        editor.panels,
        editor.save_button,
        editor.approve_button,
        editor.complete_button,
        editor.print_button,
        editor.cancel_button,
    ]
    for first, second in zip(order, order[1:], strict=False):
        QWidget.setTabOrder(first, second)
