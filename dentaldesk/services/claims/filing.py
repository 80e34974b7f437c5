"""Insurance claims: file completed insurable procedures, post what the carrier paid, complete.

A claim holds one patient's completed insurable charges that were on no claim yet, for one of the
patient's coverages. Each line is estimated at what was posted with its charge (INS-9: the one
estimate the Patient Transactions window showed), never estimated again. Insurance payments are
posted against its lines with each line's paid amount and the write-off the carrier reported
(INS-8); the part of a payment that pays what the claim holds for insurance ages with it.
Completing the claim (the final insurance payment) posts the difference between each line's
actual and estimated write-off against its charge, starts what insurance did not pay of the held
parts aging from that payment's date while the patient's parts keep their aged dates (TX-AGE-3,
TX-AGE-4, AGE-5), moves what was paid and the deductible its lines met from pending to the
coverage's benefits used (INS-2, INS-3), and can record what was paid in the plan's bluebook.

Choices the rules leave open, made here:

* A claim line cannot be paid more than its charge (fee and tax) less the write-off reported for
  it: a carrier's overpayment is returned to the carrier, not kept on the patient's account.
* Benefits used count toward the benefit year of the procedure's DOS (annual maximums run per
  benefit year of service); a line of another year does not change ``Coverage.benefits_used``.
* The carrier's statement of how much went to the deductible is not typed in, so completing a
  claim counts as deductible met what was posted with its lines of this benefit year (INS-2):
  the deductible is then applied once, not again on the next plan.
* A line left without an actual write-off keeps its estimated one. An actual write-off larger
  than the estimate is credited against the charge, first to what the claim still holds for
  insurance (it ages with it), the rest like any credit (AGE-2); a smaller one is posted back as
  a debit against the charge, aging from the final payment's date.
* The bluebook update (a flag) writes each paid line's amount as the code's ``insurance_pays``;
  a line paid 0 (denied) leaves the bluebook alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dentaldesk import clock
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
from dentaldesk.db.types import cents
from dentaldesk.domain.aging import directed_part, write_off_correction
from dentaldesk.domain.errors import NotFound, RuleViolation, ValidationError
from dentaldesk.domain.money import FEE_MAX, PAYMENT_MAX, ZERO, format_money, from_cents, parse_money
from dentaldesk.domain.terms import Category, ClaimStatus, CoverageRank, TransactionKind
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.claims.queries import (
    ClaimableCharge,
    ClaimCandidate,
    ClaimDetail,
    ClaimLineView,
    ClaimSummary,
    CoverageChoice,
    benefits_used_in,
    benefits_used_this_year,
    claim_candidates,
    claim_detail,
    claim_summaries,
    claimable_charges,
    claimable_query,
    open_claims,
)
from dentaldesk.services.ledger.posting import check_not_future
from dentaldesk.services.ledger.queries import account_balance_in
from dentaldesk.services.uow import UnitOfWork

# The claims API in one place: the actions here, the queries from claim_queries.
__all__ = [
    "ClaimCompleted",
    "ClaimDetail",
    "ClaimLineView",
    "ClaimSummary",
    "ClaimCandidate",
    "ClaimableCharge",
    "CoverageChoice",
    "InsurancePaymentPosted",
    "LineEstimate",
    "benefits_used_in",
    "benefits_used_this_year",
    "claim_candidates",
    "claim_detail",
    "claim_line_estimates",
    "claimable_charges",
    "complete_claim",
    "create_claim",
    "open_claims",
    "post_insurance_payment",
]


@dataclass(frozen=True)
class ClaimCompleted:
    claim_number: str
    completed_on: dt.date
    paid: Decimal
    released_charges: int
    benefits_used: Decimal
    deductible_met: Decimal
    bluebook_updated: tuple[str, ...]


@dataclass(frozen=True)
class InsurancePaymentPosted:
    """An insurance payment as posted; ``completed`` is set when it was the final payment."""

    transaction_id: int
    claim_number: str
    amount: Decimal
    balance: Decimal
    completed: ClaimCompleted | None = None


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


class LineEstimate(NamedTuple):
    """What one claim line is estimated at for its coverage, and the deductible that estimate applies."""

    estimated: Decimal
    deductible: Decimal


def claim_line_estimates(
    session: Session,
    patient_id: int,
    coverage: Coverage,
    charges: Sequence[tuple[LedgerTransaction, str, Category]],
) -> dict[int, LineEstimate]:
    """The claim line estimate of each charge for one of the patient's coverages, by transaction id.

    INS-9: the estimate posted with the charge, the one the Patient Transactions window showed:
    the primary's share for the primary coverage, the secondary's (what the primary left, INS-4)
    for a secondary one, with the deductible that share applied. Filing a claim
    (:func:`create_claim`), putting a posted charge on an open claim (``services.ledger.transactions``)
    and completing a claim all read it here, so a line is what was estimated however it reaches
    the claim, and the deductible and maximum it used are never applied twice (INS-3).
    """
    has_primary = session.scalar(
        select(func.count())
        .select_from(Coverage)
        .where(Coverage.patient_id == patient_id, Coverage.rank == CoverageRank.PRIMARY)
    )
    secondary = coverage.rank is CoverageRank.SECONDARY and bool(has_primary)
    found = {}
    for tx, _code, _category in charges:
        if secondary:
            found[tx.id] = LineEstimate(tx.estimated_secondary, tx.deductible_secondary)
        else:
            found[tx.id] = LineEstimate(tx.estimated_insurance - tx.estimated_secondary, tx.deductible_primary)
    return found


def held_open(session: Session, claim_id: int) -> Decimal:
    """What the claim still holds for insurance: its charges' held parts less what its insurance
    payments and write-off corrections paid of them so far (TX-AGE-3/4)."""
    lt = LedgerTransaction
    held = session.scalar(
        select(func.coalesce(func.sum(cents(lt.held_amount)), 0)).where(
            lt.claim_id == claim_id, lt.kind == TransactionKind.CHARGE, lt.applies_to_id.is_(None)
        )
    )
    paid = session.scalar(
        select(func.coalesce(func.sum(cents(lt.held_amount)), 0)).where(
            lt.claim_id == claim_id, lt.kind != TransactionKind.CHARGE
        )
    )
    return from_cents(int(held or 0) - int(paid or 0))


def _claim_charges(session: Session, claim: Claim) -> list[tuple[LedgerTransaction, str, Category]]:
    lt = LedgerTransaction
    return [
        (row[0], row[1], row[2])
        for row in session.execute(
            select(lt, ProcedureCode.code, ProcedureCode.category)
            .join(ProcedureCode, ProcedureCode.id == lt.procedure_code_id)
            .join(ClaimLine, ClaimLine.transaction_id == lt.id)
            .where(ClaimLine.claim_id == claim.id)
            .order_by(lt.dos, lt.id)
        )
    ]


@guarded(Right.POST_MONEY, patient_id=Patient, coverage_id=Coverage, transaction_ids=LedgerTransaction)
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
    today = today or clock.today()
    with uow:
        session = uow.session
        patient = session.get(Patient, patient_id)
        if patient is None or patient.office_id != actor.office_id:
            raise NotFound("This patient no longer exists in this office.", "patient")
        coverage = _coverage_for(session, patient_id, coverage_id)
        charges = [row for row in session.execute(claimable_query(patient_id)) if row[0].dos <= today]
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
        number = str(office.next_claim_number)
        office.next_claim_number += 1
        estimates = claim_line_estimates(session, patient_id, coverage, charges)
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
            claim.lines.append(ClaimLine(transaction_id=tx.id, estimated=estimates[tx.id].estimated, paid=ZERO))
            tx.claim_id = claim.id
        uow.flush()
        audit.record(
            session,
            actor,
            "create_claim",
            "claim",
            claim.id,
            after={
                "claim_number": number,
                "patient_id": patient_id,
                "coverage_id": coverage.id,
                "transactions": [tx.id for tx, _c, _k in charges],
                "estimated": sum((line.estimated for line in estimates.values()), ZERO),
            },
        )
        [summary] = claim_summaries(session, Claim.id == claim.id)
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


def _pay_in(
    session: Session,
    actor: Actor,
    claim: Claim,
    amounts: Mapping[int, Decimal],
    paid_on: dt.date,
    reference: str,
    write_offs: Mapping[int, Decimal] | None = None,
) -> LedgerTransaction:
    """Record the carrier's payment and reported write-off on the claim's lines (INS-8) and post
    the payment to the ledger; the part of it that pays the claim's held amounts ages with them."""
    if paid_on < claim.created_on:
        raise ValidationError(
            f"The payment date is before claim {claim.claim_number} was filed ({claim.created_on}).", "date"
        )
    write_offs = write_offs or {}
    lines = {line.id: line for line in claim.lines}
    if (set(amounts) | set(write_offs)) - set(lines):
        raise ValidationError("A paid amount is for a line that is not on this claim.", "paid")
    total = sum(amounts.values(), ZERO)
    if total == 0:
        raise ValidationError(
            "Enter what the carrier paid on at least one line. If it paid nothing, complete the claim instead.",
            "paid",
        )
    before = {}
    for line_id in sorted(set(amounts) | set(write_offs)):
        line = lines[line_id]
        charge = session.get(LedgerTransaction, line.transaction_id)
        assert charge is not None
        value = amounts.get(line_id, ZERO)
        written_off = write_offs.get(line_id, line.write_off)
        if written_off is not None and written_off > charge.amount:
            raise ValidationError(
                f"{charge.description}: a write-off of {format_money(written_off)} is more than the fee of "
                f"{format_money(charge.amount)}.",
                "write_off",
            )
        most = charge.amount + charge.tax - (written_off or ZERO)
        if line.paid + value > most:
            raise ValidationError(
                f"{charge.description}: {format_money(line.paid + value)} paid would be more than the "
                f"{format_money(most)} the charge leaves after its write-off; return the overpayment to the carrier.",
                "paid",
            )
        before[line_id] = (line.paid, line.write_off)
        line.paid = line.paid + value
        line.write_off = written_off
    carrier = session.scalar(
        select(DentalPlan.carrier)
        .join(Coverage, Coverage.dental_plan_id == DentalPlan.id)
        .where(Coverage.id == claim.coverage_id)
    )
    session.flush()
    tx = LedgerTransaction(
        office_id=claim.office_id,
        account_id=claim.account_id,
        patient_id=claim.patient_id,
        kind=TransactionKind.INSURANCE_PAYMENT,
        description=f"Insurance payment - {carrier}, claim {claim.claim_number}",
        dos=paid_on,
        aged_date=None,  # only charges age (TX-AGE-1)
        amount=total,
        held_amount=directed_part(total, held_open(session, claim.id)),
        claim_id=claim.id,
        notes=reference.strip(),
        posted_by_id=actor.user_id,
    )
    session.add(tx)
    session.flush()
    audit.record(
        session,
        actor,
        "post_insurance_payment",
        "claim",
        claim.id,
        before={f"line {k}": v[0] for k, v in before.items()}
        | {f"line {k} write-off": v[1] for k, v in before.items() if v[1] is not None},
        after={f"line {k}": lines[k].paid for k in before}
        | {f"line {k} write-off": lines[k].write_off for k in before if lines[k].write_off is not None}
        | {"transaction_id": tx.id, "amount": total, "pays_held": tx.held_amount},
    )
    return tx


@guarded(Right.POST_MONEY, claim_id=Claim)
def post_insurance_payment(
    uow: UnitOfWork,
    actor: Actor,
    *,
    claim_id: int,
    paid: Mapping[int, Decimal | str],
    paid_on: dt.date,
    reference: str = "",
    final: bool = False,
    update_bluebook: bool = False,
    today: dt.date | None = None,
    write_offs: Mapping[int, Decimal | str] | None = None,
) -> InsurancePaymentPosted:
    """Post what the carrier paid on each line of an open claim, as one insurance payment.

    ``paid`` maps claim line ids to amounts (blank lines left out); ``write_offs`` the write-off
    the carrier reported per line (INS-8; a line left out keeps what was reported before, or its
    estimate). Refused: a complete claim, a negative amount, a line paid more than its charge less
    its write-off, a write-off above the fee, nothing paid, a date in the future or before the
    claim was filed. ``final`` also completes the claim on ``paid_on`` in the same action (see
    :func:`complete_claim`), so the payment and the completion land together (DATA-1).
    """
    today = today or clock.today()
    amounts = {
        line_id: parse_money(value, field="paid", what="An insurance payment", maximum=PAYMENT_MAX)
        for line_id, value in paid.items()
    }
    reported = {
        line_id: parse_money(value, field="write_off", what="A write-off", maximum=FEE_MAX)
        for line_id, value in (write_offs or {}).items()
    }
    check_not_future(paid_on, today, "date", "payment date")
    with uow:
        session = uow.session
        claim = _open_claim(session, actor, claim_id)
        tx = _pay_in(session, actor, claim, amounts, paid_on, reference, reported)
        completed = _complete_in(session, actor, claim, paid_on, update_bluebook) if final else None
        uow.flush()
        result = InsurancePaymentPosted(
            tx.id, claim.claim_number, tx.amount, account_balance_in(session, claim.account_id), completed
        )
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


def _correct_write_off(
    session: Session, actor: Actor, claim: Claim, charge: LedgerTransaction, difference: Decimal, day: dt.date
) -> LedgerTransaction | None:
    """INS-8: post the difference between a line's actual and estimated write-off against its
    charge: a larger write-off as a credit (first paying what the claim holds, aging with it), a
    smaller one as a debit aging from the final payment's date. Returns the row posted."""
    if difference == 0:
        return None
    credit = difference > 0
    amount = difference if credit else -difference
    row = LedgerTransaction(
        office_id=claim.office_id,
        account_id=claim.account_id,
        patient_id=charge.patient_id,
        kind=TransactionKind.WRITE_OFF if credit else TransactionKind.CHARGE,
        description=(
            f"Write-off {'adjusted' if credit else 'reversed'} - claim {claim.claim_number}, {charge.description}"
        )[:200],
        dos=day,
        aged_date=None if credit else day,
        amount=amount,
        held_amount=directed_part(amount, held_open(session, claim.id)) if credit else ZERO,
        released_on=day,
        applies_to_id=charge.id,
        claim_id=claim.id,
        insurable=False,
        posted_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    return row


def _complete_in(
    session: Session, actor: Actor, claim: Claim, final_payment_date: dt.date, update_bluebook: bool
) -> ClaimCompleted:
    """Complete an open claim on its final payment date (see :func:`complete_claim`)."""
    if final_payment_date < claim.created_on:
        raise ValidationError(
            f"The final payment date is before claim {claim.claim_number} was filed ({claim.created_on}).",
            "date",
        )
    coverage = session.get(Coverage, claim.coverage_id)
    assert coverage is not None
    this_years = [row for row in _claim_charges(session, claim) if row[0].dos.year == coverage.benefit_year]
    estimated = claim_line_estimates(session, claim.patient_id, coverage, this_years)
    deductible = sum((line.deductible for line in estimated.values()), ZERO)
    released = 0
    paid_total = ZERO
    this_year = ZERO
    paid_by_code: dict[str, Decimal] = {}
    corrections = []
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
        if charge.held_amount > 0:
            released += 1
        posted = _correct_write_off(
            session,
            actor,
            claim,
            charge,
            write_off_correction(charge.write_off, line.write_off),
            final_payment_date,
        )
        if posted is not None:
            corrections.append({"transaction_id": posted.id, "charge_id": charge.id, "kind": posted.kind.value})
    # TX-AGE-3/4, AGE-5: what the claim held (and what paid it) ages from the final payment's date;
    # the patient's parts keep their aged dates, and no date before this one changes.
    session.execute(
        update(LedgerTransaction)
        .where(LedgerTransaction.claim_id == claim.id, LedgerTransaction.released_on.is_(None))
        .values(released_on=final_payment_date)
        .execution_options(synchronize_session="fetch")
    )
    benefits_before = (coverage.benefits_used, coverage.deductible_met)
    coverage.benefits_used = coverage.benefits_used + this_year
    coverage.deductible_met = coverage.deductible_met + deductible
    updated = _update_bluebook(session, coverage.dental_plan_id, paid_by_code) if update_bluebook else ()
    claim.status = ClaimStatus.COMPLETE
    claim.completed_on = final_payment_date
    session.flush()
    audit.record(
        session,
        actor,
        "complete_claim",
        "claim",
        claim.id,
        before={
            "status": ClaimStatus.OPEN,
            "benefits_used": benefits_before[0],
            "deductible_met": benefits_before[1],
        },
        after={
            "status": ClaimStatus.COMPLETE,
            "completed_on": final_payment_date,
            "paid": paid_total,
            "benefits_used": coverage.benefits_used,
            "deductible_met": coverage.deductible_met,
            "released_on": final_payment_date,
            "write_off_corrections": corrections,
            "bluebook_updated": list(updated),
        },
    )
    return ClaimCompleted(
        claim.claim_number,
        final_payment_date,
        paid_total,
        released,
        coverage.benefits_used,
        coverage.deductible_met,
        updated,
    )


@guarded(Right.POST_MONEY, claim_id=Claim)
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

    What insurance did not pay of the held parts starts aging from that date (ICM 1: the whole
    charge; ICM 2: the held insurance portion; the patient's portion keeps its DOS aging); each
    line's actual write-off less its estimate is posted against its charge (INS-8); what was paid
    is added to the coverage's benefits used and the deductible the claim's lines met to its
    deductible met (INS-2, INS-3); with ``update_bluebook`` each paid line's amount becomes the
    code's bluebook insurance payment.
    The date defaults to the claim's last insurance payment, else today.
    """
    today = today or clock.today()
    with uow:
        session = uow.session
        claim = _open_claim(session, actor, claim_id)
        if final_payment_date is None:
            final_payment_date = (
                session.scalar(
                    select(func.max(LedgerTransaction.dos)).where(
                        LedgerTransaction.claim_id == claim.id,
                        LedgerTransaction.kind == TransactionKind.INSURANCE_PAYMENT,
                    )
                )
                or today
            )
        check_not_future(final_payment_date, today, "date", "final payment date")
        result = _complete_in(session, actor, claim, final_payment_date, update_bluebook)
        uow.commit()
    return result
