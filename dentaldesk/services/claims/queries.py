"""Reading claims: what can be filed, an account's open claims, a claim's lines, benefits used.

The ledger lists open claims (TX-INS-2) and the insurance dialogs show a claim's lines; benefits
used this year come from what posted claims paid (INS-3).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session

from dentaldesk import clock
from dentaldesk.db.models import (
    Account,
    Claim,
    ClaimLine,
    Coverage,
    DentalPlan,
    LedgerTransaction,
    Patient,
    ProcedureCode,
)
from dentaldesk.db.types import cents
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.money import from_cents
from dentaldesk.domain.terms import ClaimStatus, CoverageRank, TransactionKind
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True)
class ClaimableCharge:
    """A completed insurable charge on no claim yet (what Create claim will file)."""

    transaction_id: int
    dos: dt.date
    code: str
    tooth: str
    description: str
    fee: Decimal


@dataclass(frozen=True)
class ClaimLineView:
    line_id: int
    transaction_id: int
    dos: dt.date
    code: str
    tooth: str
    description: str
    fee: Decimal
    estimated: Decimal
    paid: Decimal
    estimated_write_off: Decimal = Decimal("0.00")  # posted with the charge (INS-8)
    write_off: Decimal | None = None  # what the carrier reported, once a payment said


@dataclass(frozen=True)
class ClaimSummary:
    """A claim as the ledger lists it (TX-INS-2)."""

    id: int
    claim_number: str
    patient_id: int
    patient_name: str
    carrier: str
    plan_name: str
    rank: CoverageRank
    status: ClaimStatus
    created_on: dt.date
    completed_on: dt.date | None
    billed: Decimal
    estimated: Decimal
    paid: Decimal


@dataclass(frozen=True)
class ClaimDetail:
    summary: ClaimSummary
    lines: tuple[ClaimLineView, ...]


# --- Queries -------------------------------------------------------------------------------------


def claimable_query(patient_id: int) -> Select[*tuple[Any, ...]]:
    lt = LedgerTransaction
    return (
        select(lt, ProcedureCode.code, ProcedureCode.category)
        .join(ProcedureCode, ProcedureCode.id == lt.procedure_code_id)
        .where(
            lt.patient_id == patient_id,
            lt.kind == TransactionKind.CHARGE,
            lt.insurable.is_(True),
            lt.claim_id.is_(None),
        )
        .order_by(lt.dos, lt.id)
    )


@guarded(Right.READ_LEDGER, patient_id=Patient)
def claimable_charges(uow: UnitOfWork, actor: Actor, patient_id: int) -> list[ClaimableCharge]:
    """The patient's completed insurable charges on no claim yet, in DOS order."""
    with uow.read():
        return [
            ClaimableCharge(tx.id, tx.dos, code, tx.tooth or "", tx.description, tx.amount + tx.tax)
            for tx, code, _category in uow.session.execute(claimable_query(patient_id))
        ]


def summary_query(*where: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """The claims ``where`` selects, with their totals.

    The totals are summed over the chosen claims' lines only (``claim_id IN (the claims)``, through
    the claim_line (claim_id, transaction_id) index): summing every line of the office first and
    joining afterwards cost a read of the whole claim_line table per Ledger refresh.
    """
    lt = LedgerTransaction
    chosen = select(Claim.id).where(*where)
    totals = (
        select(
            ClaimLine.claim_id.label("claim_id"),
            func.sum(cents(lt.amount) + cents(lt.tax)).label("billed"),
            func.sum(cents(ClaimLine.estimated)).label("estimated"),
            func.sum(cents(ClaimLine.paid)).label("paid"),
        )
        .join(lt, lt.id == ClaimLine.transaction_id)
        .where(ClaimLine.claim_id.in_(chosen))
        .group_by(ClaimLine.claim_id)
        .subquery()
    )
    return (
        select(
            Claim.id,
            Claim.claim_number,
            Claim.patient_id,
            Patient.first_name,
            Patient.last_name,
            DentalPlan.carrier,
            DentalPlan.name,
            Coverage.rank,
            Claim.status,
            Claim.created_on,
            Claim.completed_on,
            totals.c.billed,
            totals.c.estimated,
            totals.c.paid,
        )
        .join(Patient, Patient.id == Claim.patient_id)
        .join(Coverage, Coverage.id == Claim.coverage_id)
        .join(DentalPlan, DentalPlan.id == Coverage.dental_plan_id)
        .outerjoin(totals, totals.c.claim_id == Claim.id)
        .where(*where)
        .order_by(Claim.created_on, Claim.id)
    )


@functools.cache
def open_claims_query() -> Select[*tuple[Any, ...]]:
    """An account's open claims (TX-INS-2), built once: the Ledger view reads it on every refresh."""
    return summary_query(Claim.account_id == bindparam("account_id"), Claim.status == ClaimStatus.OPEN)


def _summaries(
    session: Session, query: Select[*tuple[Any, ...]], params: dict[str, object] | None = None
) -> list[ClaimSummary]:
    return [
        ClaimSummary(
            id=row[0],
            claim_number=row[1],
            patient_id=row[2],
            patient_name=f"{row[3]} {row[4]}",
            carrier=row[5],
            plan_name=row[6],
            rank=row[7],
            status=row[8],
            created_on=row[9],
            completed_on=row[10],
            billed=from_cents(int(row[11] or 0)),
            estimated=from_cents(int(row[12] or 0)),
            paid=from_cents(int(row[13] or 0)),
        )
        for row in session.connection().execute(query, params or {})
    ]


def claim_summaries(session: Session, *where: ColumnElement[bool]) -> list[ClaimSummary]:
    """The claims ``where`` selects, with their totals (:func:`summary_query`)."""
    return _summaries(session, summary_query(*where))


@guarded(Right.READ_LEDGER, account_id=Account)
def open_claims(uow: UnitOfWork, actor: Actor, account_id: int) -> list[ClaimSummary]:
    """The account's claims still waiting for the final insurance payment (TX-INS-2)."""
    with uow.read():
        return open_claims_in(uow.session, account_id)


def open_claims_in(session: Session, account_id: int) -> list[ClaimSummary]:
    """:func:`open_claims` in the caller's transaction."""
    return _summaries(session, open_claims_query(), {"account_id": account_id})


@guarded(Right.READ_LEDGER, claim_id=Claim)
def claim_detail(uow: UnitOfWork, actor: Actor, claim_id: int) -> ClaimDetail:
    """A claim with its lines: what was filed, estimated and paid so far."""
    with uow.read():
        session = uow.session
        found = claim_summaries(session, Claim.id == claim_id)
        if not found:
            raise NotFound("This claim no longer exists.", "claim")
        rows = session.execute(
            select(ClaimLine, LedgerTransaction, ProcedureCode.code)
            .join(LedgerTransaction, LedgerTransaction.id == ClaimLine.transaction_id)
            .outerjoin(ProcedureCode, ProcedureCode.id == LedgerTransaction.procedure_code_id)
            .where(ClaimLine.claim_id == claim_id)
            .order_by(LedgerTransaction.dos, ClaimLine.id)
        )
        lines = tuple(
            ClaimLineView(
                line.id,
                tx.id,
                tx.dos,
                code or "",
                tx.tooth or "",
                tx.description,
                tx.amount + tx.tax,
                line.estimated,
                line.paid,
                tx.write_off,
                line.write_off,
            )
            for line, tx, code in rows
        )
    return ClaimDetail(found[0], lines)


def benefits_used_in(session: Session, coverage_id: int, year: int) -> Decimal:
    """What the coverage's claims paid for procedures done in ``year`` (INS-3)."""
    paid = session.scalar(
        select(func.coalesce(func.sum(cents(ClaimLine.paid)), 0))
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .join(LedgerTransaction, LedgerTransaction.id == ClaimLine.transaction_id)
        .where(
            Claim.coverage_id == coverage_id,
            LedgerTransaction.dos >= dt.date(year, 1, 1),
            LedgerTransaction.dos <= dt.date(year, 12, 31),
        )
    )
    return from_cents(int(paid or 0))


@guarded(Right.READ_LEDGER, coverage_id=Coverage)
def benefits_used_this_year(uow: UnitOfWork, actor: Actor, coverage_id: int, year: int | None = None) -> Decimal:
    """Benefits used from posted claims for procedures of this (or the given) year (INS-3)."""
    with uow.read():
        return benefits_used_in(uow.session, coverage_id, year or clock.today().year)


@dataclass(frozen=True)
class CoverageChoice:
    coverage_id: int
    rank: CoverageRank
    label: str


@dataclass(frozen=True)
class ClaimCandidate:
    """A patient of the account with procedures waiting for a claim, and whom to claim from."""

    patient_id: int
    patient_name: str
    coverages: tuple[CoverageChoice, ...]
    charges: tuple[ClaimableCharge, ...]


@guarded(Right.READ_LEDGER, account_id=Account)
def claim_candidates(uow: UnitOfWork, actor: Actor, account_id: int) -> list[ClaimCandidate]:
    """The account's patients with completed insurable charges on no claim yet (Create claim)."""
    with uow.read():
        session = uow.session
        patients = session.execute(
            select(Patient.id, Patient.first_name, Patient.last_name)
            .where(Patient.account_id == account_id)
            .order_by(Patient.last_name, Patient.first_name, Patient.id)
        ).all()
        found = []
        for patient in patients:
            charges = tuple(
                ClaimableCharge(tx.id, tx.dos, code, tx.tooth or "", tx.description, tx.amount + tx.tax)
                for tx, code, _category in session.execute(claimable_query(patient.id))
            )
            if not charges:
                continue
            coverages = tuple(
                CoverageChoice(coverage_id, rank, f"{rank.value.capitalize()}: {carrier} - {name}")
                for coverage_id, rank, carrier, name in session.execute(
                    select(Coverage.id, Coverage.rank, DentalPlan.carrier, DentalPlan.name)
                    .join(DentalPlan, DentalPlan.id == Coverage.dental_plan_id)
                    .where(Coverage.patient_id == patient.id)
                    .order_by(Coverage.rank)
                )
            )
            found.append(ClaimCandidate(patient.id, f"{patient.first_name} {patient.last_name}", coverages, charges))
    return found
