"""Claims: file, post insurance payments, complete (TX-INS-2, TX-AGE-3, TX-AGE-4, INS-2, INS-3).

The money practice's plan pays diagnostic 100 % (no deductible), restorative 80 % after a 50.00
deductible, fixed prosthodontics 50 %; annual maximum 1,500.00. Figures worked by hand:
D0120 65.00 -> 100 % = 65.00; D2391 180.00 -> (180 - 50) x 80 % = 104.00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from acting import staff
from money_practice import TODAY, MoneyPractice
from sqlalchemy import func, select

from dentaldesk.db.models import AuditEvent, BluebookEntry, Coverage, LedgerTransaction, Office
from dentaldesk.domain.aging import AgingBuckets
from dentaldesk.domain.errors import RuleViolation, ValidationError
from dentaldesk.domain.estimates import EstimateInput, estimate_items
from dentaldesk.domain.terms import Category, ClaimStatus, Icm, TransactionKind
from dentaldesk.services.claims.filing import (
    LineEstimate,
    benefits_used_this_year,
    claim_detail,
    claim_line_estimates,
    claimable_charges,
    complete_claim,
    create_claim,
    open_claims,
    post_insurance_payment,
)
from dentaldesk.services.ledger.aging import account_aging
from dentaldesk.services.ledger.posting import post_charge
from dentaldesk.services.practice.pricing import load_coverages

D = Decimal


def _day(days_ago: int) -> dt.date:
    return TODAY - dt.timedelta(days=days_ago)


def _charge(m: MoneyPractice, code: str, days_ago: int, fee: str | None = None, patient_id: int | None = None):
    from money_practice import CODES

    return post_charge(
        m.uow,
        m.front_desk,
        patient_id=patient_id or m.patient_id,
        procedure_code_id=m.code_ids[code],
        fee=fee or CODES[code][2],
        dos=_day(days_ago),
        today=TODAY,
        back_dating_confirmed=True,
    )


def _file(m: MoneyPractice, days_ago: int = 0):
    return create_claim(m.uow, m.front_desk, patient_id=m.patient_id, today=_day(days_ago))


def _pay_all(m: MoneyPractice, claim_id: int, amounts: list[str], days_ago: int):
    lines = claim_detail(m.uow, staff(m.uow), claim_id).lines
    return post_insurance_payment(
        m.uow,
        m.front_desk,
        claim_id=claim_id,
        paid={line.line_id: a for line, a in zip(lines, amounts, strict=True)},
        paid_on=_day(days_ago),
        today=TODAY,
    )


def test_tx_ins2_a_claim_files_every_completed_insurable_charge_not_yet_claimed(money: MoneyPractice) -> None:
    """TX-INS-2 / INS-1: the claim takes D0120 and D2391 (not the uninsurable D9972), estimates 65 + 104."""
    exam, filling, whitening = _charge(money, "D0120", 5), _charge(money, "D2391", 5), _charge(money, "D9972", 5)
    assert not whitening.insurable
    assert [c.code for c in claimable_charges(money.uow, staff(money.uow), money.patient_id)] == ["D0120", "D2391"]
    claim = _file(money)
    assert claim.claim_number == "1" and claim.status is ClaimStatus.OPEN
    assert claim.billed == D("245.00") and claim.estimated == D("169.00") and claim.paid == 0
    detail = claim_detail(money.uow, staff(money.uow), claim.id)
    assert [(line.code, line.estimated) for line in detail.lines] == [("D0120", D("65.00")), ("D2391", D("104.00"))]
    with money.uow:
        s = money.uow.session
        linked = s.scalars(select(LedgerTransaction.id).where(LedgerTransaction.claim_id == claim.id)).all()
        assert sorted(linked) == sorted([exam.transaction_id, filling.transaction_id])
        assert s.scalar(select(Office.next_claim_number)) == 2
        assert s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "create_claim")) == 1
    assert claimable_charges(money.uow, staff(money.uow), money.patient_id) == []


def test_ins2_claim_line_estimates_gives_each_line_its_estimate_and_deductible_in_dos_order(
    money: MoneyPractice,
) -> None:
    """INS-1/INS-2: the exam (100 %, no deductible) 65.00; the filling a day later takes the 50.00
    deductible, (180 - 50) x 80 % = 104.00; filing the claim estimates its lines exactly so."""
    exam, filling = _charge(money, "D0120", 5), _charge(money, "D2391", 4)
    with money.uow:
        s = money.uow.session
        coverage = s.scalar(select(Coverage).where(Coverage.patient_id == money.patient_id))
        charges = [
            (s.get(LedgerTransaction, exam.transaction_id), "D0120", Category.DIAGNOSTIC),
            (s.get(LedgerTransaction, filling.transaction_id), "D2391", Category.RESTORATIVE),
        ]
        lines = claim_line_estimates(s, money.patient_id, coverage, charges)
    assert lines == {
        exam.transaction_id: LineEstimate(estimated=D("65.00"), deductible=D("0.00")),
        filling.transaction_id: LineEstimate(estimated=D("104.00"), deductible=D("50.00")),
    }
    detail = claim_detail(money.uow, staff(money.uow), _file(money).id)
    assert [line.estimated for line in detail.lines] == [D("65.00"), D("104.00")]


def test_tx_ins2_claim_numbers_count_up_and_an_empty_claim_is_refused(money: MoneyPractice) -> None:
    """TX-INS-2: each claim takes the office's next number; with nothing left to file it is refused."""
    _charge(money, "D0120", 5)
    first = _file(money)
    with pytest.raises(RuleViolation, match="no completed insurable procedures"):
        _file(money)
    _charge(money, "D1110", 1)
    assert (first.claim_number, _file(money).claim_number) == ("1", "2")


def test_a_claim_for_a_patient_without_insurance_is_refused(money: MoneyPractice) -> None:
    """TX-INS-1: a patient with no coverage has nothing to claim; the message says so."""
    other = money.base.patient_ids[1]
    _charge(money, "D0120", 5, patient_id=other)
    with pytest.raises(RuleViolation, match="no insurance on file"):
        create_claim(money.uow, money.front_desk, patient_id=other, today=TODAY)


def test_an_insurance_payment_is_posted_per_line_and_lowers_the_balance(money: MoneyPractice) -> None:
    """TX-INS-2 / AGE-2: 65 + 100 paid on the two lines posts one insurance payment of 165.00."""
    _charge(money, "D0120", 20)
    _charge(money, "D2391", 20)
    claim = _file(money, 20)
    posted = _pay_all(money, claim.id, ["65.00", "100"], 5)
    assert posted.amount == D("165.00") and posted.balance == D("80.00")
    assert [line.paid for line in claim_detail(money.uow, staff(money.uow), claim.id).lines] == [
        D("65.00"),
        D("100.00"),
    ]
    with money.uow:
        row = money.uow.session.execute(
            select(LedgerTransaction.kind, LedgerTransaction.claim_id, LedgerTransaction.dos).where(
                LedgerTransaction.id == posted.transaction_id
            )
        ).one()
    assert row == (TransactionKind.INSURANCE_PAYMENT, claim.id, _day(5))


def test_bad_insurance_payments_are_refused_and_nothing_is_posted(money: MoneyPractice) -> None:
    """TX-VAL-1: a negative amount, more than the charge, nothing paid, a future date are refused."""
    _charge(money, "D0120", 20)
    claim = _file(money, 20)
    [line] = claim_detail(money.uow, staff(money.uow), claim.id).lines
    for paid, day, field in (("-5", 1, "paid"), ("65.01", 1, "paid"), ("0", 1, "paid"), ("10", -1, "date")):
        with pytest.raises(ValidationError) as refused:
            post_insurance_payment(
                money.uow,
                money.front_desk,
                claim_id=claim.id,
                paid={line.line_id: paid},
                paid_on=_day(day),
                today=TODAY,
            )
        assert refused.value.field == field
    assert claim_detail(money.uow, staff(money.uow), claim.id).summary.paid == 0


def test_bad_input_a_payment_on_a_complete_claim_is_refused(money: MoneyPractice) -> None:
    """Bad input: once the claim is complete, another payment on it is refused; nothing lost."""
    _charge(money, "D0120", 20)
    claim = _file(money, 20)
    _pay_all(money, claim.id, ["65"], 10)
    complete_claim(money.uow, money.front_desk, claim_id=claim.id, today=TODAY)
    [line] = claim_detail(money.uow, staff(money.uow), claim.id).lines
    with pytest.raises(RuleViolation, match="is complete") as refused:
        post_insurance_payment(
            money.uow, money.front_desk, claim_id=claim.id, paid={line.line_id: "1.00"}, paid_on=TODAY, today=TODAY
        )
    assert refused.value.field == "claim"
    with pytest.raises(RuleViolation):
        complete_claim(money.uow, money.front_desk, claim_id=claim.id, today=TODAY)
    assert claim_detail(money.uow, staff(money.uow), claim.id).summary.paid == D("65.00")
    assert open_claims(money.uow, staff(money.uow), money.account_id) == []


def test_tx_age3_icm1_charges_age_from_the_final_insurance_payment(money: MoneyPractice) -> None:
    """TX-AGE-3 (ICM 1): claimed charges stay current until the claim completes, then age from that date."""
    money.set_icm(Icm.AFTER_INSURANCE)
    exam, filling = _charge(money, "D0120", 60), _charge(money, "D2391", 60)
    _charge(money, "D9972", 100)  # not insurable: ages from DOS (TX-AGE-2)
    assert exam.aged_date is None and filling.aged_date is None
    claim = _file(money, 60)
    _pay_all(money, claim.id, ["65", "100"], 40)
    # 45 days ago the payment was not posted and the claim was open: 245 current, 300 aged 55 days.
    assert account_aging(money.uow, staff(money.uow), money.account_id, _day(45)) == AgingBuckets(
        current=D("245.00"), d31_60=D("300.00")
    )
    done = complete_claim(money.uow, money.front_desk, claim_id=claim.id, today=TODAY)
    assert done.completed_on == _day(40) and done.released_charges == 2 and done.paid == D("165.00")
    # Today: the 165 insurance paid pays what was held for insurance, not the patient's old whitening
    # (TX-AGE-3/4): 245 - 165 = 80 ages from the payment 40 days ago; the 300 whitening over 90.
    assert account_aging(money.uow, staff(money.uow), money.account_id, TODAY) == AgingBuckets(
        d31_60=D("80.00"), over_90=D("300.00")
    )
    # AGE-5: 45 days ago still reads as it did before the claim completed.
    assert account_aging(money.uow, staff(money.uow), money.account_id, _day(45)) == AgingBuckets(
        current=D("245.00"), d31_60=D("300.00")
    )


def test_tx_age4_icm2_the_held_insurance_portion_ages_once_the_claim_completes(money: MoneyPractice) -> None:
    """TX-AGE-4 (ICM 2): the patient portion ages from DOS, the estimated 104.00 is held until completion."""
    money.set_icm(Icm.PATIENT_PORTION_AT_SERVICE)
    filling = _charge(money, "D2391", 50)
    assert filling.aged_date == _day(50) and filling.held_amount == D("104.00")
    assert account_aging(money.uow, staff(money.uow), money.account_id, TODAY) == AgingBuckets(
        current=D("104.00"), d31_60=D("76.00")
    )
    claim = _file(money, 50)
    _pay_all(money, claim.id, ["90.00"], 20)
    complete_claim(money.uow, money.front_desk, claim_id=claim.id, final_payment_date=_day(20), today=TODAY)
    # TX-AGE-4: the patient's 76 keeps its DOS aging (31-60); of the 104 held, the 14 insurance did
    # not pay ages from the final payment 20 days ago (0-30).
    assert account_aging(money.uow, staff(money.uow), money.account_id, TODAY) == AgingBuckets(
        d0_30=D("14.00"), d31_60=D("76.00")
    )


def test_ins3_completing_a_claim_adds_what_was_paid_to_benefits_used(money: MoneyPractice) -> None:
    """INS-2/INS-3: the paid 165 counts against the maximum and the 50 deductible is met, once."""
    _charge(money, "D0120", 20)
    _charge(money, "D2391", 20)
    claim = _file(money, 20)
    _pay_all(money, claim.id, ["65", "100"], 5)
    done = complete_claim(money.uow, money.front_desk, claim_id=claim.id, today=TODAY)
    assert done.benefits_used == D("165.00") and done.deductible_met == D("50.00")
    assert benefits_used_this_year(money.uow, staff(money.uow), money.coverage_id, TODAY.year) == D("165.00")
    assert benefits_used_this_year(money.uow, staff(money.uow), money.coverage_id, TODAY.year - 1) == 0
    with money.uow:
        primary, _secondary = load_coverages(money.uow.session, money.patient_id)
        # The next crown: 50 % of 1,350.00 with the deductible already met = 675.00 (INS-2).
        [crown] = estimate_items(
            [EstimateInput(key=1, code="D2740", category=Category.PROSTHODONTICS_FIXED, fee=D("1350.00"))], primary
        )
    assert primary is not None and primary.maximum_left == D("1335.00")
    assert crown.primary == D("675.00") and crown.deductible == 0


def test_completing_a_claim_can_update_the_bluebook_from_what_was_paid(money: MoneyPractice) -> None:
    """Glossary bluebook: with the flag, each paid line's amount becomes the code's insurance payment."""
    _charge(money, "D0120", 20)
    _charge(money, "D2391", 20)
    claim = _file(money, 20)
    _pay_all(money, claim.id, ["60.00", "0"], 5)
    done = complete_claim(money.uow, money.front_desk, claim_id=claim.id, update_bluebook=True, today=TODAY)
    assert done.bluebook_updated == ("D0120",)  # a line paid 0 (denied) leaves the bluebook alone
    with money.uow:
        entries = money.uow.session.execute(
            select(BluebookEntry.code, BluebookEntry.insurance_pays).where(
                BluebookEntry.dental_plan_id == money.plan_id
            )
        ).all()
        benefits = money.uow.session.scalar(select(Coverage.benefits_used).where(Coverage.id == money.coverage_id))
    assert entries == [("D0120", D("60.00"))]
    assert benefits == D("60.00")


def test_open_claims_lists_the_accounts_claims_waiting_for_payment(money: MoneyPractice) -> None:
    """TX-INS-2: open claims show number, carrier, billed, estimated and paid; complete ones leave the list."""
    _charge(money, "D0120", 30)
    first = _file(money, 30)
    _charge(money, "D2391", 10)
    second = _file(money, 10)
    _pay_all(money, second.id, ["50"], 2)
    listed = open_claims(money.uow, staff(money.uow), money.account_id)
    assert [(c.claim_number, c.carrier, c.billed, c.estimated, c.paid) for c in listed] == [
        ("1", "Acme Dental", D("65.00"), D("65.00"), D("0.00")),
        ("2", "Acme Dental", D("180.00"), D("104.00"), D("50.00")),
    ]
    complete_claim(money.uow, money.front_desk, claim_id=first.id, today=TODAY)
    assert [c.claim_number for c in open_claims(money.uow, staff(money.uow), money.account_id)] == ["2"]


def test_tx_age3_a_final_insurance_payment_completes_the_claim_in_the_same_action(money: MoneyPractice) -> None:
    """TX-AGE-3/DATA-1: paying with "final" completes the claim on that date in one action."""
    money.set_icm(Icm.AFTER_INSURANCE)
    _charge(money, "D2391", 30)
    claim = _file(money, 30)
    [line] = claim_detail(money.uow, staff(money.uow), claim.id).lines
    posted = post_insurance_payment(
        money.uow,
        money.front_desk,
        claim_id=claim.id,
        paid={line.line_id: "104"},
        paid_on=_day(10),
        final=True,
        today=TODAY,
    )
    assert posted.completed is not None and posted.completed.completed_on == _day(10)
    assert open_claims(money.uow, staff(money.uow), money.account_id) == []
    assert account_aging(money.uow, staff(money.uow), money.account_id, TODAY) == AgingBuckets(d0_30=D("76.00"))


def test_claim_candidates_list_the_patients_with_procedures_to_file(money: MoneyPractice) -> None:
    """TX-INS-2: Create claim offers each patient with unfiled insurable procedures and their coverages."""
    from dentaldesk.services.claims.filing import claim_candidates

    _charge(money, "D0120", 3)
    _charge(money, "D9972", 3)
    [candidate] = claim_candidates(money.uow, staff(money.uow), money.account_id)
    assert candidate.patient_name == "Anna Smith"
    assert [c.code for c in candidate.charges] == ["D0120"]
    assert [c.label for c in candidate.coverages] == ["Primary: Acme Dental - Acme Percentage"]
    _file(money)
    assert claim_candidates(money.uow, staff(money.uow), money.account_id) == []
