"""Follow-up (CASE-3): plans waiting for the patient, and the contact notes made while calling.

``follow_up_list`` lists the office's approved plans with unfinished items and its presented
drafts (a handout printed, saved or sent, never approved), oldest first, with the patient's
phone, the plan's total and what is still to do, the last contact and the days waiting.
``record_contact`` writes one contact note to the plan's contacts, its history and the audit log.
Declining is recorded here by any role; cancelling the plan with that reason stays
``status.cancel_plan`` (TP-1: Owner, Admin and Dentist), offered from the same list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from dentaldesk import clock
from dentaldesk.db.models import (
    Patient,
    PlanContact,
    PlanEvent,
    PlanItem,
    PlanStatusChange,
    Provider,
    TreatmentPlan,
    User,
)
from dentaldesk.domain.errors import RuleViolation
from dentaldesk.domain.followup import ContactKind, Waiting, check_contact, days_waiting, follow_up_order, keep
from dentaldesk.domain.money import ZERO, money
from dentaldesk.domain.plans import status_label
from dentaldesk.domain.terms import ItemStatus, PlanStatus
from dentaldesk.domain.times import local_day
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.plans.option_scope import counted_item
from dentaldesk.services.uow import UnitOfWork

# The plan history's actions that put a plan in the patient's hands (HandoutDelivery values).
PRESENTED_ACTIONS = ("handout_printed", "handout_saved_pdf", "handout_sent_to_patient", "handout_emailed")


@dataclass(frozen=True)
class LastContact:
    at: dt.datetime
    kind: ContactKind
    note: str
    call_back_on: dt.date | None
    by: str

    @property
    def summary(self) -> str:
        text = self.kind.label
        if self.call_back_on is not None:
            text += f" on {self.call_back_on:%Y-%m-%d}"
        if self.note:
            text += f": {self.note}"
        return text


@dataclass(frozen=True)
class FollowUpRow:
    """One plan on the Follow-up list."""

    plan_id: int
    plan_version: int
    patient_id: int
    patient_name: str
    patient_number: str
    phone: str
    title: str
    status: PlanStatus
    since: dt.date  # presented (a draft) or approved
    days_waiting: int
    total: Decimal
    open_fee: Decimal  # the fees of the items not yet done
    open_items: int
    providers: tuple[str, ...]
    last_contact: LastContact | None

    @property
    def waiting_for(self) -> str:
        return "approval" if self.status is PlanStatus.DRAFT else "treatment"

    @property
    def status_text(self) -> str:
        return "Presented, not approved" if self.status is PlanStatus.DRAFT else status_label(self.status)


def _local_day(at: dt.datetime) -> dt.date:
    return local_day(at)


@guarded(Right.READ_PLANS, provider_id=Provider)
def follow_up_list(
    uow: UnitOfWork,
    actor: Actor,
    *,
    provider_id: int | None = None,
    min_amount: Decimal | None = None,
    today: dt.date | None = None,
) -> list[FollowUpRow]:
    """CASE-3: the plans waiting for the patient, oldest first, filtered by a provider with work
    still to do on the plan and by the amount still to do."""
    today = today or clock.today()
    with uow.read():
        s = uow.session
        plans = s.execute(
            select(
                TreatmentPlan.id,
                TreatmentPlan.version,
                TreatmentPlan.title,
                TreatmentPlan.status,
                TreatmentPlan.created_at,
                Patient.id,
                Patient.first_name,
                Patient.last_name,
                Patient.patient_number,
                Patient.phone,
            )
            .join(Patient, Patient.id == TreatmentPlan.patient_id)
            .where(
                TreatmentPlan.office_id == actor.office_id,
                TreatmentPlan.status.in_([PlanStatus.DRAFT, PlanStatus.APPROVED]),
            )
        ).all()
        if not plans:
            return []
        ids = [p[0] for p in plans]
        items: dict[int, list[tuple[ItemStatus, Decimal, int | None, str | None]]] = {}
        for plan_id, status, fee, provider, provider_name in s.execute(
            select(PlanItem.plan_id, PlanItem.status, PlanItem.fee, PlanItem.provider_id, Provider.name)
            .outerjoin(Provider, Provider.id == PlanItem.provider_id)
            .where(PlanItem.plan_id.in_(ids), counted_item())
        ):
            items.setdefault(plan_id, []).append((ItemStatus(status), money(fee or ZERO), provider, provider_name))
        presented = dict(
            s.execute(
                select(PlanEvent.plan_id, func.min(PlanEvent.at))
                .where(PlanEvent.plan_id.in_(ids), PlanEvent.action.in_(PRESENTED_ACTIONS))
                .group_by(PlanEvent.plan_id)
            ).all()
        )
        approved = dict(
            s.execute(
                select(PlanStatusChange.plan_id, func.max(PlanStatusChange.at))
                .where(PlanStatusChange.plan_id.in_(ids), PlanStatusChange.to_status == PlanStatus.APPROVED)
                .group_by(PlanStatusChange.plan_id)
            ).all()
        )
        last_ids = select(func.max(PlanContact.id)).where(PlanContact.plan_id.in_(ids)).group_by(PlanContact.plan_id)
        contacts = {
            row[0]: LastContact(row[1], ContactKind(row[2]), row[3], row[4], row[5] or "")
            for row in s.execute(
                select(
                    PlanContact.plan_id,
                    PlanContact.at,
                    PlanContact.kind,
                    PlanContact.note,
                    PlanContact.call_back_on,
                    User.full_name,
                )
                .outerjoin(User, User.id == PlanContact.user_id)
                .where(PlanContact.id.in_(last_ids))
            )
        }
    rows: dict[int, FollowUpRow] = {}
    waiting: list[Waiting] = []
    for plan_id, version, title, stored_status, _created, patient_id, first, last, number, phone in plans:
        plan_status = PlanStatus(stored_status)
        lines = items.get(plan_id, [])
        open_lines = [line for line in lines if line[0] is ItemStatus.PLANNED]
        if plan_status is PlanStatus.APPROVED:
            if not open_lines or plan_id not in approved:
                continue
            since = _local_day(approved[plan_id])
        else:
            if plan_id not in presented or not lines:
                continue
            since = _local_day(presented[plan_id])
        open_fee = money(sum((line[1] for line in open_lines), ZERO))
        rows[plan_id] = FollowUpRow(
            plan_id=plan_id,
            plan_version=version,
            patient_id=patient_id,
            patient_name=f"{last}, {first}",
            patient_number=number,
            phone=phone or "",
            title=title,
            status=plan_status,
            since=since,
            days_waiting=days_waiting(since, today),
            total=money(sum((line[1] for line in lines), ZERO)),
            open_fee=open_fee,
            open_items=len(open_lines),
            providers=tuple(sorted({line[3] for line in open_lines if line[3]})),
            last_contact=contacts.get(plan_id),
        )
        waiting.append(Waiting(plan_id, since, open_fee, frozenset(line[2] for line in open_lines if line[2])))
    return [rows[w.plan_id] for w in follow_up_order(waiting) if keep(w, provider_id, min_amount)]


@dataclass(frozen=True)
class ContactRecorded:
    plan_id: int
    contact_id: int


@guarded(Right.PRESENT_PLANS, plan_id=TreatmentPlan)
def record_contact(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    kind: ContactKind | str,
    note: str = "",
    *,
    call_back_on: dt.date | None = None,
    today: dt.date | None = None,
) -> ContactRecorded:
    """CASE-3: one contact note, kept with the plan's contacts, in its history and the audit log.

    The plan itself does not change (its version stays), so an editor open on it is not made stale.
    """
    checked = check_contact(kind, note, call_back_on, today or clock.today())
    with uow:
        s = uow.session
        plan = s.get(TreatmentPlan, plan_id)
        assert plan is not None  # the guard found it in the actor's office
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.APPROVED):
            raise RuleViolation(f"This plan is {status_label(plan.status)}; there is nothing to follow up.")
        contact = PlanContact(
            plan_id=plan.id,
            user_id=actor.user_id,
            kind=checked.kind.value,
            note=checked.note,
            call_back_on=checked.call_back_on,
        )
        s.add(contact)
        detail = checked.kind.label
        if checked.call_back_on is not None:
            detail += f" on {checked.call_back_on:%Y-%m-%d}"
        if checked.note:
            detail += f": {checked.note}"
        s.add(PlanEvent(plan_id=plan.id, user_id=actor.user_id, action="contact", detail=f"Contact: {detail}"))
        s.flush()
        audit.record(
            s,
            actor,
            "record_contact",
            "treatment_plan",
            plan.id,
            after={
                "kind": checked.kind.value,
                "note": checked.note,
                "call_back_on": checked.call_back_on,
                "contact_id": contact.id,
            },
        )
        uow.commit()
        return ContactRecorded(plan.id, contact.id)
