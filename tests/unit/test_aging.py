"""Aged dates and ledger aging (TX-DOS-1, TX-AGE-2..5, AGE-1..3)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dentaldesk.domain.aging import (
    BUCKETS,
    CURRENT,
    D0_30,
    D31_60,
    D61_90,
    OVER_90,
    AgingBuckets,
    LedgerEntry,
    age_ledger,
    bucket_for,
    charge_aging_parts,
    check_aged_date,
    check_dos,
    default_aged_date,
    release_on_claim_complete,
)
from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import ZERO, from_cents
from dentaldesk.domain.terms import Icm, TransactionKind

TODAY = date(2025, 6, 30)
CHARGE = TransactionKind.CHARGE
PAYMENT = TransactionKind.PAYMENT
D = Decimal


def charge(id_, amount, days_ago, aged_days_ago="dos", held="0"):
    dos = TODAY - timedelta(days=days_ago)
    aged = dos if aged_days_ago == "dos" else (None if aged_days_ago is None else TODAY - timedelta(days=aged_days_ago))
    return LedgerEntry(id_, CHARGE, D(amount), dos, aged, D(held))


def credit(id_, amount, days_ago=0, kind=PAYMENT):
    return LedgerEntry(id_, kind, D(amount), TODAY - timedelta(days=days_ago))


# --- default aged date and field checks ---------------------------------------------------------


@pytest.mark.parametrize("icm", list(Icm))
def test_tx_age2_non_insurable_charge_ages_from_dos(icm):
    """TX-AGE-2: a non-insurable charge's Aged defaults to the DOS on every ICM."""
    assert default_aged_date(insurable=False, icm=icm, dos=TODAY) == TODAY


def test_tx_age2_icm0_insurable_charge_ages_at_once():
    """TX-AGE-2: ICM 0 -> Aged = DOS even for an insurable charge."""
    assert default_aged_date(insurable=True, icm=Icm.FULL_FEE_AT_SERVICE, dos=TODAY) == TODAY


def test_tx_age3_icm1_insurable_charge_is_not_aged():
    """TX-AGE-3: ICM 1 insurable -> Aged blank."""
    assert default_aged_date(insurable=True, icm=Icm.AFTER_INSURANCE, dos=TODAY) is None


def test_tx_age4_icm2_insurable_aged_field_is_blank():
    """TX-AGE-4: ICM 2 insurable -> the Aged field is blank for the deferred insurance portion."""
    assert default_aged_date(insurable=True, icm=Icm.PATIENT_PORTION_AT_SERVICE, dos=TODAY) is None


def test_tx_age5_aged_date_before_dos_is_refused():
    """TX-AGE-5 / TX-VAL-1: an aged date before the DOS is refused at the aged field."""
    with pytest.raises(ValidationError) as err:
        check_aged_date(TODAY - timedelta(days=1), TODAY)
    assert err.value.field == "aged"


def test_tx_age5_blank_same_day_or_future_aged_dates_are_accepted():
    """TX-AGE-5: blank, the DOS itself and a future date are valid aged dates."""
    for aged in (None, TODAY, TODAY + timedelta(days=30)):
        check_aged_date(aged, TODAY)


def test_tx_dos1_future_dos_refused_for_completed_procedure():
    """TX-DOS-1: a completed procedure cannot be dated tomorrow."""
    with pytest.raises(ValidationError) as err:
        check_dos(TODAY + timedelta(days=1), TODAY, completed=True)
    assert err.value.field == "dos"


def test_tx_dos1_today_or_planned_future_dos_is_accepted():
    """TX-DOS-1: today is fine when completed; a planned procedure may be dated ahead."""
    check_dos(TODAY, TODAY, completed=True)
    check_dos(TODAY + timedelta(days=10), TODAY, completed=False)


# --- charge aging parts under the ICM -----------------------------------------------------------


def test_tx_age2_icm0_charge_parts_age_whole_fee_from_dos():
    """TX-AGE-2: ICM 0 -> (DOS, nothing held)."""
    parts = charge_aging_parts(
        fee_total=D("500"), insurable=True, icm=Icm.FULL_FEE_AT_SERVICE, dos=TODAY, estimated_insurance=D("400")
    )
    assert parts == (TODAY, ZERO)


def test_tx_age3_icm1_charge_parts_hold_whole_charge():
    """TX-AGE-3: ICM 1 insurable -> no aged date: the whole charge held current."""
    parts = charge_aging_parts(
        fee_total=D("500"), insurable=True, icm=Icm.AFTER_INSURANCE, dos=TODAY, estimated_insurance=D("400")
    )
    assert parts == (None, ZERO)


def test_tx_age4_icm2_charge_parts_hold_insurance_portion():
    """TX-AGE-4: ICM 2 insurable -> patient portion ages from DOS, estimated insurance held."""
    parts = charge_aging_parts(
        fee_total=D("500"), insurable=True, icm=Icm.PATIENT_PORTION_AT_SERVICE, dos=TODAY, estimated_insurance=D("400")
    )
    assert parts == (TODAY, D("400.00"))


def test_tx_age4_icm2_held_portion_never_exceeds_charge():
    """TX-AGE-4: an estimate above the charge holds the charge, no more."""
    parts = charge_aging_parts(
        fee_total=D("300"), insurable=True, icm=Icm.PATIENT_PORTION_AT_SERVICE, dos=TODAY, estimated_insurance=D("450")
    )
    assert parts == (TODAY, D("300.00"))


def test_tx_age2_non_insurable_icm2_charge_holds_nothing():
    """TX-AGE-2: a non-insurable charge on ICM 2 ages whole from DOS."""
    parts = charge_aging_parts(
        fee_total=D("80"), insurable=False, icm=Icm.PATIENT_PORTION_AT_SERVICE, dos=TODAY, estimated_insurance=D("0")
    )
    assert parts == (TODAY, ZERO)


def test_tx_age3_claim_complete_ages_from_final_payment_date():
    """TX-AGE-3: when the claim completes, a held ICM 1 charge ages from the final payment date."""
    paid = TODAY - timedelta(days=5)
    assert release_on_claim_complete(aged_date=None, held_amount=ZERO, final_payment_date=paid) == (paid, ZERO)


def test_tx_age4_claim_complete_releases_held_insurance_portion():
    """TX-AGE-4: an ICM 2 charge's held portion is released and the charge ages from the payment date."""
    paid = TODAY - timedelta(days=5)
    result = release_on_claim_complete(
        aged_date=TODAY - timedelta(days=40), held_amount=D("400"), final_payment_date=paid
    )
    assert result == (paid, ZERO)


def test_tx_age2_claim_complete_leaves_unheld_charge_alone():
    """TX-AGE-2: an ICM 0 charge on a claim keeps aging from its DOS when the claim completes."""
    dos = TODAY - timedelta(days=40)
    assert release_on_claim_complete(aged_date=dos, held_amount=ZERO, final_payment_date=TODAY) == (dos, ZERO)


# --- buckets and ledger aging ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, bucket",
    [
        (-1, CURRENT),
        (0, D0_30),
        (30, D0_30),
        (31, D31_60),
        (60, D31_60),
        (61, D61_90),
        (90, D61_90),
        (91, OVER_90),
        (400, OVER_90),
    ],
)
def test_age1_bucket_edges(days, bucket):
    """AGE-1: 0-30, 31-60, 61-90, over 90; a future aged date (negative days) is current."""
    assert bucket_for(days) == bucket


def test_age1_charges_fall_in_buckets_by_aged_date():
    """AGE-1: each charge sits in the bucket of the days since its aged date."""
    aged = age_ledger(
        [charge(1, "10", 0), charge(2, "20", 45), charge(3, "30", 75), charge(4, "40", 120), charge(5, "50", 3, None)],
        TODAY,
    )
    assert aged == AgingBuckets(D("50"), D("10"), D("20"), D("30"), D("40"), ZERO)
    assert aged.balance == D("150.00")


def test_tx_age5_future_aged_date_is_current_until_then():
    """TX-AGE-5: a charge aged from next week is current today and 0-30 once the date passes."""
    entry = charge(1, "100", 10, aged_days_ago=-7)
    assert age_ledger([entry], TODAY).current == D("100.00")
    assert age_ledger([entry], TODAY + timedelta(days=8)).d0_30 == D("100.00")


def test_tx_age4_icm2_ledger_holds_insurance_and_ages_patient_part():
    """TX-AGE-4: a 500.00 ICM 2 charge 45 days old with 400.00 held: 400 current, 100 in 31-60."""
    aged = age_ledger([charge(1, "500", 45, held="400")], TODAY)
    assert (aged.current, aged.d31_60) == (D("400.00"), D("100.00"))


def test_age2_payment_applies_to_oldest_charge_first():
    """AGE-2: a 50.00 payment clears the over-90 charge before the 0-30 one."""
    aged = age_ledger([charge(1, "100", 10), charge(2, "40", 100), credit(3, "50")], TODAY)
    assert (aged.over_90, aged.d0_30) == (ZERO, D("90.00"))


def test_age2_held_amounts_are_paid_last():
    """AGE-2: held-current amounts are the youngest; credits reach them only after dated charges."""
    ledger = [charge(1, "100", 200, aged_days_ago=None), charge(2, "60", 5), credit(3, "80")]
    aged = age_ledger(ledger, TODAY)
    assert (aged.current, aged.d0_30) == (D("80.00"), ZERO)


def test_age2_overpayment_is_unapplied_credit():
    """AGE-2 / AGE-3: credit beyond every charge is shown as credit and the balance goes negative."""
    aged = age_ledger([charge(1, "30", 10), credit(2, "50", kind=TransactionKind.INSURANCE_PAYMENT)], TODAY)
    assert aged == AgingBuckets(credit=D("20.00"))
    assert aged.balance == D("-20.00")


def test_age3_entries_after_the_aging_date_are_left_out():
    """AGE-3: aging a past date shows the ledger as it stood then."""
    ledger = [charge(1, "100", 40), credit(2, "100", 0)]
    then = TODAY - timedelta(days=10)
    assert age_ledger(ledger, then).d0_30 == D("100.00")
    assert age_ledger(ledger, TODAY).balance == ZERO


def test_age1_ledger_amounts_are_never_negative():
    """AGE-1: the kind gives the sign; a negative amount or over-large held part is refused."""
    with pytest.raises(ValidationError):
        LedgerEntry(1, CHARGE, D("-1"), TODAY, TODAY)
    with pytest.raises(ValidationError):
        LedgerEntry(1, CHARGE, D("10"), TODAY, TODAY, D("11"))


def test_age3_amount_in_names_each_bucket():
    """AGE-3: amount_in reads every bucket by name and refuses an unknown one."""
    aged = AgingBuckets(D("1"), D("2"), D("3"), D("4"), D("5"))
    assert [aged.amount_in(b) for b in BUCKETS] == [D("1"), D("2"), D("3"), D("4"), D("5")]
    with pytest.raises(KeyError):
        aged.amount_in("d91_120")


# --- properties over random ledgers ---------------------------------------------------------------

OLDEST_FIRST = (OVER_90, D61_90, D31_60, D0_30, CURRENT)
KINDS = list(TransactionKind)


@st.composite
def ledgers(draw):
    entries = []
    for id_ in range(draw(st.integers(min_value=0, max_value=12))):
        kind = draw(st.sampled_from(KINDS))
        cents = draw(st.integers(min_value=0, max_value=500_000))
        dos = TODAY - timedelta(days=draw(st.integers(min_value=-20, max_value=200)))
        aged_offset = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=150)))
        aged = None if aged_offset is None else dos + timedelta(days=aged_offset)
        held = draw(st.integers(min_value=0, max_value=cents))
        entries.append(LedgerEntry(id_, kind, from_cents(cents), dos, aged, from_cents(held)))
    return entries


def on_ledger(entries):
    return [e for e in entries if e.dos <= TODAY]


@settings(max_examples=100, deadline=None)
@given(ledgers())
def test_age3_balance_equals_sum_of_buckets_minus_credit(entries):
    """AGE-3 (property): balance == buckets - credit == charges - credits, on any ledger."""
    aged = age_ledger(entries, TODAY)
    buckets_sum = sum((aged.amount_in(b) for b in BUCKETS), ZERO)
    charges = sum((e.amount for e in on_ledger(entries) if e.kind is CHARGE), ZERO)
    credits = sum((e.amount for e in on_ledger(entries) if e.kind is not CHARGE), ZERO)
    assert aged.balance == buckets_sum - aged.credit == charges - credits


@settings(max_examples=100, deadline=None)
@given(ledgers())
def test_age2_credits_never_make_a_bucket_negative(entries):
    """AGE-2 (property): buckets and credit are >= 0; leftover credit means every bucket is 0."""
    aged = age_ledger(entries, TODAY)
    assert all(aged.amount_in(b) >= 0 for b in BUCKETS)
    assert aged.credit >= 0
    if aged.credit > 0:
        assert all(aged.amount_in(b) == 0 for b in BUCKETS)


@settings(max_examples=100, deadline=None)
@given(ledgers())
def test_age2_credits_go_oldest_first(entries):
    """AGE-2 (property): a bucket is reduced by credits only once every older bucket is cleared."""
    aged = age_ledger(entries, TODAY)
    uncredited = age_ledger([e for e in entries if e.kind is CHARGE], TODAY)
    for i, bucket in enumerate(OLDEST_FIRST):
        if aged.amount_in(bucket) < uncredited.amount_in(bucket):
            assert all(aged.amount_in(older) == 0 for older in OLDEST_FIRST[:i])
