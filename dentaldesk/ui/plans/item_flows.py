"""Adding and editing a plan item through the Patient Transactions dialog (TP-6, TX-1).

OK puts the item into the editor's working copy as one named undo step ("Add D2740 #14",
"Change fee of D2740 #14"), with the Taxable and Insurable choices the item keeps for its charge;
nothing is saved until Save draft. While the fee is typed in the dialog, the editor's total
follows it (TP-7).

:class:`ItemFlows` is a controller: it reaches the editor only through :class:`ItemHost`, the few
things it needs, so this module does not import the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from decimal import Decimal
from typing import Protocol

from PySide6.QtGui import QAction, QUndoCommand
from PySide6.QtWidgets import QWidget

from dentaldesk.domain.estimates import PlanLine
from dentaldesk.domain.plan_items import CODE_FIELDS, plan_line
from dentaldesk.domain.plans import ItemFacts, plan_order_key
from dentaldesk.domain.terms import ToothNumbering
from dentaldesk.services.ledger.charge_facts import THIS_CHARGE
from dentaldesk.services.ledger.transactions import transaction_context
from dentaldesk.services.plans import ItemFormFacts, PlanView, quote_fee
from dentaldesk.services.practice.codes import CodeRow
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.plans.commands import AddItemCommand, EditItemCommand
from dentaldesk.ui.plans.working_copy import WorkingItem, WorkingPlan
from dentaldesk.ui.transactions import ChargeEntry, PatientTransactionDialog, ProcedureEntry

# The dialog's procedure values carry the record's names (TP-6), and a code row the code's fields.
_ENTRY_FIELDS = tuple(f.name for f in fields(ProcedureEntry) if f.name != "code")
_CODE_ROW_FIELDS = tuple(name for name in CODE_FIELDS if name in {f.name for f in fields(CodeRow)})


class ItemHost(Protocol):
    """What adding and editing an item needs of the editor."""

    ctx: AppContext
    working: WorkingPlan

    @property
    def view(self) -> PlanView: ...
    def can_edit(self) -> bool: ...
    def edit_refusal(self) -> str: ...
    def show_message(self, text: str) -> None: ...
    def selected_key(self) -> int | None: ...
    def select(self, key: int | None) -> None: ...
    def push(self, command: QUndoCommand) -> None: ...
    def current_plan(self) -> WorkingPlan: ...
    def changed(self) -> None: ...
    def form_facts(self) -> tuple[ItemFormFacts, list[CodeRow]] | None: ...
    def preview_fee(self, key: int | None, fee: Decimal | None) -> None: ...
    def show_working_total(self) -> None: ...
    def open_dialog(self, dialog: QWidget) -> None: ...


def working_lines(working: WorkingPlan) -> list[PlanLine]:
    """INS-9: the working copy's items as the one estimate takes them (``estimate_plan``), as the
    handout and completing an item take the saved plan's, so the dialog's figures match them."""
    preauth = working.view.preauth
    lines = []
    for item in working.ordered():
        saved = working.ids.get(item.key)  # the carrier's answer belongs to saved items
        lines.append(plan_line(item, key=item.key, preauth=preauth.get(saved) if saved is not None else None))
    return lines


def item_order(working: WorkingPlan, key: int | None, visit: int | None) -> tuple[int, int, int]:
    """Where the item sits in plan order; a new item goes last in its visit."""
    if key is not None:
        return working.item(key).order()
    new = ItemFacts(THIS_CHARGE, None, "", None, None, "", None, visit=visit, sequence=working.sequence_after())
    return plan_order_key(new)


class ItemFlows:
    """+ Add item and Edit item: the Patient Transactions dialog on the working copy (TP-6)."""

    def __init__(self, host: ItemHost, parent: QWidget, edit_action: QAction) -> None:
        self.host = host
        self.parent = parent  # the dialogs' window
        self.edit_action = edit_action

    def _item_dialog(
        self,
        title: str,
        initial: ProcedureEntry | None,
        key: int | None,
        on_ok: Callable[[ProcedureEntry, ChargeEntry], None],
        visit: int | None = None,
    ) -> PatientTransactionDialog | None:
        host = self.host
        read = host.form_facts()
        patient_id = host.view.patient_id
        saved_id = host.working.ids.get(key) if key is not None else None
        ok, context = run_op(
            host.ctx,
            self.parent,
            lambda: transaction_context(
                host.ctx.uow(), host.ctx.user, patient_id, plan_item_id=saved_id, with_claims=False
            ),
            off_thread="Opening the item...",
        )
        if read is None or not ok or context is None:
            return None
        facts, codes = read
        kept = host.working.item(key) if key is not None else None
        dialog = PatientTransactionDialog(
            facts,
            codes,
            lambda code: quote_fee(host.ctx.uow(), host.ctx.user, patient_id, code),
            context=context,
            initial=initial,
            taxable=kept.taxable_override if kept is not None else None,
            insurable=kept.insurable_override if kept is not None else None,
            plan_lines=working_lines(host.working),
            order=item_order(host.working, key, visit),
            key=key if key is not None else THIS_CHARGE,
            ctx=host.ctx,
            title=title,
            parent=self.parent,
        )
        dialog.procedure.fee_changed.connect(lambda fee: host.preview_fee(key, fee))
        dialog.accepted.connect(lambda: on_ok(dialog.entry(), dialog.charge_entry()))
        dialog.finished.connect(lambda _r: host.show_working_total())
        host.open_dialog(dialog)
        return dialog

    def open_add(self) -> PatientTransactionDialog | None:
        """ "+ Add item" (Ins): the Patient Transactions dialog; OK adds the item as one undo step."""
        host = self.host
        if not host.can_edit():
            host.show_message(host.edit_refusal())
            return None
        selected = host.working.items.get(host.selected_key() or -1)
        visit = selected.visit if selected is not None else None

        def added(entry: ProcedureEntry, charge: ChargeEntry) -> None:
            working = host.working
            key = working.new_key()
            item = item_from(
                entry, charge, key, visit=visit, sequence=working.sequence_after(), numbering=working.numbering
            )
            host.push(AddItemCommand(host.current_plan, host.changed, item))
            host.select(key)

        return self._item_dialog("Patient Transactions - add plan item", None, None, added, visit)

    def open_edit(self) -> PatientTransactionDialog | None:
        """Edit item (Enter, Ctrl+E): the same dialog on the item; OK is one undo step."""
        host = self.host
        key = host.selected_key()
        if key is None or not self.edit_action.isEnabled():
            host.show_message(self.edit_action.toolTip())
            return None
        before = host.working.item(key)
        read = host.form_facts()
        if read is None:
            return None
        _, codes = read
        code = next((c for c in codes if c.code == before.code), None)
        initial = None
        if code is not None:
            initial = ProcedureEntry(code=code, **{name: getattr(before, name) for name in _ENTRY_FIELDS})

        def edited(entry: ProcedureEntry, charge: ChargeEntry) -> None:
            after = item_from(
                entry,
                charge,
                key,
                visit=before.visit,
                sequence=before.sequence,
                numbering=before.numbering,
                base=before,
            )
            if after != before:
                host.push(EditItemCommand(host.current_plan, host.changed, before, after))

        return self._item_dialog(f"Patient Transactions - {before.label}", initial, key, edited)


def item_from(
    entry: ProcedureEntry,
    charge: ChargeEntry,
    key: int,
    *,
    visit: int | None,
    sequence: int,
    numbering: ToothNumbering,
    base: WorkingItem | None = None,
) -> WorkingItem:
    """The working item the dialog's OK makes: the procedure, and the Taxable and Insurable the
    item keeps for its charge (DOS and Aged are set when it is completed; services.plans)."""
    code = entry.code
    values = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
    values |= {name: getattr(code, name) for name in _CODE_ROW_FIELDS} | {"code_id": code.id, "code": code.code}
    values |= {"taxable_override": charge.taxable, "insurable_override": charge.insurable}
    values |= {"visit": visit, "sequence": sequence}
    if base is not None:  # an edit keeps what the dialog does not show: status, approval, links
        return replace(base, **values)
    return WorkingItem(key=key, numbering=numbering, **values)
