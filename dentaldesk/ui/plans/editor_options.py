"""The plan editor's option actions (CASE-1): switch option, add, copy, rename, remove.

The editor's working copy is of one option at a time; switching saves the pending edits first
(as approving does), then loads the other option with a new undo history. Adding, copying,
renaming and removing an option are recorded at once through their services (not undo steps),
after the pending edits are saved; each opens its dialog window-modal and shows a refusal at its
field.

:class:`OptionFlows` is a controller: it reaches the editor only through :class:`OptionHost`, so
this module does not import the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from dentaldesk.domain.errors import RuleViolation
from dentaldesk.domain.options import (
    check_can_add_option,
    check_can_remove_option,
    check_option_editable,
    default_option_name,
)
from dentaldesk.domain.terms import PLAN_EDITOR_ROLES, PlanStatus, Role
from dentaldesk.services.plans import PlanView
from dentaldesk.services.plans.inputs import PlanSaved
from dentaldesk.services.plans.options import add_option, remove_option, rename_option
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.plans.options_panel import OptionNameDialog, OptionsStrip

EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.APPROVED})


def _rule(check: object) -> str:
    """The refusal a pure CASE-1 rule gives, or "" when it allows."""
    try:
        check()
    except RuleViolation as exc:
        return exc.message
    return ""


class OptionHost(Protocol):
    """What the option actions need of the editor."""

    ctx: AppContext
    plan_id: int
    option_id: int | None  # the option the editor loads next (None: the plan's counted one)
    message: QLabel

    @property
    def view(self) -> PlanView: ...
    def is_dirty(self) -> bool: ...
    def save(self) -> bool: ...
    def save_pending(self) -> bool: ...
    def reload(self) -> None: ...
    def status_changed(self) -> None: ...
    def show_message(self, text: str) -> None: ...
    def open_dialog(self, dialog: QWidget) -> None: ...
    def ask(
        self,
        text: str,
        yes: QMessageBox.StandardButton,
        then: Callable[[QMessageBox.StandardButton], None],
        extra: QMessageBox.StandardButton | None = None,
    ) -> QMessageBox: ...


def option_refusals(role: Role, view: PlanView) -> dict[str, str]:
    """Why each option action is not offered now ("" = offered), from the CASE-1 rules."""
    options = list(view.options)
    base = ""
    if role not in PLAN_EDITOR_ROLES:
        base = f"{role.label} users cannot change treatment plans (TP-1)."
    elif view.status not in EDITABLE:
        base = "This plan can no longer be changed."
    return {
        "add": base or _rule(lambda: check_can_add_option(options)),
        "copy": base or _rule(lambda: check_can_add_option(options)),
        "rename": base or _rule(lambda: check_option_editable(options, view.option_id)),
        "remove": base or _rule(lambda: check_can_remove_option(options, view.option_id)),
    }


def not_chosen_banner(view: PlanView) -> str:
    if not view.is_not_chosen:
        return ""
    chosen = next((o.name for o in view.options if o.chosen), "")
    return (
        f'Not chosen: the patient approved "{chosen}". "{view.option_name}" is kept as it was presented; '
        "it cannot be changed and none of its items can be completed (CASE-1)."
    )


class OptionFlows:
    """Show, add, copy, rename and remove the plan's options from the editor (CASE-1)."""

    def __init__(self, host: OptionHost, parent: QWidget, strip: OptionsStrip, items: QWidget) -> None:
        self.host = host
        self.parent = parent  # the dialogs' window
        self.strip = strip  # the option tabs
        self.items = items  # the item list, which takes the keyboard after a switch

    def refusals(self) -> dict[str, str]:
        return option_refusals(self.host.ctx.user.role, self.host.view)

    def show_option(self, option_id: int) -> bool:
        """Show another option: pending edits are saved first; a refused save stays on this one."""
        host = self.host
        if option_id == host.view.option_id:
            return True
        if host.is_dirty() and not host.save():
            self.strip.select_option(host.view.option_id)
            return False
        host.option_id = option_id
        host.reload()
        self.items.setFocus()
        return True

    def step_option(self, step: int) -> None:
        """Ctrl+PgDown / Ctrl+PgUp: the next or previous option."""
        host = self.host
        ids = [o.id for o in host.view.options]
        if len(ids) < 2:
            return
        here = ids.index(host.view.option_id)
        self.show_option(ids[(here + step) % len(ids)])

    def _after(self, option_id: int | None) -> None:
        host = self.host
        host.option_id = option_id
        host.status_changed()

    def _ready(self, action: str) -> bool:
        """The option action may go ahead: the CASE-1 rules allow it and the pending edits are saved."""
        refusal = self.refusals()[action]
        if refusal:
            self.host.show_message(refusal)
            return False
        return self.host.save_pending()

    def _name_dialog(
        self,
        title: str,
        button: str,
        name: str,
        record: Callable[[UnitOfWork, str, int], PlanSaved],
        shown_after: Callable[[PlanSaved], int | None],
    ) -> OptionNameDialog:
        """The option name dialog; OK records the name through ``record(uow, name, version)``."""
        host = self.host

        def submit(dialog: OptionNameDialog, typed: str) -> bool:
            version = host.view.version
            ok, saved = run_op(
                host.ctx,
                dialog,
                lambda: record(host.ctx.uow(), typed, version),
                changed="plans",
                field_labels=dialog.errors,
                fallback=dialog.general,
            )
            if ok and saved is not None:
                self._after(shown_after(saved))
            return ok

        dialog = OptionNameDialog(title, button, name, submit, parent=self.parent)
        host.open_dialog(dialog)
        return dialog

    def open_add_option(self, *, copy: bool) -> OptionNameDialog | None:
        """Add option (empty) or Copy option (this option's items as the start of another)."""
        if not self._ready("copy" if copy else "add"):
            return None
        host = self.host
        view = host.view
        source = view.option_id if copy else None
        return self._name_dialog(
            f'Copy "{view.option_name}" as a new option' if copy else "Add an option",
            "&Add option",
            default_option_name(list(view.options)),
            lambda uow, typed, version: add_option(
                uow, host.ctx.user, host.plan_id, typed, expected_version=version, copy_from=source
            ),
            lambda saved: saved.option_id,
        )

    def open_rename_option(self) -> OptionNameDialog | None:
        if not self._ready("rename"):
            return None
        host = self.host
        option_id = host.view.option_id
        return self._name_dialog(
            "Rename the option",
            "&Rename",
            host.view.option_name,
            lambda uow, typed, version: rename_option(
                uow, host.ctx.user, host.plan_id, option_id, typed, expected_version=version
            ),
            lambda _saved: option_id,
        )

    def ask_remove_option(self) -> QMessageBox | None:
        """Remove option: asks first; the option's items, links and planned marks go with it."""
        if not self._ready("remove"):
            return None
        host = self.host
        view = host.view
        option_id, version = view.option_id, view.version

        def answered(answer: QMessageBox.StandardButton) -> None:
            if answer != QMessageBox.StandardButton.Yes:
                return
            ok, _ = run_op(
                host.ctx,
                self.parent,
                lambda: remove_option(host.ctx.uow(), host.ctx.user, host.plan_id, option_id, expected_version=version),
                changed="plans",
                fallback=host.message,
            )
            if ok:
                self._after(None)

        count = len(view.items)
        return host.ask(
            f'Remove the option "{view.option_name}" and its {count} item{"s" if count != 1 else ""}?',
            QMessageBox.StandardButton.Yes,
            answered,
        )
