"""Posting to the account ledger: charges (with tax and ICM aging), inside the caller's action.

``post_charge_in`` is the one way a charge reaches the ledger: the plan's "complete item"
(TP-13), the Patient Transactions dialog and the ledger all call it inside their own unit of work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk.db.models import Account, Office, Patient, ProcedureCode, LedgerTransaction
from dentaldesk.domain.aging import charge_aging_parts, check_aged_date, check_dos
from dentaldesk.domain.errors import NotFound, ValidationError
from dentaldesk.domain.estimates import EstimateInput
from dentaldesk.domain.money import ZERO, money
from dentaldesk.domain.tax import tax_amount, taxable_state
from dentaldesk.domain.terms import Icm, TransactionKind
from dentaldesk.services import audit
from dentaldesk.services.actor import Actor
from dentaldesk.services.pricing import estimate_for_patient, load_coverages

_DEFAULT = object()


@dataclass(frozen=True)
class ChargeFacts:
    """What the Charges/Aging and Insurance sections show for a charge before it is posted."""

    taxable_enabled: bool
    taxable: bool
    taxable_reason: str
    tax: Decimal
    insurable: bool
    estimated_insurance: Decimal
    aged_date: dt.date | None
    held_amount: Decimal


def charge_facts(
    session: Session,
    patient_id: int,
    code: ProcedureCode,
    fee: Decimal,
    dos: dt.date,
    *,
    taxable: bool | None = None,
    insurable: bool | None = None,
) -> ChargeFacts:
    """TX-TAX-1/2, TX-INS-1, TX-AGE-2..4 for one charge of ``fee`` on ``dos``."""
    found = session.execute(
        select(Office, Account)
        .join(Patient, Patient.office_id == Office.id)
        .join(Account, Account.id == Patient.account_id)
        .where(Patient.id == patient_id)
    ).first()
    if found is None:
        raise NotFound("This patient no longer exists.")
    office, account = found
    state = taxable_state(office.tax_method, office.tax_rate, code.taxable)
    is_taxable = state.checked if (taxable is None or not state.enabled) else taxable
    primary, _secondary = load_coverages(session, patient_id)
    covered = primary is not None and code.insurable
    is_insurable = covered if insurable is None else (insurable and covered)
    estimate = ZERO
    if is_insurable:
        [item] = estimate_for_patient(
            session, patient_id, [EstimateInput(key=0, code=code.code, category=code.category, fee=fee)]
        )
        estimate = item.primary + item.secondary
    aged, held = charge_aging_parts(
        fee_total=fee, insurable=is_insurable, icm=Icm(account.icm), dos=dos, estimated_insurance=estimate
    )
    return ChargeFacts(
        taxable_enabled=state.enabled,
        taxable=is_taxable,
        taxable_reason=state.reason,
        tax=tax_amount(fee, office.tax_rate, is_taxable),
        insurable=is_insurable,
        estimated_insurance=estimate,
        aged_date=aged,
        held_amount=held,
    )


def post_charge_in(
    session: Session,
    actor: Actor,
    *,
    patient_id: int,
    procedure_code_id: int,
    fee: Decimal,
    dos: dt.date,
    today: dt.date | None = None,
    tooth: str | None = None,
    surfaces: str = "",
    production_provider_id: int | None = None,
    collection_provider_id: int | None = None,
    rtu: int | None = None,
    taxable: bool | None = None,
    insurable: bool | None = None,
    aged_date: object = _DEFAULT,
    plan_item_id: int | None = None,
    notes: str = "",
) -> LedgerTransaction:
    """Post one completed procedure as a charge (TP-13, TX-*); the caller commits.

    ``aged_date`` left out takes the ICM default (TX-AGE-2..4); passing None or a date is the
    person's choice in the Aged field (TX-AGE-5).
    """
    today = today or dt.date.today()
    fee = money(fee)
    if fee < 0:
        raise ValidationError("A fee cannot be negative.", "fee")
    check_dos(dos, today, completed=True)
    patient = session.get(Patient, patient_id)
    code = session.get(ProcedureCode, procedure_code_id)
    if patient is None:
        raise NotFound("This patient no longer exists.")
    if code is None or code.office_id != patient.office_id:
        raise NotFound("This procedure code is not in the office's list.", "code")
    facts = charge_facts(session, patient_id, code, fee, dos, taxable=taxable, insurable=insurable)
    chosen_aged = facts.aged_date if aged_date is _DEFAULT else aged_date
    if chosen_aged is not None and not isinstance(chosen_aged, dt.date):
        raise ValidationError("The aged date is not a date.", "aged")
    check_aged_date(chosen_aged, dos)
    tx = LedgerTransaction(
        office_id=patient.office_id,
        account_id=patient.account_id,
        patient_id=patient_id,
        kind=TransactionKind.CHARGE,
        procedure_code_id=code.id,
        tooth=tooth,
        surfaces=surfaces,
        description=code.name,
        dos=dos,
        aged_date=chosen_aged,
        amount=fee,
        tax=facts.tax,
        held_amount=facts.held_amount if chosen_aged is not None else ZERO,
        taxable=facts.taxable,
        insurable=facts.insurable,
        rtu=code.default_rtu if rtu is None else rtu,
        production_provider_id=production_provider_id,
        collection_provider_id=collection_provider_id or production_provider_id,
        plan_item_id=plan_item_id,
        estimated_insurance=facts.estimated_insurance,
        notes=notes,
        posted_by_id=actor.user_id,
    )
    session.add(tx)
    session.flush()
    audit.record(
        session,
        actor,
        "post_charge",
        "ledger_transaction",
        tx.id,
        after=audit.snapshot(tx, "patient_id", "dos", "amount", "tax", "aged_date", "held_amount", "plan_item_id")
        | {"code": code.code},
    )
    return tx
