"""Handouts of the demo practice's plans in every status (TP-4, TP-15)."""

from __future__ import annotations

import io

from acting import staff
from pypdf import PdfReader
from sqlalchemy import select

from dentaldesk.db.models import TreatmentPlan
from dentaldesk.domain.terms import PlanStatus
from dentaldesk.printing.handout import WATERMARK, build_handout_pdf
from dentaldesk.services.plans.handout import load_handout


def test_tp4_tp15_demo_plans_of_every_status_print_as_their_status_demands(demo_uow) -> None:
    """TP-4: only drafts carry the watermark; TP-15: approved and completed plans print their approval."""
    with demo_uow:
        plans = demo_uow.session.execute(
            select(TreatmentPlan.id, TreatmentPlan.status).order_by(TreatmentPlan.id)
        ).all()
    first: dict[PlanStatus, int] = {}
    for plan_id, status in plans:
        first.setdefault(PlanStatus(status), plan_id)
    assert set(first) == set(PlanStatus)
    half_done = None
    for plan_id, status in plans:
        handout = load_handout(demo_uow, staff(demo_uow), plan_id)
        if status is PlanStatus.APPROVED and 0 < sum(i.completed for i in handout.items) < len(handout.items):
            half_done = plan_id
            break
    assert half_done is not None, "the demo practice has a half-completed approved plan"
    for status, plan_id in {**first, PlanStatus.APPROVED: half_done}.items():
        handout = load_handout(demo_uow, staff(demo_uow), plan_id)
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(build_handout_pdf(handout))).pages]
        text = " ".join(" ".join(pages).split())
        assert all((WATERMARK in page) == (status is PlanStatus.DRAFT) for page in pages), status
        assert handout.title in text and handout.patient.name in text and "Maple Street Dental" in text
        assert f"Page {len(pages)} of {len(pages)}" in text
        if status in (PlanStatus.APPROVED, PlanStatus.COMPLETED):
            assert handout.signature_covers_plan
            assert f"Approval record {handout.approval.content_hash}" in text
        if status is PlanStatus.CANCELLED:
            assert "This plan was cancelled" in text
        if status is PlanStatus.DRAFT:
            assert "not offered for approval yet" in text
