"""The plan editor's status actions: approve, complete an item, cancel (TP-3, TP-5, TP-9..TP-15).

These are not undoable editor edits: each is recorded at once through its service (with the
patient, or on the ledger), after the editor's pending edits are saved. Each opens its dialog
window-modal; the dialog runs the service through ``run_op`` and shows a refusal at its field.

:class:`StatusFlows` is a controller: it reaches the editor only through :class:`StatusHost`, and
the actions it guards are handed to it, so this module does not import the editor.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from dentaldesk.domain.errors import RuleViolation
from dentaldesk.domain.plans import check_can_complete
from dentaldesk.domain.terms import ApprovalMethod, PlanStatus
from dentaldesk.services.plans import PlanView, approve, cancel_plan, complete_item, record_approval
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.plans.approval_dialog import ApprovalDialog
from dentaldesk.ui.plans.dialogs import CancelPlanDialog, CompleteItemDialog
from dentaldesk.ui.plans.plan_model import fee_text
from dentaldesk.ui.plans.working_copy import WorkingPlan


class StatusHost(Protocol):
    """What approving, completing and cancelling need of the editor."""

    ctx: AppContext
    plan_id: int
    working: WorkingPlan

    @property
    def view(self) -> PlanView: ...
    def selected_key(self) -> int | None: ...
    def show_message(self, text: str) -> None: ...
    def save_pending(self) -> bool: ...
    def status_changed(self) -> None: ...
    def open_dialog(self, dialog: QWidget) -> None: ...


def completion_refusal(working: WorkingPlan, key: int) -> str | None:
    """Why the item of ``key`` cannot be completed now (TP-9), or None; the plan as saved."""
    db_id = working.ids.get(key)
    view = working.view
    if db_id is None or db_id not in {row.id for row in view.items}:
        return "Save the plan first (Ctrl+S)."
    try:
        check_can_complete(view.facts(), db_id, view.status, view.blocked_item_ids)
    except RuleViolation as exc:
        return exc.message
    return None


class StatusFlows:
    """Approve, Complete item and Cancel plan from the editor (TP-3, TP-5, TP-9..TP-15)."""

    def __init__(
        self,
        host: StatusHost,
        parent: QWidget,
        approve_action: QAction,
        complete_action: QAction,
        cancel_action: QAction,
    ) -> None:
        self.host = host
        self.parent = parent  # the dialogs' window
        self.approve_action = approve_action
        self.complete_action = complete_action
        self.cancel_action = cancel_action

    def open_approval(self) -> ApprovalDialog | None:
        """Approve plan (TP-5, TP-15) or record a new approval of a raised total (TP-12)."""
        host = self.host
        if not self.approve_action.isEnabled():
            host.show_message(self.approve_action.toolTip())
            return None
        if not host.save_pending():
            return None
        if not self.approve_action.isEnabled():  # what was saved left nothing new to approve
            host.show_message(self.approve_action.toolTip())
            return None
        reapproval = host.view.status is PlanStatus.APPROVED
        version = host.view.version

        def submit(dialog: ApprovalDialog, approver: str, method: ApprovalMethod, png: bytes | None) -> bool:
            service = record_approval if reapproval else approve
            ctx, actor, plan_id = host.ctx, host.ctx.user, host.plan_id
            option_id = host.view.option_id or None  # CASE-1: the option shown is the one approved
            ok, _ = run_op(
                ctx,
                dialog,
                lambda: service(
                    ctx.uow(),
                    actor,
                    plan_id,
                    expected_version=version,
                    approver_name=approver,
                    method=method,
                    signature_png=png,
                    option_id=option_id,
                ),
                changed="plans",
                field_labels=dialog.errors,
                fallback=dialog.general,
                off_thread="Recording the approval...",
            )
            return ok

        dialog = ApprovalDialog(host.view, submit, reapproval=reapproval, parent=self.parent)
        dialog.accepted.connect(host.status_changed)
        host.open_dialog(dialog)
        return dialog

    def open_completion(self) -> CompleteItemDialog | None:
        """Complete the selected item at this visit (TP-9, TP-12, TP-13, TP-10)."""
        host = self.host
        key = host.selected_key()
        if key is None or not self.complete_action.isEnabled():
            host.show_message(self.complete_action.toolTip())
            return None
        if not host.save_pending():
            return None
        refusal = completion_refusal(host.working, key)
        if refusal:
            host.show_message(refusal)
            return None
        item = host.working.item(key)
        db_id = host.working.ids[key]
        version = host.view.version

        def submit(dialog: CompleteItemDialog, dos: dt.date) -> bool:
            ctx, actor, plan_id = host.ctx, host.ctx.user, host.plan_id
            confirmed = dialog.back_dating_confirmed()
            ok, _ = run_op(
                ctx,
                dialog,
                lambda: complete_item(
                    ctx.uow(),
                    actor,
                    plan_id,
                    db_id,
                    expected_version=version,
                    completed_on=dos,
                    back_dating_confirmed=confirmed,
                ),
                changed="plans",
                field_labels=dialog.errors,
                fallback=dialog.general,
                off_thread="Completing the item and posting its charge...",
            )
            return ok

        dialog = CompleteItemDialog(item.label, item.name, fee_text(item), submit, parent=self.parent)
        dialog.accepted.connect(host.status_changed)
        host.open_dialog(dialog)
        return dialog

    def open_cancel(self) -> CancelPlanDialog | None:
        """Cancel plan: asks the reason (TP-3)."""
        host = self.host
        if not self.cancel_action.isEnabled():
            host.show_message(self.cancel_action.toolTip())
            return None
        if not host.save_pending():
            return None
        version = host.view.version

        def submit(dialog: CancelPlanDialog, reason: str) -> bool:
            ctx, actor, plan_id = host.ctx, host.ctx.user, host.plan_id
            ok, _ = run_op(
                ctx,
                dialog,
                lambda: cancel_plan(ctx.uow(), actor, plan_id, reason, expected_version=version),
                changed="plans",
                field_labels=dialog.errors,
                fallback=dialog.general,
                off_thread="Cancelling the plan...",
            )
            return ok

        dialog = CancelPlanDialog(host.view.title, submit, self.parent)
        dialog.accepted.connect(host.status_changed)
        host.open_dialog(dialog)
        return dialog
