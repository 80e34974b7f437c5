"""Insurance claims: file completed insurable procedures, post what the carrier paid, complete.

A claim holds one patient's completed insurable charges that were on no claim yet, for one of the
patient's coverages. Insurance payments are posted against its lines; completing the claim
(the final insurance payment) starts the held charges aging from that payment's date (TX-AGE-3,
TX-AGE-4: glossary ICM 1 and ICM 2), adds what was paid to the coverage's benefits used this
year (INS-3), and can record what was paid in the plan's bluebook.

Choices the rules leave open, made here:

* A line's estimate is the engine's estimate (INS-1..7) for this coverage at filing time, items
  in DOS order, with the maximum and deductible left at that moment.
* A claim line cannot be paid more than its charge (fee and tax): a carrier's overpayment is
  returned to the carrier, not kept on the patient's account.
* Benefits used count toward the benefit year of the procedure's DOS (annual maximums run per
  benefit year of service); a line of another year does not change ``Coverage.benefits_used``.
* The bluebook update (a flag) writes each paid line's amount as the code's ``insurance_pays``;
  a line paid 0 (denied) leaves the bluebook alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.orm import Session

from dentaldesk.db.models import (
    BluebookEntry,
    Claim,
    ClaimLine,
    Coverage,
    DentalPlan,
    LedgerTransaction,
    Office,
    Patient,
    ProcedureCode,
)
from dentaldesk.domain.aging import release_on_claim_complete
from dentaldesk.domain.errors import NotFound, RuleViolation, ValidationError
from dentaldesk.domain.estimates import EstimateInput
from dentaldesk.domain.money import ZERO, format_money, from_cents
from dentaldesk.domain.terms import ClaimStatus, CoverageRank, TransactionKind
from dentaldesk.services import audit
from dentaldesk.services.actor import Actor
from dentaldesk.services.ledger import BILLING_ROLES, account_balance_in, amount_from, check_not_future
from dentaldesk.services.pricing import estimate_for_patient
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


@dataclass(frozen=True)
class InsurancePaymentPosted:
    transaction_id: int
    claim_number: str
    amount: Decimal
    balance: Decimal


@dataclass(frozen=True)
class ClaimCompleted:
    claim_number: str
    completed_on: dt.date
    paid: Decimal
    released_charges: int
    benefits_used: Decimal
    bluebook_updated: tuple[str, ...]


def _cents(column: object) -> object:
    return type_coerce(column, BigInteger)


# --- Reading -------------------------------------------------------------------------------------


def _claimable_query(patient_id: int):  # type: ignore[no-untyped-def]
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


def claimable_charges(uow: UnitOfWork, patient_id: int) -> list[ClaimableCharge]:
    """The patient's completed insurable charges on no claim yet, in DOS order."""
    with uow:
        return [
            ClaimableCharge(tx.id, tx.dos, code, tx.tooth or "", tx.description, tx.amount + tx.tax)
            for tx, code, _category in uow.session.execute(_claimable_query(patient_id))
        ]


def _summaries(session: Session, *where: object) -> list[ClaimSummary]:
    lt = LedgerTransaction
    totals = (
        select(
            ClaimLine.claim_id.label("claim_id"),
            func.sum(_cents(lt.amount) + _cents(lt.tax)).label("billed"),  # type: ignore[operator]
            func.sum(_cents(ClaimLine.estimated)).label("estimated"),
            func.sum(_cents(ClaimLine.paid)).label("paid"),
        )
        .join(lt, lt.id == ClaimLine.transaction_id)
        .group_by(ClaimLine.claim_id)
        .subquery()
    )
    query = (
        select(Claim, Patient.first_name, Patient.last_name, DentalPlan.carrier, DentalPlan.name, Coverage.rank, totals)
        .join(Patient, Patient.id == Claim.patient_id)
        .join(Coverage, Coverage.id == Claim.coverage_id)
        .join(DentalPlan, DentalPlan.id == Coverage.dental_plan_id)
        .outerjoin(totals, totals.c.claim_id == Claim.id)
        .where(*where)
        .order_by(Claim.created_on, Claim.id)
    )
    return [
        ClaimSummary(
            id=row.Claim.id,
            claim_number=row.Claim.claim_number,
            patient_id=row.Claim.patient_id,
            patient_name=f"{row.first_name} {row.last_name}",
            carrier=row.carrier,
            plan_name=row.name,
            rank=row.rank,
            status=row.Claim.status,
            created_on=row.Claim.created_on,
            completed_on=row.Claim.completed_on,
            billed=from_cents(int(row.billed or 0)),
            estimated=from_cents(int(row.estimated or 0)),
            paid=from_cents(int(row.paid or 0)),
        )
        for row in session.execute(query)
    ]


def open_claims(uow: UnitOfWork, account_id: int) -> list[ClaimSummary]:
    """The account's claims still waiting for the final insurance payment (TX-INS-2)."""
    with uow:
        return _summaries(uow.session, Claim.account_id == account_id, Claim.status == ClaimStatus.OPEN)


def claim_detail(uow: UnitOfWork, claim_id: int) -> ClaimDetail:
    """A claim with its lines: what was filed, estimated and paid so far."""
    with uow:
        session = uow.session
        found = _summaries(session, Claim.id == claim_id)
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
                line.id, tx.id, tx.dos, code or "", tx.tooth or "", tx.description, tx.amount + tx.tax,
                line.estimated, line.paid,
            )
            for line, tx, code in rows
        )
    return ClaimDetail(found[0], lines)


def benefits_used_in(session: Session, coverage_id: int, year: int) -> Decimal:
    """What the coverage's claims paid for procedures done in ``year`` (INS-3)."""
    paid = session.scalar(
        select(func.coalesce(func.sum(_cents(ClaimLine.paid)), 0))
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .join(LedgerTransaction, LedgerTransaction.id == ClaimLine.transaction_id)
        .where(
            Claim.coverage_id == coverage_id,
            LedgerTransaction.dos >= dt.date(year, 1, 1),
            LedgerTransaction.dos <= dt.date(year, 12, 31),
        )
    )
    return from_cents(int(paid or 0))


def benefits_used_this_year(uow: UnitOfWork, coverage_id: int, year: int | None = None) -> Decimal:
    """Benefits used from posted claims for procedures of this (or the given) year (INS-3)."""
    with uow:
        return benefits_used_in(uow.session, coverage_id, year or dt.date.today().year)


# --- Acting --------------------------------------------------------------------------------------


def _coverage_for(session: Session, patient_id: int, coverage_id: int | None) -> Coverage:
    if coverage_id is not None:
        coverage = session.get(Coverage, coverage_id)
        if coverage is None or coverage.patient_id != patient_id:
            raise ValidationError("Choose one of this patient's coverages.", "coverage")
        return coverage
    coverage = session.scalar(select(Coverage).where(Coverage.patient_id == patient_id).order_by(Coverage.rank))
    if coverage is None:
        raise RuleViolation("This patient has no insurance on file, so there is no one to claim from.", "coverage")
    return coverage


def _line_estimates(session: Session, patient_id: int, coverage: Coverage, charges: Sequence) -> dict[int, Decimal]:
    """Each charge's estimate for this coverage (INS-1..7), items in DOS order."""
    items = [EstimateInput(key=tx.id, code=code, category=category, fee=tx.amount) for tx, code, category in charges]
    estimates = estimate_for_patient(session, patient_id, items)
    has_primary = session.scalar(
        select(func.count()).select_from(Coverage).where(
            Coverage.patient_id == patient_id, Coverage.rank == CoverageRank.PRIMARY
        )
    )
    as_secondary = coverage.rank is CoverageRank.SECONDARY and bool(has_primary)
    return {e.key: (e.secondary if as_secondary else e.primary) for e in estimates}


def create_claim(
    uow: UnitOfWork,
    actor: Actor,
    *,
    patient_id: int,
    coverage_id: int | None = None,
    transaction_ids: Sequence[int] | None = None,
    today: dt.date | None = None,
) -> ClaimSummary:
    """File a claim for the patient's completed insurable charges not yet on a claim (TX-INS-2).

    All such charges go on it unless ``transaction_ids`` picks some; the coverage is the primary
    one unless ``coverage_id`` names another. The claim number comes from the office's counter.
    """
    actor.require(BILLING_ROLES, "file insurance claims")
    today = today or dt.date.today()
    with uow:
        session = uow.session
        patient = session.get(Patient, patient_id)
        if patient is None or patient.office_id != actor.office_id:
            raise NotFound("This patient no longer exists in this office.", "patient")
        coverage = _coverage_for(session, patient_id, coverage_id)
        charges = [row for row in session.execute(_claimable_query(patient_id)) if row[0].dos <= today]
        if transaction_ids is not None:
            wanted = set(transaction_ids)
            missing = wanted - {tx.id for tx, _c, _k in charges}
            if missing:
                raise RuleViolation(
                    "Only completed insurable procedures that are on no claim yet can be filed.", "charges"
                )
            charges = [row for row in charges if row[0].id in wanted]
        if not charges:
            raise RuleViolation(
                f"{patient.full_name} has no completed insurable procedures waiting for a claim.", "charges"
            )
        office = session.get(Office, patient.office_id, with_for_update=True)
        assert office is not None
        number = f"{office.next_claim_number:06d}"
        office.next_claim_number += 1
        estimates = _line_estimates(session, patient_id, coverage, charges)
        claim = Claim(
            office_id=office.id,
            account_id=patient.account_id,
            patient_id=patient_id,
            coverage_id=coverage.id,
            claim_number=number,
            status=ClaimStatus.OPEN,
            created_on=today,
        )
        session.add(claim)
        session.flush()
        for tx, _code, _category in charges:
            claim.lines.append(ClaimLine(transaction_id=tx.id, estimated=estimates[tx.id], paid=ZERO))
            tx.claim_id = claim.id
        uow.flush()
        audit.record(
            session, actor, "create_claim", "claim", claim.id,
            after={
                "claim_number": number,
                "patient_id": patient_id,
                "coverage_id": coverage.id,
                "transactions": [tx.id for tx, _c, _k in charges],
                "estimated": sum(estimates.values(), ZERO),
            },
        )
        [summary] = _summaries(session, Claim.id == claim.id)
        uow.commit()
    return summary


def _open_claim(session: Session, actor: Actor, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None or claim.office_id != actor.office_id:
        raise NotFound("This claim no longer exists.", "claim")
    if claim.status is ClaimStatus.COMPLETE:
        raise RuleViolation(
            f"Claim {claim.claim_number} is complete (final payment on {claim.completed_on}); "
            "nothing more can be posted against it.",
            "claim",
        )
    return claim


def post_insurance_payment(
    uow: UnitOfWork,
    actor: Actor,
    *,
    claim_id: int,
    paid: Mapping[int, Decimal | str],
    paid_on: dt.date,
    reference: str = "",
    today: dt.date | None = None,
) -> InsurancePaymentPosted:
    """Post what the carrier paid on each line of an open claim, as one insurance payment.

    ``paid`` maps claim line ids to amounts (blank lines left out). Refused: a complete claim, a
    negative amount, a line paid more than its charge, nothing paid, a date in the future or
    before the claim was filed.
    """
    actor.require(BILLING_ROLES, "post insurance payments")
    today = today or dt.date.today()
    amounts = {line_id: amount_from(value, "paid") for line_id, value in paid.items()}
    if any(value < 0 for value in amounts.values()):
        raise ValidationError("An insurance payment cannot be negative.", "paid")
    check_not_future(paid_on, today, "date", "payment date")
    with uow:
        session = uow.session
        claim = _open_claim(session, actor, claim_id)
        if paid_on < claim.created_on:
            raise ValidationError(
                f"The payment date is before claim {claim.claim_number} was filed ({claim.created_on}).", "date"
            )
        lines = {line.id: line for line in claim.lines}
        unknown = set(amounts) - set(lines)
        if unknown:
            raise ValidationError("A paid amount is for a line that is not on this claim.", "paid")
        total = sum(amounts.values(), ZERO)
        if total == 0:
            raise ValidationError(
                "Enter what the carrier paid on at least one line. If it paid nothing, complete the claim instead.",
                "paid",
            )
        before = {}
        for line_id, value in amounts.items():
            line = lines[line_id]
            charge = session.get(LedgerTransaction, line.transaction_id)
            assert charge is not None
            if line.paid + value > charge.amount + charge.tax:
                raise ValidationError(
                    f"{charge.description}: {format_money(line.paid + value)} would be more than the charge of "
                    f"{format_money(charge.amount + charge.tax)}; return the overpayment to the carrier.",
                    "paid",
                )
            before[line_id] = line.paid
            line.paid = line.paid + value
        carrier = session.scalar(
            select(DentalPlan.carrier).join(Coverage, Coverage.dental_plan_id == DentalPlan.id)
            .where(Coverage.id == claim.coverage_id)
        )
        tx = LedgerTransaction(
            office_id=claim.office_id,
            account_id=claim.account_id,
            patient_id=claim.patient_id,
            kind=TransactionKind.INSURANCE_PAYMENT,
            description=f"Insurance payment - {carrier}, claim {claim.claim_number}",
            dos=paid_on,
            aged_date=paid_on,
            amount=total,
            claim_id=claim.id,
            notes=reference.strip(),
            posted_by_id=actor.user_id,
        )
        session.add(tx)
        uow.flush()
        audit.record(
            session, actor, "post_insurance_payment", "claim", claim.id,
            before={str(k): v for k, v in before.items()},
            after={str(k): lines[k].paid for k in amounts} | {"transaction_id": tx.id, "amount": total},
        )
        result = InsurancePaymentPosted(tx.id, claim.claim_number, total, account_balance_in(session, claim.account_id))
        uow.commit()
    return result


def _update_bluebook(session: Session, plan_id: int, paid_by_code: Mapping[str, Decimal]) -> tuple[str, ...]:
    changed = []
    for code, value in paid_by_code.items():
        entry = session.scalar(
            select(BluebookEntry).where(BluebookEntry.dental_plan_id == plan_id, BluebookEntry.code == code)
        )
        if entry is None:
            session.add(BluebookEntry(dental_plan_id=plan_id, code=code, insurance_pays=value))
        elif entry.insurance_pays != value:
            entry.insurance_pays = value
        else:
            continue
        changed.append(code)
    return tuple(changed)


def complete_claim(
    uow: UnitOfWork,
    actor: Actor,
    *,
    claim_id: int,
    final_payment_date: dt.date | None = None,
    update_bluebook: bool = False,
    today: dt.date | None = None,
) -> ClaimCompleted:
    """Mark a claim complete on its final insurance payment's date (TX-AGE-3, TX-AGE-4, INS-3).

    Held charges start aging from that date (ICM 1: the whole charge; ICM 2: the held insurance
    portion with the rest); what was paid is added to the coverage's benefits used; with
    ``update_bluebook`` each paid line's amount becomes the code's bluebook insurance payment.
    The date defaults to the claim's last insurance payment, else today.
    """
    actor.require(BILLING_ROLES, "complete insurance claims")
    today = today or dt.date.today()
    with uow:
        session = uow.session
        claim = _open_claim(session, actor, claim_id)
        if final_payment_date is None:
            final_payment_date = session.scalar(
                select(func.max(LedgerTransaction.dos)).where(
                    LedgerTransaction.claim_id == claim.id,
                    LedgerTransaction.kind == TransactionKind.INSURANCE_PAYMENT,
                )
            ) or today
        check_not_future(final_payment_date, today, "date", "final payment date")
        if final_payment_date < claim.created_on:
            raise ValidationError(
                f"The final payment date is before claim {claim.claim_number} was filed ({claim.created_on}).",
                "date",
            )
        coverage = session.get(Coverage, claim.coverage_id)
        assert coverage is not None
        released = 0
        paid_total = ZERO
        this_year = ZERO
        paid_by_code: dict[str, Decimal] = {}
        changes = []
        for line in claim.lines:
            charge = session.get(LedgerTransaction, line.transaction_id)
            assert charge is not None
            paid_total += line.paid
            if charge.dos.year == coverage.benefit_year:
                this_year += line.paid
            if line.paid > 0 and charge.procedure_code_id is not None:
                code = session.get(ProcedureCode, charge.procedure_code_id)
                if code is not None:
                    paid_by_code[code.code] = line.paid
            aged, held = release_on_claim_complete(
                aged_date=charge.aged_date, held_amount=charge.held_amount, final_payment_date=final_payment_date
            )
            if (aged, held) != (charge.aged_date, charge.held_amount):
                changes.append(
                    {
                        "transaction_id": charge.id,
                        "aged_date": charge.aged_date.isoformat() if charge.aged_date else None,
                        "held_amount": f"{charge.held_amount:.2f}",
                    }
                )
                charge.aged_date, charge.held_amount = aged, held
                released += 1
        benefits_before = coverage.benefits_used
        coverage.benefits_used = coverage.benefits_used + this_year
        updated = _update_bluebook(session, coverage.dental_plan_id, paid_by_code) if update_bluebook else ()
        claim.status = ClaimStatus.COMPLETE
        claim.completed_on = final_payment_date
        uow.flush()
        audit.record(
            session, actor, "complete_claim", "claim", claim.id,
            before={"status": ClaimStatus.OPEN, "benefits_used": benefits_before, "held_charges": changes},
            after={
                "status": ClaimStatus.COMPLETE,
                "completed_on": final_payment_date,
                "paid": paid_total,
                "benefits_used": coverage.benefits_used,
                "bluebook_updated": list(updated),
            },
        )
        result = ClaimCompleted(
            claim.claim_number, final_payment_date, paid_total, released, coverage.benefits_used, updated
        )
        uow.commit()
    return result
