"""Reading the ledger: an account's transactions with a running balance, its balance, its header."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, case, func, select, type_coerce
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


@guarded(Right.READ_LEDGER, account_id=Account)
def account_ledger(uow: UnitOfWork, actor: Actor, account_id: int) -> list[LedgerRow]:
    query = (
        select(LedgerTransaction, Patient.first_name, ProcedureCode.code)
        .join(Patient, Patient.id == LedgerTransaction.patient_id)
        .outerjoin(ProcedureCode, ProcedureCode.id == LedgerTransaction.procedure_code_id)
        .where(LedgerTransaction.account_id == account_id)
        .order_by(LedgerTransaction.dos, LedgerTransaction.id)
    )
    rows: list[LedgerRow] = []
    balance = ZERO
    with uow.read():
        for tx, first_name, code in uow.session.execute(query):
            balance += signed_amount(tx.kind, tx.amount, tx.tax)
            credit = tx.kind in CREDIT_KINDS
            rows.append(
                LedgerRow(
                    id=tx.id,
                    dos=tx.dos,
                    patient_name=first_name,
                    kind=tx.kind,
                    code=code or "",
                    tooth=tx.tooth or "",
                    description=tx.description,
                    charge=ZERO if credit else tx.amount,
                    credit=tx.amount if credit else ZERO,
                    tax=tx.tax,
                    aged_date=tx.aged_date,
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


@guarded(Right.READ_LEDGER, account_id=Account)
def account_facts(uow: UnitOfWork, actor: Actor, account_id: int) -> AccountFacts:
    """The account's number, guarantor, ICM and balance (the Ledger view's header)."""
    with uow.read():
        session = uow.session
        account = session.get(Account, account_id)
        if account is None:
            raise NotFound("This account no longer exists.", "account")
        guarantor = session.get(Patient, account.guarantor_id) if account.guarantor_id else None
        return AccountFacts(
            account.id,
            account.account_number,
            guarantor.full_name if guarantor else "",
            Icm(account.icm),
            account_balance_in(session, account.id),
        )
