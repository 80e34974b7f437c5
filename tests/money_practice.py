"""A small practice with codes, fees, a dental plan and coverage, for the money service tests.

Built on conftest's SmallPractice (office TST01, owner + front desk, account A1 with 5 patients).
The plan "Acme Percentage" pays 100 % diagnostic/preventive (no deductible), 80 % restorative,
50 % fixed prosthodontics, deductible 50.00, annual maximum 1,500.00; patient 0 (Anna, the
guarantor) is its primary subscriber for this year.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade
from dentaldesk.db.models import (
    Account,
    Coverage,
    DentalPlan,
    FeeSchedule,
    FeeScheduleEntry,
    Patient,
    PlanCategory,
    ProcedureCode,
)
from dentaldesk.domain.terms import Category, CoverageRank, EstimationType, Icm
from dentaldesk.services.uow import UnitOfWork

TODAY = dt.date(2025, 6, 30)

CODES = {
    # code: (name, category, fee, insurable)
    "D0120": ("Periodic exam", Category.DIAGNOSTIC, "65.00", True),
    "D1110": ("Adult cleaning", Category.PREVENTIVE, "125.00", True),
    "D2391": ("Resin filling, one surface", Category.RESTORATIVE, "180.00", True),
    "D2740": ("Crown, all porcelain", Category.PROSTHODONTICS_FIXED, "1350.00", True),
    "D9972": ("Whitening, per arch", Category.ADJUNCTIVE, "300.00", False),
}


class MoneyPractice:
    def __init__(self, practice, icm: Icm = Icm.FULL_FEE_AT_SERVICE) -> None:  # type: ignore[no-untyped-def]
        self.base = practice
        self.uow = practice.uow
        self.owner = practice.owner
        self.front_desk = practice.front_desk
        self.account_id = practice.account_id
        self.patient_id = practice.patient_ids[0]
        self.code_ids: dict[str, int] = {}
        with self.uow:
            s = self.uow.session
            office_id = practice.office_id
            schedule = s.scalar(select(FeeSchedule).where(FeeSchedule.office_id == office_id, FeeSchedule.number == 0))
            for code, (name, category, fee, insurable) in CODES.items():
                row = ProcedureCode(
                    office_id=office_id, code=code, name=name, category=category, insurable=insurable, default_rtu=30
                )
                s.add(row)
                s.flush()
                s.add(FeeScheduleEntry(fee_schedule_id=schedule.id, procedure_code_id=row.id, fee=Decimal(fee)))
                self.code_ids[code] = row.id
            plan = DentalPlan(
                office_id=office_id,
                name="Acme Percentage",
                carrier="Acme Dental",
                estimation_type=EstimationType.PERCENTAGE,
                deductible=Decimal("50.00"),
                annual_max=Decimal("1500.00"),
            )
            s.add(plan)
            s.flush()
            self.plan_id = plan.id
            for category, percent, deductible in (
                (Category.DIAGNOSTIC, 100, False),
                (Category.PREVENTIVE, 100, False),
                (Category.RESTORATIVE, 80, True),
                (Category.PROSTHODONTICS_FIXED, 50, True),
            ):
                s.add(
                    PlanCategory(
                        dental_plan_id=plan.id,
                        category=category,
                        coverage_percent=percent,
                        deductible_applies=deductible,
                    )
                )
            coverage = Coverage(
                patient_id=self.patient_id,
                dental_plan_id=plan.id,
                rank=CoverageRank.PRIMARY,
                subscriber_name="Anna Smith",
                benefit_year=TODAY.year,
            )
            s.add(coverage)
            s.flush()
            self.coverage_id = coverage.id
            s.get(Account, self.account_id).icm = int(icm)
            self.uow.commit()

    def on(self, engine) -> MoneyPractice:  # type: ignore[no-untyped-def]
        """The same practice (same ids and users) in another copy of its database."""
        twin = copy.copy(self)
        twin.uow = UnitOfWork.for_engine(engine)
        twin.engine = engine
        return twin

    def set_icm(self, icm: Icm) -> None:
        with self.uow:
            self.uow.session.get(Account, self.account_id).icm = int(icm)
            self.uow.commit()

    def patient_name(self, patient_id: int | None = None) -> str:
        with self.uow:
            return self.uow.session.get(Patient, patient_id or self.patient_id).full_name


@pytest.fixture(scope="session")
def money_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MoneyPractice]:
    """The money practice built once per session (logins hash passwords: slow); tests copy it."""
    from conftest import SmallPractice

    path = tmp_path_factory.mktemp("money") / "money.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    built = MoneyPractice(SmallPractice(UnitOfWork.for_engine(engine)))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, built


@pytest.fixture
def money(money_template: tuple[Path, MoneyPractice], tmp_path: Path) -> Iterator[MoneyPractice]:
    """A private copy of the money practice (ICM 0) for one test."""
    source, built = money_template
    path = tmp_path / "money.sqlite3"
    shutil.copyfile(source, path)
    engine = make_engine(f"sqlite:///{path}")
    yield built.on(engine)
    engine.dispose()
