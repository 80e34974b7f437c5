"""Fee resolution (TX-FEE-1..4, INS-5 fee part)."""

from decimal import Decimal

import pytest

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.fees import DmoPlanFacts, FeeQuote, check_schedule, resolve_fee

SCHEDULES = {
    (0, "D2740"): Decimal("1200.00"),
    (0, "D0120"): Decimal("65.00"),
    (0, "D1110"): Decimal("0"),
    (1, "D2740"): Decimal("1100.00"),
    (3, "D0120"): Decimal("55.5"),
}


def lookup(schedule: int, code: str) -> Decimal | None:
    return SCHEDULES.get((schedule, code))


def test_tx_fee1_account_schedule_fee_is_the_default():
    """TX-FEE-1: the fee comes from the account's own schedule, labelled with its number."""
    assert resolve_fee("D2740", 1, lookup) == FeeQuote(Decimal("1100.00"), "Fee schedule 1")


def test_tx_fee1_fee_is_quantized_to_cents():
    """TX-FEE-1 / MONEY-1: a schedule fee stored as 55.5 is shown as 55.50."""
    quote = resolve_fee("D0120", 3, lookup)
    assert str(quote.fee) == "55.50"


def test_tx_fee2_dmo_plan_charges_bluebook_cap_fee():
    """TX-FEE-2: a DMO patient is charged the plan's bluebook cap fee, not the schedule fee."""
    quote = resolve_fee("D2740", 1, lookup, DmoPlanFacts("CapCare Gold", Decimal("600")))
    assert quote == FeeQuote(Decimal("600.00"), "Bluebook cap fee (CapCare Gold)")


def test_tx_fee2_cap_fee_of_zero_is_a_real_fee():
    """TX-FEE-2 / MONEY-2: a cap fee of 0 is charged as 0, not treated as missing."""
    quote = resolve_fee("D2740", 1, lookup, DmoPlanFacts("CapCare Gold", Decimal("0")))
    assert quote.fee == Decimal("0.00")
    assert quote.source == "Bluebook cap fee (CapCare Gold)"


def test_tx_fee3_dmo_without_bluebook_entry_uses_fee_0():
    """TX-FEE-3 / INS-5: no bluebook entry -> schedule 0's fee, even if the account's schedule has one."""
    quote = resolve_fee("D2740", 1, lookup, DmoPlanFacts("CapCare Gold", None))
    assert quote == FeeQuote(Decimal("1200.00"), "Fee 0 (no bluebook entry for CapCare Gold)")


def test_tx_fee3_dmo_without_entry_and_without_fee_0_must_be_typed():
    """TX-FEE-3/4: neither bluebook nor schedule 0 has the code -> empty fee to type."""
    quote = resolve_fee("D9999", 1, lookup, DmoPlanFacts("CapCare Gold", None))
    assert quote == FeeQuote(None, "No fee on file: type a fee")


def test_tx_fee4_missing_schedule_fee_falls_back_to_fee_0():
    """TX-FEE-4: schedule 1 lacks D0120 -> schedule 0's 65.00, and the label says why."""
    quote = resolve_fee("D0120", 1, lookup)
    assert quote == FeeQuote(Decimal("65.00"), "Fee 0 (schedule 1 has no fee for D0120)")


def test_tx_fee4_no_fee_anywhere_leaves_fee_empty():
    """TX-FEE-4: no schedule has the code -> fee None and a prompt to type one."""
    assert resolve_fee("D9999", 5, lookup) == FeeQuote(None, "No fee on file: type a fee")


def test_tx_fee4_zero_fee_is_not_missing():
    """TX-FEE-4 / MONEY-2: a fee of 0 on schedule 0 is a fee; no fallback, no prompt."""
    assert resolve_fee("D1110", 0, lookup) == FeeQuote(Decimal("0.00"), "Fee schedule 0")


def test_tx_fee4_schedule_0_account_is_not_looked_up_twice():
    """TX-FEE-4: an account on schedule 0 without the code goes straight to 'type a fee'."""
    calls = []

    def counting(schedule: int, code: str) -> Decimal | None:
        calls.append(schedule)
        return None

    assert resolve_fee("D2740", 0, counting).fee is None
    assert calls == [0]


def test_money2_negative_stored_fee_is_refused():
    """MONEY-2: a negative fee in a schedule is refused, never charged."""
    with pytest.raises(ValidationError) as err:
        resolve_fee("D2740", 2, lambda s, c: Decimal("-5"))
    assert err.value.field == "fee"


@pytest.mark.parametrize("schedule", [0, 1, 13, 26])
def test_fee_schedule_numbers_0_to_26_are_valid(schedule):
    """Glossary (fee schedule): schedules are numbered 0 to 26."""
    assert check_schedule(schedule) == schedule


@pytest.mark.parametrize("schedule", [-1, 27, 100])
def test_fee_schedule_out_of_range_is_refused(schedule):
    """Glossary (fee schedule): a schedule outside 0..26 is refused with the valid range."""
    with pytest.raises(ValidationError) as err:
        resolve_fee("D2740", schedule, lookup)
    assert "0 to 26" in err.value.message
    assert err.value.field == "fee_schedule"


@pytest.mark.parametrize("schedule", ["1", True, None])
def test_fee_schedule_must_be_a_whole_number(schedule):
    """Glossary (fee schedule): a schedule that is not an int is refused."""
    with pytest.raises(ValidationError):
        check_schedule(schedule)
