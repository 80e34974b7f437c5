"""Read-only ledger listing: an account's transactions with a running balance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from dentaldesk.db.models import LedgerTransaction, Patient, ProcedureCode
from dentaldesk.domain.money import ZERO
from dentaldesk.domain.terms import TransactionKind
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


def account_ledger(uow: UnitOfWork, account_id: int) -> list[LedgerRow]:
    query = (
        select(LedgerTransaction, Patient.first_name, ProcedureCode.code)
        .join(Patient, Patient.id == LedgerTransaction.patient_id)
        .outerjoin(ProcedureCode, ProcedureCode.id == LedgerTransaction.procedure_code_id)
        .where(LedgerTransaction.account_id == account_id)
        .order_by(LedgerTransaction.dos, LedgerTransaction.id)
    )
    rows: list[LedgerRow] = []
    balance = ZERO
    with uow:
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
