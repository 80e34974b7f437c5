"""The one item check the Patient Transactions dialog and the plan services share (TP-6, CODE-3/4,
ID-1/2, MONEY-2/3, TX-RTU-1, TX-VAL-1), checked without a database or a window."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from dentaldesk.domain.errors import NotFound, RuleViolation, ValidationError
from dentaldesk.domain.item_check import FIELD_ORDER, TypedItem, check_code, check_item, item_label
from dentaldesk.domain.teeth import Dentition
from dentaldesk.domain.terms import ToothNumbering

U = ToothNumbering.UNIVERSAL
DR = 7  # the office's one active provider


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    requires_tooth: bool = False
    requires_surface: bool = False
    active: bool = True
    default_rtu: int = 0
    dentition: Dentition = Dentition.BOTH


FILLING = Code("D2391", "Resin, one surface, posterior", requires_tooth=True, requires_surface=True, default_rtu=40)
CROWN = Code("D2740", "Crown, porcelain/ceramic", requires_tooth=True, default_rtu=90)
EXAM = Code("D0120", "Periodic oral evaluation", default_rtu=15)


def check(code: Code | None, numbering: ToothNumbering = U, **typed: object):
    item = TypedItem(code=typed.pop("typed_code", code.code if code else "D9999"), **typed)  # type: ignore[arg-type]
    return check_item(item, code, numbering, providers={DR}, schedule_fee=Decimal("120.00"), fee_source="Fee 0")


def fields(checked) -> dict[str, str]:
    return {p.field: p.message for p in checked.problems}


def test_tp6_a_complete_filling_has_no_problem_and_reads_its_values() -> None:
    """TP-6/ID-1/ID-2: tooth read in the numbering, surfaces in canonical order, fee and RTU's read."""
    checked = check(FILLING, tooth=" 3 ", surfaces="om", provider_id=DR, fee="1,350.00", rtu="45")
    assert checked.problems == ()
    assert (checked.tooth, checked.surfaces, checked.fee, checked.rtu) == ("3", "MO", Decimal("1350.00"), 45)


def test_id1_an_fdi_tooth_is_read_and_stored_universal() -> None:
    """ID-1: FDI 16 is Universal 3; Universal 3 typed in an FDI office is refused naming the range."""
    assert check(CROWN, ToothNumbering.FDI, tooth="16", provider_id=DR, fee="1").tooth == "3"
    refused = fields(check(CROWN, ToothNumbering.FDI, tooth="3", provider_id=DR, fee="1"))
    assert "FDI numbering" in refused["tooth"]


def test_code4_missing_tooth_surfaces_provider_and_fee_are_missing_not_refused_for_a_plan_item() -> None:
    """CODE-4/TP-5: what the code requires and is still empty may wait in a plan; a posted charge is refused."""
    checked = check(FILLING, fee="")
    assert [(p.field, p.missing) for p in checked.problems] == [
        ("tooth", True),
        ("surfaces", True),
        ("provider", True),
        ("fee", True),
    ]
    assert fields(checked) == {
        "tooth": "D2391 needs a tooth.",
        "surfaces": "D2391 needs its surfaces.",
        "provider": "Choose who will do this procedure.",
        "fee": "Type a fee (Fee 0: 120.00).",
    }
    checked.refuse_first()  # nothing is refused for a plan item
    with pytest.raises(ValidationError) as err:
        checked.refuse_first(complete=True)
    assert (err.value.field, err.value.message) == ("tooth", "D2391 needs a tooth.")


def test_tx_fee4_an_empty_fee_with_no_schedule_fee_says_none_has_one() -> None:
    """TX-FEE-4: the empty fee's message says no schedule has a fee for the code."""
    checked = check_item(TypedItem("D0120", provider_id=DR), EXAM, U, providers={DR})
    assert fields(checked) == {"fee": "Type a fee: no fee schedule has one for D0120."}


def test_code4_a_crown_takes_no_surfaces() -> None:
    """CODE-4: surfaces on a code that takes none are refused at Surfaces."""
    refused = check(CROWN, tooth="14", surfaces="MO", provider_id=DR, fee="900")
    assert fields(refused) == {
        "surfaces": "D2740 (Crown, porcelain/ceramic) does not take surfaces; leave Surfaces empty."
    }
    assert not refused.problems[0].missing


def test_code3_missing_and_inactive_codes_are_refused_with_their_error_types() -> None:
    """CODE-3: a code not in the list is NotFound with where to add it; an inactive one a RuleViolation,
    unless the item already has it; no code typed is a ValidationError."""
    missing = check_code("d9999", None)
    assert missing is not None and missing.error is NotFound and missing.message.startswith("D9999 is not in")
    inactive = Code("D1110", "Prophylaxis, adult", active=False)
    problem = check_code("D1110", inactive)
    assert problem is not None and problem.error is RuleViolation and "inactive" in problem.message
    assert check_code("D1110", inactive, keep_inactive=True) is None
    empty = check_code("  ", None)
    assert empty is not None and empty.error is ValidationError and empty.message == "Choose a procedure code."


def test_code3_an_unusable_code_skips_the_checks_that_depend_on_it() -> None:
    """CODE-3/CODE-4: with no usable code, only the code and the fields' own forms are checked."""
    checked = check(None, surfaces="MO", tooth="33", fee="")
    assert [p.field for p in checked.problems] == ["code", "tooth", "provider"]


@pytest.mark.parametrize(
    ("typed", "field", "says"),
    [
        ({"fee": "-5"}, "fee", "A fee cannot be negative."),  # MONEY-2
        ({"fee": "12,34"}, "fee", "is not an amount"),  # MONEY-3
        ({"fee": "10.005"}, "fee", "at most two decimals"),  # MONEY-3
        ({"fee": "100000"}, "fee", "at most 99,999.99"),  # MONEY-3
        ({"fee": Decimal("-1")}, "fee", "cannot be negative"),  # MONEY-2, from a service
        ({"fee": 1.5}, "fee", "must be an amount"),  # MONEY-1: never a float
        ({"rtu": "1.5"}, "rtu", "whole minutes"),  # TX-RTU-1
        ({"rtu": -1}, "rtu", "whole minutes"),  # TX-RTU-1
        ({"surfaces": "OX"}, "surfaces", "'X' is not a surface"),  # ID-2
        ({"provider_id": 99}, "provider", "Choose an active provider of this office."),  # TP-6
        ({"collection_provider_id": 99}, "collection_provider", "active provider"),  # TX-1
    ],
)
def test_tx_val1_each_bad_field_is_refused_at_its_field(typed: dict[str, object], field: str, says: str) -> None:
    """TX-VAL-1: a bad value is a refusal (not a missing field) at the field it concerns."""
    values: dict[str, object] = {"tooth": "3", "surfaces": "MO", "provider_id": DR, "fee": "100"} | typed
    checked = check(FILLING, **values)
    [problem] = checked.problems
    assert problem.field == field and says in problem.message and not problem.missing


def test_tx_rtu1_rtus_default_to_the_code_and_blank_text_is_zero() -> None:
    """TX-RTU-1: None takes the code's default RTU's; a blank typed field is 0."""
    assert check(EXAM, provider_id=DR, fee="1").rtu == 15
    assert check(EXAM, provider_id=DR, fee="1", rtu="").rtu == 0


def test_tx_val1_problems_come_in_field_order_and_the_first_is_raised() -> None:
    """TX-VAL-1: problems are listed in the order the fields are checked; the service raises the first."""
    checked = check(FILLING, tooth="33", surfaces="OX", provider_id=99, fee="abc", rtu="x")
    assert [p.field for p in checked.problems] == [f for f in FIELD_ORDER if f != "collection_provider" and f != "code"]
    with pytest.raises(ValidationError) as err:
        checked.refuse_first()
    assert err.value.field == "tooth"


def test_id1_an_item_is_labelled_with_its_tooth_in_the_office_numbering() -> None:
    """ID-1: ``D2740 #14`` in Universal, ``D2740 #26`` in FDI, the code alone without a tooth."""
    assert item_label("D2740", "14", U) == "D2740 #14"
    assert item_label("D2740", "14", ToothNumbering.FDI) == "D2740 #26"
    assert item_label("D0120", None, U) == "D0120"


IMPLANT = Code("D6010", "Implant placement surgery", requires_tooth=True, dentition=Dentition.PERMANENT)


def test_id3_the_tooth_must_be_of_the_dentition_the_code_is_for() -> None:
    """ID-3: the one item check refuses primary tooth K on an implant at the tooth field (the dialog
    shows it, the service raises it); permanent tooth 19 passes; a code for both takes K."""
    checked = check(IMPLANT, tooth="K", provider_id=DR, fee="1800")
    assert fields(checked) == {
        "tooth": "D6010 (Implant placement surgery) is for permanent teeth (Universal 1-32); tooth K is a primary tooth."
    }
    with pytest.raises(ValidationError) as refused:
        checked.refuse_first()
    assert refused.value.field == "tooth"
    assert fields(check(IMPLANT, tooth="19", provider_id=DR, fee="1800")) == {}
    sealant = Code("D1351", "Sealant, per tooth", requires_tooth=True)
    assert fields(check(sealant, tooth="K", provider_id=DR, fee="45")) == {}
