"""Reading the tooth chart: its marks (chart graphics) as plain rows, and a procedure's history.

The chart's marks come from ChartGraphic records, not from plans; removed marks are
returned too, flagged, because they are the procedure's history (TX-CHART-2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, overload

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased

from dentaldesk.db.models import ChartGraphic, LedgerTransaction, Office, Patient, PlanItem, ProcedureCode, User
from dentaldesk.domain.errors import NotFound, ValidationError
from dentaldesk.domain.terms import Category, GraphicStatus, ToothNumbering
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True)
class ChartMark:
    """One chart graphic as the chart, the dialog and the history show it."""

    id: int
    patient_id: int
    tooth: str | None  # Universal, as stored (ID-1); shown with domain.teeth.display_tooth
    surfaces: str
    procedure_code_id: int
    code: str
    code_name: str
    category: Category
    status: GraphicStatus
    created_at: dt.datetime
    created_by: str
    removed_at: dt.datetime | None
    removed_by: str
    removal_reason: str
    transaction_id: int | None
    plan_item_id: int | None

    @property
    def removed(self) -> bool:
        return self.removed_at is not None


@dataclass(frozen=True)
class PatientChart:
    """What a tooth chart needs for one patient: the office numbering, the age, every mark."""

    patient_id: int
    patient_name: str
    patient_number: str
    birth_date: dt.date
    numbering: ToothNumbering
    marks: tuple[ChartMark, ...]


@overload
def _aware(moment: dt.datetime) -> dt.datetime: ...
@overload
def _aware(moment: None) -> None: ...
def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; every stamp is written in UTC (db.models.base.utcnow).
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


_Creator = aliased(User)
_Remover = aliased(User)


def _mark_query() -> Select[*tuple[Any, ...]]:
    return (
        select(
            ChartGraphic,
            ProcedureCode.code,
            ProcedureCode.name,
            ProcedureCode.category,
            _Creator.full_name,
            _Remover.full_name,
        )
        .join(ProcedureCode, ProcedureCode.id == ChartGraphic.procedure_code_id)
        .outerjoin(_Creator, _Creator.id == ChartGraphic.created_by_id)
        .outerjoin(_Remover, _Remover.id == ChartGraphic.removed_by_id)
        .order_by(ChartGraphic.created_at, ChartGraphic.id)
    )


def _to_mark(
    g: ChartGraphic, code: str, name: str, category: Category, creator: str | None, remover: str | None
) -> ChartMark:
    return ChartMark(
        id=g.id,
        patient_id=g.patient_id,
        tooth=g.tooth,
        surfaces=g.surfaces or "",
        procedure_code_id=g.procedure_code_id,
        code=code,
        code_name=name,
        category=category,
        status=g.status,
        created_at=_aware(g.created_at),
        created_by=creator or "",
        removed_at=_aware(g.removed_at),
        removed_by=remover or "",
        removal_reason=g.removal_reason or "",
        transaction_id=g.transaction_id,
        plan_item_id=g.plan_item_id,
    )


def load_mark(session: Session, graphic_id: int) -> ChartMark:
    row = session.execute(_mark_query().where(ChartGraphic.id == graphic_id)).one_or_none()
    if row is None:
        raise NotFound("This chart mark no longer exists.")
    return _to_mark(*row)


def _marks_in(session: Session, patient_id: int, include_removed: bool) -> list[ChartMark]:
    query = _mark_query().where(ChartGraphic.patient_id == patient_id)
    if not include_removed:
        query = query.where(ChartGraphic.removed_at.is_(None))
    return [_to_mark(*row) for row in session.execute(query)]


@guarded(Right.READ_CHART, patient_id=Patient)
def chart_marks(uow: UnitOfWork, actor: Actor, patient_id: int, *, include_removed: bool = True) -> list[ChartMark]:
    """The patient's chart graphics, oldest first; removed ones too unless told otherwise."""
    with uow.read():
        return _marks_in(uow.session, patient_id, include_removed)


@guarded(Right.READ_CHART, patient_id=Patient)
def patient_chart(uow: UnitOfWork, actor: Actor, patient_id: int) -> PatientChart:
    """Everything a tooth chart draws for one patient, in one read."""
    with uow.read():
        found = uow.session.execute(
            select(Patient, Office.tooth_numbering)
            .join(Office, Office.id == Patient.office_id)
            .where(Patient.id == patient_id)
        ).one_or_none()
        if found is None:
            raise NotFound("This patient no longer exists.")
        patient, numbering = found
        return PatientChart(
            patient_id=patient.id,
            patient_name=patient.full_name,
            patient_number=patient.patient_number,
            birth_date=patient.birth_date,
            numbering=ToothNumbering(numbering),
            marks=tuple(_marks_in(uow.session, patient_id, include_removed=True)),
        )


@guarded(Right.READ_CHART, transaction_id=LedgerTransaction, plan_item_id=PlanItem)
def graphic_history(
    uow: UnitOfWork, actor: Actor, transaction_id: int | None = None, plan_item_id: int | None = None
) -> list[ChartMark]:
    """Every mark a procedure has had, removed and current, oldest first (TX-CHART-2).

    A procedure is named by its transaction, its plan item, or both; a charge posted from a plan
    item also finds the marks charted while it was only planned.
    """
    if transaction_id is None and plan_item_id is None:
        raise ValidationError("Name the procedure (its transaction or plan item) to show its chart history.")
    with uow.read():
        session = uow.session
        items = {plan_item_id} if plan_item_id is not None else set()
        conditions = []
        if transaction_id is not None:
            conditions.append(ChartGraphic.transaction_id == transaction_id)
            tx_item = session.scalar(
                select(LedgerTransaction.plan_item_id).where(LedgerTransaction.id == transaction_id)
            )
            if tx_item is not None:
                items.add(tx_item)
        if items:
            conditions.append(ChartGraphic.plan_item_id.in_(items))
        return [_to_mark(*row) for row in session.execute(_mark_query().where(or_(*conditions)))]


def office_numbering(session: Session, office_id: int) -> ToothNumbering:
    """The office's tooth numbering (ID-1), in which a person types and reads teeth."""
    value = session.scalar(select(Office.tooth_numbering).where(Office.id == office_id))
    return ToothNumbering(value) if value is not None else ToothNumbering.UNIVERSAL


def patient_numbering(session: Session, patient_id: int) -> ToothNumbering:
    office_id = session.scalar(select(Patient.office_id).where(Patient.id == patient_id))
    return office_numbering(session, office_id) if office_id is not None else ToothNumbering.UNIVERSAL
