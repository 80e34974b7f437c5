"""Plan options end to end (CASE-1, with TP-5, TP-10, TP-12, TP-15, INS-9): present two options,
approve one, the other is kept read-only "not chosen"; lists count the chosen option only."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from acting import staff
from sqlalchemy import create_engine, func, select, text

from dentaldesk.db.migrate import upgrade
from dentaldesk.db.models import AuditEvent, ChartGraphic, PlanApproval, PlanEvent, PlanItem, PlanOption, Provider
from dentaldesk.domain.errors import RuleViolation, ValidationError
from dentaldesk.domain.options import NOT_CHOSEN
from dentaldesk.domain.terms import ApprovalMethod, ItemStatus, PlanStatus
from dentaldesk.services.plans import (
    ItemInput,
    NewItem,
    PlanChanges,
    add_item,
    approve,
    billing_summary_for_patient,
    complete_item,
    create_plan,
    edit_item,
    link_prerequisite,
    load_plan,
    record_approval,
    remove_item,
    save_draft,
)
from dentaldesk.services.plans.estimate import plan_estimate_in
from dentaldesk.services.plans.handout import load_handout
from dentaldesk.services.plans.options import add_option, compare_options, remove_option, rename_option
from dentaldesk.services.plans.queries import plan_summaries
from dentaldesk.services.practice.codes import copy_master_codes
from dentaldesk.services.uow import UnitOfWork

CODES = ["D0120", "D2740", "D2950", "D6010", "D6240", "D6750", "D7140"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TODAY = dt.date(2026, 5, 12)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "databases"


class Desk:
    def __init__(self, practice) -> None:
        self.uow: UnitOfWork = practice.uow
        self.owner = practice.owner
        self.front = practice.front_desk
        self.patient = practice.patient_ids[0]
        copy_master_codes(self.uow, self.owner, CODES)
        with self.uow:
            self.provider = self.uow.session.scalar(select(Provider.id))

    def add(self, plan_id: int, version: int, code: str, tooth: str = "", option_id: int | None = None, **kw):
        entry = ItemInput(code=code, tooth=tooth, provider_id=self.provider, **kw)
        saved = add_item(self.uow, self.owner, plan_id, entry, expected_version=version, option_id=option_id)
        return saved.item_id, saved.version

    def marks(self, item_id: int) -> int:
        with self.uow:
            return self.uow.session.scalar(
                select(func.count())
                .select_from(ChartGraphic)
                .where(ChartGraphic.plan_item_id == item_id, ChartGraphic.removed_at.is_(None))
            )


@pytest.fixture
def desk(fast_practice) -> Desk:
    return Desk(fast_practice)


def _two_options(desk: Desk) -> tuple[int, int, dict[str, int]]:
    """Option A "Implant": extraction #19 then implant #19; Option B "Bridge", begun as a copy of
    A, then the implant swapped for a three-unit bridge (pontic #19, abutment crown #18)."""
    saved = create_plan(desk.uow, desk.owner, desk.patient, "Missing #19")
    plan_id, v = saved.plan_id, saved.version
    first = load_plan(desk.uow, desk.owner, plan_id)
    ids = {"implant_option": first.option_id}
    ids["ext"], v = desk.add(plan_id, v, "D7140", "19", visit=1)
    ids["implant"], v = desk.add(plan_id, v, "D6010", "19", visit=2)
    v = link_prerequisite(desk.uow, desk.owner, plan_id, ids["implant"], ids["ext"], expected_version=v).version
    v = rename_option(desk.uow, desk.owner, plan_id, ids["implant_option"], "Implant", expected_version=v).version
    copied = add_option(desk.uow, desk.owner, plan_id, "Bridge", expected_version=v, copy_from=ids["implant_option"])
    ids["bridge_option"], v = copied.option_id, copied.version  # type: ignore[assignment]
    bridge = load_plan(desk.uow, desk.owner, plan_id, ids["bridge_option"])
    copy_of_implant = next(r.id for r in bridge.items if r.code == "D6010")
    v = remove_item(desk.uow, desk.owner, plan_id, copy_of_implant, expected_version=v).version
    ids["pontic"], v = desk.add(plan_id, v, "D6240", "19", ids["bridge_option"], visit=2)
    ids["abutment"], v = desk.add(plan_id, v, "D6750", "18", ids["bridge_option"], visit=2)
    return plan_id, v, ids


def test_case1_a_new_plan_has_one_option_and_a_copy_starts_another(desk: Desk) -> None:
    """CASE-1: a plan starts with "Option A"; Add option as a copy takes the items and their links."""
    plan_id, _v, ids = _two_options(desk)
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert [o.name for o in view.options] == ["Implant", "Bridge"]
    assert view.option_id == ids["implant_option"] and view.option_state == ""
    assert [r.code for r in view.items] == ["D7140", "D6010"]
    bridge = load_plan(desk.uow, staff(desk.uow), plan_id, ids["bridge_option"])
    assert [r.code for r in bridge.items] == ["D7140", "D6240", "D6750"]
    ext_copy = next(r for r in bridge.items if r.code == "D7140")
    assert ext_copy.id != ids["ext"]
    with desk.uow:
        assert desk.uow.session.scalar(select(func.count()).select_from(PlanOption)) == 2
        events = list(desk.uow.session.scalars(select(PlanEvent.detail).where(PlanEvent.plan_id == plan_id)))
    assert 'Added the option "Bridge", a copy of "Implant" (2 items).' in events


def test_case1_each_option_has_its_own_estimate_and_lists_count_the_first(desk: Desk) -> None:
    """CASE-1, INS-9, TP-14: each option is estimated on its own; before the choice the billing
    summary and the Treatments list show the first option's figures, never the two added up."""
    plan_id, _v, ids = _two_options(desk)
    implant = load_plan(desk.uow, staff(desk.uow), plan_id, ids["implant_option"])
    bridge = load_plan(desk.uow, staff(desk.uow), plan_id, ids["bridge_option"])
    assert implant.total != bridge.total
    with desk.uow:
        s = desk.uow.session
        per_option = {o: plan_estimate_in(s, plan_id, option_id=ids[o]) for o in ("implant_option", "bridge_option")}
    assert set(per_option["implant_option"].items) == {r.id for r in implant.items}
    assert set(per_option["bridge_option"].items) == {r.id for r in bridge.items}
    billing = billing_summary_for_patient(desk.uow, staff(desk.uow), desk.patient)
    assert billing.drafts == implant.total  # TP-14: a draft counts apart from the approved plans
    (row,) = [r for r in plan_summaries(desk.uow, staff(desk.uow), patient_id=desk.patient) if r.id == plan_id]
    assert row.total == implant.total


def test_case1_approving_needs_the_option_named_and_refuses_an_empty_one(desk: Desk) -> None:
    """CASE-1 (bad input), TP-5: with two options the approval names one; an empty one is refused."""
    plan_id, v, _ids = _two_options(desk)
    empty = add_option(desk.uow, desk.owner, plan_id, "", expected_version=v)
    assert load_plan(desk.uow, desk.owner, plan_id, empty.option_id).option_name == "Option C"
    with pytest.raises(ValidationError) as unnamed:
        approve(desk.uow, desk.front, plan_id, expected_version=empty.version, approver_name="Anna", method="on_paper")
    assert unnamed.value.field == "option"
    with pytest.raises(RuleViolation, match="no items") as refused:
        approve(
            desk.uow,
            desk.front,
            plan_id,
            expected_version=empty.version,
            approver_name="Anna",
            method="on_paper",
            option_id=empty.option_id,
        )
    assert refused.value.field == "option"
    assert load_plan(desk.uow, desk.owner, plan_id).status is PlanStatus.DRAFT


def test_case1_approving_one_option_binds_the_signature_to_it_and_freezes_the_other(desk: Desk) -> None:
    """CASE-1, TP-15: the approval records the chosen option and hashes its lines only; the other
    option is "not chosen": read-only in the service, its planned chart marks off the chart."""
    plan_id, v, ids = _two_options(desk)
    assert desk.marks(ids["implant"]) == 1
    v = approve(
        desk.uow,
        desk.front,
        plan_id,
        expected_version=v,
        approver_name="Anna Smith",
        method=ApprovalMethod.SIGNED_AT_DESK,
        signature_png=PNG,
        option_id=ids["bridge_option"],
    ).version
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert view.status is PlanStatus.APPROVED and view.option_id == ids["bridge_option"]
    assert view.option_state == "chosen"
    assert view.latest_approval is not None and view.latest_approval.signature_matches
    assert view.latest_approval.option_id == ids["bridge_option"]
    assert view.approved_total == view.total
    assert {line.code for line in view.latest_approval.lines} == {"D7140", "D6240", "D6750"}
    other = load_plan(desk.uow, staff(desk.uow), plan_id, ids["implant_option"])
    assert other.option_state == NOT_CHOSEN and other.is_not_chosen
    assert other.latest_approval is not None and other.latest_approval.option_id == ids["bridge_option"]
    assert desk.marks(ids["implant"]) == 0 and desk.marks(ids["pontic"]) == 1
    with desk.uow:
        approval = desk.uow.session.scalar(select(PlanApproval).where(PlanApproval.plan_id == plan_id))
        assert approval.option_id == ids["bridge_option"]
        assert desk.uow.session.get(PlanOption, ids["bridge_option"]).chosen
        assert not desk.uow.session.get(PlanOption, ids["implant_option"]).chosen
        assert "choose_option" in set(desk.uow.session.scalars(select(AuditEvent.action)))

    refusals = [
        lambda: desk.add(plan_id, v, "D0120", option_id=ids["implant_option"]),
        lambda: edit_item(
            desk.uow,
            desk.owner,
            plan_id,
            ids["implant"],
            ItemInput("D6010", "20", provider_id=desk.provider),
            expected_version=v,
        ),
        lambda: remove_item(desk.uow, desk.owner, plan_id, ids["implant"], expected_version=v),
        lambda: complete_item(desk.uow, desk.front, plan_id, ids["ext"], expected_version=v, today=TODAY),
        lambda: rename_option(desk.uow, desk.owner, plan_id, ids["implant_option"], "Old", expected_version=v),
        lambda: remove_option(desk.uow, desk.owner, plan_id, ids["implant_option"], expected_version=v),
        lambda: add_option(desk.uow, desk.owner, plan_id, "Denture", expected_version=v),
        lambda: save_draft(
            desk.uow,
            desk.owner,
            plan_id,
            PlanChanges(added=(NewItem(1, ItemInput("D0120", provider_id=desk.provider), ids["implant_option"]),)),
            expected_version=v,
        ),
        lambda: record_approval(
            desk.uow,
            desk.front,
            plan_id,
            expected_version=v,
            approver_name="Anna",
            method="on_paper",
            option_id=ids["implant_option"],
        ),
    ]
    for refused in refusals:
        with pytest.raises(RuleViolation):
            refused()
    assert load_plan(desk.uow, staff(desk.uow), plan_id).version == v


def test_case1_completion_and_lists_count_only_the_chosen_option(desk: Desk) -> None:
    """CASE-1, TP-10, TP-14: the chosen option's items complete the plan; the not-chosen one's
    never count (billing summary, Treatments list, handout)."""
    plan_id, v, ids = _two_options(desk)
    v = approve(
        desk.uow,
        desk.front,
        plan_id,
        expected_version=v,
        approver_name="Anna Smith",
        method="on_paper",
        option_id=ids["implant_option"],
    ).version
    chosen = load_plan(desk.uow, staff(desk.uow), plan_id)
    billing = billing_summary_for_patient(desk.uow, staff(desk.uow), desk.patient)
    assert billing.planned == chosen.total
    handout = load_handout(desk.uow, staff(desk.uow), plan_id, today=TODAY)
    assert [i.code for i in handout.items] == ["D7140", "D6010"] and handout.signature_covers_plan
    v = complete_item(desk.uow, desk.front, plan_id, ids["ext"], expected_version=v, today=TODAY).version
    v = complete_item(desk.uow, desk.front, plan_id, ids["implant"], expected_version=v, today=TODAY).version
    done = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert done.status is PlanStatus.COMPLETED
    assert done.progress.total_items == 2 and done.progress.done_items == 2
    with desk.uow:
        left = desk.uow.session.scalars(select(PlanItem.status).where(PlanItem.option_id == ids["bridge_option"])).all()
    assert set(left) == {ItemStatus.PLANNED}
    (row,) = [r for r in plan_summaries(desk.uow, staff(desk.uow), patient_id=desk.patient) if r.id == plan_id]
    assert (row.items, row.done_items) == (2, 2)


def test_case1_links_stay_within_one_option_and_one_option_always_stays(desk: Desk) -> None:
    """CASE-1, TP-8: an item depends only on an item of its own option; the last option stays;
    removing an option removes its items."""
    plan_id, v, ids = _two_options(desk)
    with pytest.raises(RuleViolation, match="different options"):
        link_prerequisite(desk.uow, desk.owner, plan_id, ids["pontic"], ids["ext"], expected_version=v)
    with pytest.raises(ValidationError, match="already has"):
        rename_option(desk.uow, desk.owner, plan_id, ids["bridge_option"], "implant", expected_version=v)
    v = remove_option(desk.uow, desk.owner, plan_id, ids["implant_option"], expected_version=v).version
    view = load_plan(desk.uow, staff(desk.uow), plan_id)
    assert [o.name for o in view.options] == ["Bridge"] and view.option_id == ids["bridge_option"]
    assert desk.marks(ids["implant"]) == 0
    with pytest.raises(RuleViolation, match="at least one option"):
        remove_option(desk.uow, desk.owner, plan_id, ids["bridge_option"], expected_version=v)
    approve(desk.uow, desk.front, plan_id, expected_version=v, approver_name="Anna", method="on_paper")
    assert load_plan(desk.uow, staff(desk.uow), plan_id).status is PlanStatus.APPROVED


def test_case1_the_editor_save_puts_new_items_into_their_option(desk: Desk) -> None:
    """CASE-1: Save draft adds each new item to the option it was added in."""
    plan_id, v, ids = _two_options(desk)
    entry = ItemInput("D0120", provider_id=desk.provider)
    save_draft(
        desk.uow,
        desk.owner,
        plan_id,
        PlanChanges(added=(NewItem(1, entry, ids["bridge_option"]), NewItem(2, entry))),
        expected_version=v,
    )
    bridge = load_plan(desk.uow, staff(desk.uow), plan_id, ids["bridge_option"])
    implant = load_plan(desk.uow, staff(desk.uow), plan_id, ids["implant_option"])
    assert [r.code for r in bridge.items].count("D0120") == 1
    assert [r.code for r in implant.items].count("D0120") == 1
    assert bridge.total == sum((r.fee for r in bridge.items), Decimal("0.00"))


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("schema_*.sqlite3.gz")), ids=lambda p: p.name)
def test_case1_upgrade_makes_every_plan_a_one_option_plan(fixture: Path, tmp_path: Path) -> None:
    """CASE-1 migration: every existing plan holds one option with all its items; an approved
    plan's option is chosen and its approvals name it; item and approval counts are unchanged."""
    path = tmp_path / "old.sqlite3"
    with gzip.open(fixture, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        before = (
            conn.scalar(text("SELECT count(*) FROM treatment_plan")),
            conn.scalar(text("SELECT count(*) FROM plan_item")),
            conn.scalar(text("SELECT count(*) FROM plan_approval")),
        )
    engine.dispose()
    from dentaldesk.db.engine import make_engine

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        plans, items, approvals = before
        assert plans > 0 and items > 0
        assert conn.scalar(text("SELECT count(*) FROM plan_option")) == plans
        assert conn.scalar(text("SELECT count(*) FROM plan_item")) == items
        assert conn.scalar(text("SELECT count(*) FROM plan_approval")) == approvals
        assert conn.scalar(text("SELECT count(DISTINCT plan_id) FROM plan_option")) == plans
        assert conn.scalar(text("SELECT count(*) FROM plan_option WHERE name <> 'Option A' OR position <> 1")) == 0
        assert (
            conn.scalar(
                text(
                    "SELECT count(*) FROM plan_item i JOIN plan_option o ON o.id = i.option_id"
                    " WHERE o.plan_id = i.plan_id"
                )
            )
            == items
        )
        assert (
            conn.scalar(
                text(
                    "SELECT count(*) FROM plan_approval a JOIN plan_option o ON o.id = a.option_id"
                    " WHERE o.plan_id = a.plan_id AND o.chosen"
                )
            )
            == approvals
        )
        chosen = conn.scalar(text("SELECT count(*) FROM plan_option WHERE chosen"))
        ever_approved = conn.scalar(text("SELECT count(DISTINCT plan_id) FROM plan_approval"))
        assert chosen == ever_approved
    engine.dispose()


def test_case1_options_compared_side_by_side_from_each_options_estimate(desk: Desk) -> None:
    """CASE-1, INS-9: the comparison's figures per option are its own estimate's sums and its
    items' chair time; after the choice each option says chosen or not chosen."""
    plan_id, v, ids = _two_options(desk)
    implant, bridge = compare_options(desk.uow, staff(desk.uow), plan_id)
    assert (implant.name, bridge.name) == ("Implant", "Bridge")
    assert implant.items[0].startswith("D7140 #19") and implant.item_count == 2 and bridge.item_count == 3
    assert (implant.visits, bridge.visits) == (2, 2)
    for summary, option in ((implant, "implant_option"), (bridge, "bridge_option")):
        view = load_plan(desk.uow, staff(desk.uow), plan_id, ids[option])
        with desk.uow:
            estimate = plan_estimate_in(desk.uow.session, plan_id, option_id=ids[option])
        assert summary.fee == view.total
        assert summary.insurance == estimate.insurance and summary.patient == estimate.patient
        assert summary.chair_minutes == sum(r.rtu for r in view.items)
    approve(
        desk.uow,
        desk.front,
        plan_id,
        expected_version=v,
        approver_name="Anna",
        method="on_paper",
        option_id=ids["bridge_option"],
    )
    states = [s.state for s in compare_options(desk.uow, staff(desk.uow), plan_id)]
    assert states == [NOT_CHOSEN, "chosen"]


def test_case1_the_handout_prints_the_options_side_by_side_then_each_options_items(desk: Desk, shots: Path) -> None:
    """CASE-1: a draft presented with two options prints them side by side with their totals,
    then each one's items; once one is chosen the handout is that option's, naming the other."""
    import subprocess

    from dentaldesk.printing.handout import build_handout_pdf

    plan_id, v, ids = _two_options(desk)
    handout = load_handout(desk.uow, staff(desk.uow), plan_id, today=TODAY)
    assert [o.summary.name for o in handout.options] == ["Implant", "Bridge"]
    implant, bridge = (o.handout for o in handout.options)
    assert [i.code for i in implant.items] == ["D7140", "D6010"]
    assert [i.code for i in bridge.items] == ["D7140", "D6240", "D6750"]
    assert handout.options[1].summary.fee == bridge.totals.fee
    assert handout.planned_teeth == {"18", "19"}
    pdf = build_handout_pdf(handout)
    path = shots / "two_option_handout.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Your 2 options" in text
    assert text.index("Your 2 options") < text.index("Implant: planned treatment") < text.index("Bridge: planned")
    assert f"{bridge.totals.fee:,.2f}" in text and f"{implant.totals.fee:,.2f}" in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(shots / "two_option_handout")], check=True)

    approve(
        desk.uow,
        desk.front,
        plan_id,
        expected_version=v,
        approver_name="Anna",
        method="on_paper",
        option_id=ids["bridge_option"],
    )
    chosen = load_handout(desk.uow, staff(desk.uow), plan_id, today=TODAY)
    assert chosen.options == () and chosen.option_name == "Bridge" and chosen.not_chosen == ("Implant",)
    assert [i.code for i in chosen.items] == ["D7140", "D6240", "D6750"]
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=build_handout_pdf(chosen), capture_output=True, check=True
    ).stdout.decode()
    assert "You chose Bridge; not chosen: Implant." in text
