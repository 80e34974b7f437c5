"""The Patient Transactions window opened from the Ledger: post a completed procedure, or open a
posted charge (double-click or Enter on its row).

Posting (``Mode.POST``) saves the charge, its chart mark and its claim line with one service call,
:func:`~dentaldesk.services.ledger.transactions.post_transaction`. A posted charge (``Mode.POSTED``)
shows what it was posted with, read-only, and lets the person change its notes, its Aged date and,
for an insurable charge on no claim yet, put it on one of the patient's open claims, saved by
:func:`~dentaldesk.services.ledger.transactions.edit_posted_charge` with audit (see that module for why
the rest stays read-only). Remove Chart Graphic is offered for the charge's mark (TX-CHART-1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtWidgets import QWidget

from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.money import format_money
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.times import shown_day
from dentaldesk.services.ledger.transactions import (
    KEEP,
    PostedChargeView,
    TransactionContext,
    edit_posted_charge,
    post_transaction,
    posted_charge,
    transaction_context,
)
from dentaldesk.services.plans import ItemFormFacts, item_form_facts, quote_fee
from dentaldesk.services.practice.codes import CodeRow, office_codes
from dentaldesk.ui.kit.conflicts import ConflictBar
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.transactions.charges import DEFAULT_AGED, Mode
from dentaldesk.ui.transactions.dialog import PatientTransactionDialog
from dentaldesk.ui.transactions.procedure import ProcedureEntry

Done = Callable[[str], None]


def open_post_charge(
    ctx: AppContext, patient_id: int, done: Done, parent: QWidget | None = None
) -> PatientTransactionDialog | None:
    """ "Post charge…": a completed procedure typed in the dialog, posted in one action (TX-*).

    None when what the dialog shows could not be read (the refusal is shown)."""

    def read() -> tuple[ItemFormFacts, list[CodeRow], TransactionContext]:
        uow = ctx.uow()
        return (
            item_form_facts(uow, ctx.user, patient_id, ctx.user.provider_id),
            office_codes(uow, ctx.user, include_inactive=True),
            transaction_context(uow, ctx.user, patient_id),
        )

    ok, found = run_op(ctx, parent, read)
    if not ok or found is None:
        return None
    facts, codes, context = found

    def submit(dialog: PatientTransactionDialog) -> bool:
        entry, charge = dialog.entry(), dialog.charge_entry()
        aged = {} if charge.aged is DEFAULT_AGED else {"aged_date": charge.aged}
        ok, posted = run_op(
            ctx,
            dialog,
            lambda: post_transaction(
                ctx.uow(),
                ctx.user,
                patient_id=patient_id,
                procedure_code_id=entry.code.id,
                fee=entry.fee if entry.fee is not None else "",
                dos=charge.dos,
                tooth=display_tooth(entry.tooth, facts.numbering),
                surfaces=entry.surfaces,
                production_provider_id=entry.provider_id,
                collection_provider_id=entry.collection_provider_id,
                rtu=entry.rtu,
                taxable=charge.taxable,
                insurable=charge.insurable,
                notes=entry.notes,
                claim_id=charge.claim_id,
                back_dating_confirmed=charge.back_dating_confirmed,
                **aged,
            ),
            changed="ledger",
            field_labels=dialog.field_labels(),
            fallback=dialog.general,
        )
        if ok and posted is not None:
            done(
                f"{entry.code.code} posted: {format_money(posted.amount)} and tax {format_money(posted.tax)}. "
                f"Balance now {format_money(posted.balance)}."
            )
        return ok

    dialog = PatientTransactionDialog(
        facts,
        codes,
        lambda code: quote_fee(ctx.uow(), ctx.user, patient_id, code),
        context=context,
        mode=Mode.POST,
        ctx=ctx,
        submit=submit,
        title="Patient Transactions - post a completed procedure",
        parent=parent,
    )
    dialog.open()
    return dialog


def open_posted_charge(
    ctx: AppContext, transaction_id: int, done: Done, parent: QWidget | None = None
) -> PatientTransactionDialog | None:
    """A posted charge: its money read-only; notes, Aged date and claim link editable.

    A charge that is no procedure is refused with a typed error for the caller's message line;
    None when what the dialog shows could not be read (the refusal is shown)."""

    def read() -> tuple[PostedChargeView, tuple[ItemFormFacts, list[CodeRow], TransactionContext] | None]:
        uow = ctx.uow()
        view = posted_charge(uow, ctx.user, transaction_id)
        if view.procedure_code_id is None:
            return view, None
        return view, (
            item_form_facts(uow, ctx.user, view.patient_id),
            office_codes(uow, ctx.user, include_inactive=True),
            transaction_context(
                uow, ctx.user, view.patient_id, transaction_id=view.transaction_id, plan_item_id=view.plan_item_id
            ),
        )

    ok, found = run_op(ctx, parent, read)
    if not ok or found is None:
        return None
    view, shown = found
    if shown is None:
        raise DentalDeskError("A debit adjustment is not a procedure; its reason is in the ledger.")
    facts, codes, context = shown
    code = next((c for c in codes if c.id == view.procedure_code_id), None)
    if code is None:
        raise DentalDeskError("This charge's procedure code is no longer in the office's list.")
    when = shown_day(view.posted_at)
    initial = ProcedureEntry(
        code=code,
        tooth=view.tooth,
        surfaces=view.surfaces,
        provider_id=view.production_provider_id,
        provider_name=view.production_provider,
        collection_provider_id=view.collection_provider_id,
        fee=view.fee,
        schedule_fee=None,
        fee_source=f"Posted {when}" + (f" by {view.posted_by}" if view.posted_by else ""),
        rtu=view.rtu,
        notes=view.notes,
    )

    state = {"view": view}  # the charge as last loaded: its version, and the base a reload re-applies onto

    def submit(dialog: PatientTransactionDialog) -> bool:
        charge = dialog.charge_entry()
        loaded = state["view"]
        aged = KEEP if charge.aged == loaded.aged_date else charge.aged
        ok, edited = run_op(
            ctx,
            dialog,
            lambda: edit_posted_charge(
                ctx.uow(),
                ctx.user,
                loaded.transaction_id,
                expected_version=loaded.version,
                notes=charge.notes,
                aged_date=aged,
                claim_id=charge.claim_id,
            ),
            changed="ledger",
            field_labels=dialog.field_labels(),
            fallback=dialog.general,
            conflict=conflict,
        )
        if ok and edited is not None:
            done(
                f"{code.code} of {view.dos:%Y-%m-%d}: "
                + (f"{', '.join(edited.changed)} saved." if edited.changed else "nothing changed.")
            )
        return ok

    dialog = PatientTransactionDialog(
        facts,
        codes,
        lambda c: quote_fee(ctx.uow(), ctx.user, view.patient_id, c),
        context=context,
        mode=Mode.POSTED,
        initial=initial,
        dos=view.dos,
        ctx=ctx,
        submit=submit,
        title=f"Patient Transactions - {code.code} posted {view.dos:%Y-%m-%d}",
        parent=parent,
    )
    show_posted(dialog, view)

    def reload_keeping_edits() -> None:
        """DATA-4: the charge as the other workstation saved it, with this person's edits re-applied."""
        charge = dialog.charge_entry()
        mine = PostedEdits(
            charge.notes, state["view"].aged_date if charge.aged is DEFAULT_AGED else charge.aged, charge.claim_id
        )
        fresh: list[PostedChargeView] = []

        def fetch() -> PostedEdits:
            fresh.append(posted_charge(ctx.uow(), ctx.user, transaction_id))
            return _edits_of(fresh[-1])

        def show(edits: PostedEdits) -> None:
            show_posted(dialog, replace(fresh[-1], aged_date=edits.aged))
            dialog.procedure.notes.setPlainText(edits.notes)
            claim = dialog.insurance.claim
            if edits.claim_id is not None and claim.findData(edits.claim_id) >= 0:
                claim.setCurrentIndex(claim.findData(edits.claim_id))

        if reload_keeping_edits(conflict, _edits_of(state["view"]), mine, fetch, show, POSTED_CAPTIONS) is not None:
            state["view"] = fresh[-1]

    conflict = ConflictBar(reload_keeping_edits, dialog, name="charge_conflict")
    dialog.add_conflict_bar(conflict)
    dialog.open()
    return dialog


@dataclass(frozen=True)
class PostedEdits:
    """What can change on a posted charge, for re-applying a person's edits (DATA-4)."""

    notes: str
    aged: dt.date | None
    claim_id: int | None


POSTED_CAPTIONS = {"notes": "Notes", "aged": "Aged", "claim_id": "Claim"}


def _edits_of(view: PostedChargeView) -> PostedEdits:
    return PostedEdits(view.notes or "", view.aged_date, view.claim.claim_id if view.claim else None)


def show_posted(dialog: PatientTransactionDialog, view: PostedChargeView) -> None:
    """Fill the dialog with what the charge was posted with (TX-INS-2/5 from its claim line)."""
    procedure = dialog.procedure
    for combo, provider_id, name in (
        (procedure.provider, view.production_provider_id, view.production_provider),
        (procedure.collection, view.collection_provider_id, view.collection_provider),
    ):
        if provider_id is not None and combo.findData(provider_id) < 0:
            combo.addItem(f"{name} (inactive)", provider_id)  # a provider who has left
        if provider_id is not None:
            combo.setCurrentIndex(combo.findData(provider_id))
    procedure.set_read_only(notes_editable=True)
    procedure.notes.setFocus()  # the code and money are as posted; the notes are what one edits
    held = ""
    complete = view.claim is not None and view.claim.status.value == "complete"
    if view.held_amount > 0 and complete:
        held = (
            f"{format_money(view.held_amount)} was held for insurance; its claim is complete, so what "
            "insurance did not pay of it ages from the final payment's date (TX-AGE-3/4)."
        )
    elif view.held_amount > 0:
        held = f"{format_money(view.held_amount)} held for insurance, current until the claim is complete."
        if view.aged_date is not None:
            held += " The patient's part ages from the Aged date."
    elif view.aged_date is None:
        held = "Blank: the charge stays current until a date is chosen."
    dialog.charges.show_posted(
        taxable=view.taxable, tax_text=f"Tax {format_money(view.tax)}", aged=view.aged_date, held_text=held
    )
    # INS-8/INS-9: what the charge was posted with and what its claim made of it; no re-estimate.
    insurance = dialog.insurance
    coverage = "Not insurable"
    if view.insurable:
        coverage = f"On claim {view.claim.claim_number} - {view.claim.carrier}" if view.claim else "Not on a claim yet"
    insurance.show_posted_money(
        charge=view.fee + view.tax,
        write_off=view.write_off,
        insurance=view.insurance,
        insurance_paid=view.insurance_paid,
        patient_owes=view.patient_owes,
        deductible=view.deductible,
        insurable=view.insurable,
        coverage=coverage,
    )
    if view.insurance_paid:
        pays = format_money(view.insurance)
        explanation = (
            f"Insurance paid {pays} when the claim completed; estimated "
            f"{format_money(view.estimated_insurance)} when posted: {view.estimate_note}"
        )
    else:
        pays = format_money(view.estimated_insurance)
        explanation = f"Estimated when posted: {view.estimate_note}" if view.estimate_note else ""
    insurance.show_posted(view.claim, view.insurable, pays, explanation)
