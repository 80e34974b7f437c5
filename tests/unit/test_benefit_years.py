"""Benefit-year splits (CASE-5): hand-computed cases and properties of the suggestion."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dentaldesk.domain.benefit_years import breaks_prerequisites, moved_lines, suggest_split
from dentaldesk.domain.estimates import PlanCoverage, PlanLine, estimate_plan
from dentaldesk.domain.money import ZERO, from_cents
from dentaldesk.domain.terms import Category, EstimationType

D = Decimal
R = Category.RESTORATIVE
DX = Category.DIAGNOSTIC
P = Category.PREVENTIVE
FIXED = Category.PROSTHODONTICS_FIXED
YEAR = 2026


def coverage(*, annual_max="1500", used="0", deductible="50", met="50") -> PlanCoverage:
    return PlanCoverage(
        plan_name="Basic",
        carrier="Acme",
        estimation_type=EstimationType.PERCENTAGE,
        coverage_percent={P: 100, DX: 100, R: 80, FIXED: 50},
        deductible=D(deductible),
        deductible_exempt=frozenset({P, DX}),
        annual_max=None if annual_max is None else D(annual_max),
        deductible_met=D(met),
        benefits_used=D(used),
    )


def line(key: int, code: str, category: Category, fee: str, visit: int, *, completed: bool = False) -> PlanLine:
    return PlanLine(key, code, category, D(fee), True, None, completed, (visit, key, key), visit=visit)


def patient_total(lines, plan) -> Decimal:
    return sum((e.patient for e in estimate_plan(lines, plan, year=YEAR).values()), ZERO)


def test_case5_maximum_1500_with_1200_used_moves_the_crown():
    """CASE-5: 300 of the maximum left; a 200 filling (80 %) and a 1,200 crown (50 %).

    This year: filling pays 160, the crown what is left, 140: the patient pays 40 + 1,060 = 1,100.
    Crown next year: (1,200 - 50 deductible) x 50 % = 575, the patient pays 40 + 625 = 665.
    Both next year: 80 + 600 = 680; the filling alone: 900 + 80 = 980. Suggested: the crown's visit,
    saving 435."""
    lines = [line(1, "D2391", R, "200", 1), line(2, "D2740", FIXED, "1200", 2)]
    split = suggest_split(lines, {}, coverage(used="1200"), None, YEAR)
    assert split is not None
    assert split.visits == (2,)
    assert split.next_year == 2027
    assert split.patient_before == D("1100.00")
    assert split.patient_after == D("665.00")
    assert split.saving == D("435.00")
    assert split.insurance_before == D("300.00") and split.insurance_after == D("735.00")
    assert split.moved_keys == frozenset({2})
    moved = estimate_plan(moved_lines(lines, (2,), 2027), coverage(used="1200"), year=YEAR)
    assert moved[2].next_year and not moved[1].next_year
    assert "next benefit year" in moved[2].explanation


def test_case5_deductible_met_this_year_moves_the_exempt_exam():
    """CASE-5 with the deductible: 30 of the maximum left, this year's 50 deductible met.

    This year: exam 60 (100 %, exempt) pays 30, filling 60 pays 0: the patient pays 30 + 60 = 90.
    Exam next year (no deductible on it): 0 + this year's filling 48 capped at 30 -> 30 + 0 = 30.
    Filling next year: (60 - 50) x 80 % = 8 -> 30 + 52 = 82. Both: 0 + 52 = 52. Suggested: the exam's
    visit, saving 60 (the deductible the filling would meet again next year costs more)."""
    lines = [line(1, "D0150", DX, "60", 1), line(2, "D2391", R, "60", 2)]
    split = suggest_split(lines, {}, coverage(used="1470"), None, YEAR)
    assert split is not None
    assert split.visits == (1,)
    assert (split.patient_before, split.patient_after, split.saving) == (D("90.00"), D("30.00"), D("60.00"))


def test_case5_a_prerequisite_forbids_moving_it_without_the_item_waiting_for_it():
    """CASE-5, TP-8: the filling waits for the exam, so the exam cannot go to next year alone
    (the filling would be done first). Of the splits left, both visits next year (patient 52)
    beats the filling alone (82): saving 38, not 60."""
    lines = [line(1, "D0150", DX, "60", 1), line(2, "D2391", R, "60", 2)]
    needs = {2: {1}}
    assert breaks_prerequisites(moved_lines(lines, (1,), 2027), needs, YEAR) == [(2, 1)]
    split = suggest_split(lines, needs, coverage(used="1470"), None, YEAR)
    assert split is not None
    assert split.visits == (1, 2)
    assert (split.patient_after, split.saving) == (D("52.00"), D("38.00"))


def test_case5_no_suggestion_when_this_year_has_room():
    """CASE-5: with the maximum far from used, moving only costs a new deductible: nothing suggested."""
    lines = [line(1, "D2391", R, "200", 1), line(2, "D2740", FIXED, "1200", 2)]
    assert suggest_split(lines, {}, coverage(used="0"), None, YEAR) is None
    assert suggest_split(lines, {}, None, None, YEAR) is None


def test_case5_completed_items_and_items_already_next_year_stay_put():
    """CASE-5: a visit whose items are all done, or already in next year, is not offered again."""
    lines = [
        line(1, "D2391", R, "200", 1, completed=True),
        PlanLine(2, "D2740", FIXED, D("1200"), True, None, False, (2, 2, 2), benefit_year=2027, visit=2),
    ]
    assert suggest_split(lines, {}, coverage(used="1200"), None, YEAR) is None


def test_case5_a_benefit_year_past_counts_as_this_year():
    """CASE-5: once the next year has come, an item set into it is estimated in the coverage's year."""
    item = PlanLine(1, "D2740", FIXED, D("1200"), True, None, False, (1, 1, 1), benefit_year=2026, visit=1)
    assert item.year_of(2027) == 2027
    assert not estimate_plan([item], coverage(), year=2027)[1].next_year


CATEGORIES = (R, DX, P, FIXED)


@st.composite
def plans(draw):
    count = draw(st.integers(1, 6))
    lines = []
    for key in range(1, count + 1):
        visit = draw(st.integers(1, 4))
        fee = from_cents(draw(st.integers(0, 150_000)))
        category = draw(st.sampled_from(CATEGORIES))
        completed = draw(st.booleans()) if key == 1 else False
        lines.append(PlanLine(key, f"D{key}", category, fee, True, None, completed, (visit, key, key), visit=visit))
    needs: dict[int, set[int]] = {}
    for key in range(2, count + 1):
        needs[key] = set(draw(st.lists(st.integers(1, key - 1), max_size=2)))
    used = from_cents(draw(st.integers(0, 150_000)))
    met = from_cents(draw(st.integers(0, 5_000)))
    plan = coverage(used=str(used), met=str(met))
    return lines, needs, plan


@settings(max_examples=150, deadline=None)
@given(plans())
def test_case5_property_the_suggested_split_never_costs_more_nor_breaks_a_dependency(case):
    """CASE-5: whatever the plan, a suggested split lowers the patient's portion by exactly the saving
    shown, by the one estimate, and never puts an item before one it waits for."""
    lines, needs, plan = case
    split = suggest_split(lines, needs, plan, None, YEAR)
    before = patient_total(lines, plan)
    if split is None:
        return
    moved = moved_lines(lines, split.visits, split.next_year)
    assert breaks_prerequisites(moved, needs, YEAR) == []
    after = patient_total(moved, plan)
    assert after < before
    assert split.patient_before == before and split.patient_after == after
    assert split.saving == before - after > 0
