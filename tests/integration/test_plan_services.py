"""Plan services end to end on a real database (TP-1 .. TP-16, CODE-3/4, ID-1/2, MONEY-2, DATA-1/2, SEC-2)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from acting import staff
from sqlalchemy import func, select, update

from dentaldesk.db.models import (
    AuditEvent,
    ChartGraphic,
    Coverage,
    DentalPlan,
    ItemPrerequisite,
    LedgerTransaction,
    Office,
    PlanApproval,
    PlanCategory,
    PlanEvent,
    PlanItem,
    PlanStatusChange,
    ProcedureCode,
    Provider,
    TreatmentPlan,
)
from dentaldesk.domain.errors import ConflictError, NotFound, PermissionDenied, RuleViolation, ValidationError
from dentaldesk.domain.terms import (
    ApprovalMethod,
    Category,
    CoverageRank,
    EstimationType,
    GraphicStatus,
    ItemStatus,
    PlanStatus,
    TaxMethod,
    ToothNumbering,
)
from dentaldesk.services.plans import (
    ItemChange,
    ItemInput,
    New,
    NewItem,
    PlanChanges,
    add_item,
    approve,
    billing_summary_for_patient,
    cancel_plan,
    complete_item,
    create_plan,
    edit_item,
    link_prerequisite,
    load_plan,
    move_item_to_visit,
    record_approval,
    remove_item,
    save_draft,
    unlink_prerequisite,
)
from dentaldesk.services.plans.handout import load_handout
from dentaldesk.services.practice.codes import copy_master_codes
from dentaldesk.services.uow import UnitOfWork

CODES = ["D0120", "D2391", "D2740", "D2950", "D3330", "D6010", "D7140", "D1110"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # enough of a PNG for the service's check
TODAY = dt.date(2026, 11, 23)


class Desk:
    """A practice with codes copied in, one provider, and a helper to count what the database holds."""

    def __init__(self, practice) -> None:
        self.p = practice
        self.uow: UnitOfWork = practice.uow
        self.owner = practice.owner
        self.front = practice.front_desk
        self.patient = practice.patient_ids[0]
        copy_master_codes(self.uow, self.owner, CODES)
        with self.uow:
            self.provider = self.uow.session.scalar(select(Provider.id))

    def plan(self, title: str = "Phase 1: restorations") -> tuple[int, int]:
        saved = create_plan(self.uow, self.owner, self.patient, title)
        return saved.plan_id, saved.version

    def add(self, plan_id: int, version: int, code: str, tooth: str = "", surfaces: str = "", **kw) -> tuple[int, int]:
        entry = ItemInput(
            code=code, tooth=tooth, surfaces=surfaces, provider_id=kw.pop("provider", self.provider), **kw
        )
        saved = add_item(self.uow, self.owner, plan_id, entry, expected_version=version)
        return saved.item_id, saved.version  # type: ignore[return-value]

    def state(self, plan_id: int) -> tuple:
        """Everything an action could touch, to show a refused action changed nothing."""
        with self.uow:
            s = self.uow.session
            counts = tuple(
                s.scalar(select(func.count()).select_from(model))
                for model in (
                    PlanItem,
                    ItemPrerequisite,
                    PlanEvent,
                    AuditEvent,
                    LedgerTransaction,
                    PlanApproval,
                    PlanStatusChange,
                    ChartGraphic,
                )
            )
            plan = s.get(TreatmentPlan, plan_id)
            items = tuple(
                (
                    i.id,
                    i.procedure_code_id,
                    i.tooth,
                    i.surfaces,
                    i.fee,
                    i.schedule_fee,
                    i.visit,
                    i.status,
                    i.approved_fee,
                )
                for i in s.scalars(select(PlanItem).where(PlanItem.plan_id == plan_id).order_by(PlanItem.id))
            )
            return counts, plan.version, plan.status, plan.approved_total, items


@pytest.fixture
def desk(fast_practice) -> Desk:
    return Desk(fast_practice)


def _crown_plan(desk: Desk) -> tuple[int, int, dict[str, int]]:
    """Extraction #19 -> implant #19, and a crown #14 with a buildup before it."""
    plan_id, v = desk.plan()
    ids = {}
    ids["ext"], v = desk.add(plan_id, v, "D7140", "19", visit=1)
    ids["implant"], v = desk.add(plan_id, v, "D6010", "19", visit=2)
    ids["core"], v = desk.add(plan_id, v, "D2950", "14", visit=1)
    ids["crown"], v = desk.add(plan_id, v, "D2740", "14", visit=2)
    v = link_prerequisite(desk.uow, desk.owner, plan_id, ids["implant"], ids["ext"], expected_version=v).version
    v = link_prerequisite(desk.uow, desk.owner, plan_id, ids["crown"], ids["core"], expected_version=v).version
    return plan_id, v, ids


def _approve(desk: Desk, plan_id: int, version: int, actor=None) -> int:
    return approve(
        desk.uow,
        actor or desk.owner,
        plan_id,
        expected_version=version,
        approver_name="Anna Smith",
        method=ApprovalMethod.SIGNED_AT_DESK,
        signature_png=PNG,
    ).version


# --- creating and building (TP-2, TP-6, CODE-3/4, ID-1/2, MONEY-2)


def test_tp2_create_plan_is_a_draft_with_its_status_change_history_and_audit(desk: Desk) -> None:
    """TP-2: a new plan has patient, title, DRAFT status, the status change with its user, history, audit."""
    plan_id, version = desk.plan("  Phase 1:   restorations ")
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert (view.title, view.status, view.patient_id, view.version) == (
        "Phase 1: restorations",
        PlanStatus.DRAFT,
        desk.patient,
        version,
    )
    assert view.items == () and view.total == Decimal("0.00")
    with desk.uow:
        change = desk.uow.session.scalar(select(PlanStatusChange).where(PlanStatusChange.plan_id == plan_id))
        assert (change.to_status, change.user_id) == (PlanStatus.DRAFT, desk.owner.user_id)
        audits = desk.uow.session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "treatment_plan"))
        assert "create_plan" in list(audits)
    assert view.history[0].action == "plan_created" and view.history[0].user == "Olive Owner"


def test_tp2_a_plan_needs_a_title(desk: Desk) -> None:
    """TP-2: a plan without a title is refused at the title field."""
    with pytest.raises(ValidationError) as err:
        create_plan(desk.uow, desk.owner, desk.patient, "   ")
    assert err.value.field == "title"


def test_tp6_add_item_prefills_the_fee_from_the_schedule_and_rtus_from_the_code(desk: Desk) -> None:
    """TP-6, TX-FEE-1, TX-RTU-1: the fee comes from the account's schedule with its source."""
    plan_id, v = desk.plan()
    item_id, v2 = desk.add(plan_id, v, "D2740", "14")
    assert v2 > v
    row = load_plan(desk.uow, staff(desk.uow), plan_id).item(item_id)
    assert (row.code, row.tooth, row.tooth_display, row.label) == ("D2740", "14", "14", "D2740 #14")
    assert (row.fee, row.schedule_fee, row.fee_source, row.is_override) == (
        Decimal("1350.00"),
        Decimal("1350.00"),
        "Fee schedule 0",
        False,
    )
    assert row.rtu == 90 and row.provider_name == "Dr. Dana Dent"


def test_money2_a_fee_override_keeps_the_schedule_fee_beside_it(desk: Desk) -> None:
    """MONEY-2: an override keeps the schedule fee so the discount shows; the history names both."""
    plan_id, v = desk.plan()
    item_id, v = desk.add(plan_id, v, "D2740", "14", fee="1,200.00")
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    row = view.item(item_id)
    assert (row.fee, row.schedule_fee, row.is_override) == (Decimal("1200.00"), Decimal("1350.00"), True)
    assert "schedule fee 1,350.00" in view.history[-1].detail
    v = edit_item(
        desk.uow,
        desk.owner,
        plan_id,
        item_id,
        ItemInput("D2740", "14", provider_id=desk.provider, fee=Decimal("1000")),
        expected_version=v,
    ).version
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.item(item_id).fee == Decimal("1000.00") and view.item(item_id).schedule_fee == Decimal("1350.00")
    assert view.history[-1].detail == "Changed fee of D2740 #14 from 1,200.00 to 1,000.00."
    assert view.total == Decimal("1000.00")


def test_code3_a_code_missing_from_the_office_list_is_refused_with_where_to_add_it(desk: Desk) -> None:
    """CODE-3: the refusal says to add it under Settings -> Procedure codes or copy it from the master list."""
    plan_id, v = desk.plan()
    before = desk.state(plan_id)
    with pytest.raises(NotFound) as err:
        desk.add(plan_id, v, "D9999")
    assert err.value.field == "code"
    assert "Settings -> Procedure codes" in err.value.message and "master list" in err.value.message
    assert desk.state(plan_id) == before


def test_code3_an_inactive_code_is_refused(desk: Desk) -> None:
    """CODE-1/CODE-3: an inactive code cannot be added to a plan."""
    with desk.uow:
        desk.uow.session.scalar(select(ProcedureCode).where(ProcedureCode.code == "D0120")).active = False
        desk.uow.commit()
    plan_id, v = desk.plan()
    with pytest.raises(RuleViolation) as err:
        desk.add(plan_id, v, "D0120")
    assert err.value.field == "code" and "inactive" in err.value.message


def test_id1_a_tooth_outside_the_numbering_is_refused_naming_the_range(desk: Desk) -> None:
    """ID-1: tooth 33 does not exist in Universal numbering; nothing is saved."""
    plan_id, v = desk.plan()
    before = desk.state(plan_id)
    with pytest.raises(ValidationError) as err:
        desk.add(plan_id, v, "D2740", "33")
    assert err.value.field == "tooth" and "1-32" in err.value.message
    assert desk.state(plan_id) == before


def test_id1_an_fdi_office_types_and_sees_fdi_teeth(desk: Desk) -> None:
    """ID-1: with FDI numbering "16" is the upper right first molar, stored Universal 3, shown 16."""
    with desk.uow:
        desk.uow.session.get(Office, desk.p.office_id).tooth_numbering = ToothNumbering.FDI
        desk.uow.commit()
    plan_id, v = desk.plan()
    item_id, v = desk.add(plan_id, v, "D2740", "16")
    row = load_plan(desk.uow, staff(desk.uow), plan_id).item(item_id)
    assert (row.tooth, row.tooth_display, row.label) == ("3", "16", "D2740 #16")
    with pytest.raises(ValidationError):
        desk.add(plan_id, v, "D2740", "3")


def test_code4_a_surface_the_code_does_not_take_is_refused(desk: Desk) -> None:
    """CODE-4/ID-2: a crown takes no surfaces; a filling's surfaces are stored in canonical order."""
    plan_id, v = desk.plan()
    before = desk.state(plan_id)
    with pytest.raises(ValidationError) as err:
        desk.add(plan_id, v, "D2740", "14", "MO")
    assert err.value.field == "surfaces" and "does not take surfaces" in err.value.message
    assert desk.state(plan_id) == before
    item_id, v = desk.add(plan_id, v, "D2391", "14", "om")
    assert load_plan(desk.uow, staff(desk.uow), plan_id).item(item_id).surfaces == "MO"
    with pytest.raises(ValidationError) as err:
        desk.add(plan_id, v, "D2391", "14", "OX")
    assert err.value.field == "surfaces"


@pytest.mark.parametrize("fee", ["-5", "-0.01", "abc", "12.345", Decimal("-1")])
def test_money2_a_negative_or_malformed_fee_is_refused(desk: Desk, fee) -> None:
    """MONEY-2/MONEY-1: negative or malformed fees are refused at the fee field; nothing saved changes."""
    plan_id, v = desk.plan()
    item_id, v = desk.add(plan_id, v, "D2740", "14")
    before = desk.state(plan_id)
    with pytest.raises(ValidationError) as err:
        edit_item(
            desk.uow,
            desk.owner,
            plan_id,
            item_id,
            ItemInput("D2740", "14", provider_id=desk.provider, fee=fee),
            expected_version=v,
        )
    assert err.value.field == "fee"
    assert desk.state(plan_id) == before


def test_tp6_a_fee_of_zero_is_a_fee_and_a_missing_fee_blocks_approval(desk: Desk) -> None:
    """MONEY-2/TP-5: 0 is allowed; an empty fee is allowed in a draft but keeps it from approval."""
    plan_id, v = desk.plan()
    free, v = desk.add(plan_id, v, "D0120", fee="0")
    empty, v = desk.add(plan_id, v, "D1110", fee=None)
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.item(free).fee == Decimal("0.00") and view.item(empty).fee is None
    assert [(p.label, p.missing) for p in view.approval_problems] == [("D1110", ("fee",))]


# --- prerequisites, visits, removal (TP-8, TP-16)


def test_tp8_a_cyclic_prerequisite_is_refused_with_the_path_and_nothing_changes(desk: Desk) -> None:
    """TP-8: linking the extraction to wait for the implant closes a loop; the message shows it."""
    plan_id, v, ids = _crown_plan(desk)
    before = desk.state(plan_id)
    with pytest.raises(RuleViolation) as err:
        link_prerequisite(desk.uow, desk.owner, plan_id, ids["ext"], ids["implant"], expected_version=v)
    assert "D7140 #19 -> D6010 #19 -> D7140 #19" in err.value.message
    assert desk.state(plan_id) == before


def test_tp8_links_and_unlinks_are_kept_in_the_history_and_the_tree(desk: Desk) -> None:
    """TP-8: links show as prerequisites; unlinking removes it; both are in the history and audit."""
    plan_id, v, ids = _crown_plan(desk)
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.item(ids["implant"]).prerequisites == (ids["ext"],)
    assert any(h.detail == "D6010 #19 now depends on D7140 #19." for h in view.history)
    v = unlink_prerequisite(desk.uow, desk.owner, plan_id, ids["implant"], ids["ext"], expected_version=v).version
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.item(ids["implant"]).prerequisites == ()
    assert view.history[-1].detail == "D6010 #19 no longer depends on D7140 #19."
    with desk.uow:
        actions = set(desk.uow.session.scalars(select(AuditEvent.action)))
    assert {"link_prerequisite", "unlink_prerequisite"} <= actions
    with pytest.raises(NotFound):
        unlink_prerequisite(desk.uow, desk.owner, plan_id, ids["implant"], ids["ext"], expected_version=v)


def test_tp16_moving_an_item_to_a_visit_reorders_the_plan(desk: Desk) -> None:
    """TP-16: items are ordered by visit then sequence; a move is in the history."""
    plan_id, v, ids = _crown_plan(desk)
    v = move_item_to_visit(desk.uow, desk.owner, plan_id, ids["crown"], 3, expected_version=v).version
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert [row.label for row in view.items] == ["D7140 #19", "D2950 #14", "D6010 #19", "D2740 #14"]
    assert view.item(ids["crown"]).visit == 3
    assert view.history[-1].detail == "Moved D2740 #14 to visit 3."
    with pytest.raises(ValidationError) as err:
        move_item_to_visit(desk.uow, desk.owner, plan_id, ids["crown"], 0, expected_version=v)
    assert err.value.field == "visit"


def test_tp6_removing_an_item_takes_its_links_and_planned_chart_mark(desk: Desk) -> None:
    """TP-6/TP-8: a removed item leaves no link or planned chart mark behind; history and audit keep it."""
    plan_id, v, ids = _crown_plan(desk)
    v = remove_item(desk.uow, desk.owner, plan_id, ids["ext"], expected_version=v).version
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert ids["ext"] not in {row.id for row in view.items}
    assert view.item(ids["implant"]).prerequisites == ()
    assert view.history[-1].detail == "Removed D7140 #19 (185.00)."
    with desk.uow:
        s = desk.uow.session
        assert (
            s.scalar(select(func.count()).select_from(ChartGraphic).where(ChartGraphic.plan_item_id == ids["ext"])) == 0
        )
        # The mark left the chart but stays in the chart's history (TX-CHART-2).
        gone = s.scalar(select(ChartGraphic).where(ChartGraphic.tooth == "19", ChartGraphic.plan_item_id.is_(None)))
        assert gone.removed_at is not None and "Removed from the plan" in gone.removal_reason
        assert "remove_item" in set(s.scalars(select(AuditEvent.action)))


def test_chart_graphic_follows_the_item_planned_moved_and_completed(desk: Desk) -> None:
    """TX-CHART: a charting code gets a PLANNED mark, which follows tooth edits and turns COMPLETED."""
    plan_id, v = desk.plan()
    crown, v = desk.add(plan_id, v, "D2740", "14")
    exam, v = desk.add(plan_id, v, "D0120")

    def marks() -> list[tuple]:
        with desk.uow:
            return [
                (g.plan_item_id, g.tooth, g.status, g.transaction_id is not None)
                for g in desk.uow.session.scalars(select(ChartGraphic).order_by(ChartGraphic.id))
            ]

    assert marks() == [(crown, "14", GraphicStatus.PLANNED, False)]  # an exam charts nothing
    v = edit_item(
        desk.uow, desk.owner, plan_id, crown, ItemInput("D2740", "15", provider_id=desk.provider), expected_version=v
    ).version
    assert marks() == [(crown, "15", GraphicStatus.PLANNED, False)]
    v = _approve(desk, plan_id, v)
    complete_item(desk.uow, desk.owner, plan_id, crown, expected_version=v, today=TODAY)
    assert marks() == [(crown, "15", GraphicStatus.COMPLETED, True)]


# --- approval (TP-5, TP-15)


def test_tp5_approving_an_incomplete_plan_is_refused_saying_which_item_lacks_what(desk: Desk) -> None:
    """TP-5/CODE-4: a crown without tooth and an item without provider keep the plan from approval."""
    plan_id, v = desk.plan()
    with pytest.raises(RuleViolation) as err:
        _approve(desk, plan_id, v)
    assert "at least one item" in err.value.message
    _crown, v = desk.add(plan_id, v, "D2740", "")
    _exam, v = desk.add(plan_id, v, "D0120", provider=None)
    before = desk.state(plan_id)
    with pytest.raises(RuleViolation) as err:
        _approve(desk, plan_id, v)
    assert "D2740 lacks: tooth" in err.value.message and "D0120 lacks: provider" in err.value.message
    assert desk.state(plan_id) == before
    problems = load_plan(desk.uow, staff(desk.uow), plan_id).approval_problems
    assert [(p.label, p.missing) for p in problems] == [("D2740", ("tooth",)), ("D0120", ("provider",))]


def test_tp15_approval_freezes_lines_and_total_with_the_signature_bound_to_their_hash(desk: Desk) -> None:
    """TP-15/TP-3: approving moves DRAFT -> APPROVED, stores approver, method, signature, lines and hash."""
    plan_id, v, ids = _crown_plan(desk)
    v = _approve(desk, plan_id, v)
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.status is PlanStatus.APPROVED and view.approved_total == view.total == Decimal("4120.00")
    approval = view.latest_approval
    assert approval is not None
    assert (approval.approver_name, approval.method, approval.signature_png) == (
        "Anna Smith",
        ApprovalMethod.SIGNED_AT_DESK,
        PNG,
    )
    assert approval.signature_matches and len(approval.content_hash) == 64
    assert [line.code for line in approval.lines] == ["D7140", "D2950", "D6010", "D2740"]
    assert all(row.approved_fee == row.fee for row in view.items)
    with desk.uow:
        stored = json.loads(desk.uow.session.scalar(select(PlanApproval.lines_json)))
    assert [line["fee"] for line in stored] == ["185.00", "285.00", "2300.00", "1350.00"]
    assert stored[0]["label"] == "D7140 #19" and stored[0]["name"] == "Tooth extraction, simple"
    with desk.uow:
        audited = json.loads(
            desk.uow.session.scalar(select(AuditEvent.after).where(AuditEvent.action == "record_approval"))
        )
    # SEC-5: the audit log keeps each approved line with its fee, not only the total.
    assert [(line["code"], line["fee"]) for line in audited["lines"]] == [
        ("D7140", "185.00"),
        ("D2950", "285.00"),
        ("D6010", "2300.00"),
        ("D2740", "1350.00"),
    ]
    # A later change to the content: the stored signature no longer covers the plan.
    edit_item(
        desk.uow,
        desk.owner,
        plan_id,
        ids["crown"],
        ItemInput("D2740", "14", provider_id=desk.provider, fee="1300"),
        expected_version=v,
    )
    assert load_plan(desk.uow, staff(desk.uow), plan_id).latest_approval.signature_matches is False


def test_tp15_signed_at_the_desk_needs_a_signature_and_a_name(desk: Desk) -> None:
    """TP-15: "signed at the desk" without a signature, or without the approver's name, is refused."""
    plan_id, v, _ids = _crown_plan(desk)
    before = desk.state(plan_id)
    with pytest.raises(ValidationError) as err:
        approve(
            desk.uow,
            desk.owner,
            plan_id,
            expected_version=v,
            approver_name="Anna Smith",
            method=ApprovalMethod.SIGNED_AT_DESK,
        )
    assert err.value.field == "signature"
    with pytest.raises(ValidationError) as err:
        approve(desk.uow, desk.owner, plan_id, expected_version=v, approver_name=" ", method=ApprovalMethod.ON_PAPER)
    assert err.value.field == "approver"
    with pytest.raises(ValidationError):
        approve(
            desk.uow,
            desk.owner,
            plan_id,
            expected_version=v,
            approver_name="A",
            method="on_paper",
            signature_png=b"GIF89a",
        )
    assert desk.state(plan_id) == before
    approve(desk.uow, desk.owner, plan_id, expected_version=v, approver_name="Anna Smith", method="on_paper")
    assert load_plan(desk.uow, staff(desk.uow), plan_id).latest_approval.signature_png is None


# --- completing (TP-9, TP-10, TP-12, TP-13)


def test_tp9_completing_an_item_early_is_refused_naming_the_unfinished_prerequisites(desk: Desk) -> None:
    """TP-9: the implant waits for the extraction; nothing is posted when refused."""
    plan_id, v, ids = _crown_plan(desk)
    with pytest.raises(RuleViolation) as err:
        complete_item(desk.uow, desk.owner, plan_id, ids["ext"], expected_version=v, today=TODAY)
    assert "approved plan" in err.value.message  # TP-12: only approved plans' items are completed
    v = _approve(desk, plan_id, v)
    before = desk.state(plan_id)
    with pytest.raises(RuleViolation) as err:
        complete_item(desk.uow, desk.front, plan_id, ids["implant"], expected_version=v, today=TODAY)
    assert err.value.message == "Complete D7140 #19 first: D6010 #19 depends on it."
    assert desk.state(plan_id) == before


def test_tp13_completing_posts_the_charge_at_the_plan_price_and_tp10_completes_the_plan(desk: Desk) -> None:
    """TP-13: the charge is the plan item's (discounted) fee, not the schedule's; TP-10: last item flips the plan."""
    plan_id, v = desk.plan()
    crown, v = desk.add(plan_id, v, "D2740", "14", fee="999.00")
    exam, v = desk.add(plan_id, v, "D0120")
    v = _approve(desk, plan_id, v)
    v = complete_item(
        desk.uow, desk.front, plan_id, crown, expected_version=v, completed_on=dt.date(2026, 11, 20), today=TODAY
    ).version
    with desk.uow:
        tx = desk.uow.session.scalar(select(LedgerTransaction).where(LedgerTransaction.plan_item_id == crown))
        assert (tx.amount, tx.dos, tx.tooth, tx.production_provider_id) == (
            Decimal("999.00"),
            dt.date(2026, 11, 20),
            "14",
            desk.provider,
        )
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.status is PlanStatus.APPROVED
    assert view.item(crown).status is ItemStatus.COMPLETED and view.item(crown).completed_on == dt.date(2026, 11, 20)
    assert (view.progress.done_items, view.progress.total_items, view.progress.percent) == (1, 2, 93)
    complete_item(desk.uow, desk.front, plan_id, exam, expected_version=v, today=TODAY)
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.status is PlanStatus.COMPLETED and view.progress.percent == 100
    assert "Every item is completed (TP-10)." in view.history[-1].detail
    with desk.uow:
        assert desk.uow.session.scalar(select(func.count()).select_from(LedgerTransaction)) == 2


def test_tx_dos1_a_completion_date_in_the_future_is_refused(desk: Desk) -> None:
    """TX-DOS-1: a completed procedure cannot be dated after today; nothing is posted."""
    plan_id, v = desk.plan()
    crown, v = desk.add(plan_id, v, "D2740", "14")
    v = _approve(desk, plan_id, v)
    before = desk.state(plan_id)
    with pytest.raises(ValidationError) as err:
        complete_item(
            desk.uow,
            desk.owner,
            plan_id,
            crown,
            expected_version=v,
            completed_on=TODAY + dt.timedelta(days=1),
            today=TODAY,
        )
    assert err.value.field == "dos"
    assert desk.state(plan_id) == before


def test_tp12_raising_an_approved_total_blocks_the_raised_items_until_a_new_approval(desk: Desk) -> None:
    """TP-12: editors may re-price an approved plan; a raise needs re-approval; a cut does not."""
    plan_id, v = desk.plan()
    crown, v = desk.add(plan_id, v, "D2740", "14")
    exam, v = desk.add(plan_id, v, "D0120")
    v = _approve(desk, plan_id, v)
    v = edit_item(
        desk.uow, desk.owner, plan_id, exam, ItemInput("D0120", provider_id=desk.provider, fee="50"), expected_version=v
    ).version
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert not view.needs_reapproval and view.blocked_item_ids == frozenset()
    added, v = desk.add(plan_id, v, "D2950", "14")
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.needs_reapproval and view.blocked_item_ids == frozenset({added})
    assert view.history[-1].action == "needs_reapproval"
    with pytest.raises(RuleViolation) as err:
        complete_item(desk.uow, desk.owner, plan_id, added, expected_version=v, today=TODAY)
    assert "approval of the new total" in err.value.message
    v = complete_item(desk.uow, desk.owner, plan_id, crown, expected_version=v, today=TODAY).version  # not raised
    with pytest.raises(RuleViolation):
        approve(desk.uow, desk.owner, plan_id, expected_version=v, approver_name="A", method="on_paper")
    v = record_approval(
        desk.uow, desk.front, plan_id, expected_version=v, approver_name="Anna Smith", method=ApprovalMethod.BY_MAIL
    ).version
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert not view.needs_reapproval and view.approved_total == view.total
    complete_item(desk.uow, desk.owner, plan_id, added, expected_version=v, today=TODAY)


def test_tp12_completed_items_cannot_be_changed_or_removed(desk: Desk) -> None:
    """TP-13: a completed item's charge is on the ledger: its fee and presence are fixed."""
    plan_id, v = desk.plan()
    crown, v = desk.add(plan_id, v, "D2740", "14")
    _exam, v = desk.add(plan_id, v, "D0120")
    v = _approve(desk, plan_id, v)
    v = complete_item(desk.uow, desk.owner, plan_id, crown, expected_version=v, today=TODAY).version
    with pytest.raises(RuleViolation):
        remove_item(desk.uow, desk.owner, plan_id, crown, expected_version=v)
    with pytest.raises(RuleViolation):
        edit_item(
            desk.uow,
            desk.owner,
            plan_id,
            crown,
            ItemInput("D2740", "14", provider_id=desk.provider, fee="1"),
            expected_version=v,
        )
    with pytest.raises(RuleViolation) as err:
        complete_item(desk.uow, desk.owner, plan_id, crown, expected_version=v, today=TODAY)
    assert "already completed" in err.value.message


# --- cancelling (TP-3)


def test_tp3_cancel_needs_a_reason_and_is_final(desk: Desk) -> None:
    """TP-3: CANCELLED from DRAFT with a reason; afterwards nothing can change; planned marks leave the chart."""
    plan_id, v, ids = _crown_plan(desk)
    with pytest.raises(ValidationError) as err:
        cancel_plan(desk.uow, desk.owner, plan_id, "  ", expected_version=v)
    assert err.value.field == "reason"
    v = cancel_plan(desk.uow, desk.owner, plan_id, "Patient moved away", expected_version=v).version
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.status is PlanStatus.CANCELLED and view.cancel_reason == "Patient moved away"
    assert "Reason: Patient moved away" in view.history[-1].detail
    with desk.uow:
        assert all(g.removed_at is not None for g in desk.uow.session.scalars(select(ChartGraphic)))
    before = desk.state(plan_id)
    with pytest.raises(RuleViolation):
        desk.add(plan_id, v, "D0120")
    with pytest.raises(RuleViolation):
        cancel_plan(desk.uow, desk.owner, plan_id, "again", expected_version=v)
    with pytest.raises(RuleViolation):
        _approve(desk, plan_id, v)
    assert desk.state(plan_id) == before


# --- roles, conflicts, one transaction (TP-1, DATA-1, DATA-2, SEC-2)


def test_tp1_front_desk_cannot_create_or_edit_but_may_approve_and_complete(desk: Desk) -> None:
    """TP-1: every editing action refuses front desk with PermissionDenied and changes nothing."""
    plan_id, v, ids = _crown_plan(desk)
    front = desk.front
    before = desk.state(plan_id)
    entry = ItemInput("D0120", provider_id=desk.provider)
    attempts = [
        lambda: create_plan(desk.uow, front, desk.patient, "Mine"),
        lambda: add_item(desk.uow, front, plan_id, entry, expected_version=v),
        lambda: edit_item(desk.uow, front, plan_id, ids["crown"], entry, expected_version=v),
        lambda: remove_item(desk.uow, front, plan_id, ids["crown"], expected_version=v),
        lambda: link_prerequisite(desk.uow, front, plan_id, ids["crown"], ids["ext"], expected_version=v),
        lambda: unlink_prerequisite(desk.uow, front, plan_id, ids["crown"], ids["core"], expected_version=v),
        lambda: move_item_to_visit(desk.uow, front, plan_id, ids["crown"], 3, expected_version=v),
        lambda: save_draft(desk.uow, front, plan_id, expected_version=v),
        lambda: cancel_plan(desk.uow, front, plan_id, "no", expected_version=v),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as err:
            attempt()
        assert "Front desk" in err.value.message
    assert desk.state(plan_id) == before
    v = _approve(desk, plan_id, v, actor=front)
    complete_item(desk.uow, front, plan_id, ids["ext"], expected_version=v, today=TODAY)
    assert load_plan(desk.uow, staff(desk.uow), plan_id).item(ids["ext"]).is_completed


def test_data2_a_stale_version_is_refused_with_a_clear_message_and_nothing_changes(desk: Desk) -> None:
    """DATA-2: two workstations opened version v; the second save is refused, never overwriting."""
    plan_id, v, ids = _crown_plan(desk)
    first = edit_item(
        desk.uow,
        desk.owner,
        plan_id,
        ids["crown"],
        ItemInput("D2740", "14", provider_id=desk.provider, fee="1200"),
        expected_version=v,
    )
    assert first.version == v + 1
    before = desk.state(plan_id)
    for stale in (
        lambda: edit_item(
            desk.uow,
            desk.owner,
            plan_id,
            ids["crown"],
            ItemInput("D2740", "14", provider_id=desk.provider, fee="1100"),
            expected_version=v,
        ),
        lambda: save_draft(desk.uow, desk.owner, plan_id, expected_version=v),
        lambda: approve(desk.uow, desk.owner, plan_id, expected_version=v, approver_name="A", method="on_paper"),
        lambda: cancel_plan(desk.uow, desk.owner, plan_id, "x", expected_version=v),
    ):
        with pytest.raises(ConflictError) as err:
            stale()
        assert (
            "Olive Owner on test-ws saved this treatment plan" in err.value.message and "not saved" in err.value.message
        )
    assert desk.state(plan_id) == before
    assert load_plan(desk.uow, staff(desk.uow), plan_id).item(ids["crown"]).fee == Decimal("1200.00")


def test_data2_every_action_moves_the_version_on(desk: Desk) -> None:
    """DATA-2: save_draft with no changes still bumps the version and updated time."""
    plan_id, v = desk.plan()
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    saved = save_draft(desk.uow, desk.owner, plan_id, expected_version=v)
    after = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert saved.version == after.version == v + 1 and after.updated_at >= view.updated_at
    assert after.history[-1].action == "saved"


def test_data1_save_draft_applies_the_working_copy_whole_or_not_at_all(desk: Desk) -> None:
    """DATA-1: new items linked to each other in one save; a bad link at the end saves none of it."""
    plan_id, v, ids = _crown_plan(desk)
    batch = PlanChanges(
        removed=(ids["core"],),
        added=(
            NewItem(1, ItemInput("D3330", "30", provider_id=desk.provider, visit=1)),
            NewItem(2, ItemInput("D2740", "30", provider_id=desk.provider, fee="1100", visit=2)),
        ),
        changed=(ItemChange(ids["crown"], ItemInput("D2740", "14", provider_id=desk.provider, fee="1250", visit=2)),),
        linked=((New(2), New(1)), (ids["crown"], ids["ext"])),
    )
    bad = PlanChanges(added=batch.added, linked=((New(1), New(2)), (New(2), New(1))))
    before = desk.state(plan_id)
    with pytest.raises(RuleViolation) as err:
        save_draft(desk.uow, desk.owner, plan_id, bad, expected_version=v)
    assert "(D2740 #30 -> D3330 #30 -> D2740 #30)" in err.value.message
    assert desk.state(plan_id) == before
    saved = save_draft(desk.uow, desk.owner, plan_id, batch, expected_version=v)
    assert set(saved.new_item_ids) == {1, 2}
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.version == saved.version == v + 1
    rct, crown30 = saved.new_item_ids[1], saved.new_item_ids[2]
    assert view.item(crown30).prerequisites == (rct,)
    assert view.item(ids["crown"]).prerequisites == (ids["ext"],)  # the core was removed, its link with it
    assert view.item(ids["crown"]).fee == Decimal("1250.00")
    assert ids["core"] not in {row.id for row in view.items}


# --- billing summary (TP-14)


def test_tp14_billing_summary_without_insurance_shows_only_computed_figures(desk: Desk) -> None:
    """TP-14: planned and completed totals; with no coverage insurance is 0 and the patient owes all."""
    plan_id, v = desk.plan()
    crown, v = desk.add(plan_id, v, "D2740", "14")
    _exam, v = desk.add(plan_id, v, "D0120")
    v = _approve(desk, plan_id, v)
    complete_item(desk.uow, desk.owner, plan_id, crown, expected_version=v, today=TODAY)
    other, w = desk.plan("Cancelled one")
    _x, w = desk.add(other, w, "D7140", "1")
    cancel_plan(desk.uow, desk.owner, other, "Not needed", expected_version=w)
    billing = billing_summary_for_patient(desk.uow, staff(desk.uow), desk.patient)
    assert (billing.planned, billing.completed) == (Decimal("65.00"), Decimal("1350.00"))
    assert (billing.estimated_insurance, billing.estimated_patient) == (Decimal("0.00"), Decimal("65.00"))


def test_tp14_billing_summary_estimates_insurance_over_planned_items_in_plan_order(desk: Desk) -> None:
    """TP-14, INS-1/2: 80% restorative after a 50.00 deductible on the first item in plan order."""
    with desk.uow:
        s = desk.uow.session
        plan = DentalPlan(
            office_id=desk.p.office_id,
            name="Basic 80",
            carrier="Acme Dental",
            estimation_type=EstimationType.PERCENTAGE,
            deductible=Decimal("50.00"),
            annual_max=Decimal("1500.00"),
        )
        plan.categories = [
            PlanCategory(category=Category.RESTORATIVE, coverage_percent=80),
            PlanCategory(category=Category.DIAGNOSTIC, coverage_percent=100, deductible_applies=False),
        ]
        s.add(plan)
        s.flush()
        s.add(
            Coverage(
                patient_id=desk.patient,
                dental_plan_id=plan.id,
                rank=CoverageRank.PRIMARY,
                subscriber_name="Anna Smith",
                benefit_year=2026,
            )
        )
        desk.uow.commit()
    plan_id, v = desk.plan()
    _filling, v = desk.add(plan_id, v, "D2391", "14", "O")  # 195.00
    _exam, v = desk.add(plan_id, v, "D0120")  # 65.00
    billing = billing_summary_for_patient(desk.uow, staff(desk.uow), desk.patient)
    assert (billing.planned, billing.drafts, billing.estimated_insurance) == (Decimal("0.00"), Decimal("260.00"), 0)
    v = _approve(desk, plan_id, v)
    billing = billing_summary_for_patient(desk.uow, staff(desk.uow), desk.patient)
    # (195 - 50) x 80% = 116.00; exam 65 x 100% = 65.00.
    assert billing.planned == Decimal("260.00")
    assert billing.estimated_insurance == Decimal("181.00")
    assert billing.estimated_patient == Decimal("79.00")


# --- the charge options a plan item keeps (TX-TAX-1/2, TX-INS-1; services.plans docstring)


def _tax(desk: Desk, method: TaxMethod, code: str) -> None:
    """The office taxes at 6 % by ``method``; ``code``'s Taxable option is on."""
    with desk.uow:
        s = desk.uow.session
        s.execute(update(Office).values(tax_method=method, tax_rate=Decimal("6")))
        s.execute(update(ProcedureCode).where(ProcedureCode.code == code).values(taxable=True))
        desk.uow.commit()


def _cover(desk: Desk) -> None:
    """Anna is covered 80 % restorative, no deductible."""
    with desk.uow:
        s = desk.uow.session
        plan = DentalPlan(
            office_id=desk.p.office_id,
            name="Basic 80",
            carrier="Acme Dental",
            estimation_type=EstimationType.PERCENTAGE,
            deductible=Decimal("0.00"),
            annual_max=Decimal("1500.00"),
        )
        plan.categories = [PlanCategory(category=Category.RESTORATIVE, coverage_percent=80)]
        s.add(plan)
        s.flush()
        s.add(
            Coverage(
                patient_id=desk.patient,
                dental_plan_id=plan.id,
                rank=CoverageRank.PRIMARY,
                subscriber_name="Anna Smith",
                benefit_year=TODAY.year,
            )
        )
        desk.uow.commit()


def _charge_of(desk: Desk, item_id: int) -> LedgerTransaction:
    with desk.uow:
        tx = desk.uow.session.scalar(select(LedgerTransaction).where(LedgerTransaction.plan_item_id == item_id))
        desk.uow.session.expunge(tx)
        return tx


@pytest.mark.parametrize(("method", "tax"), [(TaxMethod.NON_PRO_RATA, "0.00"), (TaxMethod.PRO_RATA, "60.00")])
def test_tx_tax2_an_item_kept_with_taxable_unticked_completes_untaxed_unless_pro_rata(
    desk: Desk, method: TaxMethod, tax: str
) -> None:
    """TX-TAX-2: a taxable code's item kept with Taxable unticked posts an untaxed charge under Non-pro
    rata; TX-TAX-1: Pro rata taxes every charge, so it ignores the item's choice."""
    _tax(desk, method, "D2740")
    plan_id, v = desk.plan()
    crown, v = desk.add(plan_id, v, "D2740", "14", fee="1000.00", taxable_override=False)
    assert load_plan(desk.uow, staff(desk.uow), plan_id).item(crown).taxable_override is False
    v = _approve(desk, plan_id, v)
    complete_item(desk.uow, desk.front, plan_id, crown, expected_version=v, today=TODAY)
    charge = _charge_of(desk, crown)
    assert (charge.amount, charge.tax, charge.taxable) == (Decimal("1000.00"), Decimal(tax), tax != "0.00")


def test_tx_tax2_an_item_left_at_the_default_is_taxed_as_its_code_says(desk: Desk) -> None:
    """TX-TAX-2: None keeps the default: a taxable code's item posts 6 % tax under Non-pro rata."""
    _tax(desk, TaxMethod.NON_PRO_RATA, "D2740")
    plan_id, v = desk.plan()
    crown, v = desk.add(plan_id, v, "D2740", "14", fee="1000.00")
    assert load_plan(desk.uow, staff(desk.uow), plan_id).item(crown).taxable_override is None
    v = _approve(desk, plan_id, v)
    complete_item(desk.uow, desk.front, plan_id, crown, expected_version=v, today=TODAY)
    assert _charge_of(desk, crown).tax == Decimal("60.00")


def test_tx_ins1_an_item_kept_off_insurance_is_not_estimated_and_posts_a_non_insurable_charge(desk: Desk) -> None:
    """TX-INS-1/TP-14: a covered filling kept with Insurable unticked has no insurance estimate in the
    billing summary or on the handout, and completes into a non-insurable charge aged from its DOS (TX-AGE-2)."""
    _cover(desk)
    plan_id, v = desk.plan()
    filling, v = desk.add(plan_id, v, "D2391", "14", "O", fee="200.00", insurable_override=False)
    v = _approve(desk, plan_id, v)  # TP-14: the summary estimates the approved plans' work
    assert billing_summary_for_patient(desk.uow, staff(desk.uow), desk.patient).estimated_insurance == Decimal("0.00")
    v = edit_item(
        desk.uow,
        desk.owner,
        plan_id,
        filling,
        ItemInput("D2391", "14", "O", provider_id=desk.provider, fee="200.00"),
        expected_version=v,
    ).version
    assert billing_summary_for_patient(desk.uow, staff(desk.uow), desk.patient).estimated_insurance == Decimal("160.00")
    v = save_draft(
        desk.uow,
        desk.owner,
        plan_id,
        PlanChanges(
            changed=(
                ItemChange(
                    filling,
                    ItemInput("D2391", "14", "O", provider_id=desk.provider, fee="200.00", insurable_override=False),
                ),
            )
        ),
        expected_version=v,
    ).version
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.item(filling).insurable_override is False
    [line] = [i for visit in load_handout(desk.uow, staff(desk.uow), plan_id, today=TODAY).visits for i in visit.items]
    assert (line.insurance, line.patient) == (Decimal("0.00"), Decimal("200.00"))  # the handout agrees
    assert [h.detail for h in view.history if h.action == "item_charge_option_changed"] == [
        "Insurable of D2391 #14: as the code and office say.",
        "Insurable of D2391 #14: unticked.",
    ]
    complete_item(desk.uow, desk.front, plan_id, filling, expected_version=v, completed_on=TODAY, today=TODAY)
    charge = _charge_of(desk, filling)
    assert (charge.insurable, charge.estimated_insurance, charge.aged_date) == (False, Decimal("0.00"), TODAY)


def test_tx_tax2_a_choice_that_is_not_yes_no_or_default_is_refused(desk: Desk) -> None:
    """TX-VAL-1: a Taxable choice other than ticked, unticked or default is refused at Taxable."""
    plan_id, v = desk.plan()
    with pytest.raises(ValidationError) as err:
        desk.add(plan_id, v, "D2740", "14", taxable_override="no")
    assert err.value.field == "taxable"


# --- the same on PostgreSQL (DATA-3)


@pytest.fixture(scope="module")
def plans_pg_engine(pg_url: str):  # type: ignore[no-untyped-def]
    """A private PostgreSQL database with the demo practice, for this module."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from dentaldesk.db.engine import make_engine
    from dentaldesk.db.migrate import upgrade
    from dentaldesk.demo import create_demo_practice

    name = f"dd_plans_{uuid.uuid4().hex[:8]}"
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(pg_url).set(database=name).render_as_string(hide_password=False))
    upgrade(engine)
    create_demo_practice(engine, size="demo")
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_data3_a_plan_built_saved_approved_and_completed_on_postgresql(plans_pg_engine) -> None:
    """DATA-3/DATA-2/TP-10: the whole plan life on PostgreSQL, with a stale save refused."""
    from dentaldesk.db.models import Patient
    from dentaldesk.services.access.login import login

    uow = UnitOfWork.for_engine(plans_pg_engine)
    dentist = login(uow, "dentist", "demo-dentist", "pg-ws")
    front = login(uow, "frontdesk", "demo-front", "pg-ws")
    with uow:
        patient = uow.session.scalar(select(Patient.id).order_by(Patient.id))
    saved = create_plan(uow, dentist, patient, "Implant on PostgreSQL")
    batch = PlanChanges(
        added=(
            NewItem(1, ItemInput("D7140", "19", provider_id=dentist.provider_id, visit=1)),
            NewItem(2, ItemInput("D6010", "19", provider_id=dentist.provider_id, visit=2)),
        ),
        linked=((New(2), New(1)),),
    )
    done = save_draft(uow, dentist, saved.plan_id, batch, expected_version=saved.version)
    with pytest.raises(ConflictError):
        save_draft(uow, dentist, saved.plan_id, expected_version=saved.version)
    v = approve(
        uow,
        front,
        saved.plan_id,
        expected_version=done.version,
        approver_name="Pat Patient",
        method=ApprovalMethod.ON_PAPER,
    ).version
    with pytest.raises(RuleViolation):
        complete_item(uow, front, saved.plan_id, done.new_item_ids[2], expected_version=v)
    v = complete_item(uow, front, saved.plan_id, done.new_item_ids[1], expected_version=v).version
    complete_item(uow, front, saved.plan_id, done.new_item_ids[2], expected_version=v)
    view = load_plan(uow, staff(uow), saved.plan_id)
    assert view.status is PlanStatus.COMPLETED and view.latest_approval.signature_matches
