"""Tax on a charge (TX-TAX-1, TX-TAX-2, MONEY-1)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import from_cents
from dentaldesk.domain.tax import TaxableState, parse_tax_rate, tax_amount, taxable_state
from dentaldesk.domain.terms import TaxMethod

RATE = Decimal("8.25")


def test_tx_tax1_non_pro_rata_with_rate_enables_taxable():
    """TX-TAX-1/2: Non-pro rata with a rate -> enabled, checked as the code says."""
    state = taxable_state(TaxMethod.NON_PRO_RATA, RATE, code_taxable=True)
    assert (state.enabled, state.checked) == (True, True)
    state = taxable_state(TaxMethod.NON_PRO_RATA, RATE, code_taxable=False)
    assert (state.enabled, state.checked) == (True, False)


def test_tx_tax1_pro_rata_is_disabled_and_checked():
    """TX-TAX-1: Pro rata taxes every charge, whatever the code's flag."""
    state = taxable_state(TaxMethod.PRO_RATA, RATE, code_taxable=False)
    assert (state.enabled, state.checked) == (False, True)
    assert "every charge" in state.reason


@pytest.mark.parametrize(
    "method, rate",
    [
        (TaxMethod.NONE, RATE),
        (TaxMethod.NONE, None),
        (TaxMethod.NON_PRO_RATA, None),
        (TaxMethod.PRO_RATA, None),
        (TaxMethod.NON_PRO_RATA, Decimal("0")),
    ],
)
def test_tx_tax1_no_method_or_no_rate_is_disabled_and_unchecked(method, rate):
    """TX-TAX-1: with no method or no rate (None or 0) Taxable is disabled and unchecked."""
    state = taxable_state(method, rate, code_taxable=True)
    assert isinstance(state, TaxableState)
    assert (state.enabled, state.checked) == (False, False)
    assert state.reason


def test_tx_tax2_tax_is_fee_times_rate_rounded_half_up():
    """TX-TAX-2: 100.10 x 8.25% = 8.25825 -> 8.26."""
    assert tax_amount(Decimal("100.10"), RATE, True) == Decimal("8.26")


def test_tx_tax2_exact_half_cent_rounds_up():
    """TX-TAX-2 / MONEY-1: 10.10 x 5% = 0.505 rounds half-up to 0.51 (not banker's 0.50)."""
    assert tax_amount(Decimal("10.10"), Decimal("5"), True) == Decimal("0.51")


def test_tx_tax2_untaxed_or_rateless_charge_has_no_tax():
    """TX-TAX-2: an exempt charge or a missing rate carries 0.00 tax."""
    assert tax_amount(Decimal("100"), RATE, False) == Decimal("0.00")
    assert tax_amount(Decimal("100"), None, True) == Decimal("0.00")


def test_tx_tax2_negative_fee_is_refused():
    """MONEY-2: tax is never computed on a negative fee."""
    with pytest.raises(ValidationError):
        tax_amount(Decimal("-1"), RATE, True)


@given(cents=st.integers(min_value=0, max_value=10_000_000), rate=st.decimals(min_value=0, max_value=100, places=3))
def test_tx_tax2_rounding_is_exactly_half_up_of_fee_times_rate(cents, rate):
    """TX-TAX-2 / MONEY-1 (property): tax == (fee x rate / 100) rounded half-up once to cents."""
    fee = from_cents(cents)
    exact = fee * rate / Decimal(100)
    assert tax_amount(fee, rate, True) == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("8.25", Decimal("8.25")),
        (" 7 % ", Decimal("7")),
        ("0", Decimal("0")),
        ("100", Decimal("100")),
        ("8.875", Decimal("8.875")),
        (Decimal("6.5"), Decimal("6.5")),
        (5, Decimal("5")),
    ],
)
def test_tx_tax1_tax_rate_parses_percent_0_to_100(text, expected):
    """TX-TAX-1: a tax rate is a percent from 0 to 100 inclusive, kept exact."""
    assert parse_tax_rate(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "-0.01", "100.01", "NaN", "Infinity", "8.123456"])
def test_tx_tax1_bad_tax_rate_is_refused_on_its_field(text):
    """TX-TAX-1 / TX-VAL-1: a rate outside 0..100 or not a number is refused at the tax_rate field."""
    with pytest.raises(ValidationError) as err:
        parse_tax_rate(text)
    assert err.value.field == "tax_rate"
