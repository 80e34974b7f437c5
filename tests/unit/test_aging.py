"""Aged dates and ledger aging (TX-DOS-1, TX-AGE-2..5, AGE-1..3)."""

from dataclasses import replace
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
    ChargeParts,
    LedgerEntry,
    age_ledger,
    bucket_for,
    charge_aging_parts,
    check_aged_date,
    check_completed_dos,
    check_dos,
    default_aged_date,
    directed_part,
    write_off_correction,
)
from dentaldesk.domain.errors import ConfirmationNeeded, ValidationError
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


def parts(fee, icm, estimate, *, insurable=True, write_off="0", **kw):
    return charge_aging_parts(
        fee_total=D(fee),
        insurable=insurable,
        icm=icm,
        dos=TODAY,
        estimated_insurance=D(estimate),
        write_off=D(write_off),
        **kw,
    )


def test_tx_age2_icm0_charge_parts_age_whole_fee_from_dos():
    """TX-AGE-2: ICM 0 -> (DOS, nothing held)."""
    assert parts("500", Icm.FULL_FEE_AT_SERVICE, "400") == ChargeParts(TODAY, ZERO, ZERO)


def test_tx_age3_icm1_charge_parts_hold_whole_charge():
    """TX-AGE-3: ICM 1 insurable -> no aged date: the whole charge held current."""
    assert parts("500", Icm.AFTER_INSURANCE, "400") == ChargeParts(None, D("500.00"), ZERO)


def test_tx_age4_icm2_charge_parts_hold_insurance_portion():
    """TX-AGE-4: ICM 2 insurable -> patient portion ages from DOS, estimated insurance held."""
    assert parts("500", Icm.PATIENT_PORTION_AT_SERVICE, "400") == ChargeParts(TODAY, D("400.00"), ZERO)


def test_tx_age4_icm2_held_portion_never_exceeds_charge():
    """TX-AGE-4: an estimate above the charge holds the charge, no more."""
    assert parts("300", Icm.PATIENT_PORTION_AT_SERVICE, "450").held_amount == D("300.00")


def test_tx_age2_non_insurable_icm2_charge_holds_nothing():
    """TX-AGE-2: a non-insurable charge on ICM 2 ages whole from DOS."""
    assert parts("80", Icm.PATIENT_PORTION_AT_SERVICE, "0", insurable=False) == ChargeParts(TODAY, ZERO, ZERO)


@pytest.mark.parametrize("icm", list(Icm))
def test_ins8_write_off_is_posted_under_every_icm_and_never_held(icm):
    """INS-8: fee 1,200, write-off 300, insurance 450: the write-off is posted with the charge under
    every ICM; ICM 2 holds 450 and leaves 450 the patient's; ICM 1 holds the 900 left."""
    got = parts("1200", icm, "450", write_off="300")
    assert got.write_off == D("300.00")
    expected_held = {Icm.FULL_FEE_AT_SERVICE: "0", Icm.AFTER_INSURANCE: "900", Icm.PATIENT_PORTION_AT_SERVICE: "450"}
    assert got.held_amount == D(expected_held[icm])
    assert got.patient_part(D("1200")) == D("1200") - D("300") - got.held_amount


def test_tx_age5_chosen_aged_date_applies_to_the_patient_part():
    """TX-AGE-5: the person's Aged date (or blank) replaces the DOS for the patient's part only."""
    later = TODAY + timedelta(days=10)
    got = parts("500", Icm.PATIENT_PORTION_AT_SERVICE, "400", aged_date=later, aged_chosen=True)
    assert got == ChargeParts(later, D("400.00"), ZERO)
    assert parts("80", Icm.FULL_FEE_AT_SERVICE, "0", aged_date=None, aged_chosen=True).aged_date is None


def test_tx_age3_claim_complete_ages_held_part_from_final_payment_date():
    """TX-AGE-3: when the claim completes, what insurance did not pay of an ICM 1 charge ages from
    the final payment's date (500 held, 350 paid on it: 150 in 0-30 five days later)."""
    paid = TODAY - timedelta(days=5)
    ledger = [
        LedgerEntry(1, CHARGE, D("500"), TODAY - timedelta(days=60), None, D("500"), released_on=paid),
        LedgerEntry(2, TransactionKind.INSURANCE_PAYMENT, D("350"), paid, None, D("350"), released_on=paid),
    ]
    assert age_ledger(ledger, TODAY) == AgingBuckets(d0_30=D("150.00"))


def test_tx_age4_claim_complete_keeps_patient_part_dos_aging():
    """TX-AGE-4: on completion the ICM 2 patient's part keeps its DOS aging (260 aged 40 days stays
    in 31-60); only the 40 insurance did not pay of the held 1,040 ages from the payment date."""
    dos, paid = TODAY - timedelta(days=40), TODAY - timedelta(days=5)
    ledger = [
        LedgerEntry(1, CHARGE, D("1300"), dos, dos, D("1040"), released_on=paid),
        LedgerEntry(2, TransactionKind.INSURANCE_PAYMENT, D("1000"), paid, None, D("1000"), released_on=paid),
    ]
    assert age_ledger(ledger, TODAY) == AgingBuckets(d0_30=D("40.00"), d31_60=D("260.00"))


def test_ins8_write_off_correction_is_actual_less_estimated():
    """INS-8: completing posts actual - estimated write-off; no actual entered posts nothing."""
    assert write_off_correction(D("300"), D("350")) == D("50.00")
    assert write_off_correction(D("300"), D("280")) == D("-20.00")
    assert write_off_correction(D("300"), None) == ZERO


def test_tx_age4_insurance_pays_held_part_only_up_to_what_is_held():
    """TX-AGE-4 / AGE-2: an insurance payment pays held amounts up to what its claim holds open."""
    assert directed_part(D("500"), D("450")) == D("450.00")
    assert directed_part(D("100"), D("450")) == D("100.00")
    assert directed_part(D("100"), D("-5")) == ZERO


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
        write_off = draw(st.integers(min_value=0, max_value=cents)) if kind is CHARGE else 0
        held = draw(st.integers(min_value=0, max_value=cents - write_off))
        released = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=120)))
        released_on = None if released is None else dos + timedelta(days=released)
        entries.append(
            LedgerEntry(id_, kind, from_cents(cents), dos, aged, from_cents(held), from_cents(write_off), released_on)
        )
    return entries


def on_ledger(entries):
    return [e for e in entries if e.dos <= TODAY]


@settings(max_examples=100, deadline=None)
@given(ledgers())
def test_age3_balance_equals_sum_of_buckets_minus_credit(entries):
    """AGE-3 (property): balance == buckets - credit == charges - credits, on any ledger."""
    aged = age_ledger(entries, TODAY)
    buckets_sum = sum((aged.amount_in(b) for b in BUCKETS), ZERO)
    charges = sum((e.amount - e.write_off for e in on_ledger(entries) if e.kind is CHARGE), ZERO)
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
    """AGE-2 (property): a bucket is reduced by credits only once every older bucket is cleared (the
    part of a credit that pays held amounts is taken where they are, not oldest first)."""
    aged = age_ledger(entries, TODAY)
    only_directed = [e if e.kind is CHARGE else replace(e, amount=e.held_amount) for e in entries]
    uncredited = age_ledger(only_directed, TODAY)
    for i, bucket in enumerate(OLDEST_FIRST):
        if aged.amount_in(bucket) < uncredited.amount_in(bucket):
            assert all(aged.amount_in(older) == 0 for older in OLDEST_FIRST[:i])


# --- TX-DOS-2 -------------------------------------------------------------------------------------


def test_tx_dos2_completed_dos_is_not_before_birth():
    """TX-DOS-2: a procedure cannot be dated before the patient was born."""
    with pytest.raises(ValidationError) as err:
        check_completed_dos(date(1979, 12, 31), TODAY, birth_date=date(1980, 4, 2), back_dating_confirmed=True)
    assert err.value.field == "dos" and "birth date 1980-04-02" in err.value.message


def test_tx_dos2_completed_dos_is_not_before_a_prerequisite():
    """TX-DOS-2: an implant dated 1990-01-01 is refused before the extraction it depends on."""
    with pytest.raises(ValidationError) as err:
        check_completed_dos(
            date(1990, 1, 1), TODAY, prerequisites=[("D7210 #19", date(2025, 6, 1))], back_dating_confirmed=True
        )
    assert "before D7210 #19, done on 2025-06-01" in err.value.message


def test_tx_dos2_far_back_dating_asks_for_confirmation():
    """TX-DOS-2: 31 days back asks; confirmed it passes and says it was back-dated; 30 days does not ask."""
    far = TODAY - timedelta(days=31)
    with pytest.raises(ConfirmationNeeded) as err:
        check_completed_dos(far, TODAY)
    assert err.value.field == "dos" and "31 days back" in err.value.message
    assert check_completed_dos(far, TODAY, back_dating_confirmed=True) is True
    assert check_completed_dos(TODAY - timedelta(days=30), TODAY) is False
    with pytest.raises(ValidationError):
        check_completed_dos(TODAY + timedelta(days=1), TODAY, back_dating_confirmed=True)
