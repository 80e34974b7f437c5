"""A small practice with a claimed charge and chart marks, for the chart tests (TX-CHART-*).

Built through the services where one exists (codes, users, posting a charge, charting) and with
plain rows for what has no service yet (dental plan, coverage, claim, a plan item).
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dentaldesk import clock
from dentaldesk.db.engine import make_engine
from dentaldesk.db.models import (
    Claim,
    ClaimLine,
    Coverage,
    DentalPlan,
    LedgerTransaction,
    Office,
    PlanItem,
    PlanOption,
    ProcedureCode,
    TreatmentPlan,
)
from dentaldesk.domain.terms import (
    ClaimStatus,
    CoverageRank,
    EstimationType,
    GraphicStatus,
    Role,
    ToothNumbering,
    TransactionKind,
)
from dentaldesk.services.access.login import login
from dentaldesk.services.chart.marks import chart_procedure
from dentaldesk.services.ledger.posting import post_charge_in
from dentaldesk.services.practice.codes import copy_master_codes
from dentaldesk.services.practice.staff import UserForm, add_user
from dentaldesk.services.uow import UnitOfWork

CODES = ["D0120", "D1351", "D2391", "D2740", "D3330", "D6010", "D7140"]


class ChartedPractice:
    """Patient 0 of a SmallPractice with: a D2740 crown on tooth 14, posted, on an open claim,
    charted completed; a planned D2391 MO on tooth 3 from a draft plan item; a $100 payment.
    """

    def __init__(self, practice: object) -> None:
        uow: UnitOfWork = practice.uow  # type: ignore[attr-defined]
        self.uow = uow
        self.engine: Engine | None = None
        self.patient_ids: list[int] = list(practice.patient_ids)  # type: ignore[attr-defined]
        self.owner = practice.owner  # type: ignore[attr-defined]
        self.front_desk = practice.front_desk  # type: ignore[attr-defined]
        self.office_id: int = practice.office_id  # type: ignore[attr-defined]
        self.patient_id: int = practice.patient_ids[0]  # type: ignore[attr-defined]
        self.account_id: int = practice.account_id  # type: ignore[attr-defined]
        copy_master_codes(uow, self.owner, CODES)
        for username, role, name in (("dent", Role.DENTIST, "Dana Dent"), ("admin", Role.ADMIN, "Adam Admin")):
            add_user(
                uow,
                self.owner,
                UserForm(username=username, full_name=name, role=role, password=f"{username}-pass-1", provider_id=None),
            )
        self.dentist = login(uow, "dent", "dent-pass-1", "op-1")
        self.admin = login(uow, "admin", "admin-pass-1", "desk-2")
        with uow:
            s = uow.session
            self.code_ids = dict(
                s.execute(
                    select(ProcedureCode.code, ProcedureCode.id).where(ProcedureCode.office_id == self.office_id)
                ).all()
            )
            plan = DentalPlan(
                office_id=self.office_id,
                name="Delta Basic",
                carrier="Delta",
                estimation_type=EstimationType.PERCENTAGE,
                deductible=Decimal("50.00"),
            )
            s.add(plan)
            s.flush()
            coverage = Coverage(
                patient_id=self.patient_id,
                dental_plan_id=plan.id,
                rank=CoverageRank.PRIMARY,
                subscriber_name="Anna Smith",
                benefit_year=clock.today().year,
            )
            s.add(coverage)
            s.flush()
            tx = post_charge_in(
                s,
                self.owner,
                patient_id=self.patient_id,
                procedure_code_id=self.code_ids["D2740"],
                fee=Decimal("1200.00"),
                dos=clock.today() - dt.timedelta(days=40),
                tooth="14",
                back_dating_confirmed=True,
            )
            claim = Claim(
                office_id=self.office_id,
                account_id=self.account_id,
                patient_id=self.patient_id,
                coverage_id=coverage.id,
                claim_number="C-0001",
                status=ClaimStatus.OPEN,
                created_on=clock.today() - dt.timedelta(days=39),
            )
            s.add(claim)
            s.flush()
            tx.claim_id = claim.id
            s.add(ClaimLine(claim_id=claim.id, transaction_id=tx.id, estimated=Decimal("600.00")))
            s.add(
                LedgerTransaction(
                    office_id=self.office_id,
                    account_id=self.account_id,
                    patient_id=self.patient_id,
                    kind=TransactionKind.PAYMENT,
                    description="Cash",
                    dos=clock.today() - dt.timedelta(days=30),
                    amount=Decimal("100.00"),
                )
            )
            treatment = TreatmentPlan(office_id=self.office_id, patient_id=self.patient_id, title="Fillings")
            treatment.options = [PlanOption(name="Option A", position=1)]
            s.add(treatment)
            s.flush()
            item = PlanItem(
                plan_id=treatment.id,
                option_id=treatment.options[0].id,
                procedure_code_id=self.code_ids["D2391"],
                tooth="3",
                surfaces="MO",
                fee=Decimal("180.00"),
            )
            s.add(item)
            s.flush()
            self.transaction_id = tx.id
            self.claim_id = claim.id
            self.plan_item_id = item.id
            uow.commit()
        self.crown_mark = chart_procedure(
            uow,
            self.dentist,
            self.patient_id,
            self.code_ids["D2740"],
            "14",
            "",
            GraphicStatus.COMPLETED,
            transaction_id=self.transaction_id,
        )
        self.filling_mark = chart_procedure(
            uow,
            self.dentist,
            self.patient_id,
            self.code_ids["D2391"],
            "3",
            "MO",
            GraphicStatus.PLANNED,
            plan_item_id=self.plan_item_id,
        )

    def set_numbering(self, numbering: ToothNumbering) -> None:
        with self.uow:
            office = self.uow.session.get(Office, self.office_id)
            assert office is not None
            office.tooth_numbering = numbering
            self.uow.commit()

    def on(self, engine: Engine) -> ChartedPractice:
        """The same practice (same ids and users) in another copy of its database."""
        twin = copy.copy(self)
        twin.engine = engine
        twin.uow = UnitOfWork.for_engine(engine)
        return twin


def build_template(small: tuple[Path, object], path: Path) -> ChartedPractice:
    """Build the practice once into ``path`` on a copy of conftest's SmallPractice template."""
    small_path, small_practice = small
    shutil.copyfile(small_path, path)
    engine = make_engine(f"sqlite:///{path}")
    base = copy.copy(small_practice)
    base.uow = UnitOfWork.for_engine(engine)  # type: ignore[attr-defined]
    built = ChartedPractice(base)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return built


@pytest.fixture(scope="session")
def charted_template(
    small_practice_template: tuple[Path, object], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ChartedPractice]:
    path = tmp_path_factory.mktemp("chart") / "chart.sqlite3"
    return path, build_template(small_practice_template, path)


@pytest.fixture
def charted(charted_template: tuple[Path, ChartedPractice], tmp_path: Path) -> Iterator[ChartedPractice]:
    """A private copy of the charted practice for one test."""
    template, built = charted_template
    path = tmp_path / "chart.sqlite3"
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield built.on(engine)
    engine.dispose()
