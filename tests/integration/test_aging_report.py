"""The office aging report, computed in SQL, agrees with the pure aging rule (AGE-1, AGE-2, AGE-3).

``office_aging`` runs one SQL query; ``account_aging`` loads one account's rows and applies
:func:`dentaldesk.domain.aging.age_ledger`. They must agree on every account, on random ledgers
(hypothesis), on the demo practice, and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from acting import staff
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert, select, text

from dentaldesk import clock
from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade
from dentaldesk.db.models import Account, LedgerTransaction, LoginSession, Office, Patient, User
from dentaldesk.domain.aging import AgingBuckets, LedgerEntry, age_ledger
from dentaldesk.domain.money import ZERO, from_cents
from dentaldesk.domain.terms import TransactionKind
from dentaldesk.services.ledger.aging import account_aging, office_aging
from dentaldesk.services.uow import UnitOfWork

AS_OF = dt.date(2025, 6, 30)
D = Decimal
CHARGE = TransactionKind.CHARGE
CREDIT_KINDS = (
    TransactionKind.PAYMENT,
    TransactionKind.INSURANCE_PAYMENT,
    TransactionKind.ADJUSTMENT,
    TransactionKind.WRITE_OFF,
)


def _office_with_accounts(engine: Engine, count: int, code: str = "AGE01") -> tuple[int, list[tuple[int, int]]]:
    """An office with ``count`` accounts of one patient each: (office id, [(account, patient)])."""
    uow = UnitOfWork.for_engine(engine)
    with uow:
        s = uow.session
        office = Office(office_code=code, name="Aging Dental")
        s.add(office)
        s.flush()
        pairs = []
        for n in range(count):
            account = Account(office_id=office.id, account_number=f"{n + 1:04d}")
            s.add(account)
            s.flush()
            patient = Patient(
                office_id=office.id,
                patient_number=f"{code}-{n + 1}",
                account_id=account.id,
                first_name="Pat",
                last_name=f"Number{n + 1}",
                first_name_key="pat",
                last_name_key=f"number{n + 1}",
                birth_date=dt.date(1980, 1, 1),
            )
            s.add(patient)
            s.flush()
            account.guarantor_id = patient.id
            pairs.append((account.id, patient.id))
        office_id = office.id
        uow.commit()
    return office_id, pairs


def _insert(engine: Engine, office_id: int, account_id: int, patient_id: int, rows: list[dict]) -> None:
    if not rows:
        return
    with engine.begin() as conn:
        conn.execute(
            insert(LedgerTransaction),
            [{"office_id": office_id, "account_id": account_id, "patient_id": patient_id, **row} for row in rows],
        )


def _row(kind, amount, dos, aged=None, held="0", tax="0", write_off="0", released=None) -> dict:
    return {
        "kind": kind,
        "amount": D(amount),
        "tax": D(tax),
        "dos": dos,
        "aged_date": aged,
        "held_amount": D(held),
        "write_off": D(write_off),
        "released_on": released,
        "description": kind.value,
    }


def _by_rule(rows: list[dict], as_of: dt.date) -> AgingBuckets:
    """What the pure rule says for rows as inserted (a charge counts with its tax)."""
    entries = [
        LedgerEntry(
            n,
            r["kind"],
            r["amount"] + r["tax"] if r["kind"] is CHARGE else r["amount"],
            r["dos"],
            r["aged_date"],
            r["held_amount"],
            r["write_off"],
            r["released_on"],
        )
        for n, r in enumerate(rows)
    ]
    return age_ledger(entries, as_of)


def _days(n: int) -> dt.date:
    return AS_OF - dt.timedelta(days=n)


def test_age2_office_aging_worked_example(engine: Engine) -> None:
    """AGE-1/AGE-2/AGE-3, by hand: credits pay the oldest first; a credit balance is listed, a zero one is not.

    Account 0001: 100.00 aged 100 days (over 90); 50.00 + 4.00 tax aged 45 days (31-60); an ICM 2
    charge of 200.00 aged 10 days with 150.00 held (50.00 in 0-30, 150.00 current); 80.00 aged
    5 days from now (current); an ICM 1 charge of 70.00 with no aged date (current); a payment
    of 120.00 pays the 100.00 over 90 and 20.00 of the 54.00 -> current 300.00, 0-30 50.00,
    31-60 34.00, balance 384.00. Account 0002: 40.00 and a payment of 100.00 -> credit 60.00,
    balance -60.00. Account 0003: 30.00 paid in full -> balance 0, not listed.
    """
    office_id, pairs = _office_with_accounts(engine, 3)
    (a1, p1), (a2, p2), (a3, p3) = pairs
    _insert(
        engine,
        office_id,
        a1,
        p1,
        [
            _row(CHARGE, "100", _days(100), _days(100)),
            _row(CHARGE, "50", _days(45), _days(45), tax="4"),
            _row(CHARGE, "200", _days(10), _days(10), held="150"),
            _row(CHARGE, "80", _days(1), _days(-5)),
            _row(CHARGE, "70", _days(3), None),
            _row(TransactionKind.PAYMENT, "120", _days(2), _days(2)),
        ],
    )
    _insert(
        engine,
        office_id,
        a2,
        p2,
        [
            _row(CHARGE, "40", _days(5), _days(5)),
            _row(TransactionKind.PAYMENT, "100", _days(1), _days(1)),
        ],
    )
    _insert(
        engine,
        office_id,
        a3,
        p3,
        [
            _row(CHARGE, "30", _days(5), _days(5)),
            _row(TransactionKind.ADJUSTMENT, "30", _days(1), _days(1)),
        ],
    )
    report = office_aging(UnitOfWork.for_engine(engine), staff(UnitOfWork.for_engine(engine)), AS_OF)
    assert [(r.account_number, r.guarantor) for r in report.rows] == [("0001", "Pat Number1"), ("0002", "Pat Number2")]
    assert report.rows[0].buckets == AgingBuckets(current=D("300"), d0_30=D("50"), d31_60=D("34"))
    assert report.rows[0].balance == D("384.00")
    assert report.rows[1].buckets == AgingBuckets(credit=D("60")) and report.rows[1].balance == D("-60.00")
    assert report.totals == AgingBuckets(current=D("300"), d0_30=D("50"), d31_60=D("34"), credit=D("60"))
    assert report.totals.balance == D("324.00")


def test_age1_aging_a_past_date_leaves_out_what_was_posted_later(engine: Engine) -> None:
    """AGE-1: as of 40 days ago, a charge of 60 days then sits in 0-30 and the later payment is not there."""
    office_id, [(account, patient)] = _office_with_accounts(engine, 1)
    _insert(
        engine,
        office_id,
        account,
        patient,
        [
            _row(CHARGE, "90", _days(60), _days(60)),
            _row(TransactionKind.PAYMENT, "90", _days(10), _days(10)),
        ],
    )
    uow = UnitOfWork.for_engine(engine)
    then = office_aging(uow, staff(uow), _days(40))
    assert [r.buckets for r in then.rows] == [AgingBuckets(d0_30=D("90"))]
    assert office_aging(uow, staff(uow), AS_OF).rows == ()
    assert account_aging(uow, staff(uow), account, _days(40)) == AgingBuckets(d0_30=D("90"))


def test_age1_bucket_edges_30_60_90_days(engine: Engine) -> None:
    """AGE-1/TX-AGE-5: 30 days is 0-30, 31 is 31-60, 60|61 and 90|91 split alike; aged tomorrow is current."""
    office_id, [(account, patient)] = _office_with_accounts(engine, 1)
    # Amounts are powers of two so each bucket's sum says which charges it holds.
    aged_days = {-1: "1", 0: "2", 30: "4", 31: "8", 60: "16", 61: "32", 90: "64", 91: "128"}
    _insert(
        engine,
        office_id,
        account,
        patient,
        [_row(CHARGE, amount, _days(max(days, 0)), _days(days)) for days, amount in aged_days.items()],
    )
    [row] = office_aging(UnitOfWork.for_engine(engine), staff(UnitOfWork.for_engine(engine)), AS_OF).rows
    expected = AgingBuckets(current=D("1"), d0_30=D("6"), d31_60=D("24"), d61_90=D("96"), over_90=D("128"))
    assert (
        row.buckets
        == expected
        == account_aging(UnitOfWork.for_engine(engine), staff(UnitOfWork.for_engine(engine)), account, AS_OF)
    )


# --- SQL == the pure rule, over random ledgers ---------------------------------------------------

CENTS = st.integers(min_value=0, max_value=60_000)


@st.composite
def ledger_rows(draw) -> list[dict]:  # type: ignore[no-untyped-def]
    """A random account ledger: charges (tax, write-off, held parts released or not, blank/past/future
    aged dates) and credits, some paying held amounts (INS-8, TX-AGE-3/4)."""
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        dos = AS_OF - dt.timedelta(days=draw(st.integers(min_value=-10, max_value=130)))
        released = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=100)))
        released_on = None if released is None else dos + dt.timedelta(days=released)
        if draw(st.booleans()):
            amount = from_cents(draw(CENTS))
            tax = from_cents(draw(st.integers(min_value=0, max_value=2_000)))
            aged_choice = draw(st.sampled_from(["blank", "dos", "later"]))
            aged = {
                "blank": None,
                "dos": dos,
                "later": dos + dt.timedelta(days=draw(st.integers(min_value=1, max_value=120))),
            }[aged_choice]
            write_off = from_cents(draw(st.integers(min_value=0, max_value=int(amount * 100))))
            held = ZERO
            if draw(st.booleans()):
                held = from_cents(draw(st.integers(min_value=0, max_value=int((amount + tax - write_off) * 100))))
            rows.append(_row(CHARGE, amount, dos, aged, held, tax, write_off, released_on))
        else:
            kind = draw(st.sampled_from(CREDIT_KINDS))
            amount = from_cents(draw(CENTS))
            held = (
                from_cents(draw(st.integers(min_value=0, max_value=int(amount * 100)))) if draw(st.booleans()) else ZERO
            )
            rows.append(_row(kind, amount, dos, None, held, released=released_on))
    return rows


def _assert_sql_equals_rule(engine: Engine, office_id: int, pairs, ledgers, as_of: dt.date) -> None:
    uow = UnitOfWork.for_engine(engine)
    report = office_aging(uow, staff(uow), as_of)
    listed = {row.account_id: row.buckets for row in report.rows}
    for (account, _patient), rows in zip(pairs, ledgers, strict=True):
        expected = _by_rule(rows, as_of)
        assert account_aging(uow, staff(uow), account, as_of) == expected
        if expected.balance == 0:
            assert account not in listed
        else:
            assert listed[account] == expected
    total_balance = sum((b.balance for b in listed.values()), ZERO)
    assert report.totals.balance == total_balance  # AGE-3 over the whole office
    # MONEY-1: the lines keep integer cents (not the database's numeric sums), the totals line
    # is their sum, and its money values are the lines' summed.
    assert all(type(cents) is int for row in (*report.rows, report.total) for cents in row.cents)
    assert report.total.cents == tuple(sum(row.cents[n] for row in report.rows) for n in range(6))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ledgers=st.lists(ledger_rows(), min_size=1, max_size=4),
    as_of_shift=st.integers(min_value=-60, max_value=30),
)
def test_age2_sql_office_aging_equals_age_ledger_on_random_ledgers(engine: Engine, ledgers, as_of_shift) -> None:
    """AGE-1/AGE-2/AGE-3: on random ledgers, the SQL report equals age_ledger for every account."""
    with engine.begin() as conn:
        conn.execute(delete(LedgerTransaction))
        conn.execute(text("UPDATE account SET guarantor_id = NULL"))
        conn.execute(delete(Patient))
        conn.execute(delete(Account))
        conn.execute(delete(LoginSession))
        conn.execute(delete(User))
        conn.execute(delete(Office))
    office_id, pairs = _office_with_accounts(engine, len(ledgers))
    for (account, patient), rows in zip(pairs, ledgers, strict=True):
        _insert(engine, office_id, account, patient, rows)
    _assert_sql_equals_rule(engine, office_id, pairs, ledgers, AS_OF + dt.timedelta(days=as_of_shift))


def test_age3_sql_office_aging_equals_age_ledger_on_the_demo_practice(demo_engine: Engine) -> None:
    """AGE-1..3: on the demo practice, every account's SQL row equals age_ledger, at several dates."""
    uow = UnitOfWork.for_engine(demo_engine)
    with uow:
        office_id = uow.session.scalar(select(Office.id).order_by(Office.id).limit(1))
        accounts = uow.session.scalars(select(Account.id).where(Account.office_id == office_id)).all()
    today = clock.today()
    listed_somewhere = 0
    for as_of in (today, today - dt.timedelta(days=45), today - dt.timedelta(days=200)):
        report = office_aging(uow, staff(uow), as_of)
        listed = {row.account_id: row.buckets for row in report.rows}
        listed_somewhere += len(listed)
        for account in accounts:
            expected = account_aging(uow, staff(uow), account, as_of)
            assert listed.get(account, AgingBuckets()) == expected
    assert listed_somewhere > 0  # the demo has balances to age


def _random_ledgers(seed: int, accounts: int) -> list[list[dict]]:
    """Plain random ledgers (no hypothesis) for the PostgreSQL run."""
    rng = random.Random(seed)
    ledgers = []
    for _ in range(accounts):
        rows = []
        for _ in range(rng.randint(0, 10)):
            dos = AS_OF - dt.timedelta(days=rng.randint(-10, 200))
            if rng.random() < 0.6:
                amount, tax = from_cents(rng.randint(0, 150_000)), from_cents(rng.choice((0, 0, rng.randint(0, 900))))
                aged = rng.choice((None, dos, dos + dt.timedelta(days=rng.randint(1, 90))))
                held = from_cents(rng.randint(0, int((amount + tax) * 100))) if aged and rng.random() < 0.4 else ZERO
                rows.append(_row(CHARGE, amount, dos, aged, held, tax))
            else:
                rows.append(_row(rng.choice(CREDIT_KINDS), from_cents(rng.randint(1, 150_000)), dos, dos))
        ledgers.append(rows)
    return ledgers


@pytest.mark.postgres
def test_age2_sql_office_aging_equals_age_ledger_on_postgresql(pg_url: str) -> None:
    """DATA-3 / AGE-1..3: the same query on PostgreSQL equals age_ledger for 40 random accounts."""
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    try:
        ledgers = _random_ledgers(20251123, 40)
        office_id, pairs = _office_with_accounts(engine, len(ledgers))
        for (account, patient), rows in zip(pairs, ledgers, strict=True):
            _insert(engine, office_id, account, patient, rows)
        for shift in (0, -45, 20):
            _assert_sql_equals_rule(engine, office_id, pairs, ledgers, AS_OF + dt.timedelta(days=shift))
    finally:
        engine.dispose()
