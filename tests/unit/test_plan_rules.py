"""Treatment-plan rules (DOMAIN.md TP-3 .. TP-16, CODE-4), on plain values only."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dentaldesk.domain.errors import RuleViolation, ValidationError
from dentaldesk.domain.plans import (
    BillingSummary,
    ItemFacts,
    ItemProblem,
    Progress,
    allowed_transitions,
    approval_problems,
    billing_summary,
    blocked_by_reapproval,
    chair_minutes,
    check_can_complete,
    check_link,
    check_ready_for_approval,
    check_transition,
    cycle_path,
    items_needing_reapproval,
    needs_reapproval,
    plan_is_finished,
    plan_total,
    progress,
    tree_rows,
    unfinished_prerequisites,
    visit_groups,
)
from dentaldesk.domain.terms import ItemStatus, PlanStatus

DONE = ItemStatus.COMPLETED
PLANNED = ItemStatus.PLANNED
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def item(item_id: int, **changes) -> ItemFacts:
    """A complete, approvable item; ``changes`` override any field."""
    base = ItemFacts(
        id=item_id,
        code="D2740",
        label=f"D2740 #{item_id}",
        provider_id=1,
        tooth="14",
        surfaces="",
        fee=Decimal("100.00"),
        sequence=item_id,
    )
    if "fee" in changes and isinstance(changes["fee"], str):
        changes["fee"] = Decimal(changes["fee"])
    if "approved_fee" in changes and isinstance(changes["approved_fee"], str):
        changes["approved_fee"] = Decimal(changes["approved_fee"])
    return replace(base, **changes)


def link(items: list[ItemFacts], item_id: int, prerequisite_id: int) -> list[ItemFacts]:
    """The items with ``item_id`` now waiting for ``prerequisite_id``."""
    return [replace(i, prerequisites=i.prerequisites | {prerequisite_id}) if i.id == item_id else i for i in items]


def is_acyclic(items: list[ItemFacts]) -> bool:
    """Independent check: Kahn's topological sort reaches every item."""
    ids = {i.id for i in items}
    waiting_on = {i.id: {p for p in i.prerequisites if p in ids} for i in items}
    dependents: dict[int, list[int]] = {i: [] for i in ids}
    for i, prereqs in waiting_on.items():
        for p in prereqs:
            dependents[p].append(i)
    ready = deque(i for i, prereqs in waiting_on.items() if not prereqs)
    remaining = {i: len(p) for i, p in waiting_on.items()}
    reached = 0
    while ready:
        current = ready.popleft()
        reached += 1
        for d in dependents[current]:
            remaining[d] -= 1
            if remaining[d] == 0:
                ready.append(d)
    return reached == len(ids)


# Extraction, bone graft, implant, crown: the chain a front desk sees most.
EXTRACTION = item(1, code="D7210", label="D7210 #19", tooth="19", fee="250.00", visit=1)
GRAFT = item(2, code="D7953", label="D7953 #19", tooth="19", fee="400.00", visit=1, prerequisites=frozenset({1}))
IMPLANT = item(3, code="D6010", label="D6010 #19", tooth="19", fee="2100.00", visit=2, prerequisites=frozenset({2}))
CROWN = item(4, code="D6065", label="D6065 #19", tooth="19", fee="1350.00", visit=3, prerequisites=frozenset({3}))
CHAIN = [EXTRACTION, GRAFT, IMPLANT, CROWN]


# --- TP-3 status moves

EXPECTED_MOVES = {
    (PlanStatus.DRAFT, PlanStatus.APPROVED),
    (PlanStatus.DRAFT, PlanStatus.CANCELLED),
    (PlanStatus.APPROVED, PlanStatus.COMPLETED),
    (PlanStatus.APPROVED, PlanStatus.CANCELLED),
}


@pytest.mark.parametrize("current,target", list(itertools.product(PlanStatus, PlanStatus)))
def test_tp3_only_listed_moves_pass(current: PlanStatus, target: PlanStatus) -> None:
    """TP-3: every one of the 16 status pairs passes exactly when the rule lists it."""
    if (current, target) in EXPECTED_MOVES:
        check_transition(current, target)
        assert target in allowed_transitions(current)
    else:
        with pytest.raises(RuleViolation):
            check_transition(current, target)
        assert target not in allowed_transitions(current)


@pytest.mark.parametrize("final", [PlanStatus.COMPLETED, PlanStatus.CANCELLED])
def test_tp3_completed_and_cancelled_are_final(final: PlanStatus) -> None:
    """TP-3: nothing leaves a completed or cancelled plan."""
    assert allowed_transitions(final) == frozenset()


def test_tp3_refusal_names_both_statuses() -> None:
    """TP-3: the refusal tells the person where the plan is and where it cannot go."""
    with pytest.raises(RuleViolation) as refused:
        check_transition(PlanStatus.COMPLETED, PlanStatus.DRAFT)
    assert "Completed" in str(refused.value) and "Draft" in str(refused.value)


def test_tp3_draft_cannot_skip_approval() -> None:
    """TP-3: a draft is approved before it can be completed, and the message says so."""
    with pytest.raises(RuleViolation, match="approval"):
        check_transition(PlanStatus.DRAFT, PlanStatus.COMPLETED)


@FAST
@given(st.lists(st.sampled_from(list(PlanStatus)), max_size=8))
def test_tp3_any_sequence_of_moves_follows_the_graph(targets: list[PlanStatus]) -> None:
    """TP-3: trying any moves from DRAFT, accepted ones follow the rule and finals stay final."""
    status = PlanStatus.DRAFT
    for target in targets:
        try:
            check_transition(status, target)
        except RuleViolation:
            assert (status, target) not in EXPECTED_MOVES
            continue
        assert (status, target) in EXPECTED_MOVES
        status = target
    if status in (PlanStatus.COMPLETED, PlanStatus.CANCELLED):
        assert all(not_allowed(status, t) for t in PlanStatus)


def not_allowed(current: PlanStatus, target: PlanStatus) -> bool:
    """True when check_transition refuses the move."""
    try:
        check_transition(current, target)
    except RuleViolation:
        return True
    return False


# --- TP-5 / CODE-4 approval readiness


def test_tp5_empty_plan_cannot_be_approved() -> None:
    """TP-5: a plan without items asks for one."""
    with pytest.raises(RuleViolation, match="Add at least one item"):
        check_ready_for_approval([])


def test_tp5_complete_items_are_ready() -> None:
    """TP-5: a plan whose items all have code, provider and fee passes."""
    check_ready_for_approval(CHAIN)
    assert approval_problems(CHAIN) == []


def test_tp5_says_which_item_lacks_what() -> None:
    """TP-5: the message names each incomplete item and the fields it lacks."""
    items = [
        item(1, label="D2740 #14", provider_id=None, fee=None),
        item(2),
        item(3, label="D2391 #3", code="D2391", requires_surface=True, surfaces=""),
    ]
    assert approval_problems(items) == [
        ItemProblem(1, "D2740 #14", ("provider", "fee")),
        ItemProblem(3, "D2391 #3", ("surfaces",)),
    ]
    with pytest.raises(RuleViolation) as refused:
        check_ready_for_approval(items)
    assert str(refused.value) == "Item D2740 #14 lacks: provider, fee; Item D2391 #3 lacks: surfaces."


def test_code4_required_tooth_blocks_approval() -> None:
    """CODE-4: a code that requires a tooth keeps an item without one from approval."""
    problems = approval_problems([item(1, requires_tooth=True, tooth=None)])
    assert problems[0].missing == ("tooth",)


def test_code4_tooth_not_required_is_not_asked_for() -> None:
    """CODE-4: an item whose code needs no tooth or surface passes without them."""
    assert approval_problems([item(1, code="D0120", tooth=None, surfaces="")]) == []


def test_tp5_item_without_code_is_named() -> None:
    """TP-5: an item with no code (or a blank one) lacks a code."""
    assert approval_problems([item(1, code=None), item(2, code="  ")])[1].missing == ("code",)


def test_tp5_zero_fee_is_a_fee() -> None:
    """TP-5, MONEY-2: a fee of 0 is a fee; only an empty fee blocks approval."""
    assert approval_problems([item(1, fee="0.00")]) == []


# --- TP-8 prerequisite links


def test_tp8_cycle_path_shows_the_loop() -> None:
    """TP-8: linking the extraction to wait for the implant closes extraction->implant->graft->extraction."""
    assert cycle_path(CHAIN, 1, 3) == [1, 3, 2, 1]
    assert cycle_path(CHAIN, 3, 1) is None  # already implied, not a loop


def test_tp8_refusal_names_the_loop_by_labels() -> None:
    """TP-8: the refusal shows the path it would close, written with the items' labels."""
    items = [EXTRACTION, replace(IMPLANT, prerequisites=frozenset({1}))]
    with pytest.raises(RuleViolation) as refused:
        check_link(items, 1, 3)
    assert "D7210 #19 -> D6010 #19 -> D7210 #19" in str(refused.value)


def test_tp8_self_link_is_refused() -> None:
    """TP-8: an item cannot wait for itself."""
    assert cycle_path(CHAIN, 2, 2) == [2, 2]
    with pytest.raises(RuleViolation, match="itself"):
        check_link(CHAIN, 2, 2)


def test_tp8_link_to_item_of_another_plan_is_refused() -> None:
    """TP-8: prerequisites stay within one plan."""
    with pytest.raises(RuleViolation, match="same plan"):
        check_link(CHAIN, 1, 99)
    with pytest.raises(RuleViolation, match="same plan"):
        check_link(CHAIN, 99, 1)


def test_tp8_fine_link_and_repeat_link_pass() -> None:
    """TP-8: a link that closes no loop passes, and so does one that already exists."""
    check_link(CHAIN, 4, 1)
    check_link(CHAIN, 2, 1)


def test_tp9_completed_item_cannot_start_waiting_for_unfinished_one() -> None:
    """TP-9: a link that would make a completed item wait for an unfinished one is refused."""
    items = [item(1), item(2, status=DONE)]
    with pytest.raises(RuleViolation, match="already completed"):
        check_link(items, 2, 1)
    check_link([item(1, status=DONE), item(2, status=DONE)], 2, 1)


def test_tp8_cycle_path_ignores_links_to_removed_items() -> None:
    """TP-8: a prerequisite that is no longer in the plan neither loops nor breaks the check."""
    items = [item(1, prerequisites=frozenset({77})), item(2)]
    assert cycle_path(items, 2, 1) is None


@st.composite
def link_attempts(draw):
    n = draw(st.integers(min_value=1, max_value=9))
    pairs = draw(st.lists(st.tuples(st.integers(1, n), st.integers(1, n)), max_size=30))
    return n, pairs


@FAST
@given(link_attempts())
def test_tp8_accepted_links_never_make_a_loop(case) -> None:
    """TP-8: accepted links keep the graph acyclic (own topo sort); each refusal is a real loop."""
    n, pairs = case
    items = [item(i) for i in range(1, n + 1)]
    for a, b in pairs:
        try:
            check_link(items, a, b)
        except RuleViolation:
            path = cycle_path(items, a, b)
            assert path is not None and path[0] == a and path[-1] == a and path[1] == b
            assert not is_acyclic(link(items, a, b))
            by_id = {i.id: i for i in items}
            for step, nxt in itertools.pairwise(path[1:]):
                assert nxt in by_id[step].prerequisites
            continue
        items = link(items, a, b)
        assert is_acyclic(items)


# --- TP-9 completing items


def test_tp9_unfinished_prerequisites_are_direct_and_in_order() -> None:
    """TP-9: the unfinished prerequisites of an item are its direct ones not yet completed."""
    items = [
        item(1, visit=2),
        item(2, visit=1),
        item(3, status=DONE),
        item(4, prerequisites=frozenset({1, 2, 3})),
    ]
    assert [i.id for i in unfinished_prerequisites(items, 4)] == [2, 1]


def test_tp9_refusal_names_unfinished_prerequisites() -> None:
    """TP-9: completing the implant before the extraction and graft names what is left."""
    items = [EXTRACTION, GRAFT, replace(IMPLANT, prerequisites=frozenset({1, 2}))]
    with pytest.raises(RuleViolation) as refused:
        check_can_complete(items, 3, PlanStatus.APPROVED)
    assert "Complete D7210 #19, D7953 #19 first" in str(refused.value)


def test_tp9_item_with_prerequisites_done_can_be_completed() -> None:
    """TP-9: once the prerequisites are completed the item may be completed."""
    items = [replace(EXTRACTION, status=DONE), replace(GRAFT, status=DONE), IMPLANT]
    check_can_complete(items, 3, PlanStatus.APPROVED)


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.COMPLETED, PlanStatus.CANCELLED])
def test_tp12_only_approved_plans_items_can_be_completed(status: PlanStatus) -> None:
    """TP-12: an item of a plan that is not APPROVED cannot be completed."""
    with pytest.raises(RuleViolation, match="approved plan"):
        check_can_complete([item(1)], 1, status)


def test_tp9_completed_item_cannot_be_completed_again() -> None:
    """TP-9: completing twice would post the charge twice; it is refused."""
    with pytest.raises(RuleViolation, match="already completed"):
        check_can_complete([item(1, status=DONE)], 1, PlanStatus.APPROVED)


def test_tp9_unknown_item_is_refused() -> None:
    """TP-9: an item removed meanwhile (another workstation) is refused with a message."""
    with pytest.raises(RuleViolation, match="not part of this plan"):
        check_can_complete([item(1)], 2, PlanStatus.APPROVED)


def test_tp12_item_waiting_for_reapproval_cannot_be_completed() -> None:
    """TP-12: an item added or raised after approval waits for the patient's new approval."""
    with pytest.raises(RuleViolation, match="approval of the new total"):
        check_can_complete([item(1)], 1, PlanStatus.APPROVED, frozenset({1}))


# --- TP-10 finishing


def test_tp10_plan_is_finished_only_with_every_item_completed() -> None:
    """TP-10: the plan flips to COMPLETED when its last planned item is completed, not before."""
    assert not plan_is_finished([])
    assert not plan_is_finished([item(1, status=DONE), item(2)])
    assert plan_is_finished([item(1, status=DONE), item(2, status=DONE)])


# --- TP-7 total and TP-11 progress

fees = st.one_of(st.none(), st.integers(min_value=0, max_value=5_000_000).map(lambda c: Decimal(c) / 100))


@st.composite
def plan_items(draw, min_size=0):
    rows = draw(st.lists(st.tuples(fees, st.sampled_from([PLANNED, DONE])), min_size=min_size, max_size=15))
    return [item(i, fee=fee, status=status) for i, (fee, status) in enumerate(rows, start=1)]


def test_tp7_total_sums_fees_and_counts_empty_fee_as_zero() -> None:
    """TP-7: the plan total is the sum of the item fees; an empty fee adds nothing."""
    total = plan_total([item(1, fee="250.00"), item(2, fee="0.10"), item(3, fee=None), item(4, fee="0.20")])
    assert total == Decimal("250.30")
    assert str(total) == "250.30"
    assert plan_total([]) == Decimal("0.00")


@FAST
@given(plan_items())
def test_tp7_total_equals_sum_of_fees(items) -> None:
    """TP-7, MONEY-1: the total is exactly the cent sum of the fees, as a cents Decimal."""
    cents = sum(int(i.fee * 100) for i in items if i.fee is not None)
    total = plan_total(items)
    assert total == Decimal(cents) / 100
    assert total.as_tuple().exponent == -2


def test_tp11_progress_by_fee_and_by_count() -> None:
    """TP-11: progress is completed fees / total fees and completed items / items."""
    result = progress([item(1, fee="300.00", status=DONE), item(2, fee="100.00"), item(3, fee="0.00")])
    assert result == Progress(Decimal("300.00"), Decimal("400.00"), 1, 3)
    assert result.by_fee == Decimal("0.75")
    assert result.by_count == Decimal(1) / 3
    assert result.percent == 75


def test_tp11_zero_fee_plan_progresses_by_count() -> None:
    """TP-11: a plan of free items shows progress by count."""
    result = progress([item(1, fee="0", status=DONE), item(2, fee="0")])
    assert result.by_fee == Decimal("0.5") and result.percent == 50


def test_tp11_empty_plan_has_no_progress() -> None:
    """TP-11: an empty plan is at 0%, not a division error."""
    assert progress([]).percent == 0 and progress([]).by_fee == 0


def test_tp11_percent_never_shows_100_with_an_item_left() -> None:
    """TP-11: a free item still open keeps the bar below 100%; 100% means finished (TP-10)."""
    result = progress([item(1, fee="500.00", status=DONE), item(2, fee="0.00")])
    assert result.by_fee == 1 and result.percent == 99


@FAST
@given(plan_items())
def test_tp11_progress_between_0_and_1_and_full_iff_all_done(items) -> None:
    """TP-11: progress stays within 0..1 and reaches 1 (100%) exactly when every item is done."""
    result = progress(items)
    finished = plan_is_finished(items)
    assert 0 <= result.by_fee <= 1 and 0 <= result.by_count <= 1
    assert 0 <= result.percent <= 100
    assert (result.by_count == 1) == finished
    assert (result.percent == 100) == finished
    if all(i.fee for i in items):
        assert (result.by_fee == 1) == finished
    assert result.done_fees <= result.total_fees == plan_total(items)


# --- TP-12 re-approval


def test_tp12_added_and_raised_items_need_reapproval() -> None:
    """TP-12: items added after approval or whose fee rose are marked; lowered or same are not."""
    items = [
        item(1, fee="100.00", approved_fee="100.00"),
        item(2, fee="120.00", approved_fee="100.00"),
        item(3, fee="80.00", approved_fee="100.00"),
        item(4, fee="50.00", approved_fee=None),
        item(5, fee="500.00", approved_fee=None, status=DONE),
    ]
    assert items_needing_reapproval(items) == frozenset({2, 4})


def test_tp12_plan_needs_reapproval_when_total_rises() -> None:
    """TP-12: the plan needs re-approval only if its total is above the approved total."""
    items = [item(1, fee="100.00", approved_fee="100.00"), item(2, fee="50.00")]
    assert needs_reapproval(items, Decimal("100.00"))
    assert not needs_reapproval(items, Decimal("150.00"))
    assert not needs_reapproval(items, None)


def test_tp12_change_that_does_not_raise_total_blocks_nothing() -> None:
    """TP-12: an item added while another was discounted by as much needs no new approval."""
    items = [item(1, fee="50.00", approved_fee="100.00"), item(2, fee="50.00")]
    assert blocked_by_reapproval(items, Decimal("100.00")) == frozenset()
    items[1] = replace(items[1], fee=Decimal("60.00"))
    assert blocked_by_reapproval(items, Decimal("100.00")) == frozenset({2})


# --- TP-14 billing summary


def test_tp14_billing_summary_rolls_up_plans() -> None:
    """TP-14: planned is the approved plans' unfinished work (drafts apart, cancelled plans left
    out); completed counts every done item."""
    approved = [item(1, fee="100.00", status=DONE), item(2, fee="200.00")]
    draft = [item(3, fee="50.00")]
    cancelled = [item(4, fee="70.00", status=DONE), item(5, fee="900.00")]
    plans = [(PlanStatus.APPROVED, approved), (PlanStatus.DRAFT, draft), (PlanStatus.CANCELLED, cancelled)]
    assert billing_summary(plans) == BillingSummary(Decimal("200.00"), Decimal("170.00"), None, None, Decimal("50.00"))
    with_insurance = billing_summary(plans, Decimal("120.00"))
    assert with_insurance.estimated_insurance == Decimal("120.00")
    assert with_insurance.estimated_patient == Decimal("80.00")  # what is left to pay of the approved work


def test_tp14_patient_portion_never_negative() -> None:
    """TP-14, INS-6: insurance above the planned total leaves the patient 0, not a credit."""
    summary = billing_summary([(PlanStatus.APPROVED, [item(1, fee="100.00")])], Decimal("150.00"))
    assert summary.estimated_patient == Decimal("0.00")


def test_tp14_no_insurance_figure_is_invented() -> None:
    """TP-14: without an insurance estimate the patient portion stays unknown (None), not the full fee."""
    summary = billing_summary([(PlanStatus.APPROVED, [item(1)])])
    assert summary.estimated_insurance is None and summary.estimated_patient is None


@FAST
@given(st.lists(st.tuples(st.sampled_from(list(PlanStatus)), plan_items()), max_size=4))
def test_tp14_planned_plus_completed_is_every_counted_fee(plans) -> None:
    """TP-14: planned + drafts + completed = all item fees except unfinished items of cancelled
    (and completed) plans."""
    summary = billing_summary(plans)
    counted = [
        i
        for status, items in plans
        for i in items
        if i.status is DONE or status in (PlanStatus.APPROVED, PlanStatus.DRAFT)
    ]
    assert summary.planned + summary.drafts + summary.completed == plan_total(counted)


# --- TP-8 tree display and TP-16 visits


def test_tp8_tree_rows_nests_chain() -> None:
    """TP-8: a chain extraction -> graft -> implant -> crown shows as a nested tree."""
    rows = tree_rows(list(reversed(CHAIN)))
    assert [(i.id, depth) for i, depth in rows] == [(1, 0), (2, 1), (3, 2), (4, 3)]


def test_tp8_tree_rows_item_with_two_prerequisites_under_first_only() -> None:
    """TP-8: an item waiting for two shows once, under the first of them in plan order."""
    items = [
        item(1, visit=2),
        item(2, visit=1),
        item(3, visit=3, prerequisites=frozenset({1, 2})),
        item(4, visit=None),
    ]
    assert [(i.id, d) for i, d in tree_rows(items)] == [(2, 0), (3, 1), (1, 0), (4, 0)]


def test_tp8_tree_rows_survives_a_stored_loop() -> None:
    """TP-8: even if stored data held a loop, every item is still shown once."""
    items = [item(1, prerequisites=frozenset({2})), item(2, prerequisites=frozenset({1})), item(3)]
    assert sorted(i.id for i, _ in tree_rows(items)) == [1, 2, 3]


@st.composite
def random_graphs(draw, acyclic=True):
    n = draw(st.integers(min_value=0, max_value=12))
    result = []
    for i in range(1, n + 1):
        candidates = list(range(1, i)) if acyclic else list(range(1, n + 1))
        prereqs = draw(st.frozensets(st.sampled_from(candidates), max_size=3)) if candidates else frozenset()
        visit = draw(st.one_of(st.none(), st.integers(1, 4)))
        sequence = draw(st.integers(0, 20))
        result.append(item(i, prerequisites=prereqs, visit=visit, sequence=sequence))
    return draw(st.permutations(result))


@FAST
@given(random_graphs(acyclic=True))
def test_tp8_tree_rows_each_item_once_under_its_first_prerequisite(items) -> None:
    """TP-8: every item appears exactly once, children right below their parent's subtree start."""
    rows = tree_rows(items)
    assert sorted(i.id for i, _ in rows) == sorted(i.id for i in items)
    position = {i.id: n for n, (i, _) in enumerate(rows)}
    depth = {i.id: d for i, d in rows}
    by_id = {i.id: i for i in items}
    key = lambda i: (i.visit if i.visit is not None else 10**9, i.sequence, i.id)  # noqa: E731
    for row_item, row_depth in rows:
        if not row_item.prerequisites:
            assert row_depth == 0
            continue
        parent = min((by_id[p] for p in row_item.prerequisites), key=key)
        assert position[parent.id] < position[row_item.id]
        assert row_depth == depth[parent.id] + 1
        # Everything between the parent and the child is deeper than the parent (same subtree).
        between = rows[position[parent.id] + 1 : position[row_item.id]]
        assert all(d > depth[parent.id] for _, d in between)


@FAST
@given(random_graphs(acyclic=False))
def test_tp8_tree_rows_each_item_once_even_with_loops(items) -> None:
    """TP-8: whatever the stored links, tree_rows never loses or repeats an item."""
    assert sorted(i.id for i, _ in tree_rows(items)) == sorted(i.id for i in items)


def test_tp16_visit_groups_ascending_unassigned_last() -> None:
    """TP-16: items are grouped by visit ascending, unassigned last, in sequence order within."""
    items = [
        item(1, visit=None, sequence=1),
        item(2, visit=2, sequence=5),
        item(3, visit=1, sequence=9),
        item(4, visit=2, sequence=1),
        item(5, visit=1, sequence=2),
    ]
    groups = [(visit, [i.id for i in members]) for visit, members in visit_groups(items)]
    assert groups == [(1, [5, 3]), (2, [4, 2]), (None, [1])]
    assert visit_groups([]) == []


@FAST
@given(random_graphs(acyclic=True))
def test_tp16_visit_groups_cover_every_item_once_in_order(items) -> None:
    """TP-16: grouping neither loses nor repeats items, and visits run ascending with None last."""
    groups = visit_groups(items)
    assert sorted(i.id for _, members in groups for i in members) == sorted(i.id for i in items)
    visits = [v for v, _ in groups]
    numbered = [v for v in visits if v is not None]
    assert numbered == sorted(set(numbered))
    assert None not in visits[:-1]
    for _, members in groups:
        assert [m.sequence for m in members] == sorted(m.sequence for m in members)


def test_rtu_chair_minutes_sum() -> None:
    """Glossary RTU's: chair time is the sum of RTU's, one minute each."""
    assert chair_minutes([20, 40, 0]) == 60
    assert chair_minutes([]) == 0


def test_tx_rtu1_negative_rtu_refused() -> None:
    """TX-RTU-1: RTU's are whole numbers >= 0; a negative one is refused."""
    with pytest.raises(ValidationError):
        chair_minutes([10, -5])
