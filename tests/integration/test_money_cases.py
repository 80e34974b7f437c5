"""The thirteen cases of money after the dialog, played through the services as a person would:
post, file, pay, complete, age as of dates, with a fixed clock (INS-3, INS-7, INS-8, INS-9,
TX-INS-1, TX-AGE-3/4, AGE-5, MONEY-3, TX-DOS-1/2, TP-15, DATA-1).

Each test is one case of the list it is named after; its docstring gives the figures worked by
hand. Cases 6, 10 and 11 are about the window and are played in tests/ui/test_money_windows.py;
case 6's service side is here too.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from money_clinic import FIXED, TODAY, Clinic, R, _day
from sqlalchemy import func, select

from dentaldesk.db.models import AuditEvent, LedgerTransaction, PlanCategory, Provider
from dentaldesk.domain.aging import AgingBuckets
from dentaldesk.domain.errors import ConfirmationNeeded, ValidationError
from dentaldesk.domain.terms import Category, EstimationType, Icm, TransactionKind
from dentaldesk.services.claims.filing import claim_detail, claimable_charges
from dentaldesk.services.ledger.posting import post_charge, post_payment
from dentaldesk.services.ledger.transactions import posted_charge
from dentaldesk.services.plans import (
    ItemChange,
    ItemInput,
    NewItem,
    PlanChanges,
    complete_item,
    link_prerequisite,
    load_plan,
    save_draft,
)
from dentaldesk.services.plans.handout import load_handout
from dentaldesk.services.uow import UnitOfWork

D = Decimal


# --- 1. PPO write-off billed to the patient (INS-7, INS-8) ----------------------------------------


def test_case01_ins8_ppo_write_off_is_posted_with_the_charge_and_never_billed(clinic: Clinic) -> None:
    """INS-7/INS-8, TX-AGE-4: ICM 2, PPO, fee 1,200, allowed 900, 50 %: the write-off 300 is posted with
    the charge, insurance 450 is held and the patient's 450 ages from DOS; after insurance pays 450
    (write-off 300 as estimated) the account owes 450, all of it aging from DOS, not 750."""
    clinic.plan(
        "Acme PPO", EstimationType.PPO, {FIXED: 50}, bluebook={"D2740": "900"}, icm=Icm.PATIENT_PORTION_AT_SERVICE
    )
    dos = _day(10, 1)
    posted = clinic.charge("D2740", dos, fee="1200.00", tooth="14")
    assert (posted.write_off, posted.estimated_insurance, posted.held_amount) == (D("300"), D("450"), D("450"))
    assert posted.balance == D("900.00")  # 1,200 less the 300 written off: never billed
    assert clinic.aging(TODAY) == AgingBuckets(current=D("450.00"), d31_60=D("450.00"))
    claim = clinic.file(_day(10, 2))
    assert claim.estimated == D("450.00")
    clinic.pay_claim(claim.id, ["450.00"], _day(11, 20), write_offs=["300.00"])
    assert clinic.balance() == D("450.00")
    assert clinic.aging(TODAY) == AgingBuckets(d31_60=D("450.00"))


def test_case01_ins8_icm0_bills_the_fee_less_the_write_off_at_once(clinic: Clinic) -> None:
    """INS-8 / TX-AGE-2: on ICM 0 the same crown bills 900 (fee less write-off), aging from DOS."""
    clinic.plan("Acme PPO", EstimationType.PPO, {FIXED: 50}, bluebook={"D2740": "900"})
    posted = clinic.charge("D2740", _day(11, 10), fee="1200.00", tooth="14")
    assert posted.write_off == D("300.00") and posted.held_amount == 0 and posted.balance == D("900.00")
    assert clinic.aging(TODAY) == AgingBuckets(d0_30=D("900.00"))


# --- 2. ICM 2 completion re-dated the patient's portion (TX-AGE-4, AGE-5) -------------------------


def test_case02_tx_age4_age5_completion_keeps_the_patients_portion_dos_aging(clinic: Clinic) -> None:
    """TX-AGE-4 / AGE-5: fee 1,300 at 80 %: 260 the patient's from 2026-10-15 (31-60 on 11-19), 1,040
    held. Insurance pays 1,000 on 11-20 and the claim completes: as of 11-19 the aging reads as it did
    (260 in 31-60, 1,040 current); today 260 stays in 31-60 and only the 40 unpaid ages from 11-20."""
    clinic.plan("Acme 80", EstimationType.PERCENTAGE, {FIXED: 80}, icm=Icm.PATIENT_PORTION_AT_SERVICE)
    dos = _day(10, 15)
    posted = clinic.charge("D2740", dos, fee="1300.00", tooth="3")
    assert (posted.aged_date, posted.held_amount) == (dos, D("1040.00"))
    before = {day: clinic.aging(day) for day in (_day(10, 20), _day(11, 1), _day(11, 19))}
    assert before[_day(11, 19)] == AgingBuckets(current=D("1040.00"), d31_60=D("260.00"))
    claim = clinic.file(_day(10, 16))
    clinic.pay_claim(claim.id, ["1000.00"], _day(11, 20))
    assert {day: clinic.aging(day) for day in before} == before
    assert clinic.aging(TODAY) == AgingBuckets(d0_30=D("40.00"), d31_60=D("260.00"))


# --- 3. The dialog and the posted charge disagree (INS-2, INS-9) ---------------------------------


@pytest.mark.parametrize("order", ["in plan order", "second first"])
def test_case03_ins9_the_posted_estimate_is_the_one_the_plan_showed(clinic: Clinic, order: str) -> None:
    """INS-9 / INS-2: two D2391 (500.00, then 180.00), 50.00 of deductible left: the plan shows the
    first taking the deductible ((500 - 50) x 80 % = 360.00) and the second 144.00; completing them, in
    plan order or the second first, posts exactly those figures."""
    clinic.plan("Acme", EstimationType.PERCENTAGE, {R: 80}, deductible="50")
    saved, (first, second) = clinic.treatment(("D2391", "3", "", "500.00"), ("D2391", "4", "", "180.00"))
    shown = clinic.figures(saved.plan_id)
    assert (shown.of(first).deductible, shown.of(first).insurance) == (D("50.00"), D("360.00"))
    assert (shown.of(second).deductible, shown.of(second).insurance) == (D("0.00"), D("144.00"))
    saved = clinic.approve(saved)
    for item in (first, second) if order == "in plan order" else (second, first):
        saved = clinic.complete(saved, item, _day(11, 20))
    for item in (first, second):
        tx = clinic.charge_of_item(item)
        assert (tx.deductible_primary, tx.estimated_insurance) == (
            shown.of(item).deductible,
            shown.of(item).insurance,
        )


# --- 4. Insurable stays ticked for a 0 % category (TX-INS-1) --------------------------------------


def test_case04_tx_ins1_a_zero_percent_category_is_not_insurable_and_ages(clinic: Clinic) -> None:
    """TX-INS-1 / TX-AGE-2: ICM 1, orthodontics covered at 0 %: a 6,200.00 charge is not insurable, is
    on no claim and ages from DOS instead of being held current for a claim that pays nothing."""
    clinic.code("D8080", "Comprehensive orthodontics", Category.ORTHODONTICS, "6200.00")
    clinic.plan("Acme", EstimationType.PERCENTAGE, {R: 80, Category.ORTHODONTICS: 0}, icm=Icm.AFTER_INSURANCE)
    posted = clinic.charge("D8080", _day(11, 1), fee="6200.00")
    assert not posted.insurable and posted.held_amount == 0 and posted.aged_date == _day(11, 1)
    assert claimable_charges(clinic.uow, clinic.desk, clinic.patient) == []
    assert clinic.aging(TODAY) == AgingBuckets(d0_30=D("6200.00"))


# --- 5. No limit on money (MONEY-3) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "fee, why",
    [
        ("99999999999", "at most 99,999.99"),
        ("1e3", "not an amount"),
        ("1e30", "not an amount"),
        ("99999999999999999.99", "at most 99,999.99"),
        (D("1e30"), "at most 99,999.99"),
    ],
)
def test_case05_money3_a_fee_beyond_the_limit_or_malformed_is_refused(clinic: Clinic, fee, why: str) -> None:
    """MONEY-3: fees over 99,999.99, exponents and overlong amounts are refused at the fee with the
    limit named, as typed errors; nothing is posted."""
    with pytest.raises(ValidationError) as refused:
        clinic.charge("D2391", TODAY, fee=fee)
    assert refused.value.field == "fee" and why in refused.value.message
    assert clinic.balance() == 0


@pytest.mark.parametrize("amount", ["99999999999", "1,000,000.00", "1e3", D("1e30"), "99999999999999999.99"])
def test_case05_money3_a_payment_beyond_the_limit_is_refused(clinic: Clinic, amount) -> None:
    """MONEY-3: a payment is at most 999,999.99; anything else is refused at the amount."""
    with pytest.raises(ValidationError) as refused:
        post_payment(clinic.uow, clinic.desk, account_id=clinic.account, amount=amount, paid_on=TODAY, today=TODAY)
    assert refused.value.field == "amount"
    assert clinic.balance() == 0


# --- 6. A plan item's DOS is the day of completion (TX-DOS-1) ------------------------------------


def test_case06_tx_dos1_a_completed_plan_item_is_dated_the_day_it_is_completed(clinic: Clinic) -> None:
    """TX-DOS-1 / TX-AGE-2: completing a plan item without a date posts it today, aging from today
    (the dialog shows its DOS and Aged read-only for that reason)."""
    saved, (item,) = clinic.treatment(("D2391", "3", "", "180.00"))
    saved = complete_item(clinic.uow, clinic.desk, saved.plan_id, item, expected_version=clinic.approve(saved).version)
    tx = clinic.charge_of_item(item)
    assert (tx.dos, tx.aged_date) == (TODAY, TODAY)


# --- 7. The approval hash (TP-15) -----------------------------------------------------------------


CHANGES = {
    "code": dict(code="D2392"),
    "tooth": dict(tooth="4"),
    "surfaces": dict(surfaces="MOD"),
    "fee": dict(fee=D("170.00")),
    "taxable": dict(taxable_override=True),
    "insurable": dict(insurable_override=False),
}


@pytest.mark.parametrize("what", [*CHANGES, "provider", "estimate", "total"])
def test_case07_tp15_any_approved_figure_changed_breaks_the_signature(clinic: Clinic, what: str) -> None:
    """TP-15: after approval, changing a line's code, tooth, surfaces, provider, fee, Taxable or
    Insurable choice, its estimate (the plan's coverage) or the totals (an item added) shows the
    signature as no longer matching."""
    clinic.code("D2393", "Resin, three surfaces", R, "260.00", surfaces=True)
    clinic.code("D2392", "Resin, two surfaces", R, "220.00", surfaces=True)
    clinic.plan("Acme", EstimationType.PERCENTAGE, {R: 80})
    saved, (item, _other) = clinic.treatment(("D2393", "3", "MO", "180.00"), ("D0120", "", "", "65.00"))
    saved = clinic.approve(saved)
    assert load_plan(clinic.uow, clinic.owner, saved.plan_id).latest_approval.signature_matches
    if what == "estimate":
        with clinic.uow:
            clinic.uow.session.execute(
                PlanCategory.__table__.update().where(PlanCategory.category == R).values(coverage_percent=70)
            )
            clinic.uow.commit()
    else:
        if what == "provider":
            with clinic.uow:
                other = Provider(office_id=clinic.desk.office_id, name="Dr. Other", short_name="DO")
                clinic.uow.session.add(other)
                clinic.uow.commit()
            change = ItemChange(
                item, ItemInput(code="D2393", tooth="3", surfaces="MO", provider_id=other.id, fee=D("180.00"))
            )
            changes = PlanChanges(changed=(change,))
        elif what == "total":
            changes = PlanChanges(
                added=(NewItem(1, ItemInput(code="D0120", provider_id=clinic.provider, fee=D("65.00"))),)
            )
        else:
            entry = dict(code="D2393", tooth="3", surfaces="MO", provider_id=clinic.provider, fee=D("180.00"))
            entry.update(CHANGES[what])
            changes = PlanChanges(changed=(ItemChange(item, ItemInput(**entry)),))
        save_draft(clinic.uow, clinic.owner, saved.plan_id, changes, expected_version=saved.version)
    assert not load_plan(clinic.uow, clinic.owner, saved.plan_id).latest_approval.signature_matches
    assert not load_handout(clinic.uow, clinic.owner, saved.plan_id).signature_covers_plan


# --- 8. The balance after a payment (DATA-1) ------------------------------------------------------


def test_case08_the_balance_after_a_payment_is_read_after_its_insert(clinic: Clinic) -> None:
    """DATA-1: six payments of 10.00 taken at once from six workstations on a 1,000.00 balance: each
    says (and audits) the balance its own payment left: 940 .. 990, each once."""
    clinic.charge("D2740", TODAY, fee="1000.00", tooth="3")
    results: list = []
    failures: list = []

    def pay() -> None:
        try:
            uow = UnitOfWork.for_engine(clinic.m.engine)
            results.append(
                post_payment(uow, clinic.desk, account_id=clinic.account, amount="10.00", paid_on=TODAY, today=TODAY)
            )
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=pay) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(r.balance for r in results) == [D(v) for v in ("940", "950", "960", "970", "980", "990")]
    with clinic.uow.read():
        audited = clinic.uow.session.scalars(select(AuditEvent.after).where(AuditEvent.action == "post_payment")).all()
    assert sorted(D(str(json.loads(after)["balance_after"])) for after in audited) == sorted(r.balance for r in results)


# --- 9. A posted charge shows what insurance paid (INS-8) -----------------------------------------


def test_case09_ins8_a_posted_charge_shows_what_insurance_paid_not_the_estimate(clinic: Clinic) -> None:
    """INS-8: estimated 1,040.00, paid 1,000.00: the posted charge shows the charge 1,300, write-off 0,
    insurance paid 1,000 and the patient owing 300, with the estimate it was posted with kept."""
    clinic.plan("Acme 80", EstimationType.PERCENTAGE, {FIXED: 80}, icm=Icm.PATIENT_PORTION_AT_SERVICE)
    posted = clinic.charge("D2740", _day(10, 15), fee="1300.00", tooth="3")
    claim = clinic.file(_day(10, 16))
    clinic.pay_claim(claim.id, ["1000.00"], _day(11, 20))
    view = posted_charge(clinic.uow, clinic.desk, posted.transaction_id)
    assert (view.fee, view.write_off, view.insurance, view.insurance_paid, view.patient_owes) == (
        D("1300.00"),
        D("0.00"),
        D("1000.00"),
        True,
        D("300.00"),
    )
    assert view.estimated_insurance == D("1040.00") and "80% of 1,300.00" in view.estimate_note


def test_case09_ins8_a_larger_actual_write_off_is_posted_against_the_charge(clinic: Clinic) -> None:
    """INS-8: PPO estimated write-off 300; the carrier allowed 850, paid 425 and wrote off 350: the
    completion posts 50 more against the charge, the patient owes 425 and the balance says so."""
    clinic.plan(
        "Acme PPO", EstimationType.PPO, {FIXED: 50}, bluebook={"D2740": "900"}, icm=Icm.PATIENT_PORTION_AT_SERVICE
    )
    posted = clinic.charge("D2740", _day(10, 1), fee="1200.00", tooth="14")
    claim = clinic.file(_day(10, 2))
    clinic.pay_claim(claim.id, ["425.00"], _day(11, 20), write_offs=["350.00"])
    view = posted_charge(clinic.uow, clinic.desk, posted.transaction_id)
    assert (view.write_off, view.insurance, view.patient_owes) == (D("350.00"), D("425.00"), D("425.00"))
    assert clinic.balance() == D("425.00")
    with clinic.uow.read():
        kinds = clinic.uow.session.scalars(
            select(LedgerTransaction.kind).where(LedgerTransaction.applies_to_id == posted.transaction_id)
        ).all()
    assert kinds == [TransactionKind.WRITE_OFF]


# --- 12. Benefits promised twice (INS-3) ----------------------------------------------------------


def test_case12_ins3_posted_estimates_never_add_up_past_the_annual_maximum(clinic: Clinic) -> None:
    """INS-3: maximum 1,500, three crowns at 50 % of 1,350 (675 each) posted before any claim is paid:
    675 + 675 + 150 = 1,500, never 2,025; the ICM 2 held amounts are the same 1,500; the handout of
    the plan with its fourth crown still to do promises nothing more for it."""
    clinic.plan("Acme", EstimationType.PERCENTAGE, {FIXED: 50}, annual_max="1500", icm=Icm.PATIENT_PORTION_AT_SERVICE)
    saved, items = clinic.treatment(*[("D2740", tooth, "", "1350.00") for tooth in ("3", "14", "19", "30")])
    saved = clinic.approve(saved)
    for item in items[:3]:
        saved = clinic.complete(saved, item, _day(11, 20))
    posted = [clinic.charge_of_item(item) for item in items[:3]]
    assert [tx.estimated_insurance for tx in posted] == [D("675.00"), D("675.00"), D("150.00")]
    assert sum(tx.held_amount for tx in posted) == D("1500.00")
    handout = load_handout(clinic.uow, clinic.owner, saved.plan_id)
    assert handout.totals.insurance == 0 and handout.totals.patient == D("1350.00")
    [left] = [item for item in handout.items if not item.completed]
    assert left.note == "maximum reached"  # INS-3: the handout says why


def test_case12_ins3_a_claim_filed_later_takes_what_was_posted(clinic: Clinic) -> None:
    """INS-3 / INS-9: filing the three crowns' claim estimates its lines as posted (675, 675, 150)."""
    clinic.plan("Acme", EstimationType.PERCENTAGE, {FIXED: 50}, annual_max="1500")
    for tooth in ("3", "14", "19"):
        clinic.charge("D2740", _day(11, 20), fee="1350.00", tooth=tooth)
    claim = clinic.file(_day(11, 21))
    assert [line.estimated for line in claim_detail(clinic.uow, clinic.desk, claim.id).lines] == [
        D("675.00"),
        D("675.00"),
        D("150.00"),
    ]


# --- 13. Any past DOS was accepted on completion (TX-DOS-2) ---------------------------------------


def test_case13_tx_dos2_an_implant_is_not_dated_before_the_extraction_it_depends_on(clinic: Clinic) -> None:
    """TX-DOS-2: the extraction was done 2026-11-01; the implant that depends on it is refused on
    1990-01-01 and on 2026-10-01 (before it), and posts on 2026-11-05."""
    clinic.code("D7210", "Surgical extraction", Category.ORAL_SURGERY, "250.00")
    clinic.code("D6010", "Implant body", Category.IMPLANT, "2000.00")
    saved, (extraction, implant) = clinic.treatment(("D7210", "19", "", "250.00"), ("D6010", "19", "", "2000.00"))
    saved = link_prerequisite(
        clinic.uow, clinic.owner, saved.plan_id, implant, extraction, expected_version=saved.version
    )
    saved = clinic.approve(saved)
    saved = clinic.complete(saved, extraction, _day(11, 1))
    for day in (dt.date(1990, 1, 1), _day(10, 1)):
        with pytest.raises(ValidationError) as refused:
            clinic.complete(saved, implant, day, back_dating_confirmed=True)
        assert refused.value.field == "dos" and "D7210" in refused.value.message
    clinic.complete(saved, implant, _day(11, 5))
    assert clinic.charge_of_item(implant).dos == _day(11, 5)


def test_case13_tx_dos2_far_back_dating_is_confirmed_and_audited(clinic: Clinic) -> None:
    """TX-DOS-2: a DOS 83 days back asks first (nothing posted), and once confirmed is posted and
    audited as back-dated; a DOS before the patient's birth is refused outright."""
    from money_practice import CODES

    far = _day(9, 1)
    with pytest.raises(ConfirmationNeeded) as asked:
        post_charge(
            clinic.uow,
            clinic.desk,
            patient_id=clinic.patient,
            procedure_code_id=clinic.code_ids["D0120"],
            fee=CODES["D0120"][2],
            dos=far,
            today=TODAY,
        )
    assert asked.value.field == "dos" and "83 days back" in asked.value.message
    assert clinic.balance() == 0
    posted = clinic.charge("D0120", far)
    with clinic.uow.read():
        after = clinic.uow.session.scalar(
            select(AuditEvent.after).where(
                AuditEvent.action == "post_charge", AuditEvent.entity_id == posted.transaction_id
            )
        )
    assert '"back_dated": true' in after and '"days_back": 83' in after
    with pytest.raises(ValidationError, match="before the patient's birth date"):
        clinic.charge("D0120", dt.date(1970, 1, 1))
    with clinic.uow.read():
        assert clinic.uow.session.scalar(select(func.count(LedgerTransaction.id))) == 1


# --- AGE-4: Current is its own column everywhere ---------------------------------------------------


def test_age4_current_is_its_own_column_in_the_report_the_csv_and_the_account(clinic: Clinic) -> None:
    """AGE-4: ICM 2, 1,300 at 80 %: the held 1,040 and a charge aged from next week are Current, not
    0-30, in the account's buckets, the office report and its CSV, each with its own column."""
    from acting import staff

    from dentaldesk.services.ledger.aging import aging_table, office_aging

    clinic.plan("Acme 80", EstimationType.PERCENTAGE, {FIXED: 80}, icm=Icm.PATIENT_PORTION_AT_SERVICE)
    clinic.charge("D2740", _day(11, 10), fee="1300.00", tooth="3")
    clinic.charge("D9972", _day(11, 20), aged_date=_day(11, 30))
    buckets = clinic.aging(TODAY)
    assert (buckets.current, buckets.d0_30) == (D("1340.00"), D("260.00"))
    report = office_aging(clinic.uow, staff(clinic.uow), TODAY)
    [row] = report.rows
    assert row.buckets == buckets
    header, line, _total = aging_table(report, plain=True)
    assert header[2:4] == ("Current", "0-30")
    assert line[2:4] == ("1340.00", "260.00")
