"""Money values and teeth (MONEY-1, MONEY-2, ID-1, ID-2)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import (
    FEE_MAX,
    PAYMENT_MAX,
    format_money,
    from_cents,
    money,
    parse_money,
    percent_of,
    to_cents,
)
from dentaldesk.domain.teeth import display_tooth, is_primary, parse_surfaces, parse_tooth
from dentaldesk.domain.terms import ToothNumbering

D = Decimal
FDI = ToothNumbering.FDI


def test_money1_money_quantizes_half_up():
    """MONEY-1: 2.345 -> 2.35 and 2.344 -> 2.34; ints and strings become cents."""
    assert money(D("2.345")) == D("2.35")
    assert money(D("2.344")) == D("2.34")
    assert str(money(5)) == "5.00"
    assert str(money("1.5")) == "1.50"


def test_money1_bool_is_not_money():
    """MONEY-1: True is refused rather than read as 1.00."""
    with pytest.raises(TypeError):
        money(True)


@pytest.mark.parametrize(
    "text, expected", [("1,200.5", "1200.50"), ("$80", "80.00"), (" 0 ", "0.00"), ("12.34", "12.34")]
)
def test_money1_parse_money_reads_what_a_person_types(text, expected):
    """MONEY-1: commas, a dollar sign and spaces are accepted."""
    assert parse_money(text) == D(expected)


@pytest.mark.parametrize(
    "text, why",
    [
        ("", "Enter an amount"),
        ("abc", "not an amount"),
        ("10.005", "two decimals"),
        ("-5", "negative"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
    ],
)
def test_money2_parse_money_refusals_say_why(text, why):
    """MONEY-1/2: empty, non-numeric, fractional cents and negative amounts are refused with a reason."""
    with pytest.raises(ValidationError) as err:
        parse_money(text, field="fee")
    assert why in err.value.message
    assert err.value.field == "fee"


def test_money2_negative_allowed_only_when_asked():
    """MONEY-2: an adjustment may be negative when the caller allows it."""
    assert parse_money("-5", allow_negative=True) == D("-5.00")


def test_money1_format_money_groups_thousands():
    """MONEY-1: the one formatter shows 1,234,567.80; None shows the blank text."""
    assert format_money(D("1234567.8")) == "1,234,567.80"
    assert format_money(D("0")) == "0.00"
    assert format_money(None) == ""
    assert format_money(None, blank="-") == "-"


def test_money1_percent_of_rounds_once():
    """MONEY-1: 5% of 10.10 = 0.505 -> 0.51."""
    assert percent_of(D("10.10"), 5) == D("0.51")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_money1_cents_round_trip(cents):
    """MONEY-1 (property): integer cents -> money -> cents is the identity."""
    assert to_cents(from_cents(cents)) == cents


@given(st.integers(min_value=0, max_value=99_999_99))
def test_money1_format_then_parse_round_trip(cents):
    """MONEY-1 (property): parse_money(format_money(x)) == x for every fee up to the limit."""
    value = from_cents(cents)
    assert parse_money(format_money(value)) == value


@given(st.decimals(min_value=-999_999, max_value=999_999, places=2))
def test_money1_negative_amounts_round_trip_when_allowed(value):
    """MONEY-1 (property): signed amounts survive format and parse with allow_negative."""
    assert parse_money(format_money(value), allow_negative=True, maximum=PAYMENT_MAX) == value


@pytest.mark.parametrize(
    "text, expected",
    [("1,350.00", "1350.00"), ("1350", "1350.00"), ("99,999.99", "99999.99"), (".5", "0.50"), ("7.", "7.00")],
)
def test_money3_plain_decimals_are_read(text, expected):
    """MONEY-3: thousands separators in groups of three, up to two decimals, up to the fee limit."""
    assert parse_money(text) == D(expected)


@pytest.mark.parametrize(
    "text, why",
    [
        ("12,34", "not an amount"),
        ("1,2345.00", "not an amount"),
        ("1e3", "not an amount"),
        ("1E3", "not an amount"),
        ("1 350", "not an amount"),
        ("1e30", "not an amount"),
        ("٣٠", "not an amount"),
        ("100,000.00", "at most 99,999.99"),
        ("99999999999", "at most 99,999.99"),
        ("99999999999999999.99", "at most 99,999.99"),
    ],
)
def test_money3_anything_else_is_refused_with_the_reason(text, why):
    """MONEY-3: "12,34", exponents, spaces inside, other digits and fees over 99,999.99 are refused."""
    with pytest.raises(ValidationError) as err:
        parse_money(text, field="fee")
    assert why in err.value.message
    assert err.value.field == "fee"


def test_money3_payments_have_their_own_limit():
    """MONEY-3: a payment or adjustment is at most 999,999.99, named in the message."""
    assert parse_money("999,999.99", what="A payment", maximum=PAYMENT_MAX) == D("999999.99")
    with pytest.raises(ValidationError) as err:
        parse_money("1,000,000.00", field="amount", what="A payment", maximum=PAYMENT_MAX)
    assert err.value.message == "A payment is at most 999,999.99."


@pytest.mark.parametrize("value", [D("1e30"), D("NaN"), D("Infinity"), D("1.005"), 10**40, 1.5, None, True])
def test_money3_values_from_a_service_get_the_same_checks(value):
    """MONEY-3: a Decimal, int or anything else handed to a service passes the same checks."""
    with pytest.raises(ValidationError):
        parse_money(value, field="amount", maximum=PAYMENT_MAX)


@settings(max_examples=400)
@given(st.one_of(st.text(max_size=60), st.from_regex(r"-?\$?[0-9,. eE+-]{0,30}", fullmatch=True)))
def test_money3_no_untyped_exception_however_malformed(text):
    """MONEY-3 (property): any text either parses to cents within the limit or is a ValidationError."""
    try:
        value = parse_money(text, allow_negative=True)
    except ValidationError as exc:
        assert exc.field == "fee" and exc.message
        return
    assert value == value.quantize(D("0.01")) and abs(value) <= FEE_MAX


@settings(max_examples=200)
@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_money3_no_untyped_exception_from_any_decimal(value):
    """MONEY-3 (property): any Decimal a service receives either is an amount or a ValidationError."""
    try:
        got = parse_money(value, maximum=PAYMENT_MAX)
    except ValidationError:
        return
    assert got == value and 0 <= got <= PAYMENT_MAX


@pytest.mark.parametrize(
    "universal, fdi",
    [
        ("1", "18"),
        ("8", "11"),
        ("9", "21"),
        ("16", "28"),
        ("17", "38"),
        ("24", "31"),
        ("25", "41"),
        ("32", "48"),
        ("A", "55"),
        ("E", "51"),
        ("F", "61"),
        ("J", "65"),
        ("K", "75"),
        ("O", "71"),
        ("P", "81"),
        ("T", "85"),
    ],
)
def test_id1_universal_and_fdi_map_both_ways(universal, fdi):
    """ID-1: Universal <-> FDI, stored Universal, shown in the office's numbering."""
    assert display_tooth(universal, FDI) == fdi
    assert parse_tooth(fdi, FDI) == universal
    assert display_tooth(universal) == universal


def test_id1_tooth_input_is_cleaned():
    """ID-1: '#03', ' 3' and lower-case primaries are read as the tooth meant."""
    assert parse_tooth("#03") == "3"
    assert parse_tooth(" 3") == "3"
    assert parse_tooth("a") == "A"
    assert is_primary("A") and not is_primary("3")
    assert display_tooth(None) == ""


@pytest.mark.parametrize(
    "text, numbering, names",
    [
        ("33", ToothNumbering.UNIVERSAL, "1-32"),
        ("U", ToothNumbering.UNIVERSAL, "A-T"),
        ("19", FDI, "11-18"),
        ("3", FDI, "FDI"),
        ("56", FDI, "51-55"),
    ],
)
def test_id1_invalid_tooth_names_the_valid_range(text, numbering, names):
    """ID-1: an invalid tooth is refused with the valid range of the office's numbering."""
    with pytest.raises(ValidationError) as err:
        parse_tooth(text, numbering)
    assert names in err.value.message
    assert err.value.field == "tooth"


@pytest.mark.parametrize("text, canonical", [("dom", "MOD"), ("F,l,b", "BLF"), ("OO", "O"), ("", ""), ("M O D", "MOD")])
def test_id2_surfaces_are_stored_in_canonical_order(text, canonical):
    """ID-2: surfaces become a set in M, O, D, B, L, I, F order."""
    assert parse_surfaces(text) == canonical


def test_id2_bad_or_too_many_surfaces_are_refused():
    """ID-2: a letter outside MODBLIF, or six surfaces, is refused at the surfaces field."""
    with pytest.raises(ValidationError) as err:
        parse_surfaces("MOX")
    assert "'X'" in err.value.message and err.value.field == "surfaces"
    with pytest.raises(ValidationError):
        parse_surfaces("MODBLI")
