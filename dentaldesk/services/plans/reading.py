"""Reading plans for the screens: the whole plan (PlanView), the billing summary, the item form.

Read-only: each function opens its own unit of work and never writes. ``load_plan`` reads a plan
in five small queries whatever its size (the benchmark holds it to 50 ms for 60 items).
"""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from dentaldesk.db.models import (
    Account,
    Office,
    Patient,
    PlanApproval,
    PlanEvent,
    PlanItem,
    ProcedureCode,
    Provider,
    TreatmentPlan,
    User,
)
from dentaldesk.domain.approval import ApprovedLine, changes_since_approval, describe_change, signature_matches
from dentaldesk.domain.errors import DentalDeskError, NotFound
from dentaldesk.domain.fees import FeeQuote
from dentaldesk.domain.money import ZERO, from_cents, money
from dentaldesk.domain.options import counted_option, find_option, option_state
from dentaldesk.domain.plan_items import PlanItemRecord
from dentaldesk.domain.plans import (
    ItemFacts,
    approval_problems,
    billing_summary,
    blocked_by_reapproval,
    needs_reapproval,
    plan_total,
    progress,
)
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.terms import ApprovalMethod, PlanStatus, ToothNumbering
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.ledger.charge_facts import charge_terms
from dentaldesk.services.plans.estimate import PlanEstimate, plan_estimate_in
from dentaldesk.services.plans.option_scope import counted_item, option_facts_in
from dentaldesk.services.plans.preauth_answers import preauth_answers_in
from dentaldesk.services.plans.records import item_records_in, record_of
from dentaldesk.services.plans.views import (
    ApprovalView,
    HistoryRow,
    ItemFormFacts,
    PatientBilling,
    PlanView,
    ProviderChoice,
)
from dentaldesk.services.practice.pricing import quote_fee_in
from dentaldesk.services.uow import UnitOfWork


def current_lines(
    items: tuple[PlanItemRecord, ...] | list[PlanItemRecord], estimate: PlanEstimate | None = None
) -> list[ApprovedLine]:
    """The plan's lines as an approval would freeze them now, in plan order (TP-15), with each
    item's choices and its estimate (INS-9) when ``estimate`` is given."""
    ordered = sorted(items, key=PlanItemRecord.order)
    lines = []
    for row in ordered:
        insurance = patient = ZERO
        if estimate is not None and row.id in estimate.items:
            figures = estimate.of(row.id)
            insurance = figures.posted_estimate if figures.posted else figures.insurance
            patient = max(ZERO, figures.fee - figures.write_off - insurance) if figures.posted else figures.patient
        lines.append(
            ApprovedLine(
                row.code,
                row.tooth or "",
                row.surfaces,
                row.provider_name,
                money(row.fee) if row.fee is not None else ZERO,
                row.visit,
                row.taxable_override,
                row.insurable_override,
                insurance,
                patient,
            )
        )
    return lines


def _stored_item_ids(lines_json: str, count: int) -> list[int | None]:
    """The plan item of each stored line where the approval recorded it (None for older ones)."""
    try:
        payload = json.loads(lines_json)
        if isinstance(payload, list) and len(payload) == count:
            return [row.get("item_id") if isinstance(row, dict) else None for row in payload]
    except ValueError:
        pass
    return [None] * count


def _stored_lines(lines_json: str) -> tuple[ApprovedLine, ...]:
    """The lines an approval froze: a JSON list of line objects (code, tooth, surfaces, provider,
    fee as "1350.00", visit, and since version 2 the choices and the estimate); the hash's own
    canonical text (arrays, fee in cents) is read too."""
    try:
        payload = json.loads(lines_json)
        lines = []
        if isinstance(payload, dict):  # domain.approval.canonical_text
            for code, tooth, surfaces, provider, cents, visit, *_rest in payload["lines"]:
                lines.append(ApprovedLine(code, tooth, surfaces, provider, from_cents(int(cents)), visit))
        else:
            for row in payload:
                lines.append(
                    ApprovedLine(
                        str(row["code"]),
                        str(row["tooth"]),
                        str(row["surfaces"]),
                        str(row["provider"]),
                        money(Decimal(str(row["fee"]))),
                        row["visit"],
                        row.get("taxable"),
                        row.get("insurable"),
                        money(Decimal(str(row.get("insurance", "0")))),
                        money(Decimal(str(row.get("patient", "0")))),
                    )
                )
        return tuple(lines)
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return ()


@guarded(Right.READ_PLANS, plan_id=TreatmentPlan)
def load_plan(uow: UnitOfWork, actor: Actor, plan_id: int, option_id: int | None = None) -> PlanView:
    """The plan as the editor shows it, one option at a time (CASE-1: the counted option, the
    chosen or else the first, unless ``option_id`` names one), with the list of its options: the
    option's items in plan order with their tooth in the office's numbering, totals (TP-7),
    progress (TP-11), what keeps it from approval (TP-5), re-approval (TP-12), the latest approval
    and whether its signature still matches (TP-15), history (TP-2)."""
    with uow.read():
        session = uow.session
        found = session.execute(
            select(
                TreatmentPlan,
                Patient.first_name,
                Patient.last_name,
                Patient.patient_number,
                Account.account_number,
                Office.office_code,
                Office.tooth_numbering,
            )
            .join(Patient, Patient.id == TreatmentPlan.patient_id)
            .join(Account, Account.id == Patient.account_id)
            .join(Office, Office.id == TreatmentPlan.office_id)
            .where(TreatmentPlan.id == plan_id)
        ).one_or_none()
        if found is None:
            raise NotFound("This treatment plan no longer exists.")
        plan, first, last, number, account_number, office_code, numbering = found
        numbering = ToothNumbering(numbering)
        options = tuple(option_facts_in(session, plan_id))
        if option_id is None:
            option_id = counted_option(options).id
        else:
            find_option(options, option_id)
        items = tuple(item_records_in(session, plan_id, numbering, option_id))
        facts = [row.facts() for row in items]
        approval_row = session.execute(
            select(PlanApproval, User.full_name)
            .outerjoin(User, User.id == PlanApproval.recorded_by_id)
            .where(PlanApproval.plan_id == plan_id)
            .order_by(PlanApproval.id.desc())
            .limit(1)
        ).one_or_none()
        latest = None
        if approval_row is not None:
            approval, recorded_by = approval_row
            approved_items = (
                items
                if approval.option_id == option_id
                else tuple(item_records_in(session, plan_id, numbering, approval.option_id))
            )
            now_lines = current_lines(approved_items, plan_estimate_in(session, plan_id, option_id=approval.option_id))
            stored = _stored_lines(approval.lines_json)
            stored_ids = _stored_item_ids(approval.lines_json, len(stored))
            now_ids = [row.id for row in sorted(approved_items, key=PlanItemRecord.order)]
            changes = changes_since_approval(
                list(zip(stored_ids, stored, strict=True)),
                list(zip(now_ids, now_lines, strict=True)),
                version=approval.hash_version,
            )
            latest = ApprovalView(
                id=approval.id,
                approver_name=approval.approver_name,
                method=ApprovalMethod(approval.method),
                approved_at=approval.approved_at,
                recorded_by=recorded_by or "",
                total=approval.total,
                content_hash=approval.content_hash,
                signature_png=approval.signature_png,
                lines=stored,
                signature_matches=signature_matches(
                    approval.content_hash,
                    plan.title,
                    now_lines,
                    plan_total([row.facts() for row in approved_items]),
                    approval.hash_version,
                ),
                changes=tuple(describe_change(c, lambda t: display_tooth(t, numbering)) for c in changes),
                option_id=approval.option_id,
            )
        history = tuple(
            HistoryRow(at=at, user=user or "", action=action, detail=detail)
            for at, user, action, detail in session.execute(
                select(PlanEvent.at, User.full_name, PlanEvent.action, PlanEvent.detail)
                .outerjoin(User, User.id == PlanEvent.user_id)
                .where(PlanEvent.plan_id == plan_id)
                .order_by(PlanEvent.id)
            )
        )
        status = PlanStatus(plan.status)
        approved = plan.approved_total if status is PlanStatus.APPROVED else None
        return PlanView(
            id=plan.id,
            office_id=plan.office_id,
            office_code=office_code,
            numbering=numbering,
            patient_id=plan.patient_id,
            patient_name=f"{first} {last}",
            patient_number=number,
            account_number=account_number,
            title=plan.title,
            status=status,
            version=plan.version,
            created_at=plan.created_at,
            updated_at=plan.updated_at,
            cancel_reason=plan.cancel_reason or "",
            items=items,
            total=plan_total(facts),
            approved_total=plan.approved_total,
            progress=progress(facts),
            approval_problems=tuple(approval_problems(facts)),
            needs_reapproval=needs_reapproval(facts, approved),
            blocked_item_ids=blocked_by_reapproval(facts, approved),
            latest_approval=latest,
            history=history,
            option_id=option_id,
            options=options,
            option_state=option_state(options, option_id),
            preauth=preauth_answers_in(session, plan.id),
            benefit_years={
                item_id: year
                for item_id, year in session.execute(
                    select(PlanItem.id, PlanItem.benefit_year).where(
                        PlanItem.plan_id == plan.id, PlanItem.benefit_year.is_not(None)
                    )
                )
                if year is not None
            },
        )


@guarded(Right.READ_PLANS, patient_id=Patient)
def billing_summary_for_patient(uow: UnitOfWork, actor: Actor, patient_id: int) -> PatientBilling:
    """TP-14: the approved plans' work still to do, the completed total, the drafts' total apart,
    and the estimate of the work still to do: each approved plan's one estimate (INS-9, in plan
    order, with benefits paid and pending, INS-3), summed, with the patient's portion (INS-6).

    Each plan is estimated against the benefits left after what is posted, as its own editor and
    handout show it, so two plans are two estimates of what the same benefits would pay. When the
    estimate cannot be made (coverage set up wrongly), the estimates are None: the header then
    shows only what was computed.
    """
    with uow.read():
        session = uow.session
        if session.get(Patient, patient_id) is None:
            raise NotFound("This patient no longer exists.")
        plans: dict[int, tuple[PlanStatus, list[ItemFacts]]] = {}
        for plan_id, status in session.execute(
            select(TreatmentPlan.id, TreatmentPlan.status)
            .where(TreatmentPlan.patient_id == patient_id)
            .order_by(TreatmentPlan.id)
        ):
            plans[plan_id] = (PlanStatus(status), [])
        # The roll-up reads fees and status only, so the items are taken in the stored numbering.
        for item, code in session.execute(
            select(PlanItem, ProcedureCode)
            .join(ProcedureCode, ProcedureCode.id == PlanItem.procedure_code_id)
            .where(PlanItem.plan_id.in_(list(plans) or [-1]), counted_item())
        ):
            plans[item.plan_id][1].append(record_of(item, code, ToothNumbering.UNIVERSAL).facts())
        estimates: list[PlanEstimate] | None
        try:
            terms = charge_terms(session, patient_id)
            estimates = [
                plan_estimate_in(session, plan_id, terms=terms)
                for plan_id, (status, items) in plans.items()
                if status is PlanStatus.APPROVED and any(not item.is_completed for item in items)
            ]
        except DentalDeskError:
            estimates = None
        summary = billing_summary(
            plans.values(),
            None if estimates is None else sum((e.insurance for e in estimates), ZERO),
        )
        return PatientBilling(
            patient_id=patient_id,
            planned=summary.planned,
            completed=summary.completed,
            estimated_insurance=summary.estimated_insurance,
            estimated_write_off=None if estimates is None else money(sum((e.write_off for e in estimates), ZERO)),
            # INS-6: fee - write-off - insurance, per item, never below 0.
            estimated_patient=None if estimates is None else money(sum((e.patient for e in estimates), ZERO)),
            drafts=summary.drafts,
            preauthorized_insurance=ZERO
            if estimates is None
            else sum((f.insurance for e in estimates for f in e.planned() if f.preauthorized), ZERO),
        )


@guarded(Right.READ_PLANS, patient_id=Patient)
def quote_fee(uow: UnitOfWork, actor: Actor, patient_id: int, code: str) -> FeeQuote:
    """The fee a new item of ``code`` starts with and where it comes from (TX-FEE-1..4)."""
    with uow.read():
        return quote_fee_in(uow.session, patient_id, code.strip().upper())


@guarded(Right.READ_PLANS, patient_id=Patient, default_provider_id=Provider)
def item_form_facts(
    uow: UnitOfWork, actor: Actor, patient_id: int, default_provider_id: int | None = None
) -> ItemFormFacts:
    """The Patient Transactions dialog's header (TX-1) and the office's active providers."""
    with uow.read():
        session = uow.session
        found = session.execute(
            select(Patient, Account.account_number, Office.office_code, Office.tooth_numbering)
            .join(Account, Account.id == Patient.account_id)
            .join(Office, Office.id == Patient.office_id)
            .where(Patient.id == patient_id)
        ).one_or_none()
        if found is None:
            raise NotFound("This patient no longer exists.")
        patient, account_number, office_code, numbering = found
        providers = tuple(
            ProviderChoice(p.id, p.name, p.short_name)
            for p in session.scalars(
                select(Provider)
                .where(Provider.office_id == patient.office_id, Provider.active.is_(True))
                .order_by(Provider.name)
            )
        )
        ids = {p.id for p in providers}
        default = (
            default_provider_id if default_provider_id in ids else (providers[0].id if len(providers) == 1 else None)
        )
        return ItemFormFacts(
            office_code=office_code,
            patient_id=patient.id,
            patient_number=patient.patient_number,
            account_number=account_number,
            patient_name=patient.full_name,
            numbering=ToothNumbering(numbering),
            providers=providers,
            default_provider_id=default,
        )
