"""Reading the audit log (SEC-5): the Audit window's filters, its CSV export, and ``audit verify``.

Owner and Admin read it (``Right.READ_AUDIT``), their own office's rows only. Times come back in
UTC; the window shows them in the workstation's local time (SEC-2).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from dentaldesk.db.models import (
    AuditEvent,
    ChartGraphic,
    Claim,
    Coverage,
    LedgerTransaction,
    Patient,
    PlanItem,
    TreatmentPlan,
    User,
)
from dentaldesk.domain.audit_chain import ChainCheck
from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.times import shown_time
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.uow import UnitOfWork

MAX_ROWS = 5000


@dataclass(frozen=True)
class AuditRow:
    id: int
    seq: int
    at: dt.datetime  # UTC, timezone-aware
    username: str
    workstation: str
    action: str
    entity: str
    entity_id: int | None
    before: str
    after: str


@dataclass(frozen=True)
class AuditFilter:
    """What the Audit window asks for; every part is optional. Dates are local calendar days."""

    patient_id: int | None = None
    username: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class AuditChoices:
    users: tuple[str, ...]
    actions: tuple[str, ...]


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)


def _patient_records(session: Session, patient_id: int) -> ColumnElement[bool]:
    """The audit rows about a patient: the patient and every record of theirs, by table."""
    plan_ids = select(TreatmentPlan.id).where(TreatmentPlan.patient_id == patient_id)
    e = AuditEvent
    return or_(
        and_(e.entity == "patient", e.entity_id == patient_id),
        and_(e.entity == "treatment_plan", e.entity_id.in_(plan_ids)),
        and_(e.entity == "plan_item", e.entity_id.in_(select(PlanItem.id).where(PlanItem.plan_id.in_(plan_ids)))),
        and_(
            e.entity == "ledger_transaction",
            e.entity_id.in_(select(LedgerTransaction.id).where(LedgerTransaction.patient_id == patient_id)),
        ),
        and_(
            e.entity == "chart_graphic",
            e.entity_id.in_(select(ChartGraphic.id).where(ChartGraphic.patient_id == patient_id)),
        ),
        and_(e.entity == "claim", e.entity_id.in_(select(Claim.id).where(Claim.patient_id == patient_id))),
        and_(e.entity == "coverage", e.entity_id.in_(select(Coverage.id).where(Coverage.patient_id == patient_id))),
    )


@guarded(Right.READ_AUDIT, patient_id=Patient)
def search_audit(
    uow: UnitOfWork, actor: Actor, patient_id: int | None = None, *, where: AuditFilter | None = None
) -> list[AuditRow]:
    """The office's audit rows matching the filter, newest first, at most :data:`MAX_ROWS` (SEC-5)."""
    where = where or AuditFilter(patient_id=patient_id)
    if where.date_from and where.date_to and where.date_to < where.date_from:
        raise ValidationError("The end date is before the start date.", "date_to")
    e = AuditEvent
    query = select(e).where(e.office_id == actor.office_id)
    with uow:
        if patient_id is not None:
            query = query.where(_patient_records(uow.session, patient_id))
        if where.username.strip():
            query = query.where(e.username == where.username.strip())
        if where.action.strip():
            query = query.where(e.action == where.action.strip())
        if where.date_from:
            query = query.where(e.at >= _local_midnight_utc(where.date_from))
        if where.date_to:
            query = query.where(e.at < _local_midnight_utc(where.date_to + dt.timedelta(days=1)))
        rows = uow.session.scalars(query.order_by(e.seq.desc()).limit(MAX_ROWS))
        return [
            AuditRow(
                r.id,
                r.seq,
                _aware(r.at),
                r.username,
                r.workstation,
                r.action,
                r.entity,
                r.entity_id,
                r.before or "",
                r.after or "",
            )
            for r in rows
        ]


@guarded(Right.READ_AUDIT)
def audit_choices(uow: UnitOfWork, actor: Actor) -> AuditChoices:
    """The user names and actions the office's log holds, for the window's pickers."""
    e = AuditEvent
    with uow:
        s = uow.session
        users = s.scalars(select(User.username).where(User.office_id == actor.office_id).order_by(User.username))
        actions = s.scalars(select(e.action).where(e.office_id == actor.office_id).distinct().order_by(e.action))
        return AuditChoices(tuple(users), tuple(actions))


@guarded(Right.READ_AUDIT)
def verify_audit(uow: UnitOfWork, actor: Actor) -> ChainCheck:
    """``dentaldesk audit verify``: the whole chain checked, the first broken link named (SEC-5)."""
    with uow:
        return audit.verify_chain(uow.session)


CSV_HEADERS = ("Time (local)", "User", "Workstation", "Action", "Record", "Record id", "Before", "After", "Seq")


def audit_csv(rows: list[AuditRow]) -> str:
    """The rows as CSV for a spreadsheet, times in the workstation's local time (SEC-2)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADERS)
    for r in rows:
        writer.writerow(
            [
                shown_time(r.at, seconds=True),
                r.username,
                r.workstation,
                r.action,
                r.entity,
                "" if r.entity_id is None else r.entity_id,
                r.before,
                r.after,
                r.seq,
            ]
        )
    return out.getvalue()
