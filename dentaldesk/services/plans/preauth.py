"""Preauthorization (CASE-2): send a plan's insurable items to the carrier, record its answer.

``send_preauthorization`` writes a numbered, dated request for the plan's planned insurable items
(code, tooth, fee, the subscriber and carrier of the primary coverage as they stand), has the
caller's ``render`` print it (the printing layer sits above the services) and keeps the PDF with
the plan. ``record_preauth_answer`` records the carrier's figures per item, ``deny_preauthorization``
a refusal of the whole request; both are refused when the answer is dated before the request or
after today, and an item's figures when they are negative or more than the fee sent
(``domain.preauth``). From then on the one plan estimate (``services.plans.estimate``) uses the
carrier's figures for an answered item while it is unchanged and in the same benefit year.
Each action is one unit of work with its plan history line and audit row, and moves the plan's
version on (DATA-2): every screen showing the plan's estimate is then out of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk import clock
from dentaldesk.db.models import (
    Coverage,
    DentalPlan,
    Office,
    Patient,
    Preauthorization,
    PreauthorizationLine,
    TreatmentPlan,
    User,
)
from dentaldesk.domain.errors import NotFound, RuleViolation, ValidationError
from dentaldesk.domain.money import format_money, money
from dentaldesk.domain.preauth import check_answer, check_answer_date, denied_answer, request_number
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.terms import CoverageRank, PlanStatus, ToothNumbering
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.plans.core import PlanWork
from dentaldesk.services.plans.estimate import plan_estimate_in
from dentaldesk.services.uow import UnitOfWork

NOTE_MAX = 500
STATUS_TEXT = {"sent": "Sent", "answered": "Answered", "denied": "Denied"}


@dataclass(frozen=True)
class PreauthLineView:
    """One item of a request as sent, with the carrier's figures once answered."""

    line_id: int
    item_id: int | None
    code: str
    description: str
    tooth: str  # in the office's numbering (ID-1)
    surfaces: str
    fee: Decimal
    allowed: Decimal | None
    pays: Decimal | None
    deductible: Decimal | None
    denied: bool

    @property
    def label(self) -> str:
        return f"{self.code} #{self.tooth}" if self.tooth else self.code


@dataclass(frozen=True)
class PreauthView:
    """A request as the plan's preauthorization panel and the printed request show it."""

    id: int
    plan_id: int
    number: str
    requested_on: dt.date
    requested_by: str
    benefit_year: int
    carrier: str
    plan_name: str
    subscriber_name: str
    subscriber_id: str
    group_number: str
    status: str
    answered_on: dt.date | None
    answer_note: str
    lines: tuple[PreauthLineView, ...]
    has_pdf: bool

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)

    @property
    def fee(self) -> Decimal:
        return sum((line.fee for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class PreauthRequest:
    """What the printed request carries: the office, the patient and the request (CASE-2)."""

    office_name: str
    office_address: str
    office_phone: str
    patient_name: str
    patient_number: str
    birth_date: dt.date
    plan_title: str
    request: PreauthView


@dataclass(frozen=True)
class PreauthSent:
    """``send_preauthorization``'s answer: the request, its PDF and the plan's new version."""

    request: PreauthView
    pdf: bytes
    plan_version: int


@dataclass(frozen=True)
class PreauthAnswered:
    request: PreauthView
    plan_version: int


def _numbering(session: Session, office_id: int) -> ToothNumbering:
    office = session.get(Office, office_id)
    return office.tooth_numbering if office is not None else ToothNumbering.UNIVERSAL


def _view(session: Session, row: Preauthorization, numbering: ToothNumbering) -> PreauthView:
    by = session.get(User, row.requested_by_id) if row.requested_by_id else None
    return PreauthView(
        id=row.id,
        plan_id=row.plan_id,
        number=request_number(row.id),
        requested_on=row.requested_on,
        requested_by=by.full_name if by is not None else "",
        benefit_year=row.benefit_year,
        carrier=row.carrier,
        plan_name=row.plan_name,
        subscriber_name=row.subscriber_name,
        subscriber_id=row.subscriber_id,
        group_number=row.group_number,
        status=row.status,
        answered_on=row.answered_on,
        answer_note=row.answer_note or "",
        lines=tuple(
            PreauthLineView(
                line_id=line.id,
                item_id=line.plan_item_id,
                code=line.code,
                description=line.description,
                tooth=display_tooth(line.tooth, numbering) if line.tooth else "",
                surfaces=line.surfaces,
                fee=line.fee,
                allowed=line.allowed,
                pays=line.pays,
                deductible=line.deductible,
                denied=line.denied,
            )
            for line in row.lines
        ),
        has_pdf=row.request_pdf is not None,
    )


@guarded(Right.READ_PLANS, plan_id=TreatmentPlan)
def preauth_requests(uow: UnitOfWork, actor: Actor, plan_id: int) -> list[PreauthView]:
    """CASE-2: the plan's preauthorization requests, newest first."""
    with uow.read():
        s = uow.session
        plan = s.get(TreatmentPlan, plan_id)
        if plan is None:
            raise NotFound("This treatment plan no longer exists.")
        numbering = _numbering(s, plan.office_id)
        rows = s.scalars(
            select(Preauthorization).where(Preauthorization.plan_id == plan_id).order_by(Preauthorization.id.desc())
        ).all()
        return [_view(s, row, numbering) for row in rows]


@guarded(Right.READ_PLANS, preauth_id=Preauthorization)
def preauth_pdf(uow: UnitOfWork, actor: Actor, preauth_id: int) -> bytes:
    """CASE-2: the request as it was printed when sent, kept with the plan."""
    with uow.read():
        row = uow.session.get(Preauthorization, preauth_id)
        if row is None or row.request_pdf is None:
            raise NotFound("This preauthorization request no longer exists.")
        return bytes(row.request_pdf)


def _primary(session: Session, patient_id: int) -> tuple[Coverage, DentalPlan]:
    found = session.execute(
        select(Coverage, DentalPlan)
        .join(DentalPlan, DentalPlan.id == Coverage.dental_plan_id)
        .where(Coverage.patient_id == patient_id)
        .order_by(Coverage.rank != CoverageRank.PRIMARY, Coverage.id)
    ).first()
    if found is None:
        raise RuleViolation("The patient has no dental insurance on file: there is no carrier to ask.")
    return found[0], found[1]


@guarded(Right.PRESENT_PLANS, plan_id=TreatmentPlan)
def send_preauthorization(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    *,
    expected_version: int,
    render: Callable[[PreauthRequest], bytes],
) -> PreauthSent:
    """CASE-2 "Send preauthorization": a numbered request of the plan's planned insurable items
    with the primary coverage's subscriber and carrier, dated today, printed by ``render`` and kept
    with the plan; recorded in the plan's history and the audit log."""
    today = clock.today()
    with uow:
        s = uow.session
        work = PlanWork.open(uow, actor, plan_id, expected_version)
        if work.plan.status not in (PlanStatus.DRAFT, PlanStatus.APPROVED):
            raise RuleViolation("Only a draft or approved plan's items can be sent for preauthorization.")
        coverage, dental_plan = _primary(s, work.plan.patient_id)
        estimate = plan_estimate_in(s, plan_id)
        chosen = []
        for f in estimate.planned():
            item = work.items[f.item_id]
            if f.insurable and item.fee is not None and money(item.fee) > 0:
                chosen.append((item, money(item.fee)))
        if not chosen:
            raise RuleViolation("No planned item of this plan is insurable: there is nothing to preauthorize.")
        row = Preauthorization(
            plan_id=plan_id,
            requested_on=today,
            requested_by_id=actor.user_id,
            benefit_year=today.year,
            carrier=dental_plan.carrier or dental_plan.name,
            plan_name=dental_plan.name,
            subscriber_name=coverage.subscriber_name,
            subscriber_id=coverage.subscriber_id or "",
            group_number=dental_plan.group_number or "",
            status="sent",
            answer_note="",
        )
        for item, fee in sorted(
            chosen, key=lambda c: ((c[0].visit if c[0].visit is not None else 1 << 30), c[0].sequence, c[0].id)
        ):
            code = work.code_of(item)
            row.lines.append(
                PreauthorizationLine(
                    plan_item_id=item.id,
                    code=code.code,
                    description=code.name[:200],
                    tooth=item.tooth or "",
                    surfaces=item.surfaces or "",
                    fee=fee,
                    denied=False,
                )
            )
        s.add(row)
        uow.flush()
        patient = s.get(Patient, work.plan.patient_id)
        office = s.get(Office, work.plan.office_id)
        assert patient is not None and office is not None
        view = _view(s, row, work.numbering)
        pdf = render(
            PreauthRequest(
                office_name=office.name,
                office_address=office.address,
                office_phone=office.phone,
                patient_name=patient.full_name,
                patient_number=patient.patient_number,
                birth_date=patient.birth_date,
                plan_title=work.plan.title,
                request=view,
            )
        )
        row.request_pdf = pdf
        items = ", ".join(line.label for line in view.lines)
        work.event(
            "preauth_sent",
            f"Sent preauthorization {view.number} to {row.carrier} for {items} ({format_money(view.fee)}).",
        )
        work.audit(
            "send_preauthorization",
            "preauthorization",
            row.id,
            None,
            {"plan_id": plan_id, "carrier": row.carrier, "items": [line.item_id for line in view.lines]},
        )
        work.touch()
        uow.flush()
        view = _view(s, row, work.numbering)
        uow.commit()
        return PreauthSent(view, pdf, work.plan.version)


def _open_request(
    uow: UnitOfWork, actor: Actor, preauth_id: int, expected_version: int
) -> tuple[PlanWork, Preauthorization]:
    row = uow.session.get(Preauthorization, preauth_id)
    if row is None:
        raise NotFound("This preauthorization request no longer exists.")
    work = PlanWork.open(uow, actor, row.plan_id, expected_version)
    if row.status != "sent":
        raise RuleViolation(
            f"Preauthorization {request_number(row.id)} was already answered on {row.answered_on:%Y-%m-%d}."
        )
    return work, row


def _note(note: str) -> str:
    cleaned = " ".join((note or "").split())
    if len(cleaned) > NOTE_MAX:
        raise ValidationError(f"A note has at most {NOTE_MAX} characters.", "note")
    return cleaned


@dataclass(frozen=True)
class AnswerInput:
    """The carrier's figures for one line as typed (MONEY-3 parses them)."""

    allowed: str | Decimal
    pays: str | Decimal
    deductible: str | Decimal


@guarded(Right.PRESENT_PLANS, preauth_id=Preauthorization)
def record_preauth_answer(
    uow: UnitOfWork,
    actor: Actor,
    preauth_id: int,
    answered_on: dt.date | None,
    answers: Mapping[int, AnswerInput],
    *,
    note: str = "",
    expected_version: int,
) -> PreauthAnswered:
    """CASE-2 "Record answer": the carrier's allowed fee, payment and deductible for every item of
    the request (line id -> figures). A bad figure is refused at its field, named
    ``allowed:<line id>`` (``pays``, ``deductible``); nothing is recorded then."""
    today = clock.today()
    with uow:
        work, row = _open_request(uow, actor, preauth_id, expected_version)
        check_answer_date(row.requested_on, answered_on, today)
        cleaned = _note(note)
        for line in row.lines:
            given = answers.get(line.id)
            if given is None:
                raise ValidationError(f"Enter the carrier's answer for {line.code}.", f"allowed:{line.id}")
            try:
                checked = check_answer(line.fee, given.allowed, given.pays, given.deductible)
            except ValidationError as refused:
                raise ValidationError(refused.message, f"{refused.field}:{line.id}") from None
            line.allowed, line.pays, line.deductible, line.denied = (
                checked.allowed,
                checked.pays,
                checked.deductible,
                False,
            )
        unknown = set(answers) - {line.id for line in row.lines}
        if unknown:
            raise NotFound("An answered item is not part of this request; reopen the plan and try again.")
        row.status, row.answered_on, row.answered_by_id, row.answer_note = (
            "answered",
            answered_on,
            actor.user_id,
            cleaned,
        )
        view = _view(uow.session, row, work.numbering)
        pays = sum((line.pays or Decimal("0.00") for line in view.lines), Decimal("0.00"))
        work.event(
            "preauth_answered",
            f"{row.carrier} answered preauthorization {view.number} on {answered_on:%Y-%m-%d}: "
            + "; ".join(
                f"{line.label} allowed {format_money(line.allowed)}, pays {format_money(line.pays)}"
                for line in view.lines
            )
            + f" (insurance pays {format_money(pays)} in all)."
            + (f" {cleaned}" if cleaned else ""),
        )
        work.audit(
            "record_preauth_answer",
            "preauthorization",
            row.id,
            {"status": "sent"},
            {
                "status": "answered",
                "answered_on": f"{answered_on:%Y-%m-%d}",
                "lines": {
                    str(line.line_id): [str(line.allowed), str(line.pays), str(line.deductible)] for line in view.lines
                },
            },
        )
        work.touch()
        uow.flush()
        uow.commit()
        return PreauthAnswered(view, work.plan.version)


@guarded(Right.PRESENT_PLANS, preauth_id=Preauthorization)
def deny_preauthorization(
    uow: UnitOfWork,
    actor: Actor,
    preauth_id: int,
    answered_on: dt.date | None,
    *,
    note: str = "",
    expected_version: int,
) -> PreauthAnswered:
    """CASE-2 "Denied": the carrier refused the whole request; its items are estimated at 0
    insurance, marked denied, while they stay as sent."""
    today = clock.today()
    with uow:
        work, row = _open_request(uow, actor, preauth_id, expected_version)
        check_answer_date(row.requested_on, answered_on, today)
        cleaned = _note(note)
        for line in row.lines:
            checked = denied_answer(line.fee)
            line.allowed, line.pays, line.deductible, line.denied = (
                checked.allowed,
                checked.pays,
                checked.deductible,
                True,
            )
        row.status, row.answered_on, row.answered_by_id, row.answer_note = "denied", answered_on, actor.user_id, cleaned
        view = _view(uow.session, row, work.numbering)
        work.event(
            "preauth_denied",
            f"{row.carrier} denied preauthorization {view.number} on {answered_on:%Y-%m-%d}."
            + (f" {cleaned}" if cleaned else ""),
        )
        work.audit(
            "deny_preauthorization",
            "preauthorization",
            row.id,
            {"status": "sent"},
            {"status": "denied", "answered_on": f"{answered_on:%Y-%m-%d}", "note": cleaned},
        )
        work.touch()
        uow.flush()
        uow.commit()
        return PreauthAnswered(view, work.plan.version)


__all__ = [
    "AnswerInput",
    "PreauthAnswered",
    "PreauthLineView",
    "PreauthRequest",
    "PreauthSent",
    "PreauthView",
    "deny_preauthorization",
    "preauth_pdf",
    "preauth_requests",
    "record_preauth_answer",
    "send_preauthorization",
]
