"""The tooth chart: its marks (chart graphics), charting, Remove Chart Graphic and re-charting.

The chart shows ChartGraphic records, not plan items: a plan item or a posted charge puts a mark
on the chart through :func:`chart_procedure_in`, and the mark then lives its own life. Removing a
mark (TX-CHART-1) stamps who, when and why on the mark and never touches the transaction, its
fee, its claim link or the ledger; the procedure can then be charted again as a NEW mark linked
to the same transaction / plan item (TX-CHART-2), so its history shows both.

Who may change the chart (our rule, CHART-ROLE; DOMAIN.md is silent): the chart is part of the
clinical record, so charting, removing and re-charting a graphic are for Owner, Admin and
Dentist users, as editing a plan is (TP-1). Front desk users see the chart and its history but
may NOT remove a graphic: they correct money (the transaction) in the ledger, and a clinician
corrects what the chart says is in the mouth. The ``*_in`` helpers run inside a caller's own
action (posting a charge, completing a plan item) whose role the caller has already checked.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from dentaldesk.db.models import ChartGraphic, LedgerTransaction, Patient, PlanItem, ProcedureCode, TreatmentPlan
from dentaldesk.db.models.base import utcnow
from dentaldesk.domain.errors import NotFound, RuleViolation, ValidationError
from dentaldesk.domain.teeth import check_tooth_fits_code, display_tooth, parse_surfaces, parse_tooth
from dentaldesk.domain.terms import GraphicStatus, Role, ToothNumbering
from dentaldesk.domain.times import shown_time
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.chart.queries import (
    ChartMark,
    PatientChart,
    chart_marks,
    graphic_history,
    load_mark,
    office_numbering,
    patient_chart,
    patient_numbering,
)
from dentaldesk.services.uow import UnitOfWork

# The chart's read side lives in chart_queries; callers may take everything from here.
__all__ = [
    "CHART_ROLES",
    "ChartMark",
    "PatientChart",
    "can_change_chart",
    "chart_marks",
    "chart_procedure",
    "chart_procedure_in",
    "complete_item_marks_in",
    "graphic_history",
    "patient_chart",
    "rechart",
    "remove_chart_graphic",
    "remove_item_marks_in",
]

# CHART-ROLE: the chart is clinical; front desk views it but does not change it.
CHART_ROLES = Right.EDIT_CHART.roles
MAX_REASON = 500
_AUDITED = (
    "tooth",
    "surfaces",
    "status",
    "removed_at",
    "removed_by_id",
    "removal_reason",
    "transaction_id",
    "plan_item_id",
)


def can_change_chart(role: Role) -> bool:
    """CHART-ROLE, for the UI to disable what the role cannot do (STYLE.md 4)."""
    return role in CHART_ROLES


# -- charting ------------------------------------------------------------------------------------


def _check_place(
    code: ProcedureCode, tooth_text: str | None, surfaces_text: str | None, numbering: ToothNumbering
) -> tuple[str, str]:
    """ID-1, ID-2, ID-3 and the code's own options (CODE-1, CODE-4) for a mark's tooth and surfaces."""
    if not code.charts_graphic:
        raise ValidationError(
            f"{code.code} {code.name} does not chart a graphic (its Charts graphic option is off).", "code"
        )
    if not (tooth_text or "").strip():
        raise ValidationError(f"Enter the tooth for {code.code}: a chart mark is drawn on a tooth.", "tooth")
    tooth = parse_tooth(tooth_text or "", numbering)
    check_tooth_fits_code(tooth, code.code, code.name, code.dentition, numbering)
    surfaces = parse_surfaces(surfaces_text or "")
    if code.requires_surface and not surfaces:
        raise ValidationError(f"{code.code} {code.name} needs its surfaces (M, O, D, B, L, I or F).", "surfaces")
    if surfaces and not code.requires_surface:
        raise ValidationError(
            f"{code.code} {code.name} covers the whole tooth and takes no surfaces; leave Surfaces empty.",
            "surfaces",
        )
    return tooth, surfaces


def chart_procedure_in(
    session: Session,
    actor: Actor,
    *,
    patient_id: int,
    procedure_code_id: int,
    tooth: str | None,
    surfaces: str | None,
    status: GraphicStatus | str,
    transaction_id: int | None = None,
    plan_item_id: int | None = None,
) -> ChartGraphic:
    """Put one procedure's mark on the chart inside the caller's action; the caller commits.

    ``tooth`` is read in the office's numbering (ID-1): "3" is tooth 3 under Universal and
    refused under FDI. The caller has checked the role of the action it carries out.
    """
    try:
        status = GraphicStatus(status)
    except ValueError:
        raise ValidationError("A chart mark is planned, completed or existing.", "status") from None
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("This patient no longer exists.")
    code = session.get(ProcedureCode, procedure_code_id)
    if code is None or code.office_id != patient.office_id:
        raise NotFound("This procedure code is not in the office's list.", "code")
    universal, canonical = _check_place(code, tooth, surfaces, office_numbering(session, patient.office_id))
    if transaction_id is not None:
        tx = session.get(LedgerTransaction, transaction_id)
        if tx is None or tx.patient_id != patient_id:
            raise NotFound("That transaction is not this patient's.", "transaction")
        if tx.procedure_code_id != code.id:
            raise ValidationError("A procedure's mark uses the procedure's own code.", "code")
    if plan_item_id is not None:
        item = session.execute(
            select(PlanItem.procedure_code_id, TreatmentPlan.patient_id)
            .join(TreatmentPlan, TreatmentPlan.id == PlanItem.plan_id)
            .where(PlanItem.id == plan_item_id)
        ).one_or_none()
        if item is None or item.patient_id != patient_id:
            raise NotFound("That plan item is not this patient's.", "plan_item")
        if item.procedure_code_id != code.id:
            raise ValidationError("A procedure's mark uses the procedure's own code.", "code")
    graphic = ChartGraphic(
        patient_id=patient_id,
        procedure_code_id=code.id,
        tooth=universal,
        surfaces=canonical,
        status=status,
        transaction_id=transaction_id,
        plan_item_id=plan_item_id,
        created_by_id=actor.user_id,
        removal_reason="",
    )
    session.add(graphic)
    session.flush()
    audit.record(
        session,
        actor,
        "chart_procedure",
        "chart_graphic",
        graphic.id,
        after=audit.snapshot(graphic, "patient_id", *_AUDITED) | {"code": code.code},
    )
    return graphic


@guarded(
    Right.EDIT_CHART,
    patient_id=Patient,
    procedure_code_id=ProcedureCode,
    transaction_id=LedgerTransaction,
    plan_item_id=PlanItem,
)
def chart_procedure(
    uow: UnitOfWork,
    actor: Actor,
    patient_id: int,
    procedure_code_id: int,
    tooth: str | None,
    surfaces: str | None,
    status: GraphicStatus | str,
    transaction_id: int | None = None,
    plan_item_id: int | None = None,
) -> ChartMark:
    """Chart a procedure (planned, completed or existing work) on a tooth, as its own action."""
    with uow:
        graphic = chart_procedure_in(
            uow.session,
            actor,
            patient_id=patient_id,
            procedure_code_id=procedure_code_id,
            tooth=tooth,
            surfaces=surfaces,
            status=status,
            transaction_id=transaction_id,
            plan_item_id=plan_item_id,
        )
        mark = load_mark(uow.session, graphic.id)
        uow.commit()
        return mark


# -- Remove Chart Graphic and charting again (TX-CHART-1, TX-CHART-2) ------------------------------


def _describe(mark: ChartMark, numbering: ToothNumbering) -> str:
    where = f"tooth {display_tooth(mark.tooth, numbering)}" if mark.tooth else "the chart"
    surfaces = f" {mark.surfaces}" if mark.surfaces else ""
    return f"{mark.code}{surfaces} on {where}"


@guarded(Right.EDIT_CHART, graphic_id=ChartGraphic)
def remove_chart_graphic(uow: UnitOfWork, actor: Actor, graphic_id: int, reason: str) -> ChartMark:
    """TX-CHART-1: take a procedure's mark off the chart; its money stays exactly as it was.

    Only the mark changes (removed_at, removed_by, removal_reason); the transaction, fee, claim
    link and ledger are not read for writing, let alone changed. The audit log records it (SEC-2).
    """
    why = (reason or "").strip()
    if not why:
        raise ValidationError("Say why the mark is removed (for example: charted on the wrong tooth).", "reason")
    if len(why) > MAX_REASON:
        raise ValidationError(f"Keep the reason under {MAX_REASON} characters.", "reason")
    with uow:
        session = uow.session
        graphic = session.get(ChartGraphic, graphic_id)
        if graphic is None:
            raise NotFound("This chart mark no longer exists.")
        numbering = patient_numbering(session, graphic.patient_id)
        current = load_mark(session, graphic_id)
        if current.removed:
            raise RuleViolation(_already_removed(current, numbering), "reason")
        before = audit.snapshot(graphic, *_AUDITED)
        # Conditional update: of two workstations removing the same mark, only the first succeeds.
        done = session.execute(
            update(ChartGraphic)
            .where(ChartGraphic.id == graphic_id, ChartGraphic.removed_at.is_(None))
            .values(removed_at=utcnow(), removed_by_id=actor.user_id, removal_reason=why)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], done).rowcount != 1:
            session.expire_all()
            raise RuleViolation(_already_removed(load_mark(session, graphic_id), numbering), "reason")
        session.refresh(graphic)
        audit.record(
            session,
            actor,
            "remove_chart_graphic",
            "chart_graphic",
            graphic.id,
            before=before,
            after=audit.snapshot(graphic, *_AUDITED) | {"code": current.code},
        )
        mark = load_mark(session, graphic_id)
        uow.commit()
        return mark


def _already_removed(mark: ChartMark, numbering: ToothNumbering) -> str:
    when = f" on {shown_time(mark.removed_at)}" if mark.removed_at else ""
    who = f" by {mark.removed_by}" if mark.removed_by else ""
    return f"The mark of {_describe(mark, numbering)} was already removed{who}{when}."


@guarded(Right.EDIT_CHART, graphic_id=ChartGraphic)
def rechart(uow: UnitOfWork, actor: Actor, graphic_id: int, tooth: str | None, surfaces: str | None) -> ChartMark:
    """TX-CHART-2: chart a removed mark's procedure again, on the right tooth and surfaces.

    The new mark is a new ChartGraphic with the same code, status, transaction and plan item;
    the removed mark stays as it is, so the procedure's history shows both.
    """
    with uow:
        session = uow.session
        old = session.execute(
            select(ChartGraphic).where(ChartGraphic.id == graphic_id).with_for_update()
        ).scalar_one_or_none()
        if old is None:
            raise NotFound("This chart mark no longer exists.")
        numbering = patient_numbering(session, old.patient_id)
        old_mark = load_mark(session, graphic_id)
        if old.removed_at is None:
            raise RuleViolation(
                f"The mark of {_describe(old_mark, numbering)} is still on the chart. "
                "Remove the chart graphic first, then chart it again.",
                "tooth",
            )
        if old.transaction_id is not None or old.plan_item_id is not None:
            links = []
            if old.transaction_id is not None:
                links.append(ChartGraphic.transaction_id == old.transaction_id)
            if old.plan_item_id is not None:
                links.append(ChartGraphic.plan_item_id == old.plan_item_id)
            live = session.scalar(
                select(ChartGraphic.id).where(or_(*links), ChartGraphic.removed_at.is_(None)).limit(1)
            )
            if live is not None:
                raise RuleViolation(
                    f"This procedure is already charted again ({_describe(load_mark(session, live), numbering)}). "
                    "Remove that mark first to move it.",
                    "tooth",
                )
        graphic = chart_procedure_in(
            session,
            actor,
            patient_id=old.patient_id,
            procedure_code_id=old.procedure_code_id,
            tooth=tooth,
            surfaces=surfaces,
            status=old.status,
            transaction_id=old.transaction_id,
            plan_item_id=old.plan_item_id,
        )
        audit.record(
            session,
            actor,
            "rechart",
            "chart_graphic",
            graphic.id,
            before={"graphic_id": old.id, "tooth": old.tooth, "surfaces": old.surfaces},
            after={"graphic_id": graphic.id, "tooth": graphic.tooth, "surfaces": graphic.surfaces},
        )
        mark = load_mark(session, graphic.id)
        uow.commit()
        return mark


# -- helpers for the plan and ledger actions -----------------------------------------------------


def complete_item_marks_in(session: Session, actor: Actor, plan_item_id: int, transaction_id: int) -> int:
    """When a plan item is completed (TP-13), its planned mark turns completed and links the charge.

    Runs inside the completing action (the caller checked its role); returns the marks changed.
    """
    changed = 0
    for graphic in session.scalars(
        select(ChartGraphic).where(
            ChartGraphic.plan_item_id == plan_item_id,
            ChartGraphic.removed_at.is_(None),
            ChartGraphic.status == GraphicStatus.PLANNED,
        )
    ):
        before = audit.snapshot(graphic, *_AUDITED)
        graphic.status = GraphicStatus.COMPLETED
        graphic.transaction_id = transaction_id
        session.flush()
        audit.record(
            session,
            actor,
            "complete_chart_graphic",
            "chart_graphic",
            graphic.id,
            before=before,
            after=audit.snapshot(graphic, *_AUDITED),
        )
        changed += 1
    return changed


def remove_item_marks_in(session: Session, actor: Actor, plan_item_id: int, reason: str) -> int:
    """A plan item taken out of a plan (or its plan cancelled) takes its planned mark off the chart.

    The mark is removed, not deleted, so the chart's history keeps it; runs inside the caller's
    action. Returns the marks removed.
    """
    removed = 0
    for graphic in session.scalars(
        select(ChartGraphic).where(
            ChartGraphic.plan_item_id == plan_item_id,
            ChartGraphic.removed_at.is_(None),
            ChartGraphic.status == GraphicStatus.PLANNED,
        )
    ):
        before = audit.snapshot(graphic, *_AUDITED)
        graphic.removed_at = utcnow()
        graphic.removed_by_id = actor.user_id
        graphic.removal_reason = reason
        session.flush()
        audit.record(
            session,
            actor,
            "remove_chart_graphic",
            "chart_graphic",
            graphic.id,
            before=before,
            after=audit.snapshot(graphic, *_AUDITED),
        )
        removed += 1
    return removed
