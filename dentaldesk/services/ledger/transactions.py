"""The Patient Transactions dialog's reads and actions (seed 004, TX-1 .. TX-VAL-1).

* :func:`transaction_context`: what the dialog reads once when it opens: the office's tax method
  and rate, the account's ICM and the patient's coverage (:class:`ChargeTerms`), the patient's
  open claims (TX-INS-2) and the procedure's chart marks (TX-CHART-1/2). Every figure the dialog
  shows is then computed from these by :func:`dentaldesk.services.ledger.posting.facts_for_charge`, the
  same rules ``charge_facts`` and posting use, without touching the database per keystroke.
* :func:`posted_charge`: a posted charge as the dialog shows it when opened from the Ledger.
* :func:`post_transaction`: post a completed procedure typed in the dialog: the charge
  (:func:`~dentaldesk.services.ledger.posting.post_charge_in`), its completed chart mark, and its line
  on an open claim when one was chosen: one action, one transaction (DATA-1), audited (SEC-2).
* :func:`edit_posted_charge`: change what may still change on a posted charge.

What may change on a posted charge (our choice; DOMAIN.md is silent, so we follow what practice
ledgers allow): the **notes**; the **Aged date** (TX-AGE-5: hold the charge current or choose when
it starts aging, never before its DOS); and the **claim link** of an insurable charge that is on no
claim yet: it may be put on one of the patient's open claims (TX-INS-2). Everything else (code,
tooth, surfaces, providers, fee, tax, Taxable, Insurable, RTU's, DOS) is what statements, claims
and reports have already used, so it is read-only: money is corrected with an adjustment (Owner or
Admin, see ledger.py), the chart with Remove Chart Graphic and Chart again (TX-CHART-1/2). A line
already on a claim is not moved or taken off: the carrier was billed for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from dentaldesk import clock
from dentaldesk.db.models import (
    Claim,
    ClaimLine,
    Coverage,
    DentalPlan,
    LedgerTransaction,
    Patient,
    PlanItem,
    ProcedureCode,
    Provider,
    User,
)
from dentaldesk.db.versioning import check_version
from dentaldesk.domain.aging import check_aged_date
from dentaldesk.domain.errors import (
    NotFound,
    RuleViolation,
    ValidationError,
)
from dentaldesk.domain.item_check import TypedItem, check_item
from dentaldesk.domain.money import ZERO
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.terms import ClaimStatus, GraphicStatus, TransactionKind
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.chart.marks import chart_procedure_in
from dentaldesk.services.chart.queries import (
    ChartMark,
    graphic_history,
    office_numbering,
)
from dentaldesk.services.claims.filing import claim_line_estimates
from dentaldesk.services.ledger.charge_facts import ChargeTerms, charge_terms
from dentaldesk.services.ledger.posting import (
    NOT_GIVEN,
    AgedChoice,
    PostedCharge,
    post_charge_in,
    posted_charge_of,
)
from dentaldesk.services.ledger.queries import charge_money_in
from dentaldesk.services.uow import UnitOfWork

MAX_NOTES = 2000
KEEP = NOT_GIVEN  # edit_posted_charge: leave the Aged date as it is


@dataclass(frozen=True)
class ClaimChoice:
    """An open claim the procedure can be put on (TX-INS-2)."""

    id: int
    claim_number: str
    carrier: str
    created_on: dt.date

    @property
    def label(self) -> str:
        return f"Claim {self.claim_number} - {self.carrier}, filed {self.created_on:%Y-%m-%d}"


@dataclass(frozen=True)
class TransactionContext:
    """What the Patient Transactions dialog reads once when it opens."""

    patient_id: int
    account_id: int
    terms: ChargeTerms
    open_claims: tuple[ClaimChoice, ...]
    marks: tuple[ChartMark, ...]  # the procedure's chart marks, removed ones too (TX-CHART-2)
    plan_item_id: int | None = None  # the procedure, when it exists already
    transaction_id: int | None = None

    @property
    def is_existing(self) -> bool:
        return self.plan_item_id is not None or self.transaction_id is not None


@dataclass(frozen=True)
class ClaimLink:
    """The claim a posted charge is on, with what was estimated and paid on its line (TX-INS-2)."""

    claim_id: int
    claim_number: str
    status: ClaimStatus
    carrier: str
    estimated: Decimal
    paid: Decimal


@dataclass(frozen=True)
class PostedChargeView:
    """A posted charge as the dialog shows it from the Ledger (plain values, STYLE.md 6)."""

    transaction_id: int
    version: int
    patient_id: int
    account_id: int
    procedure_code_id: int | None
    description: str
    tooth: str | None  # Universal, as stored (ID-1)
    surfaces: str
    production_provider_id: int | None
    production_provider: str
    collection_provider_id: int | None
    collection_provider: str
    fee: Decimal
    tax: Decimal
    taxable: bool
    insurable: bool
    estimated_insurance: Decimal
    rtu: int
    dos: dt.date
    aged_date: dt.date | None
    held_amount: Decimal
    notes: str
    plan_item_id: int | None
    posted_at: dt.datetime
    posted_by: str
    claim: ClaimLink | None
    write_off: Decimal = ZERO  # INS-8: posted with it, and corrected when its claim completed
    insurance: Decimal = ZERO  # paid once the claim is complete, else the posted estimate
    insurance_paid: bool = False
    patient_owes: Decimal = ZERO  # charge and tax - write-off - insurance
    deductible: Decimal = ZERO  # what the posted estimate applied to the deductibles
    estimate_note: str = ""  # the posted estimate's explanation (INS-9)


@dataclass(frozen=True)
class ChargeEdited:
    """What :func:`edit_posted_charge` changed (empty when nothing did)."""

    transaction_id: int
    version: int
    changed: tuple[str, ...]


# --- Reading -------------------------------------------------------------------------------------


def _open_claims_in(session: Session, account_id: int, patient_id: int) -> tuple[ClaimChoice, ...]:
    rows = session.execute(
        select(Claim.id, Claim.claim_number, DentalPlan.carrier, Claim.created_on)
        .join(Coverage, Coverage.id == Claim.coverage_id)
        .join(DentalPlan, DentalPlan.id == Coverage.dental_plan_id)
        # The patient's claims filed under this account: its payments post to the account's ledger.
        .where(Claim.account_id == account_id, Claim.patient_id == patient_id, Claim.status == ClaimStatus.OPEN)
        .order_by(Claim.created_on, Claim.id)
    )
    return tuple(ClaimChoice(*row) for row in rows)


@guarded(Right.READ_LEDGER, patient_id=Patient, plan_item_id=PlanItem, transaction_id=LedgerTransaction)
def transaction_context(
    uow: UnitOfWork,
    actor: Actor,
    patient_id: int,
    *,
    plan_item_id: int | None = None,
    transaction_id: int | None = None,
    with_claims: bool = True,
) -> TransactionContext:
    """Read once what the dialog needs for one patient; the procedure's marks when it exists already.

    ``with_claims`` False leaves out the open claims (a planned item goes on no claim). A posted
    charge's marks include those charted while it was a plan item (as ``graphic_history`` links them).
    """
    with uow.read():
        session = uow.session
        account_id = session.scalar(select(Patient.account_id).where(Patient.id == patient_id))
        if account_id is None:
            raise NotFound("This patient no longer exists.")
        terms = charge_terms(session, patient_id)
        claims = _open_claims_in(session, account_id, patient_id) if with_claims else ()
    marks: tuple[ChartMark, ...] = ()
    if plan_item_id is not None or transaction_id is not None:
        # The procedure's marks, removed ones too (TX-CHART-2), through the chart's link indexes.
        marks = tuple(graphic_history(uow, actor, transaction_id=transaction_id, plan_item_id=plan_item_id))
    return TransactionContext(patient_id, account_id, terms, claims, marks, plan_item_id, transaction_id)


_Poster = aliased(User)
_Producer = aliased(Provider)
_Collector = aliased(Provider)


@guarded(Right.READ_LEDGER, transaction_id=LedgerTransaction)
def posted_charge(uow: UnitOfWork, actor: Actor, transaction_id: int) -> PostedChargeView:
    """One posted charge with its claim line, for the dialog opened from the Ledger."""
    with uow.read():
        session = uow.session
        found = session.execute(
            select(LedgerTransaction, _Poster.full_name, _Producer.name, _Collector.name)
            .outerjoin(_Poster, _Poster.id == LedgerTransaction.posted_by_id)
            .outerjoin(_Producer, _Producer.id == LedgerTransaction.production_provider_id)
            .outerjoin(_Collector, _Collector.id == LedgerTransaction.collection_provider_id)
            .where(LedgerTransaction.id == transaction_id)
        ).one_or_none()
        if found is None:
            raise NotFound("This transaction no longer exists.")
        tx, poster, producer, collector = found
        if tx.kind is not TransactionKind.CHARGE:
            raise RuleViolation("Only a charge opens in the Patient Transactions window.")
        claim = None
        if tx.claim_id is not None:
            row = session.execute(
                select(Claim.claim_number, Claim.status, DentalPlan.carrier, ClaimLine.estimated, ClaimLine.paid)
                .join(Coverage, Coverage.id == Claim.coverage_id)
                .join(DentalPlan, DentalPlan.id == Coverage.dental_plan_id)
                .outerjoin(ClaimLine, (ClaimLine.claim_id == Claim.id) & (ClaimLine.transaction_id == tx.id))
                .where(Claim.id == tx.claim_id)
            ).one()
            claim = ClaimLink(
                tx.claim_id,
                row.claim_number,
                ClaimStatus(row.status),
                row.carrier,
                row.estimated if row.estimated is not None else ZERO,
                row.paid if row.paid is not None else ZERO,
            )
        figures = charge_money_in(session, [tx.id])[tx.id]
        return PostedChargeView(
            transaction_id=tx.id,
            version=tx.version,
            patient_id=tx.patient_id,
            account_id=tx.account_id,
            procedure_code_id=tx.procedure_code_id,
            description=tx.description,
            tooth=tx.tooth,
            surfaces=tx.surfaces or "",
            production_provider_id=tx.production_provider_id,
            production_provider=producer or "",
            collection_provider_id=tx.collection_provider_id,
            collection_provider=collector or "",
            fee=tx.amount,
            tax=tx.tax,
            taxable=tx.taxable,
            insurable=tx.insurable,
            estimated_insurance=tx.estimated_insurance,
            rtu=tx.rtu,
            dos=tx.dos,
            aged_date=tx.aged_date,
            held_amount=tx.held_amount,
            notes=tx.notes or "",
            plan_item_id=tx.plan_item_id,
            posted_at=tx.posted_at,
            posted_by=poster or "",
            claim=claim,
            write_off=figures.write_off,
            insurance=figures.insurance if tx.insurable else ZERO,
            insurance_paid=figures.insurance_paid,
            patient_owes=figures.patient_owes,
            deductible=tx.deductible_primary + tx.deductible_secondary,
            estimate_note=tx.estimate_note or "",
        )


# --- Acting --------------------------------------------------------------------------------------


def _check_notes(notes: str) -> str:
    cleaned = (notes or "").strip()
    if len(cleaned) > MAX_NOTES:
        raise ValidationError(f"Keep the notes under {MAX_NOTES} characters.", "notes")
    return cleaned


def _put_on_claim_in(session: Session, actor: Actor, tx: LedgerTransaction, claim_id: int, today: dt.date) -> Claim:
    """Add a posted insurable charge to one of its patient's open claims (TX-INS-2), with the
    engine's estimate for that claim's coverage, as Create claim estimates its lines."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.office_id != tx.office_id:
        raise NotFound("This claim no longer exists.", "claim")
    if claim.patient_id != tx.patient_id:
        raise ValidationError("A claim holds one patient's procedures; choose one of this patient's claims.", "claim")
    if claim.status is not ClaimStatus.OPEN:
        raise RuleViolation(f"Claim {claim.claim_number} is complete; nothing more can go on it.", "claim")
    if not tx.insurable:
        raise RuleViolation("This charge is not insurable, so it cannot go on a claim.", "claim")
    if tx.claim_id is not None:
        raise RuleViolation("This charge is already on a claim; a filed line is not moved.", "claim")
    if tx.dos > today:
        raise RuleViolation("A procedure dated in the future cannot go on a claim.", "claim")
    coverage = session.get(Coverage, claim.coverage_id)
    code = session.get(ProcedureCode, tx.procedure_code_id) if tx.procedure_code_id is not None else None
    if coverage is None or code is None:
        raise RuleViolation("Only a procedure with its code can go on a claim.", "claim")
    estimate = claim_line_estimates(session, tx.patient_id, coverage, [(tx, code.code, code.category)])[tx.id].estimated
    session.add(ClaimLine(claim_id=claim.id, transaction_id=tx.id, estimated=estimate, paid=ZERO))
    tx.claim_id = claim.id
    session.flush()
    audit.record(
        session,
        actor,
        "add_to_claim",
        "claim",
        claim.id,
        after={"claim_number": claim.claim_number, "transaction_id": tx.id, "estimated": estimate},
    )
    return claim


@guarded(
    Right.POST_MONEY,
    patient_id=Patient,
    procedure_code_id=ProcedureCode,
    production_provider_id=Provider,
    collection_provider_id=Provider,
    claim_id=Claim,
)
def post_transaction(
    uow: UnitOfWork,
    actor: Actor,
    *,
    patient_id: int,
    procedure_code_id: int,
    fee: Decimal | str,
    dos: dt.date,
    tooth: str = "",
    surfaces: str = "",
    production_provider_id: int | None,
    collection_provider_id: int | None = None,
    rtu: int | None = None,
    taxable: bool | None = None,
    insurable: bool | None = None,
    aged_date: AgedChoice = KEEP,
    notes: str = "",
    claim_id: int | None = None,
    today: dt.date | None = None,
    back_dating_confirmed: bool = False,
) -> PostedCharge:
    """Post a completed procedure from the Patient Transactions dialog (TX-*): one action.

    ``tooth`` is typed in the office's numbering (ID-1). ``aged_date`` left out takes the ICM
    default (TX-AGE-2..4); None or a date is the person's Aged field (TX-AGE-5). A code that
    charts a graphic gets its completed mark on the chart; ``claim_id`` puts the charge on one of
    the patient's open claims (TX-INS-2). A future DOS, or one before the patient's birth, is
    refused; one more than 30 days back needs ``back_dating_confirmed`` and is audited (TX-DOS-1/2).
    """
    today = today or clock.today()
    cleaned_notes = _check_notes(notes)
    with uow:
        session = uow.session
        patient = session.get(Patient, patient_id)
        if patient is None or patient.office_id != actor.office_id:
            raise NotFound("This patient no longer exists in this office.", "patient")
        code = session.get(ProcedureCode, procedure_code_id)
        if code is None or code.office_id != patient.office_id or not code.active:
            raise NotFound("This procedure code is not in the office's active list.", "code")
        numbering = office_numbering(session, patient.office_id)
        # The one item check (the dialog's), for a completed procedure: nothing may wait (TX-VAL-1).
        # A charge may still name a provider made inactive since (a late posting), as before.
        providers = set(session.scalars(select(Provider.id).where(Provider.office_id == patient.office_id)))
        checked = check_item(
            TypedItem(
                code=code.code,
                tooth=tooth,
                surfaces=surfaces,
                provider_id=production_provider_id,
                collection_provider_id=collection_provider_id,
                fee=fee,
                rtu=rtu,
            ),
            code,
            numbering,
            providers=providers,
        )
        checked.refuse_first(complete=True)
        assert checked.fee is not None  # a completed procedure's empty fee was refused above
        amount, universal, canonical = checked.fee, checked.tooth, checked.surfaces
        tx = post_charge_in(
            session,
            actor,
            patient_id=patient_id,
            procedure_code_id=code.id,
            fee=amount,
            dos=dos,
            today=today,
            tooth=universal,
            surfaces=canonical,
            production_provider_id=production_provider_id,
            collection_provider_id=collection_provider_id,
            rtu=rtu,
            taxable=taxable,
            insurable=insurable,
            notes=cleaned_notes,
            back_dating_confirmed=back_dating_confirmed,
            aged_date=aged_date,
        )
        if code.charts_graphic and universal is not None:
            chart_procedure_in(
                session,
                actor,
                patient_id=patient_id,
                procedure_code_id=code.id,
                tooth=display_tooth(universal, numbering),
                surfaces=canonical,
                status=GraphicStatus.COMPLETED,
                transaction_id=tx.id,
            )
        if claim_id is not None:
            _put_on_claim_in(session, actor, tx, claim_id, today)
        uow.flush()
        posted = posted_charge_of(session, tx)
        uow.commit()
    return posted


@guarded(Right.POST_MONEY, transaction_id=LedgerTransaction, claim_id=Claim)
def edit_posted_charge(
    uow: UnitOfWork,
    actor: Actor,
    transaction_id: int,
    *,
    expected_version: int,
    notes: str | None = None,
    aged_date: AgedChoice = KEEP,
    claim_id: int | None = None,
    today: dt.date | None = None,
) -> ChargeEdited:
    """Change a posted charge's notes, Aged date or claim link (module docstring): one action.

    The Aged date is when the patient's part starts aging: before the DOS is refused (TX-AGE-5),
    blank (None) keeps it current. What is held for insurance stays held until its claim is
    complete whatever the Aged date (TX-AGE-3/4). A charge saved meanwhile by another workstation
    is refused (DATA-2).
    """
    today = today or clock.today()
    cleaned_notes = None if notes is None else _check_notes(notes)
    if aged_date is not KEEP and aged_date is not None and not isinstance(aged_date, dt.date):
        raise ValidationError("The aged date is not a date.", "aged")
    with uow:
        session = uow.session
        tx = session.get(LedgerTransaction, transaction_id)
        if tx is None or tx.office_id != actor.office_id:
            raise NotFound("This transaction no longer exists.")
        if tx.kind is not TransactionKind.CHARGE:
            raise RuleViolation("Only a charge's notes, Aged date and claim can be changed here.")
        check_version(tx, expected_version)
        fields = ("notes", "aged_date", "claim_id")
        before = audit.snapshot(tx, *fields)
        changed: list[str] = []
        if cleaned_notes is not None and cleaned_notes != (tx.notes or ""):
            tx.notes = cleaned_notes
            changed.append("notes")
        if aged_date is not KEEP and aged_date != tx.aged_date:
            check_aged_date(aged_date, tx.dos)
            tx.aged_date = aged_date
            changed.append("aged_date")
        if claim_id is not None and claim_id != tx.claim_id:
            _put_on_claim_in(session, actor, tx, claim_id, today)
            changed.append("claim")
        if changed:
            uow.flush()
            audit.record(
                session,
                actor,
                "edit_posted_charge",
                "ledger_transaction",
                tx.id,
                before=before,
                after=audit.snapshot(tx, *fields),
            )
        result = ChargeEdited(tx.id, tx.version, tuple(changed))
        uow.commit()
    return result
