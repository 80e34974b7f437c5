"""The plan editor's option actions (CASE-1): switch option, add, copy, rename, remove.

The editor's working copy is of one option at a time; switching saves the pending edits first
(as approving does), then loads the other option with a new undo history. Adding, copying,
renaming and removing an option are recorded at once through their services (not undo steps),
after the pending edits are saved; each opens its dialog window-modal and shows a refusal at its
field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from dentaldesk.domain.errors import RuleViolation
from dentaldesk.domain.options import (
    check_can_add_option,
    check_can_remove_option,
    check_option_editable,
    default_option_name,
)
from dentaldesk.domain.terms import PLAN_EDITOR_ROLES, PlanStatus
from dentaldesk.services.plans.inputs import PlanSaved
from dentaldesk.services.plans.options import add_option, remove_option, rename_option
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.plans.options_panel import OptionNameDialog

if TYPE_CHECKING:
    from dentaldesk.ui.plans.editor import PlanEditor

EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.APPROVED})


def _rule(check: object) -> str:
    """The refusal a pure CASE-1 rule gives, or "" when it allows."""
    try:
        check()  # type: ignore[operator]
    except RuleViolation as exc:
        return exc.message
    return ""


def option_refusals(editor: PlanEditor) -> dict[str, str]:
    """Why each option action is not offered now ("" = offered), from the CASE-1 rules."""
    view = editor.view
    options = list(view.options)
    base = ""
    if editor.ctx.user.role not in PLAN_EDITOR_ROLES:
        base = f"{editor.ctx.user.role.label} users cannot change treatment plans (TP-1)."
    elif view.status not in EDITABLE:
        base = "This plan can no longer be changed."
    return {
        "add": base or _rule(lambda: check_can_add_option(options)),
        "copy": base or _rule(lambda: check_can_add_option(options)),
        "rename": base or _rule(lambda: check_option_editable(options, view.option_id)),
        "remove": base or _rule(lambda: check_can_remove_option(options, view.option_id)),
    }


def not_chosen_banner(editor: PlanEditor) -> str:
    view = editor.view
    if not view.is_not_chosen:
        return ""
    chosen = next((o.name for o in view.options if o.chosen), "")
    return (
        f'Not chosen: the patient approved "{chosen}". "{view.option_name}" is kept as it was presented; '
        "it cannot be changed and none of its items can be completed (CASE-1)."
    )


def show_option(editor: PlanEditor, option_id: int) -> bool:
    """Show another option: pending edits are saved first; a refused save stays on this one."""
    if option_id == editor.view.option_id:
        return True
    if editor.is_dirty() and not editor.save():
        editor.options.select_option(editor.view.option_id)
        return False
    editor.option_id = option_id
    editor.reload()
    editor.tree.setFocus()
    return True


def step_option(editor: PlanEditor, step: int) -> None:
    """Ctrl+PgDown / Ctrl+PgUp: the next or previous option."""
    ids = [o.id for o in editor.view.options]
    if len(ids) < 2:
        return
    here = ids.index(editor.view.option_id)
    show_option(editor, ids[(here + step) % len(ids)])


def _after(editor: PlanEditor, saved: PlanSaved | None, option_id: int | None) -> None:
    editor.option_id = option_id
    editor.status_changed()


def open_add_option(editor: PlanEditor, *, copy: bool) -> OptionNameDialog | None:
    """Add option (empty) or Copy option (this option's items as the start of another)."""
    refusal = option_refusals(editor)["copy" if copy else "add"]
    if refusal:
        editor.show_message(refusal)
        return None
    if not editor.save_pending():
        return None
    view = editor.view
    source = view.option_id if copy else None
    name = default_option_name(list(view.options))

    def submit(dialog: OptionNameDialog, typed: str) -> bool:
        version = editor.view.version
        ok, saved = run_op(
            editor.ctx,
            dialog,
            lambda: add_option(
                editor.ctx.uow(), editor.ctx.user, editor.plan_id, typed, expected_version=version, copy_from=source
            ),
            changed="plans",
            field_labels=dialog.errors,
            fallback=dialog.general,
        )
        if ok and saved is not None:
            _after(editor, saved, saved.option_id)
        return ok

    title = f'Copy "{view.option_name}" as a new option' if copy else "Add an option"
    dialog = OptionNameDialog(title, "&Add option", name, submit, parent=editor)
    editor.open_dialog(dialog)
    return dialog


def open_rename_option(editor: PlanEditor) -> OptionNameDialog | None:
    refusal = option_refusals(editor)["rename"]
    if refusal:
        editor.show_message(refusal)
        return None
    if not editor.save_pending():
        return None
    option_id = editor.view.option_id

    def submit(dialog: OptionNameDialog, typed: str) -> bool:
        version = editor.view.version
        ok, saved = run_op(
            editor.ctx,
            dialog,
            lambda: rename_option(
                editor.ctx.uow(), editor.ctx.user, editor.plan_id, option_id, typed, expected_version=version
            ),
            changed="plans",
            field_labels=dialog.errors,
            fallback=dialog.general,
        )
        if ok:
            _after(editor, saved, option_id)
        return ok

    dialog = OptionNameDialog("Rename the option", "&Rename", editor.view.option_name, submit, parent=editor)
    editor.open_dialog(dialog)
    return dialog


def ask_remove_option(editor: PlanEditor) -> QMessageBox | None:
    """Remove option: asks first; the option's items, links and planned marks go with it."""
    refusal = option_refusals(editor)["remove"]
    if refusal:
        editor.show_message(refusal)
        return None
    if not editor.save_pending():
        return None
    view = editor.view
    option_id, version = view.option_id, view.version

    def answered(answer: QMessageBox.StandardButton) -> None:
        if answer != QMessageBox.StandardButton.Yes:
            return
        ok, saved = run_op(
            editor.ctx,
            editor,
            lambda: remove_option(
                editor.ctx.uow(), editor.ctx.user, editor.plan_id, option_id, expected_version=version
            ),
            changed="plans",
            fallback=editor.message,
        )
        if ok:
            _after(editor, saved, None)

    count = len(view.items)
    return editor._ask(
        f'Remove the option "{view.option_name}" and its {count} item{"s" if count != 1 else ""}?',
        QMessageBox.StandardButton.Yes,
        answered,
    )
