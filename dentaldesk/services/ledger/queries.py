"""Reading the ledger: an account's transactions with a running balance, its balance, its header.

A procedure's row shows the charge, its write-off (INS-8: posted with it, and any correction its
completed claim posted against it), what insurance paid (or, until the claim completes, is
estimated to pay) and what is the patient's of it; the running balance counts each row once: a
charge less its own write-off, a correction or credit as its own row.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from dentaldesk.db.models import Account, Claim, ClaimLine, LedgerTransaction, Patient, ProcedureCode
from dentaldesk.db.types import cents
from dentaldesk.domain.aging import CREDIT_KINDS
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.money import ZERO, from_cents
from dentaldesk.domain.terms import ClaimStatus, Icm, TransactionKind
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True)
class LedgerRow:
    id: int
    dos: dt.date
    patient_name: str
    kind: TransactionKind
    code: str
    tooth: str
    description: str
    charge: Decimal
    credit: Decimal
    tax: Decimal
    aged_date: dt.date | None
    balance: Decimal
    write_off: Decimal = ZERO  # a procedure's write-offs: posted with it and corrected on completion
    insurance: Decimal | None = None  # what insurance paid (claim complete) or is estimated to pay
    insurance_paid: bool = False  # True once the claim is complete: ``insurance`` is what it paid
    patient_owes: Decimal | None = None  # the procedure's patient portion: charge - write-off - insurance
    held: bool = False  # part of the charge waits for its claim (TX-AGE-3/4)


def signed_amount(kind: TransactionKind, amount: Decimal, tax: Decimal, write_off: Decimal = ZERO) -> Decimal:
    """What a row adds to the balance: a charge and its tax less its write-off raise it, every
    credit lowers it (INS-8)."""
    return -amount if kind in CREDIT_KINDS else amount + tax - write_off


@dataclass(frozen=True)
class ChargeMoney:
    """A procedure's money after the dialog (INS-8): its write-off in all, what insurance paid or
    is estimated to pay, and the patient's portion of it."""

    write_off: Decimal
    insurance: Decimal
    insurance_paid: bool
    patient_owes: Decimal


def charge_money_in(session: Session, charge_ids: list[int]) -> dict[int, ChargeMoney]:
    """INS-8 for the given charges: write-off = the one posted with each plus the corrections its
    claim posted; insurance = the claim line's paid amount once the claim is complete, else the
    posted estimate; the patient owes the charge and tax less both (never below 0 shown)."""
    if not charge_ids:
        return {}
    lt = LedgerTransaction
    found: dict[int, ChargeMoney] = {}
    rows = session.execute(
        select(lt.id, lt.amount, lt.tax, lt.write_off, lt.estimated_insurance, Claim.status, ClaimLine.paid)
        .outerjoin(Claim, Claim.id == lt.claim_id)
        .outerjoin(ClaimLine, (ClaimLine.claim_id == lt.claim_id) & (ClaimLine.transaction_id == lt.id))
        .where(lt.id.in_(charge_ids))
    ).all()
    corrections: dict[int, Decimal] = {}
    for target, kind, amount in session.execute(
        select(lt.applies_to_id, lt.kind, lt.amount).where(lt.applies_to_id.in_(charge_ids))
    ):
        if target is None:  # excluded by the IN test; the column itself is nullable
            continue
        sign = -1 if kind is TransactionKind.CHARGE else 1  # a debit correction undoes write-off
        corrections[target] = corrections.get(target, ZERO) + sign * amount
    for charge_id, amount, tax, write_off, estimated, status, paid in rows:
        complete = status is not None and ClaimStatus(status) is ClaimStatus.COMPLETE
        insurance = (paid or ZERO) if complete else estimated
        total_write_off = write_off + corrections.get(charge_id, ZERO)
        found[charge_id] = ChargeMoney(
            total_write_off, insurance, complete, max(ZERO, amount + tax - total_write_off - insurance)
        )
    return found


@functools.cache
def ledger_query() -> Select[*tuple[Any, ...]]:
    """An account's ledger rows in DOS order, built once (the Ledger view runs it on every refresh)."""
    lt = LedgerTransaction
    return (
        select(
            lt.id,
            lt.dos,
            Patient.first_name,
            lt.kind,
            ProcedureCode.code,
            lt.tooth,
            lt.description,
            lt.amount,
            lt.tax,
            lt.aged_date,
            lt.write_off,
            lt.insurable,
            lt.held_amount,
            lt.released_on,
        )
        .join(Patient, Patient.id == lt.patient_id)
        .outerjoin(ProcedureCode, ProcedureCode.id == lt.procedure_code_id)
        .where(lt.account_id == bindparam("account_id"))
        .order_by(lt.dos, lt.id)
    )


@guarded(Right.READ_LEDGER, account_id=Account)
def account_ledger(uow: UnitOfWork, actor: Actor, account_id: int) -> list[LedgerRow]:
    """The account's rows in date order with a running balance; a procedure's row with its
    write-off, insurance and patient portion (:func:`charge_money_in`)."""
    with uow.read():
        return account_ledger_in(uow.session, account_id)


def account_ledger_in(session: Session, account_id: int) -> list[LedgerRow]:
    """:func:`account_ledger` in the caller's transaction."""
    rows: list[LedgerRow] = []
    balance = ZERO
    found = session.connection().execute(ledger_query(), {"account_id": account_id}).all()
    procedures = [row[0] for row in found if row[4] is not None and TransactionKind(row[3]) is TransactionKind.CHARGE]
    money_of = charge_money_in(session, procedures)
    for (
        tx_id,
        dos,
        first_name,
        kind,
        code,
        tooth,
        description,
        amount,
        tax,
        aged_date,
        write_off,
        insurable,
        held_amount,
        released_on,
    ) in found:
        kind = TransactionKind(kind)
        balance += signed_amount(kind, amount, tax, write_off)
        credit = kind in CREDIT_KINDS
        procedure = money_of.get(tx_id)
        rows.append(
            LedgerRow(
                id=tx_id,
                dos=dos,
                patient_name=first_name,
                kind=kind,
                code=code or "",
                tooth=tooth or "",
                description=description,
                charge=ZERO if credit else amount,
                credit=amount if credit else ZERO,
                tax=tax,
                aged_date=aged_date,
                balance=balance,
                write_off=procedure.write_off if procedure is not None else ZERO,
                insurance=procedure.insurance if procedure is not None and insurable else None,
                insurance_paid=procedure.insurance_paid if procedure is not None else False,
                patient_owes=procedure.patient_owes if procedure is not None else None,
                held=not credit and held_amount > 0 and released_on is None,
            )
        )
    return rows


def signed_cents() -> ColumnElement[Any]:
    """SQL: what a ledger row adds to the balance, in cents (a charge and its tax less its
    write-off up, credits down)."""
    lt = LedgerTransaction
    return case(
        (lt.kind == TransactionKind.CHARGE, cents(lt.amount) + cents(lt.tax) - cents(lt.write_off)),
        else_=-cents(lt.amount),
    )


def account_balance_in(session: Session, account_id: int) -> Decimal:
    """The account's balance: charges and their tax less their write-offs and every credit (AGE-3)."""
    total = session.scalar(
        select(func.coalesce(func.sum(signed_cents()), 0)).where(LedgerTransaction.account_id == account_id)
    )
    return from_cents(int(total or 0))


@dataclass(frozen=True)
class AccountFacts:
    """What the Ledger view's header says about an account."""

    account_id: int
    account_number: str
    guarantor: str
    icm: Icm
    balance: Decimal


@functools.cache
def _facts_query() -> Select[*tuple[Any, ...]]:
    """The Ledger header's account, guarantor and balance in one statement, built once."""
    lt = LedgerTransaction
    balance = select(func.coalesce(func.sum(signed_cents()), 0)).where(lt.account_id == Account.id).scalar_subquery()
    return (
        select(Account.id, Account.account_number, Account.icm, Patient.first_name, Patient.last_name, balance)
        .outerjoin(Patient, Patient.id == Account.guarantor_id)
        .where(Account.id == bindparam("account_id"))
    )


@guarded(Right.READ_LEDGER, account_id=Account)
def account_facts(uow: UnitOfWork, actor: Actor, account_id: int) -> AccountFacts:
    """The account's number, guarantor, ICM and balance (the Ledger view's header)."""
    with uow.read():
        return account_facts_in(uow.session, account_id)


def account_facts_in(session: Session, account_id: int) -> AccountFacts:
    """:func:`account_facts` in the caller's transaction."""
    found = session.connection().execute(_facts_query(), {"account_id": account_id}).first()
    if found is None:
        raise NotFound("This account no longer exists.", "account")
    account_id, number, icm, first_name, last_name, cents = found
    return AccountFacts(
        account_id,
        number,
        f"{first_name} {last_name}" if first_name is not None else "",
        Icm(icm),
        from_cents(int(cents or 0)),
    )
