"""Preauthorization answers (CASE-2): the carrier's figures in the one estimate, and bad answers."""

import datetime as dt
from decimal import Decimal

import pytest

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.estimates import PlanCoverage, PlanLine, estimate_plan
from dentaldesk.domain.preauth import PreauthAnswer, check_answer, check_answer_date, request_number
from dentaldesk.domain.terms import Category, EstimationType

D = Decimal
R = Category.RESTORATIVE
FIXED = Category.PROSTHODONTICS_FIXED
YEAR = 2026


def coverage(kind=EstimationType.PERCENTAGE, *, annual_max="1500", used="0") -> PlanCoverage:
    return PlanCoverage(
        plan_name="Basic",
        carrier="Acme",
        estimation_type=kind,
        coverage_percent={R: 80, FIXED: 50},
        deductible=D("50"),
        deductible_exempt=frozenset(),
        annual_max=D(annual_max),
        benefits_used=D(used),
    )


def answer(*, fee="1200", tooth="14", allowed="1000", pays="450", deductible="50", denied=False, year=YEAR):
    return PreauthAnswer(
        number=request_number(7),
        carrier="Acme",
        code="D2740",
        tooth=tooth,
        fee=D(fee),
        benefit_year=year,
        answered_on=dt.date(2026, 5, 10),
        allowed=D(allowed),
        pays=D(pays),
        deductible=D(deductible),
        denied=denied,
    )


def crown(*, fee="1200", tooth="14", code="D2740", preauth=None, benefit_year=None) -> PlanLine:
    return PlanLine(
        1, code, FIXED, D(fee), True, None, False, (1, 1, 1), tooth=tooth, preauth=preauth, benefit_year=benefit_year
    )


def test_case2_an_answered_item_uses_the_carriers_figures_marked_preauthorized():
    """CASE-2: allowed 1,000, deductible 50, pays 450 replace the engine's (1,200 - 50) x 50 % = 575."""
    e = estimate_plan([crown(preauth=answer())], coverage(), year=YEAR)[1]
    assert (e.allowed, e.deductible, e.insurance, e.patient) == (D("1000.00"), D("50.00"), D("450.00"), D("750.00"))
    assert e.preauthorized == "preauthorized PA-000007"
    assert "preauthorized by Acme (PA-000007" in e.explanation
    plain = estimate_plan([crown()], coverage(), year=YEAR)[1]
    assert plain.insurance == D("575.00") and plain.preauthorized == ""


def test_case2_ppo_writes_off_above_the_allowed_fee_the_carrier_answered():
    """CASE-2, INS-7: on a PPO the fee above the answered allowed fee is a write-off."""
    e = estimate_plan([crown(preauth=answer())], coverage(EstimationType.PPO), year=YEAR)[1]
    assert (e.write_off, e.insurance, e.patient) == (D("200.00"), D("450.00"), D("550.00"))


@pytest.mark.parametrize(
    "changed",
    [{"fee": "1300"}, {"tooth": "15"}, {"code": "D2750"}, {"benefit_year": 2027}],
    ids=["fee", "tooth", "code", "moved to next year"],
)
def test_case2_the_answer_stops_holding_when_the_item_changes(changed):
    """CASE-2: a changed fee, tooth or code, or a move into another benefit year, goes back to the engine."""
    e = estimate_plan([crown(preauth=answer(), **changed)], coverage(), year=YEAR)[1]
    assert e.preauthorized == ""


def test_case2_the_answer_ends_with_its_benefit_year():
    """CASE-2: an answer given for 2026 no longer holds in 2027."""
    assert estimate_plan([crown(preauth=answer())], coverage(), year=2027)[1].preauthorized == ""


def test_case2_a_denied_request_pays_nothing_and_says_so():
    """CASE-2: a denied request: insurance 0, the patient pays the fee, the Why? says denied."""
    denied = answer(allowed="1200", pays="0", deductible="0", denied=True)
    e = estimate_plan([crown(preauth=denied)], coverage(), year=YEAR)[1]
    assert (e.insurance, e.patient) == (D("0.00"), D("1200.00"))
    assert e.preauthorized == "preauthorization PA-000007 denied"
    assert "denied preauthorization PA-000007" in e.explanation


def test_case2_the_preauthorized_payment_uses_the_maximum_for_later_items():
    """CASE-2, INS-3: 500 left; the crown's 450 leaves 50 for the filling after it (80 % of 100 = 80)."""
    filling = PlanLine(2, "D2391", R, D("100"), True, None, False, (2, 2, 2))
    got = estimate_plan([crown(preauth=answer()), filling], coverage(used="1000"), year=YEAR)
    assert got[1].insurance == D("450.00")
    assert got[2].insurance == D("50.00")


def test_case2_answer_refused_when_larger_than_the_fee_or_negative():
    """CASE-2 bad input: more than the fee sent, a negative amount, a payment beyond allowed less deductible."""
    with pytest.raises(ValidationError) as e:
        check_answer(D("1200"), "1300", "0", "0")
    assert e.value.field == "allowed"
    with pytest.raises(ValidationError) as e:
        check_answer(D("1200"), "1000", "1250", "0")
    assert e.value.field == "pays"
    with pytest.raises(ValidationError) as e:
        check_answer(D("1200"), "1000", "-5", "0")
    assert e.value.field == "pays" and "negative" in e.value.message
    with pytest.raises(ValidationError) as e:
        check_answer(D("1200"), "1000", "960", "50")
    assert e.value.field == "pays" and "950.00" in e.value.message
    with pytest.raises(ValidationError) as e:
        check_answer(D("1200"), "1000", "0", "")
    assert e.value.field == "deductible"
    ok = check_answer(D("1200"), "1,000.00", "450", "50")
    assert (ok.allowed, ok.pays, ok.deductible) == (D("1000.00"), D("450.00"), D("50.00"))


def test_case2_answer_date_not_before_the_request_nor_after_today():
    """CASE-2 bad input: an answer dated before the request was sent, or in the future."""
    sent, today = dt.date(2026, 5, 1), dt.date(2026, 5, 12)
    with pytest.raises(ValidationError) as e:
        check_answer_date(sent, dt.date(2026, 4, 30), today)
    assert e.value.field == "answered_on" and "2026-05-01" in e.value.message
    with pytest.raises(ValidationError):
        check_answer_date(sent, dt.date(2026, 5, 13), today)
    assert check_answer_date(sent, sent, today) == sent
