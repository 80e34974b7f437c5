"""The patient handout's read model, and recording that a handout was printed or sent (TP-4, TP-15, TP-17).

``load_handout`` reads everything the printed plan needs in one unit of work and returns frozen
values, so the PDF builder (dentaldesk.printing) never touches the database. Insurance comes from
the plan's one estimate (``services.plans.estimate``, INS-9); the approval's signature is offered
for printing only while ``signature_matches`` says it still covers the plan as it is now.

``record_handout`` writes a print, a saved PDF or a send to the plan's history and the audit log
(SEC-2). Every role may print and send a plan (TP-1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk import clock
from dentaldesk.db.models import (
    Coverage,
    Office,
    Patient,
    PlanApproval,
    PlanEvent,
    PlanItem,
    PlanStatusChange,
    ProcedureCode,
    Provider,
    TreatmentPlan,
    User,
)
from dentaldesk.domain.approval import ApprovedLine, approved_lines, signature_matches
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.money import ZERO, discount_off, money, schedule_fee_note
from dentaldesk.domain.plans import ItemFacts, chair_minutes, plan_order_key, plan_total, status_label, visit_groups
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.terms import ApprovalMethod, PaperSize, PlanStatus, Role, ToothNumbering
from dentaldesk.domain.times import local_day
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.plans.estimate import ItemFigures, plan_estimate_in
from dentaldesk.services.plans.option_scope import counted_option_id_in
from dentaldesk.services.plans.options import OptionSummary, option_summaries_in
from dentaldesk.services.plans.records import record_of
from dentaldesk.services.plans.status import line_terms
from dentaldesk.services.uow import UnitOfWork

# TP-1: front desk may print and send plans too, so every role may.
HANDOUT_ROLES = frozenset(Role)


class HandoutDelivery(str, Enum):
    """How a handout left the practice (written to the plan's history, SEC-2)."""

    PRINTED = "printed"
    SAVED_PDF = "saved_pdf"
    SENT_TO_PATIENT = "sent_to_patient"  # saved and handed to the system mail client (no server set)
    EMAILED = "emailed"  # sent through the office's mail server with the PDF attached (CASE-4)

    @property
    def label(self) -> str:
        return {
            "printed": "Handout printed",
            "saved_pdf": "Handout saved as PDF",
            "sent_to_patient": "Handout sent to patient",
            "emailed": "Handout e-mailed to patient",
        }[self.value]


@dataclass(frozen=True)
class HandoutOffice:
    """The practice header and the office's handout settings."""

    office_id: int
    office_code: str
    name: str
    address: str
    phone: str
    email: str
    paper_size: PaperSize
    tooth_numbering: ToothNumbering
    handout_note: str
    estimate_valid_days: int


@dataclass(frozen=True)
class HandoutPatient:
    name: str
    patient_number: str
    birth_date: dt.date
    email: str


@dataclass(frozen=True)
class HandoutItem:
    """One plan line as printed: tooth in the office's numbering, money split by the estimate."""

    item_id: int
    visit: int | None
    tooth: str  # office numbering (ID-1); "" when the code needs no tooth
    universal_tooth: str  # stored form, for the chart
    surfaces: str
    code: str
    name: str
    description: str  # the code's patient-friendly description
    provider: str
    fee: Decimal
    write_off: Decimal
    insurance: Decimal
    patient: Decimal
    rtu: int
    completed: bool
    completed_on: dt.date | None
    note: str = ""  # why insurance pays 0.00, one short phrase (INS-3: "maximum reached")
    schedule_fee: Decimal | None = None  # MONEY-2: the fee an override replaced
    mark: str = ""  # CASE-2 "Preauthorized PA-000012" / CASE-5 "In the 2027 benefit year"

    @property
    def fee_note(self) -> str:
        """MONEY-2: what an overridden fee replaced, printed under it (the discount shown)."""
        return schedule_fee_note(self.fee, self.schedule_fee)

    @property
    def discount(self) -> Decimal:
        return discount_off(self.fee, self.schedule_fee)


@dataclass(frozen=True)
class HandoutVisit:
    """One visit's items with its subtotal and chair time (TP-16, RTU's)."""

    number: int | None
    items: tuple[HandoutItem, ...]
    fee: Decimal
    insurance: Decimal
    patient: Decimal
    chair_minutes: int

    @property
    def title(self) -> str:
        return f"Visit {self.number}" if self.number is not None else "Visit not yet scheduled"


@dataclass(frozen=True)
class HandoutApproval:
    """The latest approval on record (TP-15) and whether it still covers the plan as it is now."""

    approver: str
    method: ApprovalMethod
    approved_at: dt.datetime
    recorded_by: str
    total: Decimal
    content_hash: str
    signature_png: bytes | None
    matches_current_plan: bool

    @property
    def method_label(self) -> str:
        return self.method.label


@dataclass(frozen=True)
class HandoutTotals:
    """The plan's fees, and the estimate of the work still to do (all of it until an item is done).

    Done items are left out of the estimate totals, as in the billing summary (TP-14): the
    coverage's benefits used already count what was done and claimed.
    """

    fee: Decimal
    done_fee: Decimal
    done_items: int
    write_off: Decimal
    insurance: Decimal
    patient: Decimal
    discount: Decimal = ZERO  # MONEY-2: what the plan's fees are below the schedule fees


@dataclass(frozen=True)
class PlanHandout:
    """Everything the printed plan shows, as plain values."""

    plan_id: int
    office: HandoutOffice
    patient: HandoutPatient
    title: str
    status: PlanStatus
    created_on: dt.date
    approved_on: dt.date | None
    closed_on: dt.date | None
    prepared_on: dt.date
    visits: tuple[HandoutVisit, ...]
    totals: HandoutTotals
    approval: HandoutApproval | None
    planned_teeth: frozenset[str]  # Universal numbers with work still to do
    completed_teeth: frozenset[str]  # Universal numbers with work done in this plan
    has_insurance: bool
    # CASE-1: with several options, the printed option's name; once one is chosen, the names of
    # the others; before the choice, every option (each printed side by side, then its items).
    option_name: str = ""
    not_chosen: tuple[str, ...] = ()
    options: tuple[HandoutOption, ...] = ()

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def is_draft(self) -> bool:
        """TP-4: a draft is printed only as an estimate, under a watermark."""
        return self.status is PlanStatus.DRAFT

    @property
    def valid_until(self) -> dt.date:
        """The estimate holds for the office's number of days from the day it is handed out."""
        return self.prepared_on + dt.timedelta(days=self.office.estimate_valid_days)

    @property
    def items(self) -> tuple[HandoutItem, ...]:
        return tuple(item for visit in self.visits for item in visit.items)

    @property
    def signature_covers_plan(self) -> bool:
        """True when the stored signature is for exactly this plan (TP-15, domain.approval)."""
        return self.approval is not None and self.approval.matches_current_plan


@dataclass(frozen=True)
class HandoutOption:
    """One option of a plan presented with several (CASE-1): its side-by-side figures (the
    comparison's, from the option's own estimate) and its own handout of items and totals."""

    summary: OptionSummary
    handout: PlanHandout


def _status_dates(session: Session, plan_id: int) -> dict[PlanStatus, dt.date]:
    """The latest date the plan entered each status (TP-2)."""
    found: dict[PlanStatus, dt.date] = {}
    for to_status, at in session.execute(
        select(PlanStatusChange.to_status, PlanStatusChange.at)
        .where(PlanStatusChange.plan_id == plan_id)
        .order_by(PlanStatusChange.id)
    ):
        found[PlanStatus(to_status)] = local_day(at)
    return found


def _approval(
    session: Session, plan: TreatmentPlan, option_id: int, lines: list[ApprovedLine], total: Decimal
) -> HandoutApproval | None:
    """The latest approval of the option printed (CASE-1: a not-chosen option has none)."""
    row = session.scalars(
        select(PlanApproval)
        .where(PlanApproval.plan_id == plan.id, PlanApproval.option_id == option_id)
        .order_by(PlanApproval.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    recorded_by = ""
    if row.recorded_by_id is not None:
        recorded_by = session.scalar(select(User.full_name).where(User.id == row.recorded_by_id)) or ""
    return HandoutApproval(
        approver=row.approver_name,
        method=ApprovalMethod(row.method),
        approved_at=row.approved_at,
        recorded_by=recorded_by,
        total=money(row.total),
        content_hash=row.content_hash,
        signature_png=row.signature_png,
        matches_current_plan=signature_matches(row.content_hash, plan.title, lines, total, row.hash_version),
    )


def _why_no_insurance(figures: ItemFigures) -> str:
    """INS-3: every 0.00 insurance line says why in one short phrase, the one estimate's own
    (maximum reached, deductible takes it, not covered, kept off insurance...); a done item's
    is what its posted charge says."""
    if figures.insurance > 0:
        return ""
    if figures.estimate is not None:
        return figures.estimate.zero_reason
    return "no insurance payment expected" if figures.insurable else "not billed to insurance"


def item_mark(figures: ItemFigures, year: int) -> str:
    """What the handout and the editor say beside a planned item's estimate: the carrier's answer
    its figures come from (CASE-2), the next benefit year it is estimated in (CASE-5)."""
    marks = []
    if figures.preauthorized:
        marks.append(figures.preauthorized[0].upper() + figures.preauthorized[1:])
    if figures.next_year:
        marks.append(f"In the {year + 1} benefit year")
    return "; ".join(marks)


@guarded(Right.READ_PLANS, plan_id=TreatmentPlan)
def load_handout(uow: UnitOfWork, actor: Actor, plan_id: int, *, today: dt.date | None = None) -> PlanHandout:
    """Read everything the handout of one plan shows, in one unit of work (TP-4, TP-15, TP-17)."""
    with uow.read():
        return load_handout_in(uow.session, plan_id, today=today)


def load_handout_in(
    session: Session, plan_id: int, *, today: dt.date | None = None, option_id: int | None = None
) -> PlanHandout:
    """:func:`load_handout` inside an open session. CASE-1: a plan of one option, or one whose
    option is chosen, prints that option (the chosen one names the others as not chosen); a plan
    presented with several prints them all side by side, then each one's items and totals.
    ``option_id`` prints one option alone."""
    if option_id is not None:
        return _option_handout(session, plan_id, option_id, today)
    summaries = option_summaries_in(session, plan_id)
    counted = counted_option_id_in(session, plan_id)
    main = _option_handout(session, plan_id, counted, today)
    if len(summaries) == 1:
        return main
    if any(s.state for s in summaries):  # the patient chose: the handout is the chosen option's
        return replace(
            main,
            option_name=next(s.name for s in summaries if s.id == counted),
            not_chosen=tuple(s.name for s in summaries if s.id != counted),
        )
    options = tuple(
        HandoutOption(
            s, replace(main if s.id == counted else _option_handout(session, plan_id, s.id, today), option_name=s.name)
        )
        for s in summaries
    )
    return replace(
        main,
        option_name="",
        options=options,
        planned_teeth=frozenset().union(*(o.handout.planned_teeth for o in options)),
        completed_teeth=frozenset().union(*(o.handout.completed_teeth for o in options)),
    )


def _option_handout(session: Session, plan_id: int, option_id: int, today: dt.date | None) -> PlanHandout:
    """The handout of one option of the plan: its items by visit, its estimate and totals, and
    the approval that covers it (TP-15)."""
    found = session.execute(
        select(TreatmentPlan, Patient, Office)
        .join(Patient, Patient.id == TreatmentPlan.patient_id)
        .join(Office, Office.id == TreatmentPlan.office_id)
        .where(TreatmentPlan.id == plan_id)
    ).first()
    if found is None:
        raise NotFound(f"Plan {plan_id} does not exist (it may have been deleted).", "plan")
    plan, patient, office = found
    numbering = ToothNumbering(office.tooth_numbering)

    rows = session.execute(
        select(PlanItem, ProcedureCode, Provider.name)
        .join(ProcedureCode, ProcedureCode.id == PlanItem.procedure_code_id)
        .outerjoin(Provider, Provider.id == PlanItem.provider_id)
        .where(PlanItem.plan_id == plan_id, PlanItem.option_id == option_id)
    ).all()
    facts = [record_of(item, code, numbering).facts() for item, code, _provider in rows]
    by_id = {item.id: (item, code, provider or "") for item, code, provider in rows}
    ordered = sorted(facts, key=plan_order_key)

    # INS-9: the plan's one estimate: planned items in plan order with the benefits paid and
    # pending (INS-3), so the work left is never promised what posted work already expects; a
    # done item shows its posted charge's split.
    estimate = plan_estimate_in(session, plan.id, option_id=option_id)

    def handout_item(f: ItemFacts) -> HandoutItem:
        item, code, provider = by_id[f.id]
        figures = estimate.of(f.id)
        return HandoutItem(
            item_id=item.id,
            visit=item.visit,
            tooth=display_tooth(item.tooth, numbering),
            universal_tooth=item.tooth or "",
            surfaces=item.surfaces or "",
            code=code.code,
            name=code.name,
            description=code.description or code.name,
            provider=provider,
            fee=figures.fee,
            write_off=figures.write_off,
            insurance=figures.insurance,
            patient=figures.patient,
            rtu=item.rtu,
            completed=f.is_completed,
            completed_on=item.completed_on,
            note=_why_no_insurance(figures),
            schedule_fee=item.schedule_fee,
            mark=item_mark(figures, clock.today().year) if not f.is_completed else "",
        )

    visits: list[HandoutVisit] = []
    for number, group in visit_groups(facts):
        printed = tuple(handout_item(f) for f in group)
        visits.append(
            HandoutVisit(
                number=number,
                items=printed,
                fee=money(sum((i.fee for i in printed), ZERO)),
                insurance=money(sum((i.insurance for i in printed), ZERO)),
                patient=money(sum((i.patient for i in printed), ZERO)),
                chair_minutes=chair_minutes(i.rtu for i in printed),
            )
        )
    done = [f for f in facts if f.is_completed]
    total = plan_total(facts)
    lines = approved_lines(ordered, lambda f: by_id[f.id][2], lambda f: line_terms(by_id[f.id][0], estimate))
    dates = _status_dates(session, plan.id)
    closed = dates.get(plan.status) if plan.status in (PlanStatus.COMPLETED, PlanStatus.CANCELLED) else None
    return PlanHandout(
        plan_id=plan.id,
        office=HandoutOffice(
            office_id=office.id,
            office_code=office.office_code,
            name=office.name,
            address=office.address,
            phone=office.phone,
            email=office.email,
            paper_size=PaperSize(office.paper_size),
            tooth_numbering=numbering,
            handout_note=office.handout_note,
            estimate_valid_days=office.estimate_valid_days,
        ),
        patient=HandoutPatient(
            name=patient.full_name,
            patient_number=patient.patient_number,
            birth_date=patient.birth_date,
            email=(patient.email or "").strip(),
        ),
        title=plan.title,
        status=PlanStatus(plan.status),
        created_on=local_day(plan.created_at),
        approved_on=dates.get(PlanStatus.APPROVED),
        closed_on=closed,
        prepared_on=today or clock.today(),
        visits=tuple(visits),
        totals=HandoutTotals(
            fee=money(total),
            done_fee=plan_total(done),
            done_items=len(done),
            write_off=money(estimate.write_off),
            insurance=money(estimate.insurance),
            patient=money(estimate.patient),
            discount=money(sum((i.discount for v in visits for i in v.items), ZERO)),
        ),
        approval=_approval(session, plan, option_id, lines, total),
        planned_teeth=frozenset(t for f in facts if (t := by_id[f.id][0].tooth) and not f.is_completed),
        completed_teeth=frozenset(t for f in facts if (t := by_id[f.id][0].tooth) and f.is_completed),
        has_insurance=session.scalar(select(Coverage.id).where(Coverage.patient_id == patient.id).limit(1)) is not None,
    )


@guarded(Right.PRESENT_PLANS, plan_id=TreatmentPlan)
def record_handout(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    how: HandoutDelivery,
    *,
    detail: str = "",
) -> None:
    """Write a printed, saved or sent handout to the plan's history and the audit log (SEC-2).

    Every role may print and send a plan (TP-1); the command line logs in for it as the app does.
    """
    how = HandoutDelivery(how)
    with uow:
        s = uow.session
        plan = s.get(TreatmentPlan, plan_id)
        assert plan is not None  # the guard found it in the actor's office
        text = how.label + (f": {detail}" if detail else "")
        action = f"handout_{how.value}"
        s.add(PlanEvent(plan_id=plan.id, user_id=actor.user_id, action=action, detail=text))
        audit.record(
            s,
            actor,
            action,
            "treatment_plan",
            plan.id,
            after={"how": how.value, "detail": detail, "status": plan.status, "title": plan.title},
        )
        uow.commit()
