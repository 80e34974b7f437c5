"""Reading the ledger: an account's transactions with a running balance, its balance, its header."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, bindparam, case, func, select, type_coerce
from sqlalchemy.orm import Session

from dentaldesk.db.models import Account, LedgerTransaction, Patient, ProcedureCode
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.money import ZERO, from_cents
from dentaldesk.domain.terms import Icm, TransactionKind
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.uow import UnitOfWork

CREDIT_KINDS = frozenset({TransactionKind.PAYMENT, TransactionKind.INSURANCE_PAYMENT, TransactionKind.ADJUSTMENT})


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


def signed_amount(kind: TransactionKind, amount: Decimal, tax: Decimal) -> Decimal:
    """What a row adds to the balance: a charge and its tax raise it, every credit lowers it."""
    return -amount if kind in CREDIT_KINDS else amount + tax


@functools.cache
def ledger_query():  # type: ignore[no-untyped-def]
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
        )
        .join(Patient, Patient.id == lt.patient_id)
        .outerjoin(ProcedureCode, ProcedureCode.id == lt.procedure_code_id)
        .where(lt.account_id == bindparam("account_id"))
        .order_by(lt.dos, lt.id)
    )


@guarded(Right.READ_LEDGER, account_id=Account)
def account_ledger(uow: UnitOfWork, actor: Actor, account_id: int) -> list[LedgerRow]:
    rows: list[LedgerRow] = []
    balance = ZERO
    with uow.read():
        found = uow.session.connection().execute(ledger_query(), {"account_id": account_id})
        for tx_id, dos, first_name, kind, code, tooth, description, amount, tax, aged_date in found:
            balance += signed_amount(kind, amount, tax)
            credit = kind in CREDIT_KINDS
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
                )
            )
    return rows


def _cents(column: object) -> object:
    # Money columns hold integer cents; sums are taken in cents and converted once (MONEY-1).
    return type_coerce(column, BigInteger)


def signed_cents():  # type: ignore[no-untyped-def]
    """SQL: what a ledger row adds to the balance, in cents (a charge and its tax up, credits down)."""
    lt = LedgerTransaction
    return case(
        (lt.kind == TransactionKind.CHARGE, _cents(lt.amount) + _cents(lt.tax)),  # type: ignore[operator]
        else_=-_cents(lt.amount),  # type: ignore[operator]
    )


def account_balance_in(session: Session, account_id: int) -> Decimal:
    """The account's balance: charges and their tax less every credit (AGE-3's balance)."""
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
def _facts_query():  # type: ignore[no-untyped-def]
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
        found = uow.session.connection().execute(_facts_query(), {"account_id": account_id}).first()
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
