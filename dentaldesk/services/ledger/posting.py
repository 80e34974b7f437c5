"""Posting to the account ledger: charges (with tax and ICM aging), payments and adjustments.

``post_charge_in`` is the one way a charge reaches the ledger: the plan's "complete item"
(TP-13), the Patient Transactions dialog and the ledger all call it inside their own unit of work.
``post_charge``, ``post_payment`` and ``post_adjustment`` are the ledger's own user actions, each
one unit of work (DATA-1), role-checked and audited (SEC-2).

What a charge will be before it is posted (tax, insurable, estimate, aging) is worked out in
:mod:`dentaldesk.services.ledger.charge_facts`; the account's balance and header are read in
:mod:`dentaldesk.services.ledger.queries`.

Choices the rules leave open, made here:

* Anyone who logs in may post a charge or take a payment (the front desk does both, TP-1).
* Adjustments change what an account owes without money changing hands, so only an Owner or
  an Admin posts them: unsupervised write-offs are the classic way money leaves a practice.
* A credit adjustment is an ``ADJUSTMENT`` row (it lowers the balance and, like a payment, is
  applied to the oldest charges first, AGE-2). A debit adjustment raises the balance, so it is
  a ``CHARGE`` row without a procedure code, not insurable, aging from its date (AGE-1).
* A payment larger than the balance is kept whole: what is left over is the account's credit,
  shown in the ledger and on the aging report, and used up by the next charges (AGE-2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk import clock
from dentaldesk.db.models import Account, LedgerTransaction, Patient, ProcedureCode
from dentaldesk.domain.aging import check_aged_date, check_completed_dos
from dentaldesk.domain.errors import NotFound, RuleViolation, ValidationError
from dentaldesk.domain.estimates import PlanLine
from dentaldesk.domain.money import FEE_MAX, PAYMENT_MAX, ZERO, format_money, parse_money
from dentaldesk.domain.terms import Role, TransactionKind
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.ledger.charge_facts import LAST, THIS_CHARGE, charge_facts
from dentaldesk.services.ledger.queries import account_balance_in
from dentaldesk.services.uow import UnitOfWork

# Who may do what on the ledger (see the module docstring).
BILLING_ROLES = frozenset(Role)
ADJUSTMENT_ROLES = Right.ADJUST.roles
PAYMENT_METHODS = ("Cash", "Check", "Card", "Other")


class _NotGiven(Enum):
    NOT_GIVEN = "not given"


NOT_GIVEN: Final = _NotGiven.NOT_GIVEN
"""An Aged date left out: posting takes the ICM's default (TX-AGE-2..4), an edit keeps the stored one."""
AgedChoice = dt.date | None | Literal[_NotGiven.NOT_GIVEN]


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
    aged_date: AgedChoice = NOT_GIVEN,
    plan_item_id: int | None = None,
    notes: str = "",
    plan_lines: Sequence[PlanLine] = (),
    order: tuple[int, int, int] = LAST,
    prerequisites: Sequence[tuple[str, dt.date]] = (),
    back_dating_confirmed: bool = False,
) -> LedgerTransaction:
    """Post one completed procedure as a charge (TP-13, TX-*, INS-8, INS-9); the caller commits.

    The charge is priced by :func:`~dentaldesk.services.ledger.charge_facts.charge_facts`, the
    figures the Patient Transactions dialog showed: a plan item among its plan's planned items in
    plan order (``plan_lines``, ``order``). Its estimated write-off is posted with it under every
    ICM (INS-8) and its estimate (insurance per plan, deductibles, explanation) kept with it, so
    claims, benefits pending (INS-3) and the posted charge's window read what was estimated.
    ``aged_date`` left out takes the ICM default (TX-AGE-2..4); None or a date is the person's
    Aged field for the patient's part (TX-AGE-5). The DOS follows TX-DOS-1/2 (``prerequisites``
    are the (label, DOS) of completed prerequisites); a confirmed back-dating is audited.
    """
    today = today or clock.today()
    fee = parse_money(fee, field="fee", what="A fee", maximum=FEE_MAX)
    patient = session.get(Patient, patient_id)
    code = session.get(ProcedureCode, procedure_code_id)
    if patient is None:
        raise NotFound("This patient no longer exists.")
    if code is None or code.office_id != patient.office_id:
        raise NotFound("This procedure code is not in the office's list.", "code")
    back_dated = check_completed_dos(
        dos,
        today,
        birth_date=patient.birth_date,
        prerequisites=prerequisites,
        back_dating_confirmed=back_dating_confirmed,
    )
    key = plan_item_id if plan_item_id is not None else THIS_CHARGE
    facts = charge_facts(
        session,
        patient_id,
        code,
        fee,
        dos,
        taxable=taxable,
        insurable=insurable,
        plan_lines=plan_lines,
        order=order,
        key=key,
    )
    chosen_aged = facts.aged_date if aged_date is NOT_GIVEN else aged_date
    if chosen_aged is not None and not isinstance(chosen_aged, dt.date):
        raise ValidationError("The aged date is not a date.", "aged")
    check_aged_date(chosen_aged, dos)
    estimate = facts.estimate
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
        held_amount=facts.held_amount,
        write_off=facts.write_off,
        taxable=facts.taxable,
        insurable=facts.insurable,
        rtu=code.default_rtu if rtu is None else rtu,
        production_provider_id=production_provider_id,
        collection_provider_id=collection_provider_id or production_provider_id,
        plan_item_id=plan_item_id,
        estimated_insurance=facts.estimated_insurance,
        estimated_secondary=estimate.secondary if estimate is not None else ZERO,
        deductible_primary=estimate.deductible_primary if estimate is not None else ZERO,
        deductible_secondary=estimate.deductible_secondary if estimate is not None else ZERO,
        estimate_note=estimate.explanation if estimate is not None else facts.uninsured_reason,
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
        after=audit.snapshot(
            tx,
            "patient_id",
            "dos",
            "amount",
            "tax",
            "write_off",
            "aged_date",
            "held_amount",
            "estimated_insurance",
            "plan_item_id",
        )
        | {"code": code.code}
        | ({"back_dated": True, "days_back": (today - dos).days} if back_dated else {}),
    )
    return tx


# --- The ledger's own user actions ---------------------------------------------------------------


@dataclass(frozen=True)
class PostedCharge:
    """A charge as posted, with the account balance after it."""

    transaction_id: int
    amount: Decimal
    tax: Decimal
    aged_date: dt.date | None
    held_amount: Decimal
    insurable: bool
    estimated_insurance: Decimal
    balance: Decimal
    write_off: Decimal = ZERO


@dataclass(frozen=True)
class PostedCredit:
    """A payment or adjustment as posted; ``credit`` is what the account now holds in its favour."""

    transaction_id: int
    kind: TransactionKind
    amount: Decimal
    balance: Decimal
    credit: Decimal
    message: str


def _account_of_office(session: Session, actor: Actor, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None or account.office_id != actor.office_id:
        raise NotFound("This account no longer exists in this office.", "account")
    return account


def _paying_patient(session: Session, account: Account, patient_id: int | None) -> int:
    """The patient a credit is written under: the one chosen, else the guarantor, else the first."""
    if patient_id is not None:
        patient = session.get(Patient, patient_id)
        if patient is None or patient.account_id != account.id:
            raise ValidationError("Choose a patient of this account.", "patient")
        return patient.id
    if account.guarantor_id is not None:
        return account.guarantor_id
    first = session.scalar(select(Patient.id).where(Patient.account_id == account.id).order_by(Patient.id).limit(1))
    if first is None:
        raise RuleViolation("This account has no patients, so nothing can be posted to it.", "account")
    return first


_WHAT = {"fee": "A fee", "amount": "An amount", "paid": "An insurance payment", "write_off": "A write-off"}


def amount_from(value: Decimal | str, field: str) -> Decimal:
    """An amount a person typed or a service passed, through the one parser with its limit
    (MONEY-3: a fee at most 99,999.99, any other amount 999,999.99); the sign is checked by the
    caller."""
    maximum = FEE_MAX if field == "fee" else PAYMENT_MAX
    return parse_money(value, field=field, what=_WHAT.get(field, "An amount"), maximum=maximum, allow_negative=True)


def check_not_future(day: dt.date, today: dt.date, field: str, what: str) -> None:
    if day > today:
        raise ValidationError(f"The {what} {day.isoformat()} is in the future; use today or an earlier date.", field)


@guarded(Right.POST_MONEY, patient_id=Patient, procedure_code_id=ProcedureCode)
def post_charge(
    uow: UnitOfWork,
    actor: Actor,
    *,
    patient_id: int,
    procedure_code_id: int,
    fee: Decimal | str,
    dos: dt.date,
    today: dt.date | None = None,
    tooth: str | None = None,
    surfaces: str = "",
    production_provider_id: int | None = None,
    collection_provider_id: int | None = None,
    rtu: int | None = None,
    taxable: bool | None = None,
    insurable: bool | None = None,
    aged_date: AgedChoice = NOT_GIVEN,
    plan_item_id: int | None = None,
    notes: str = "",
    back_dating_confirmed: bool = False,
) -> PostedCharge:
    """Post one completed procedure from the ledger (TX-*, TP-13): one action, audited.

    The keyword arguments are :func:`post_charge_in`'s. A future DOS is refused (TX-DOS-1).
    """
    amount = amount_from(fee, "fee")
    with uow:
        session = uow.session
        patient = session.get(Patient, patient_id)
        if patient is None or patient.office_id != actor.office_id:
            raise NotFound("This patient no longer exists in this office.", "patient")
        tx = post_charge_in(
            session,
            actor,
            patient_id=patient_id,
            procedure_code_id=procedure_code_id,
            fee=amount,
            dos=dos,
            today=today,
            tooth=tooth,
            surfaces=surfaces,
            production_provider_id=production_provider_id,
            collection_provider_id=collection_provider_id,
            rtu=rtu,
            taxable=taxable,
            insurable=insurable,
            aged_date=aged_date,
            plan_item_id=plan_item_id,
            notes=notes,
            back_dating_confirmed=back_dating_confirmed,
        )
        uow.flush()
        posted = posted_charge_of(session, tx)
        uow.commit()
    return posted


def posted_charge_of(session: Session, tx: LedgerTransaction) -> PostedCharge:
    """What the person is told about a charge just posted, with the account's new balance."""
    return PostedCharge(
        transaction_id=tx.id,
        amount=tx.amount,
        tax=tx.tax,
        aged_date=tx.aged_date,
        held_amount=tx.held_amount,
        insurable=tx.insurable,
        estimated_insurance=tx.estimated_insurance,
        balance=account_balance_in(session, tx.account_id),
        write_off=tx.write_off,
    )


def _credit_message(what: str, amount: Decimal, before: Decimal, after: Decimal) -> str:
    """What the person sees after posting; an overpayment says plainly it is kept as a credit."""
    text = f"{what} of {format_money(amount)} posted."
    if after >= 0:
        return f"{text} Balance now {format_money(after)}."
    if before > 0:
        text += f" It is {format_money(-after)} more than the {format_money(before)} the account owed;"
        return f"{text} that is kept as a credit of {format_money(-after)} on the account."
    return f"{text} The account has a credit of {format_money(-after)}."


@guarded(Right.POST_MONEY, account_id=Account, patient_id=Patient)
def post_payment(
    uow: UnitOfWork,
    actor: Actor,
    *,
    account_id: int,
    amount: Decimal | str,
    paid_on: dt.date,
    method: str = "Cash",
    reference: str = "",
    patient_id: int | None = None,
    today: dt.date | None = None,
) -> PostedCredit:
    """Take a patient payment on an account (AGE-2: it pays the oldest charges first).

    A negative or zero payment is refused at the amount; a payment larger than the balance is
    posted whole and the rest kept as the account's credit, which the result states.
    """
    today = today or clock.today()
    paid = parse_money(amount, field="amount", what="A payment", maximum=PAYMENT_MAX, allow_negative=True)
    if paid < 0:
        raise ValidationError(
            "A payment cannot be negative. To give money back, an Owner or Admin posts a debit adjustment (refund).",
            "amount",
        )
    if paid == 0:
        raise ValidationError("Enter the amount paid; a payment of 0.00 changes nothing.", "amount")
    if method not in PAYMENT_METHODS:
        raise ValidationError(f"Choose how it was paid: {', '.join(PAYMENT_METHODS)}.", "method")
    check_not_future(paid_on, today, "date", "payment date")
    with uow:
        session = uow.session
        account = _account_of_office(session, actor, account_id)
        before = account_balance_in(session, account.id)
        tx = LedgerTransaction(
            office_id=account.office_id,
            account_id=account.id,
            patient_id=_paying_patient(session, account, patient_id),
            kind=TransactionKind.PAYMENT,
            description=f"Payment - {method}",
            dos=paid_on,
            aged_date=None,  # only charges age (TX-AGE-1); a credit pays the oldest (AGE-2)
            amount=paid,
            notes=reference.strip(),
            posted_by_id=actor.user_id,
        )
        session.add(tx)
        uow.flush()
        after = account_balance_in(session, account.id)  # read after the insert, in this transaction
        audit.record(
            session,
            actor,
            "post_payment",
            "ledger_transaction",
            tx.id,
            after=audit.snapshot(tx, "account_id", "patient_id", "dos", "amount", "description", "notes")
            | {"balance_before": before, "balance_after": after},
        )
        result = PostedCredit(
            tx.id,
            TransactionKind.PAYMENT,
            paid,
            after,
            max(ZERO, -after),
            _credit_message("Payment", paid, before, after),
        )
        uow.commit()
    return result


@guarded(Right.ADJUST, account_id=Account, patient_id=Patient)
def post_adjustment(
    uow: UnitOfWork,
    actor: Actor,
    *,
    account_id: int,
    amount: Decimal | str,
    reason: str,
    adjusted_on: dt.date,
    debit: bool = False,
    patient_id: int | None = None,
    today: dt.date | None = None,
) -> PostedCredit:
    """Post a credit adjustment (lowers the balance) or a debit adjustment (raises it), with a reason.

    Owner and Admin only (module docstring). A credit adjustment is applied to the oldest charges
    first like a payment (AGE-2); a debit adjustment ages from its date (AGE-1).
    """
    today = today or clock.today()
    value = parse_money(amount, field="amount", what="An adjustment", maximum=PAYMENT_MAX, allow_negative=True)
    if value <= 0:
        raise ValidationError(
            "Enter the adjustment as a positive amount and choose credit (lowers the balance) or debit (raises it).",
            "amount",
        )
    why = reason.strip()
    if not why:
        raise ValidationError("Say why the account is adjusted (courtesy discount, refund, write-off ...).", "reason")
    if len(why) > 160:
        raise ValidationError("Keep the reason under 160 characters.", "reason")
    check_not_future(adjusted_on, today, "date", "adjustment date")
    kind = TransactionKind.CHARGE if debit else TransactionKind.ADJUSTMENT
    label = "Debit adjustment" if debit else "Credit adjustment"
    with uow:
        session = uow.session
        account = _account_of_office(session, actor, account_id)
        before = account_balance_in(session, account.id)
        tx = LedgerTransaction(
            office_id=account.office_id,
            account_id=account.id,
            patient_id=_paying_patient(session, account, patient_id),
            kind=kind,
            description=f"{label} - {why}",
            dos=adjusted_on,
            aged_date=adjusted_on if debit else None,  # a debit ages from its date (AGE-1)
            amount=value,
            insurable=False,
            notes=why,
            posted_by_id=actor.user_id,
        )
        session.add(tx)
        uow.flush()
        after = account_balance_in(session, account.id)  # read after the insert, in this transaction
        audit.record(
            session,
            actor,
            "post_adjustment",
            "ledger_transaction",
            tx.id,
            after=audit.snapshot(tx, "account_id", "patient_id", "kind", "dos", "amount", "description")
            | {"balance_before": before, "balance_after": after},
        )
        message = _credit_message(label, value, before, after)
        result = PostedCredit(tx.id, kind, value, after, max(ZERO, -after), message)
        uow.commit()
    return result
