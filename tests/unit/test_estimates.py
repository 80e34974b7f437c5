"""Insurance estimates (INS-1..INS-9, TX-INS-1, TX-INS-3..5)."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.estimates import (
    BluebookFacts,
    EstimateInput,
    EstimateTotals,
    PlanCoverage,
    PlanLine,
    charge_insurable,
    estimate_items,
    estimate_plan,
    is_covered,
    plan_inputs,
    totals,
)
from dentaldesk.domain.money import ZERO, from_cents
from dentaldesk.domain.terms import Category, EstimationType

D = Decimal
R = Category.RESTORATIVE
P = Category.PREVENTIVE
DX = Category.DIAGNOSTIC
FIXED = Category.PROSTHODONTICS_FIXED
ORTHO = Category.ORTHODONTICS


def plan(
    kind=EstimationType.PERCENTAGE,
    *,
    name="Basic",
    carrier="Acme",
    percent=None,
    deductible="0",
    exempt=(P, DX),
    annual_max=None,
    met="0",
    used="0",
    copays=None,
    bluebook=None,
):
    return PlanCoverage(
        plan_name=name,
        carrier=carrier,
        estimation_type=kind,
        coverage_percent=percent if percent is not None else {P: 100, DX: 100, R: 80, FIXED: 50},
        deductible=D(deductible),
        deductible_exempt=frozenset(exempt),
        annual_max=None if annual_max is None else D(annual_max),
        deductible_met=D(met),
        benefits_used=D(used),
        copays=copays or {},
        bluebook=bluebook or {},
    )


def item(key, code, category, fee, insurable=True):
    return EstimateInput(key, code, category, D(fee), insurable)


# --- INS-1 ----------------------------------------------------------------------------------------


def test_ins1_percentage_estimate_is_coverage_of_fee():
    """INS-1: 80% of a 200.00 filling is 160.00; the patient pays 40.00."""
    [est] = estimate_items([item(1, "D2391", R, "200")], plan())
    assert (est.allowed, est.primary, est.patient, est.write_off) == (D("200.00"), D("160.00"), D("40.00"), ZERO)


def test_ins1_percentage_uses_bluebook_fee_as_allowed_without_write_off():
    """INS-1: allowed = bluebook fee (900); 50% = 450; no write-off, patient owes 1000 - 450."""
    p = plan(bluebook={"D2740": BluebookFacts(plan_fee=D("900"))})
    [est] = estimate_items([item(1, "D2740", FIXED, "1000")], p)
    assert (est.allowed, est.primary, est.write_off, est.patient) == (D("900.00"), D("450.00"), ZERO, D("550.00"))


def test_ins1_allowed_fee_never_above_the_fee():
    """INS-1: a bluebook fee above the charged fee is capped at the fee."""
    p = plan(bluebook={"D2391": BluebookFacts(plan_fee=D("250"))})
    [est] = estimate_items([item(1, "D2391", R, "200")], p)
    assert (est.allowed, est.primary) == (D("200.00"), D("160.00"))


def test_ins1_uncovered_category_pays_nothing():
    """INS-1: a category without coverage % is 0%."""
    [est] = estimate_items([item(1, "D8080", ORTHO, "5000")], plan())
    assert (est.primary, est.patient) == (ZERO, D("5000.00"))


def test_ins1_rounding_is_half_up_once():
    """INS-1 / MONEY-1: 80% of 100.01 = 80.008 -> 80.01; 50% of 0.05 = 0.025 -> 0.03."""
    a, b = estimate_items([item(1, "A", R, "100.01"), item(2, "B", FIXED, "0.05")], plan())
    assert (a.primary, b.primary) == (D("80.01"), D("0.03"))


# --- INS-2 ----------------------------------------------------------------------------------------


def test_ins2_deductible_applies_once_to_first_non_exempt_item():
    """INS-2: the exempt cleaning pays 100%; the filling meets the 50.00 deductible; the crown does not."""
    ests = estimate_items(
        [item(1, "D1110", P, "100"), item(2, "D2391", R, "200"), item(3, "D2740", FIXED, "1000")],
        plan(deductible="50"),
    )
    assert [e.deductible_primary for e in ests] == [ZERO, D("50.00"), ZERO]
    assert [e.primary for e in ests] == [D("100.00"), D("120.00"), D("500.00")]


def test_ins2_deductible_spreads_over_items_smaller_than_it():
    """INS-2: a 100.00 deductible takes all of a 60.00 item and 40.00 of the next."""
    a, b = estimate_items([item(1, "A", R, "60"), item(2, "B", R, "200")], plan(deductible="100"))
    assert (a.deductible_primary, a.primary) == (D("60.00"), ZERO)
    assert (b.deductible_primary, b.primary) == (D("40.00"), D("128.00"))


def test_ins2_deductible_already_met_reduces_what_is_left():
    """INS-2: deductible 50.00 with 30.00 met this year -> 20.00 applied."""
    [est] = estimate_items([item(1, "A", R, "200")], plan(deductible="50", met="30"))
    assert (est.deductible_primary, est.primary) == (D("20.00"), D("144.00"))


def test_ins2_uncovered_item_does_not_meet_deductible():
    """INS-2: an ortho item the plan does not cover leaves the deductible for the covered filling."""
    a, b = estimate_items([item(1, "D8080", ORTHO, "500"), item(2, "D2391", R, "200")], plan(deductible="50"))
    assert (a.deductible_primary, b.deductible_primary, b.primary) == (ZERO, D("50.00"), D("120.00"))


# --- INS-3 ----------------------------------------------------------------------------------------


def test_ins3_annual_maximum_left_caps_items_in_order():
    """INS-3: max 1000 with 700 used -> 300 left: first crown 300, the next shows 0."""
    a, b = estimate_items(
        [item(1, "D2740", FIXED, "1000"), item(2, "D2750", FIXED, "1000")], plan(annual_max="1000", used="700")
    )
    assert (a.primary, b.primary) == (D("300.00"), ZERO)
    assert "maximum left 300.00 -> pays 300.00" in a.explanation
    assert "annual maximum used up -> pays 0.00" in b.explanation


def test_ins3_maximum_used_beyond_the_max_leaves_nothing():
    """INS-3: benefits used above the maximum leave 0, never a negative maximum."""
    [est] = estimate_items([item(1, "A", R, "100")], plan(annual_max="1000", used="1200"))
    assert est.primary == ZERO


# --- INS-4 ----------------------------------------------------------------------------------------


def test_ins4_secondary_pays_patient_portion_left_when_its_estimate_is_larger():
    """INS-4: primary 80% = 800 of 1000; secondary's own 50% = 500 but only 200 is left."""
    p = plan(percent={R: 80})
    s = plan(name="Second", carrier="Beta", percent={R: 50})
    [est] = estimate_items([item(1, "A", R, "1000")], p, s)
    assert (est.primary, est.secondary, est.patient) == (D("800.00"), D("200.00"), ZERO)


def test_ins4_secondary_pays_no_more_than_its_own_estimate():
    """INS-4: primary 50% = 500; secondary's own 30% = 300 < 500 left -> 300; patient 200."""
    p = plan(percent={R: 50})
    s = plan(name="Second", carrier="Beta", percent={R: 30})
    [est] = estimate_items([item(1, "A", R, "1000")], p, s)
    assert (est.primary, est.secondary, est.patient, est.insurance) == (
        D("500.00"),
        D("300.00"),
        D("200.00"),
        D("800.00"),
    )


def test_ins4_secondary_ignores_the_ppo_write_off():
    """INS-4 / INS-7: after a PPO write-off of 200 and primary 400, secondary covers at most 400."""
    p = plan(EstimationType.PPO, percent={R: 50}, bluebook={"A": BluebookFacts(plan_fee=D("800"))})
    s = plan(name="Second", carrier="Beta", percent={R: 100})
    [est] = estimate_items([item(1, "A", R, "1000")], p, s)
    assert (est.write_off, est.primary, est.secondary, est.patient) == (D("200.00"), D("400.00"), D("400.00"), ZERO)


def test_ins4_secondary_has_its_own_deductible_and_maximum():
    """INS-4 / TX-INS-4: the secondary meets its own 25.00 deductible and stops at its own 100.00 max."""
    p = plan(percent={R: 50})
    s = plan(name="Second", carrier="Beta", percent={R: 50}, deductible="25", annual_max="100")
    a, b = estimate_items([item(1, "A", R, "100"), item(2, "B", R, "400")], p, s)
    # a: primary 50; secondary own (100-25) x 50% = 37.50, 50 left -> 37.50
    assert (a.deductible_secondary, a.secondary, a.patient) == (D("25.00"), D("37.50"), D("12.50"))
    # b: primary 200; secondary own 200, capped at 62.50 of its max left
    assert (b.secondary, b.patient) == (D("62.50"), D("137.50"))
    assert a.deductible == D("25.00")


def test_ins4_secondary_without_primary_is_a_programming_error():
    """INS-4: a secondary plan alone is refused: the only plan is the primary."""
    with pytest.raises(ValueError):
        estimate_items([item(1, "A", R, "100")], None, plan())


# --- INS-5 ----------------------------------------------------------------------------------------


def dmo(**kw):
    kw.setdefault("name", "CapCare")
    kw.setdefault("carrier", "CapCare")
    return plan(EstimationType.DMO, percent={}, exempt=(), **kw)


def test_ins5_dmo_with_bluebook_entry_pays_entry_insurance_payment():
    """INS-5: cap fee 600, bluebook insurance pays 200 -> estimate 200, patient 400, no write-off."""
    p = dmo(bluebook={"D2740": BluebookFacts(plan_fee=D("600"), copay=D("400"), insurance_pays=D("200"))})
    [est] = estimate_items([item(1, "D2740", FIXED, "600")], p)
    assert (est.primary, est.write_off, est.patient) == (D("200.00"), ZERO, D("400.00"))


def test_ins5_dmo_deductible_comes_off_the_insurance_payment():
    """INS-5: insurance pays 200 minus a 25.00 deductible -> 175."""
    p = dmo(deductible="25", bluebook={"D2740": BluebookFacts(plan_fee=D("600"), insurance_pays=D("200"))})
    [est] = estimate_items([item(1, "D2740", FIXED, "600")], p)
    assert (est.deductible_primary, est.primary, est.patient) == (D("25.00"), D("175.00"), D("425.00"))
    assert "less deductible 25.00 = 175.00" in est.explanation


def test_ins5_dmo_without_entry_is_fee_0_minus_copay():
    """INS-5: no bluebook entry: Fee 0 of 150 minus the 40.00 copay -> 110 insurance."""
    p = dmo(copays={"D2391": D("40")})
    [est] = estimate_items([item(1, "D2391", R, "150")], p)
    assert (est.primary, est.patient, est.write_off) == (D("110.00"), D("40.00"), ZERO)
    assert "no bluebook entry: fee 150.00 - copay 40.00 = 110.00" in est.explanation


def test_ins5_dmo_entry_without_insurance_payment_uses_its_copay():
    """INS-5: an entry with a copay but no insurance payment -> fee - entry copay."""
    p = dmo(bluebook={"D2391": BluebookFacts(plan_fee=D("120"), copay=D("30"))})
    [est] = estimate_items([item(1, "D2391", R, "120")], p)
    assert est.primary == D("90.00")


def test_ins5_dmo_copay_above_fee_gives_no_negative_estimate():
    """INS-5 / INS-6: a copay larger than the fee leaves 0 insurance, never negative."""
    [est] = estimate_items([item(1, "D2391", R, "30")], dmo(copays={"D2391": D("40")}))
    assert (est.primary, est.patient) == (ZERO, D("30.00"))


# --- Flat fee -------------------------------------------------------------------------------------


def test_ins1_flat_fee_plan_pays_bluebook_amount_capped_at_fee():
    """INS-1 (Flat fee): pays the listed 90.00; a listed 300.00 on a 250.00 fee pays 250.00; none -> 0."""
    p = plan(
        EstimationType.FLAT_FEE,
        percent={},
        bluebook={"A": BluebookFacts(insurance_pays=D("90")), "B": BluebookFacts(insurance_pays=D("300"))},
    )
    a, b, c = estimate_items([item(1, "A", R, "150"), item(2, "B", R, "250"), item(3, "C", R, "80")], p)
    assert (a.primary, b.primary, c.primary) == (D("90.00"), D("250.00"), ZERO)
    assert (a.patient, b.patient, c.patient) == (D("60.00"), ZERO, D("80.00"))


# --- INS-6 / INS-7 --------------------------------------------------------------------------------


def test_ins6_patient_portion_never_below_zero():
    """INS-6: a bluebook insurance payment above the fee clips the patient portion at 0."""
    p = dmo(bluebook={"A": BluebookFacts(insurance_pays=D("500"))})
    [est] = estimate_items([item(1, "A", R, "400")], p)
    assert (est.primary, est.patient) == (D("500.00"), ZERO)


def test_ins7_ppo_write_off_is_not_billed_to_patient():
    """INS-7: fee 1200, PPO fee 950 -> write-off 250; 50% of 950 = 475; patient 475."""
    p = plan(EstimationType.PPO, percent={FIXED: 50}, bluebook={"D2740": BluebookFacts(plan_fee=D("950"))})
    [est] = estimate_items([item(1, "D2740", FIXED, "1200")], p)
    assert (est.allowed, est.write_off, est.primary, est.patient) == (
        D("950.00"),
        D("250.00"),
        D("475.00"),
        D("475.00"),
    )


def test_ins7_ppo_without_bluebook_fee_allows_the_fee():
    """INS-7: with no PPO fee on file the allowed fee is the fee and nothing is written off."""
    p = plan(EstimationType.PPO, percent={R: 80})
    [est] = estimate_items([item(1, "A", R, "100")], p)
    assert (est.allowed, est.write_off, est.primary) == (D("100.00"), ZERO, D("80.00"))
    assert "no PPO fee on file" in est.explanation


def test_ins1_explanation_reads_as_the_calculation():
    """INS-1..3 / TX-INS-5: the explanation walks fee, allowed, deductible, %, maximum, patient."""
    p = plan(
        EstimationType.PPO,
        name="Delta PPO",
        carrier="Delta",
        percent={FIXED: 50},
        deductible="50",
        annual_max="1000",
        used="700",
        bluebook={"D2740": BluebookFacts(plan_fee=D("950"))},
    )
    [est] = estimate_items([item(1, "D2740", FIXED, "1200")], p)
    assert est.explanation == (
        "Fee 1,200.00; allowed 950.00 (PPO); write-off 250.00; deductible 50.00; "
        "50% of 900.00 = 450.00; maximum left 300.00 -> pays 300.00; patient pays 650.00"
    )


def test_tx_ins3_coverage_type_names_carrier_type_category_and_percent():
    """TX-INS-3: Type = carrier/plan, plan type, category and %."""
    p = plan(EstimationType.PPO, name="Delta PPO", carrier="Delta", percent={R: 80})
    [est] = estimate_items([item(1, "A", R, "100")], p)
    assert est.coverage_type == "Delta PPO - PPO, Restorative 80%"
    s = plan(name="Basic", carrier="Aetna", percent={R: 50})
    [est] = estimate_items([item(1, "A", R, "100")], p, s)
    assert est.coverage_type == "Delta PPO - PPO, Restorative 80%; secondary: Aetna Basic - Percentage, Restorative 50%"
    [est] = estimate_items([item(1, "A", R, "100")], dmo())
    assert est.coverage_type == "CapCare - DMO/Capitation, Restorative"


def test_tx_ins1_non_insurable_item_gets_no_insurance():
    """TX-INS-1: a non-insurable item is all patient, and takes no deductible or maximum."""
    a, b = estimate_items(
        [item(1, "A", R, "100", insurable=False), item(2, "B", R, "100")], plan(deductible="50", annual_max="100")
    )
    assert (a.primary, a.patient, a.coverage_type) == (ZERO, D("100.00"), "Not insurable")
    assert (b.deductible_primary, b.primary) == (D("50.00"), D("40.00"))


def test_ins1_no_plan_means_patient_pays_all():
    """INS-1: without coverage every item is the patient's."""
    [est] = estimate_items([item(7, "A", R, "100")], None)
    assert (est.key, est.insurance, est.patient, est.coverage_type) == (7, ZERO, D("100.00"), "No insurance")


def test_money2_negative_item_fee_is_refused():
    """MONEY-2: an item fee below 0 is refused."""
    with pytest.raises(ValidationError):
        estimate_items([item(1, "A", R, "-1")], plan())


def test_ins1_coverage_percent_must_be_0_to_100():
    """INS-1: a coverage of 120% is refused at the coverage field."""
    with pytest.raises(ValidationError) as err:
        plan(percent={R: 120})
    assert err.value.field == "coverage_percent"


def test_tp14_totals_sum_fee_write_off_insurance_patient():
    """TP-14 / INS-6: totals add up each column of the estimate."""
    p = plan(EstimationType.PPO, percent={R: 80}, bluebook={"A": BluebookFacts(plan_fee=D("80"))})
    ests = estimate_items([item(1, "A", R, "100"), item(2, "B", R, "50")], p)
    assert totals(ests) == EstimateTotals(D("150.00"), D("20.00"), D("104.00"), D("26.00"))
    assert totals([]) == EstimateTotals(ZERO, ZERO, ZERO, ZERO)


# --- properties -----------------------------------------------------------------------------------

CODES = ["A", "B", "C", "D"]
CATEGORIES = [P, R, FIXED, ORTHO]
money_cents = st.integers(min_value=0, max_value=300_000)


@st.composite
def coverages(draw, kind=None):
    kind = kind or draw(st.sampled_from(list(EstimationType)))
    bluebook = {}
    for code in draw(st.lists(st.sampled_from(CODES), unique=True)):
        bluebook[code] = BluebookFacts(
            plan_fee=draw(st.one_of(st.none(), money_cents.map(from_cents))),
            copay=draw(st.one_of(st.none(), money_cents.map(from_cents))),
            insurance_pays=draw(st.one_of(st.none(), money_cents.map(from_cents))),
        )
    return PlanCoverage(
        plan_name="Random",
        carrier="Carrier",
        estimation_type=kind,
        coverage_percent={c: draw(st.integers(min_value=0, max_value=100)) for c in CATEGORIES},
        deductible=from_cents(draw(st.integers(min_value=0, max_value=20_000))),
        deductible_exempt=frozenset(draw(st.lists(st.sampled_from(CATEGORIES), unique=True))),
        annual_max=draw(st.one_of(st.none(), money_cents.map(from_cents))),
        deductible_met=from_cents(draw(st.integers(min_value=0, max_value=10_000))),
        benefits_used=from_cents(draw(st.integers(min_value=0, max_value=100_000))),
        copays={c: from_cents(draw(money_cents)) for c in draw(st.lists(st.sampled_from(CODES), unique=True))},
        bluebook=bluebook,
    )


@st.composite
def estimate_inputs(draw):
    n = draw(st.integers(min_value=0, max_value=8))
    return [
        EstimateInput(
            i,
            draw(st.sampled_from(CODES)),
            draw(st.sampled_from(CATEGORIES)),
            from_cents(draw(money_cents)),
            draw(st.booleans()),
        )
        for i in range(n)
    ]


@settings(max_examples=80, deadline=None)
@given(estimate_inputs(), coverages(), st.one_of(st.none(), coverages()))
def test_ins6_patient_never_negative_and_split_adds_up(items, primary, secondary):
    """INS-6 (property): patient >= 0; unless clipped, fee == write-off + insurance + patient."""
    for est in estimate_items(items, primary, secondary):
        assert est.patient >= 0 and est.write_off >= 0 and est.primary >= 0 and est.secondary >= 0
        unclipped = est.fee - est.write_off - est.insurance
        if unclipped >= 0:
            assert est.fee == est.write_off + est.insurance + est.patient
        else:
            assert est.patient == 0


@settings(max_examples=80, deadline=None)
@given(estimate_inputs(), coverages(), st.one_of(st.none(), coverages()))
def test_ins3_annual_maximum_never_exceeded_across_items(items, primary, secondary):
    """INS-3 (property): the sum of each plan's payments stays within its maximum left."""
    ests = estimate_items(items, primary, secondary)
    if primary.maximum_left is not None:
        assert sum((e.primary for e in ests), ZERO) <= primary.maximum_left
    if secondary is not None and secondary.maximum_left is not None:
        assert sum((e.secondary for e in ests), ZERO) <= secondary.maximum_left


@settings(max_examples=80, deadline=None)
@given(estimate_inputs(), coverages(), coverages())
def test_ins4_secondary_never_pays_more_than_patient_portion_left(items, primary, secondary):
    """INS-4 (property): secondary <= fee - write-off - primary, and deductibles stay within each plan's."""
    ests = estimate_items(items, primary, secondary)
    for est in ests:
        assert est.secondary <= max(ZERO, est.fee - est.write_off - est.primary)
    assert sum((e.deductible_primary for e in ests), ZERO) <= primary.deductible_left
    assert sum((e.deductible_secondary for e in ests), ZERO) <= secondary.deductible_left


@pytest.mark.parametrize(
    ("code_insurable", "choice", "insurable"),
    [
        (True, None, True),
        (True, False, False),
        (True, True, True),
        (False, None, False),
        (False, True, False),
        (False, False, False),
    ],
)
def test_tx_ins1_a_charges_insurable_choice_can_only_keep_a_code_off_insurance(
    code_insurable, choice, insurable
) -> None:
    """TX-INS-1: None follows the code's Insurable option; a choice can untick it, never tick a code that is off."""
    assert charge_insurable(code_insurable, choice) is insurable


def test_ins5_dmo_without_bluebook_entry_uses_the_plans_default_copay() -> None:
    """INS-5: no bluebook entry and no copay for the code: estimate = Fee 0 - the plan's copay."""
    from decimal import Decimal as D

    from dentaldesk.domain.estimates import EstimateInput, PlanCoverage, estimate_items
    from dentaldesk.domain.terms import Category, EstimationType

    dmo = PlanCoverage(
        plan_name="Cigna DHMO",
        carrier="Cigna",
        estimation_type=EstimationType.DMO,
        coverage_percent={},
        deductible=D("0.00"),
        deductible_exempt=frozenset(),
        annual_max=None,
        default_copay=D("25.00"),
    )
    # Fee 0 is 150.00; the plan's copay 25.00 -> insurance 125.00, patient 25.00, no write-off.
    [item] = estimate_items([EstimateInput(key=1, code="D2391", category=Category.RESTORATIVE, fee=D("150.00"))], dmo)
    assert (item.primary, item.patient, item.write_off) == (D("125.00"), D("25.00"), D("0.00"))
    assert "copay 25.00" in item.explanation


# --- INS-3 pending benefits, TX-INS-1 coverage, INS-9 one estimate per plan item ------------------


def test_ins3_pending_benefits_reduce_the_maximum_left():
    """INS-3: 1,500 maximum, 980 paid this year, 200 pending on posted charges: 320 left, and a
    500.00 filling at 80 % (400.00) is estimated 320.00: the pending 200 is not promised twice."""
    pending = replace(plan(annual_max="1500", used="980"), benefits_pending=D("200"))
    assert pending.maximum_left == D("320.00")
    [est] = estimate_items([item(1, "D2391", R, "500")], pending)
    assert est.primary == D("320.00") and "maximum left 320.00" in est.explanation


def test_ins3_pending_deductible_counts_as_met():
    """INS-3 / INS-2: 50 deductible, 50 already taken by a posted charge not yet paid: a 180.00
    filling is estimated (180 - 0) x 80 % = 144.00, the deductible is not taken again."""
    pending = replace(plan(deductible="50"), deductible_pending=D("50"))
    assert pending.deductible_left == ZERO
    [est] = estimate_items([item(1, "D2391", R, "180")], pending)
    assert (est.deductible, est.primary) == (ZERO, D("144.00"))


@pytest.mark.parametrize(
    "kind, percent, bluebook, covered",
    [
        (EstimationType.PERCENTAGE, {R: 80}, {}, True),
        (EstimationType.PERCENTAGE, {R: 0}, {}, False),
        (EstimationType.PPO, {}, {}, False),
        (EstimationType.DMO, {}, {}, True),
        (EstimationType.FLAT_FEE, {}, {"D2391": BluebookFacts(insurance_pays=D("40"))}, True),
        (EstimationType.FLAT_FEE, {}, {}, False),
    ],
)
def test_tx_ins1_covered_only_when_a_plan_pays_for_the_category(kind, percent, bluebook, covered):
    """TX-INS-1: a category covered at 0 % is not covered; a DMO plan covers every code."""
    coverage = plan(kind, percent=percent, bluebook=bluebook)
    assert coverage.covers("D2391", R) is covered
    assert is_covered("D2391", R, coverage, None) is covered


def test_tx_ins1_item_in_a_zero_percent_category_is_not_insurable():
    """TX-INS-1: a 6,200.00 orthodontic charge under a plan covering orthodontics at 0 % is not
    insurable: no insurance, the whole fee the patient's."""
    [est] = estimate_items([item(1, "D8080", ORTHO, "6200")], plan(percent={ORTHO: 0, R: 80}))
    assert not est.insurable and est.insurance == ZERO and est.patient == D("6200.00")
    assert "not covered" in est.explanation


def test_ins9_plan_estimate_takes_planned_items_in_plan_order():
    """INS-9 / INS-2: two D2391 (500, then 180) with 50 of deductible: the first takes it (360.00),
    the second pays 144.00, whatever order the lines come in; a completed line is left out."""
    lines = [
        PlanLine(2, "D2391", R, D("180"), True, None, False, (1, 2, 2)),
        PlanLine(1, "D2391", R, D("500"), True, None, False, (1, 1, 1)),
        PlanLine(3, "D0120", DX, D("65"), True, None, True, (0, 0, 3)),
    ]
    got = estimate_plan(lines, plan(deductible="50"))
    assert set(got) == {1, 2}
    assert (got[1].deductible, got[1].primary) == (D("50.00"), D("360.00"))
    assert (got[2].deductible, got[2].primary) == (ZERO, D("144.00"))
    assert [i.key for i in plan_inputs(lines)] == [1, 2]


def test_ins9_insurable_choice_keeps_an_item_off_insurance():
    """INS-9 / TX-INS-1: an item the person unticked Insurable for gets no insurance."""
    lines = [PlanLine(1, "D2391", R, D("180"), True, False, False, (1, 1, 1))]
    assert estimate_plan(lines, plan())[1].insurance == ZERO
