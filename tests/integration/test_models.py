"""The data model: exact money columns, the version check, constraints (MONEY-1, MONEY-2, DATA-2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from dentaldesk.db.models import FeeSchedule, FeeScheduleEntry, LedgerTransaction, ProcedureCode, TreatmentPlan
from dentaldesk.domain.errors import ConflictError
from dentaldesk.domain.money import from_cents
from dentaldesk.domain.terms import Category, TransactionKind
from dentaldesk.services.uow import UnitOfWork


def _charge(practice, amount) -> LedgerTransaction:
    return LedgerTransaction(
        office_id=practice.office_id,
        account_id=practice.account_id,
        patient_id=practice.patient_ids[0],
        kind=TransactionKind.CHARGE,
        dos=dt.date(2026, 1, 5),
        amount=amount,
    )


_ROUND_TRIP = None


def _round_trip_engine():
    """One small in-memory table with a Money column, shared by all hypothesis examples."""
    global _ROUND_TRIP
    if _ROUND_TRIP is None:
        from sqlalchemy import Column, Integer, MetaData, Table, create_engine

        from dentaldesk.db.types import Money

        engine = create_engine("sqlite://")
        table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("amount", Money()))
        table.metadata.create_all(engine)
        _ROUND_TRIP = (engine, table)
    return _ROUND_TRIP


@settings(max_examples=60, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**13))
def test_money1_amounts_round_trip_exactly_as_integer_cents(cents: int) -> None:
    """MONEY-1: any cent amount stored is read back as the same Decimal, stored as integer cents."""
    engine, table = _round_trip_engine()
    value = from_cents(cents)
    with engine.begin() as conn:
        conn.execute(table.delete())
        conn.execute(table.insert().values(id=1, amount=value))
        assert conn.execute(select(table.c.amount)).scalar_one() == value
        assert conn.execute(text("SELECT amount FROM t")).scalar_one() == cents


def test_money1_a_float_never_reaches_the_database(uow: UnitOfWork, practice) -> None:
    """MONEY-1: binding a float to a money column is refused."""
    with uow:
        uow.session.add(_charge(practice, 12.5))
        with pytest.raises(Exception, match="float"):
            uow.flush()


def test_money1_stored_as_integer_cents(uow: UnitOfWork, practice) -> None:
    """MONEY-1: 1,234.56 is stored as the integer 123456 and read back as Decimal('1234.56')."""
    with uow:
        uow.session.add(_charge(practice, Decimal("1234.56")))
        uow.commit()
    with uow:
        raw = uow.session.execute(text("SELECT amount FROM ledger_transaction")).scalar_one()
        value = uow.session.scalar(select(LedgerTransaction.amount))
    assert raw == 123456 and isinstance(raw, int)
    assert value == Decimal("1234.56") and str(value) == "1234.56"


def test_money2_a_negative_fee_is_refused_by_the_database(uow: UnitOfWork, practice) -> None:
    """MONEY-2: a fee schedule entry can be 0 but never negative, even bypassing the services."""
    with uow:
        code = ProcedureCode(
            office_id=practice.office_id, code="D0120", name="Periodic exam", category=Category.DIAGNOSTIC
        )
        other = ProcedureCode(
            office_id=practice.office_id, code="D0150", name="New patient exam", category=Category.DIAGNOSTIC
        )
        uow.session.add_all([code, other])
        uow.flush()
        schedule = FeeSchedule(office_id=practice.office_id, number=3, name="Fee 3")
        uow.session.add(schedule)
        uow.flush()
        uow.session.add(FeeScheduleEntry(fee_schedule_id=schedule.id, procedure_code_id=code.id, fee=Decimal("0.00")))
        uow.flush()
        uow.session.add(FeeScheduleEntry(fee_schedule_id=schedule.id, procedure_code_id=other.id, fee=Decimal("-1.00")))
        with pytest.raises(IntegrityError, match="fee_not_negative|CHECK"):
            uow.session.flush()


def test_data2_version_check_refuses_the_second_save(uow: UnitOfWork, engine, practice) -> None:
    """DATA-2: two sessions change one plan; the second commit raises ConflictError, the first stands.

    On SQLite a write action holds the write lock from its start (BEGIN IMMEDIATE), so the second
    workstation's session here began as a read, read the plan, and tries to write after the first
    committed: SQLite refuses that stale snapshot, and it comes out as a ConflictError."""
    with uow:
        plan = TreatmentPlan(office_id=practice.office_id, patient_id=practice.patient_ids[0], title="Phase 1")
        uow.session.add(plan)
        uow.commit()
        plan_id = plan.id
    first, second = UnitOfWork.for_engine(engine), UnitOfWork.for_engine(engine)
    with second.read(), first:
        b = second.session.get(TreatmentPlan, plan_id)
        a = first.session.get(TreatmentPlan, plan_id)
        a.title = "Phase 1: restorations"
        first.commit()
        b.title = "Other title"
        with pytest.raises(ConflictError, match="Another workstation"):
            second.commit()
    with uow:
        assert uow.session.get(TreatmentPlan, plan_id).title == "Phase 1: restorations"


def test_data1_leaving_the_unit_of_work_without_commit_saves_nothing(uow: UnitOfWork, practice) -> None:
    """DATA-1: an action that fails part-way is rolled back whole."""
    with pytest.raises(RuntimeError), uow:
        uow.session.add(_charge(practice, Decimal("10.00")))
        uow.flush()
        raise RuntimeError("the second half of the action failed")
    with uow:
        assert uow.session.scalar(select(LedgerTransaction.id)) is None
