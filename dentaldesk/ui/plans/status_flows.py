"""The plan editor's status actions: approve, complete an item, cancel (TP-3, TP-5, TP-9..TP-15).

These are not undoable editor edits: each is recorded at once through its service (with the
patient, or on the ledger), after the editor's pending edits are saved. Each opens its dialog
window-modal; the dialog runs the service through ``run_op`` and shows a refusal at its field.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from dentaldesk.domain.errors import RuleViolation
from dentaldesk.domain.plans import check_can_complete
from dentaldesk.domain.terms import ApprovalMethod, PlanStatus
from dentaldesk.services.plans import approve, cancel_plan, complete_item, record_approval
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.plans.approval_dialog import ApprovalDialog
from dentaldesk.ui.plans.dialogs import CancelPlanDialog, CompleteItemDialog
from dentaldesk.ui.plans.plan_model import fee_text

if TYPE_CHECKING:
    from dentaldesk.ui.plans.editor import PlanEditor


def completion_refusal(editor: PlanEditor, key: int) -> str | None:
    db_id = editor.working.ids.get(key)
    view = editor.view
    if db_id is None or db_id not in {row.id for row in view.items}:
        return "Save the plan first (Ctrl+S)."
    try:
        check_can_complete(view.facts(), db_id, view.status, view.blocked_item_ids)
    except RuleViolation as exc:
        return exc.message
    return None


def open_approval(editor: PlanEditor) -> ApprovalDialog | None:
    """Approve plan (TP-5, TP-15) or record a new approval of a raised total (TP-12)."""
    if not editor.approve_action.isEnabled():
        editor.show_message(editor.approve_action.toolTip())
        return None
    if not editor.save_pending():
        return None
    if not editor.approve_action.isEnabled():  # what was saved left nothing new to approve
        editor.show_message(editor.approve_action.toolTip())
        return None
    reapproval = editor.view.status is PlanStatus.APPROVED
    version = editor.view.version

    def submit(dialog: ApprovalDialog, approver: str, method: ApprovalMethod, png: bytes | None) -> bool:
        service = record_approval if reapproval else approve
        ok, _ = run_op(
            editor.ctx,
            dialog,
            lambda: service(
                editor.ctx.uow(),
                editor.ctx.user,
                editor.plan_id,
                expected_version=version,
                approver_name=approver,
                method=method,
                signature_png=png,
                option_id=editor.view.option_id or None,  # CASE-1: the option shown is the one approved
            ),
            changed="plans",
            field_labels=dialog.errors,
            fallback=dialog.general,
        )
        return ok

    dialog = ApprovalDialog(editor.view, submit, reapproval=reapproval, parent=editor)
    dialog.accepted.connect(editor.status_changed)
    editor.open_dialog(dialog)
    return dialog


def open_completion(editor: PlanEditor) -> CompleteItemDialog | None:
    """Complete the selected item at this visit (TP-9, TP-12, TP-13, TP-10)."""
    key = editor.selected_key()
    if key is None or not editor.complete_action.isEnabled():
        editor.show_message(editor.complete_action.toolTip())
        return None
    if not editor.save_pending():
        return None
    refusal = completion_refusal(editor, key)
    if refusal:
        editor.show_message(refusal)
        return None
    item = editor.working.item(key)
    db_id = editor.working.ids[key]
    version = editor.view.version

    def submit(dialog: CompleteItemDialog, dos: dt.date) -> bool:
        ok, _ = run_op(
            editor.ctx,
            dialog,
            lambda: complete_item(
                editor.ctx.uow(),
                editor.ctx.user,
                editor.plan_id,
                db_id,
                expected_version=version,
                completed_on=dos,
                back_dating_confirmed=dialog.back_dating_confirmed(),
            ),
            changed="plans",
            field_labels=dialog.errors,
            fallback=dialog.general,
        )
        return ok

    dialog = CompleteItemDialog(item.label, item.name, fee_text(item), submit, parent=editor)
    dialog.accepted.connect(editor.status_changed)
    editor.open_dialog(dialog)
    return dialog


def open_cancel(editor: PlanEditor) -> CancelPlanDialog | None:
    """Cancel plan: asks the reason (TP-3)."""
    if not editor.cancel_action.isEnabled():
        editor.show_message(editor.cancel_action.toolTip())
        return None
    if not editor.save_pending():
        return None
    version = editor.view.version

    def submit(dialog: CancelPlanDialog, reason: str) -> bool:
        ok, _ = run_op(
            editor.ctx,
            dialog,
            lambda: cancel_plan(editor.ctx.uow(), editor.ctx.user, editor.plan_id, reason, expected_version=version),
            changed="plans",
            field_labels=dialog.errors,
            fallback=dialog.general,
        )
        return ok

    dialog = CancelPlanDialog(editor.view.title, submit, editor)
    dialog.accepted.connect(editor.status_changed)
    editor.open_dialog(dialog)
    return dialog
