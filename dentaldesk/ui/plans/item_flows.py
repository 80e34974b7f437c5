"""Adding and editing a plan item through the Patient Transactions dialog (TP-6, TX-1).

OK puts the item into the editor's working copy as one named undo step ("Add D2740 #14",
"Change fee of D2740 #14"), with the Taxable and Insurable choices the item keeps for its charge;
nothing is saved until Save draft. While the fee is typed in the dialog, the editor's total
follows it (TP-7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from typing import TYPE_CHECKING

from dentaldesk.domain.estimates import PlanLine
from dentaldesk.domain.plan_items import CODE_FIELDS, plan_line
from dentaldesk.domain.plans import ItemFacts, plan_order_key
from dentaldesk.domain.terms import ToothNumbering
from dentaldesk.services.ledger.charge_facts import THIS_CHARGE
from dentaldesk.services.ledger.transactions import transaction_context
from dentaldesk.services.plans import quote_fee
from dentaldesk.services.practice.codes import CodeRow
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.plans.commands import AddItemCommand, EditItemCommand
from dentaldesk.ui.plans.working_copy import WorkingItem
from dentaldesk.ui.transactions import ChargeEntry, PatientTransactionDialog, ProcedureEntry

if TYPE_CHECKING:
    from dentaldesk.ui.plans.editor import PlanEditor

# The dialog's procedure values carry the record's names (TP-6), and a code row the code's fields.
_ENTRY_FIELDS = tuple(f.name for f in fields(ProcedureEntry) if f.name != "code")
_CODE_ROW_FIELDS = tuple(name for name in CODE_FIELDS if name in {f.name for f in fields(CodeRow)})


def working_lines(editor: PlanEditor) -> list[PlanLine]:
    """INS-9: the working copy's items as the one estimate takes them (``estimate_plan``), as the
    handout and completing an item take the saved plan's, so the dialog's figures match them."""
    working = editor.working
    view = working.view
    lines = []
    for item in working.ordered():
        saved = working.ids.get(item.key)  # the carrier's answer belongs to saved items
        lines.append(plan_line(item, key=item.key, preauth=view.preauth.get(saved) if saved is not None else None))
    return lines


def item_order(editor: PlanEditor, key: int | None, visit: int | None) -> tuple:
    """Where the item sits in plan order; a new item goes last in its visit."""
    working = editor.working
    if key is not None:
        return working.item(key).order()
    new = ItemFacts(THIS_CHARGE, None, "", None, None, "", None, visit=visit, sequence=working.sequence_after())
    return plan_order_key(new)


def _item_dialog(
    editor: PlanEditor,
    title: str,
    initial: ProcedureEntry | None,
    key: int | None,
    on_ok: Callable[[ProcedureEntry, ChargeEntry], None],
    visit: int | None = None,
) -> PatientTransactionDialog | None:
    read = editor.form_facts()
    patient_id = editor.view.patient_id
    saved_id = editor.working.ids.get(key) if key is not None else None
    ok, context = run_op(
        editor.ctx,
        editor,
        lambda: transaction_context(
            editor.ctx.uow(), editor.ctx.user, patient_id, plan_item_id=saved_id, with_claims=False
        ),
    )
    if read is None or not ok or context is None:
        return None
    facts, codes = read
    kept = editor.working.item(key) if key is not None else None
    dialog = PatientTransactionDialog(
        facts,
        codes,
        lambda code: quote_fee(editor.ctx.uow(), editor.ctx.user, patient_id, code),
        context=context,
        initial=initial,
        taxable=kept.taxable_override if kept is not None else None,
        insurable=kept.insurable_override if kept is not None else None,
        plan_lines=working_lines(editor),
        order=item_order(editor, key, visit),
        key=key if key is not None else THIS_CHARGE,
        ctx=editor.ctx,
        title=title,
        parent=editor,
    )
    dialog.procedure.fee_changed.connect(lambda fee: editor.preview_fee(key, fee))
    dialog.accepted.connect(lambda: on_ok(dialog.entry(), dialog.charge_entry()))
    dialog.finished.connect(lambda _r: editor.totals.show_total(editor.working.total()))
    editor.open_dialog(dialog)
    return dialog


def open_add_item(editor: PlanEditor) -> PatientTransactionDialog | None:
    """ "+ Add item" (Ins): the Patient Transactions dialog; OK adds the item as one undo step."""
    if not editor.can_edit():
        editor.show_message(editor.edit_refusal())
        return None
    selected = editor.working.items.get(editor.selected_key() or -1)
    visit = selected.visit if selected is not None else None

    def added(entry: ProcedureEntry, charge: ChargeEntry) -> None:
        key = editor.working.new_key()
        item = item_from(
            entry,
            charge,
            key,
            visit=visit,
            sequence=editor.working.sequence_after(),
            numbering=editor.working.numbering,
        )
        editor.push(AddItemCommand(editor.current_plan, editor.changed, item))
        editor.select(key)

    return _item_dialog(editor, "Patient Transactions - add plan item", None, None, added, visit)


def open_edit_item(editor: PlanEditor) -> PatientTransactionDialog | None:
    key = editor.selected_key()
    if key is None or not editor.edit_action.isEnabled():
        editor.show_message(editor.edit_action.toolTip())
        return None
    before = editor.working.item(key)
    read = editor.form_facts()
    if read is None:
        return None
    _, codes = read
    code = next((c for c in codes if c.code == before.code), None)
    initial = None
    if code is not None:
        initial = ProcedureEntry(code=code, **{name: getattr(before, name) for name in _ENTRY_FIELDS})

    def edited(entry: ProcedureEntry, charge: ChargeEntry) -> None:
        after = item_from(
            entry, charge, key, visit=before.visit, sequence=before.sequence, numbering=before.numbering, base=before
        )
        if after != before:
            editor.push(EditItemCommand(editor.current_plan, editor.changed, before, after))

    return _item_dialog(editor, f"Patient Transactions - {before.label}", initial, key, edited)


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
