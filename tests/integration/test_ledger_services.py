"""Ledger actions: post a charge, a payment, an adjustment (DATA-1, SEC-2, AGE-2, TX-DOS-1)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from acting import staff
from money_practice import TODAY, MoneyPractice
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dentaldesk.db.models import AuditEvent, LedgerTransaction, PlanCategory
from dentaldesk.domain.aging import AgingBuckets
from dentaldesk.domain.errors import PermissionDenied, ValidationError
from dentaldesk.domain.tax import parse_tax_rate
from dentaldesk.domain.terms import Category, Icm, TransactionKind
from dentaldesk.services.ledger.aging import account_aging
from dentaldesk.services.ledger.posting import post_adjustment, post_charge, post_payment

D = Decimal


def _charge(m: MoneyPractice, code: str, fee: str, days_ago: int, actor=None):
    return post_charge(
        m.uow,
        actor or m.front_desk,
        patient_id=m.patient_id,
        procedure_code_id=m.code_ids[code],
        fee=fee,
        dos=TODAY - dt.timedelta(days=days_ago),
        today=TODAY,
        back_dating_confirmed=True,
    )


def _rows(m: MoneyPractice) -> int:
    with m.uow:
        return m.uow.session.scalar(select(func.count(LedgerTransaction.id))) or 0


def test_post_charge_is_one_audited_action_with_the_new_balance(money: MoneyPractice) -> None:
    """TP-13/TX-AGE-2/SEC-2: a posted charge ages from DOS on ICM 0, is audited, returns the balance."""
    posted = _charge(money, "D2391", "180.00", 3)
    assert posted.amount == D("180.00") and posted.balance == D("180.00")
    assert posted.aged_date == TODAY - dt.timedelta(days=3)
    with money.uow:
        event = money.uow.session.execute(
            select(AuditEvent.entity_id, AuditEvent.after).where(AuditEvent.action == "post_charge")
        ).one()
    assert event.entity_id == posted.transaction_id
    assert json.loads(event.after)["code"] == "D2391"


def test_tx_dos1_a_future_dos_for_a_completed_procedure_is_refused(money: MoneyPractice) -> None:
    """TX-DOS-1: a completed procedure dated tomorrow is refused at the DOS field; nothing posted."""
    with pytest.raises(ValidationError) as refused:
        _charge(money, "D2391", "180.00", -1)
    assert refused.value.field == "dos"
    assert _rows(money) == 0


def test_tx_age3_icm1_insurable_charge_is_held_current(money: MoneyPractice) -> None:
    """TX-AGE-3: on ICM 1 an insurable charge has no aged date and stays current however old."""
    m = money
    m.set_icm(Icm.AFTER_INSURANCE)
    posted = _charge(m, "D2391", "180.00", 200)
    assert posted.aged_date is None and posted.insurable
    assert account_aging(m.uow, staff(m.uow), m.account_id, TODAY) == AgingBuckets(current=D("180.00"))


def test_age2_a_payment_pays_the_oldest_charges_first(money: MoneyPractice) -> None:
    """AGE-2: 100 paid on charges of 120 days (80.00) and 45 days (180.00) clears the oldest first."""
    _charge(money, "D0120", "80.00", 120)
    _charge(money, "D2391", "180.00", 45)
    paid = post_payment(
        money.uow, money.front_desk, account_id=money.account_id, amount="100.00", paid_on=TODAY, today=TODAY
    )
    assert paid.balance == D("160.00") and paid.credit == 0
    assert "Balance now 160.00" in paid.message
    # 100 pays the 80.00 over 90 days, then 20.00 of the 180.00 in 31-60 (AGE-2).
    assert account_aging(money.uow, staff(money.uow), money.account_id, TODAY) == AgingBuckets(d31_60=D("160.00"))


def test_bad_input_a_negative_payment_is_refused_at_the_amount(money: MoneyPractice) -> None:
    """Bad input: a negative payment is refused with a message at the amount; nothing posted."""
    _charge(money, "D2391", "180.00", 1)
    messages = []
    for typed in ("-20.00", D("-0.01"), "0"):
        with pytest.raises(ValidationError) as refused:
            post_payment(
                money.uow, money.front_desk, account_id=money.account_id, amount=typed, paid_on=TODAY, today=TODAY
            )
        assert refused.value.field == "amount"
        messages.append(refused.value.message)
    assert "cannot be negative" in messages[0] and "cannot be negative" in messages[1]
    assert "0.00 changes nothing" in messages[2]
    assert _rows(money) == 1


def test_bad_input_an_overpayment_is_kept_as_a_credit_and_said(money: MoneyPractice) -> None:
    """Bad input / AGE-2: paying 200 on 180 owed keeps 20.00 as a credit, shown, used by the next charge."""
    _charge(money, "D2391", "180.00", 10)
    paid = post_payment(
        money.uow,
        money.front_desk,
        account_id=money.account_id,
        amount="200",
        paid_on=TODAY,
        method="Card",
        today=TODAY,
    )
    assert paid.amount == D("200.00") and paid.balance == D("-20.00") and paid.credit == D("20.00")
    assert "20.00 more than the 180.00 the account owed" in paid.message
    assert "credit of 20.00" in paid.message
    assert account_aging(money.uow, staff(money.uow), money.account_id, TODAY) == AgingBuckets(credit=D("20.00"))
    _charge(money, "D0120", "65.00", 0)
    assert account_aging(money.uow, staff(money.uow), money.account_id, TODAY) == AgingBuckets(d0_30=D("45.00"))


def test_a_payment_dated_in_the_future_is_refused(money: MoneyPractice) -> None:
    """TX-VAL-1: a payment dated tomorrow is refused at the date field."""
    with pytest.raises(ValidationError) as refused:
        post_payment(
            money.uow,
            money.front_desk,
            account_id=money.account_id,
            amount="10",
            paid_on=TODAY + dt.timedelta(days=1),
            today=TODAY,
        )
    assert refused.value.field == "date"


def test_payment_is_audited_with_the_balance_before_and_after(money: MoneyPractice) -> None:
    """SEC-2: the payment's audit record names the amount and the balance before and after."""
    _charge(money, "D2391", "180.00", 1)
    paid = post_payment(
        money.uow, money.front_desk, account_id=money.account_id, amount="80", paid_on=TODAY, today=TODAY
    )
    with money.uow:
        event = money.uow.session.execute(
            select(AuditEvent.entity_id, AuditEvent.username, AuditEvent.after).where(
                AuditEvent.action == "post_payment"
            )
        ).one()
    after = json.loads(event.after)
    assert event.entity_id == paid.transaction_id and event.username == "front"
    assert after["amount"] == "80.00" and after["balance_before"] == "180.00" and after["balance_after"] == "100.00"


def test_adjustments_are_for_owner_and_admin_only(money: MoneyPractice) -> None:
    """Ledger rule (services/ledger.py): front desk may not post adjustments; refused before any change."""
    _charge(money, "D2391", "180.00", 1)
    with pytest.raises(PermissionDenied, match="Owner, Admin"):
        post_adjustment(
            money.uow,
            money.front_desk,
            account_id=money.account_id,
            amount="10",
            reason="Courtesy",
            adjusted_on=TODAY,
            today=TODAY,
        )
    assert _rows(money) == 1


def test_a_credit_adjustment_needs_a_reason_and_lowers_the_balance(money: MoneyPractice) -> None:
    """AGE-2: a credit adjustment with a reason lowers the balance like a payment; no reason is refused."""
    _charge(money, "D2391", "180.00", 40)
    with pytest.raises(ValidationError) as refused:
        post_adjustment(
            money.uow,
            money.owner,
            account_id=money.account_id,
            amount="18",
            reason="  ",
            adjusted_on=TODAY,
            today=TODAY,
        )
    assert refused.value.field == "reason"
    done = post_adjustment(
        money.uow,
        money.owner,
        account_id=money.account_id,
        amount="18.00",
        reason="Senior discount",
        adjusted_on=TODAY,
        today=TODAY,
    )
    assert done.kind is TransactionKind.ADJUSTMENT and done.balance == D("162.00")
    assert account_aging(money.uow, staff(money.uow), money.account_id, TODAY) == AgingBuckets(d31_60=D("162.00"))


def test_age1_a_debit_adjustment_raises_the_balance_and_ages_from_its_date(money: MoneyPractice) -> None:
    """AGE-1: a debit adjustment (a refund given back) raises the balance and ages from its date."""
    done = post_adjustment(
        money.uow,
        money.owner,
        account_id=money.account_id,
        amount="25",
        reason="Returned check fee",
        adjusted_on=TODAY - dt.timedelta(days=70),
        debit=True,
        today=TODAY,
    )
    assert done.kind is TransactionKind.CHARGE and done.balance == D("25.00")
    assert account_aging(money.uow, staff(money.uow), money.account_id, TODAY) == AgingBuckets(d61_90=D("25.00"))
    with pytest.raises(ValidationError) as refused:
        post_adjustment(
            money.uow,
            money.owner,
            account_id=money.account_id,
            amount="-25",
            reason="x",
            adjusted_on=TODAY,
            today=TODAY,
        )
    assert refused.value.field == "amount"


def test_bad_input_a_rate_outside_0_to_100_percent_is_refused(money: MoneyPractice) -> None:
    """TX-TAX-1 / INS-1 bad input: a tax rate or a coverage % outside 0-100 is refused, nothing saved."""
    for typed in ("101", "-1", "250 %"):
        with pytest.raises(ValidationError) as refused:
            parse_tax_rate(typed)
        assert refused.value.field == "tax_rate"
    with money.uow:
        money.uow.session.add(
            PlanCategory(dental_plan_id=money.plan_id, category=Category.IMPLANT, coverage_percent=120)
        )
        with pytest.raises(IntegrityError):
            money.uow.session.flush()
    with money.uow:
        assert (
            money.uow.session.scalar(
                select(func.count(PlanCategory.id)).where(PlanCategory.category == Category.IMPLANT)
            )
            == 0
        )


def test_age3_the_ledger_view_reads_header_buckets_rows_and_claims_in_one_snapshot(demo_engine) -> None:
    """AGE-3, DATA-1: account_view gives what the four ledger reads give, read in one transaction:
    for every demo account the header's balance is the last row's running balance and the strip's."""
    from dentaldesk.db.models import Account
    from dentaldesk.services.claims.queries import open_claims
    from dentaldesk.services.ledger.account_view import account_view
    from dentaldesk.services.ledger.queries import account_facts, account_ledger
    from dentaldesk.services.uow import UnitOfWork

    uow = UnitOfWork.for_engine(demo_engine)
    actor = staff(uow)
    with demo_engine.connect() as conn:
        accounts = list(conn.execute(select(Account.id)).scalars())
    with_rows = 0
    for account_id in accounts:
        view = account_view(uow, actor, account_id)
        assert view.facts == account_facts(uow, actor, account_id)
        assert view.buckets == account_aging(uow, actor, account_id)
        assert view.rows == account_ledger(uow, actor, account_id)
        assert view.claims == open_claims(uow, actor, account_id)
        if view.rows:
            with_rows += 1
            assert view.facts.balance == view.rows[-1].balance == view.buckets.balance
    assert with_rows > 10
