"""The money practice with the plans, codes and coverage a money case needs, and short verbs for
what a person does (each one service call): post, file, pay, complete, age as of a date.

Used by the thirteen money cases (tests/integration/test_money_cases.py) and the Patient
Transactions window tests on them (tests/ui/test_money_windows.py); the clock is fixed on
2026-11-23 while a Clinic is in use.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from acting import staff
from money_practice import MoneyPractice
from sqlalchemy import delete, select

from dentaldesk import clock
from dentaldesk.db.models import (
    BluebookEntry,
    Coverage,
    DentalPlan,
    FeeSchedule,
    FeeScheduleEntry,
    LedgerTransaction,
    PlanCategory,
    ProcedureCode,
    Provider,
)
from dentaldesk.domain.aging import AgingBuckets
from dentaldesk.domain.terms import (
    ApprovalMethod,
    Category,
    CoverageRank,
    EstimationType,
    Icm,
)
from dentaldesk.services.claims.filing import (
    claim_detail,
    create_claim,
    post_insurance_payment,
)
from dentaldesk.services.ledger.aging import account_aging
from dentaldesk.services.ledger.posting import post_charge
from dentaldesk.services.ledger.queries import account_facts
from dentaldesk.services.plans import (
    SCHEDULE_FEE,
    ItemInput,
    approve,
    complete_item,
    create_plan,
)
from dentaldesk.services.plans import add_item as add_plan_item
from dentaldesk.services.plans.estimate import plan_estimate_in
from dentaldesk.services.uow import UnitOfWork

D = Decimal
TODAY = dt.date(2026, 11, 23)
FIXED = Category.PROSTHODONTICS_FIXED
R = Category.RESTORATIVE


@pytest.fixture
def clinic_clock():
    """The clock on 2026-11-23, 15:00 UTC, for the whole test."""
    with clock.clock_at(dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)):
        yield


class Clinic:
    """The money practice with the codes, plans and coverage a case needs, and short verbs for the
    person's actions (each one service call)."""

    def __init__(self, m: MoneyPractice) -> None:
        self.m = m
        self.uow: UnitOfWork = m.uow
        self.desk = m.front_desk
        self.owner = m.owner
        self.patient = m.patient_id
        self.account = m.account_id
        self.code_ids = dict(m.code_ids)  # this test's own: the practice's dict is shared by every copy
        with self.uow:
            s = self.uow.session
            self.provider = s.scalar(select(Provider.id).order_by(Provider.id))
            s.execute(delete(Coverage).where(Coverage.patient_id == self.patient))
            self.uow.commit()

    # --- set-up

    def code(
        self, code: str, name: str, category: Category, fee: str, insurable: bool = True, surfaces: bool = False
    ) -> int:
        if code in self.code_ids:
            return self.code_ids[code]
        with self.uow:
            s = self.uow.session
            row = ProcedureCode(
                office_id=self.desk.office_id,
                code=code,
                name=name,
                category=category,
                insurable=insurable,
                requires_tooth=surfaces,
                requires_surface=surfaces,
            )
            s.add(row)
            s.flush()
            schedule = s.scalar(select(FeeSchedule.id).where(FeeSchedule.number == 0))
            s.add(FeeScheduleEntry(fee_schedule_id=schedule, procedure_code_id=row.id, fee=D(fee)))
            self.code_ids[code] = row.id
            self.uow.commit()
        return row.id

    def plan(
        self,
        name: str,
        kind: EstimationType,
        percents: dict[Category, int],
        *,
        deductible: str = "0",
        annual_max: str | None = None,
        bluebook: dict[str, str] | None = None,
        rank: CoverageRank = CoverageRank.PRIMARY,
        used: str = "0",
        icm: Icm = Icm.FULL_FEE_AT_SERVICE,
        copay: str = "0",
    ) -> int:
        """A dental plan covering the patient this year; bluebook: code -> plan fee."""
        with self.uow:
            s = self.uow.session
            plan = DentalPlan(
                office_id=self.desk.office_id,
                name=name,
                carrier="Acme Dental",
                estimation_type=kind,
                deductible=D(deductible),
                annual_max=None if annual_max is None else D(annual_max),
                default_copay=D(copay),
            )
            s.add(plan)
            s.flush()
            for category, percent in percents.items():
                s.add(
                    PlanCategory(
                        dental_plan_id=plan.id,
                        category=category,
                        coverage_percent=percent,
                        deductible_applies=category not in (Category.DIAGNOSTIC, Category.PREVENTIVE),
                    )
                )
            for code, plan_fee in (bluebook or {}).items():
                s.add(BluebookEntry(dental_plan_id=plan.id, code=code, plan_fee=D(plan_fee)))
            s.add(
                Coverage(
                    patient_id=self.patient,
                    dental_plan_id=plan.id,
                    rank=rank,
                    subscriber_name="Anna Smith",
                    benefit_year=TODAY.year,
                    benefits_used=D(used),
                )
            )
            self.uow.commit()
        self.m.set_icm(icm)
        return plan.id

    # --- what a person does

    def charge(self, code: str, dos: dt.date, fee: str | None = None, **details):
        from money_practice import CODES

        return post_charge(
            self.uow,
            self.desk,
            patient_id=self.patient,
            procedure_code_id=self.code_ids[code],
            fee=fee if fee is not None else CODES[code][2],
            dos=dos,
            today=TODAY,
            back_dating_confirmed=True,
            **details,
        )

    def file(self, on: dt.date):
        return create_claim(self.uow, self.desk, patient_id=self.patient, today=on)

    def pay_claim(self, claim_id: int, paid: list[str], on: dt.date, write_offs: list[str] | None = None, final=True):
        lines = claim_detail(self.uow, self.desk, claim_id).lines
        return post_insurance_payment(
            self.uow,
            self.desk,
            claim_id=claim_id,
            paid={line.line_id: amount for line, amount in zip(lines, paid, strict=True)},
            write_offs=None
            if write_offs is None
            else {line.line_id: amount for line, amount in zip(lines, write_offs, strict=True)},
            paid_on=on,
            final=final,
            today=TODAY,
        )

    def aging(self, as_of: dt.date) -> AgingBuckets:
        return account_aging(self.uow, staff(self.uow), self.account, as_of)

    def balance(self) -> Decimal:
        return account_facts(self.uow, staff(self.uow), self.account).balance

    def treatment(self, *items: tuple[str, str, str, str | None]):
        """A plan of (code, tooth, surfaces, fee) items, approved; returns (plan id, item ids)."""
        saved = create_plan(self.uow, self.owner, self.patient, "Case plan")
        ids = []
        for code, tooth, surfaces, fee in items:
            saved = add_plan_item(
                self.uow,
                self.owner,
                saved.plan_id,
                ItemInput(
                    code=code,
                    tooth=tooth,
                    surfaces=surfaces,
                    provider_id=self.provider,
                    fee=D(fee) if fee else SCHEDULE_FEE,
                ),
                expected_version=saved.version,
            )
            ids.append(saved.item_id)
        return saved, ids

    def approve(self, saved):
        return approve(
            self.uow,
            self.desk,
            saved.plan_id,
            expected_version=saved.version,
            approver_name="Anna Smith",
            method=ApprovalMethod.ON_PAPER,
        )

    def complete(self, saved, item_id: int, on: dt.date = TODAY, **kw):
        return complete_item(
            self.uow,
            self.desk,
            saved.plan_id,
            item_id,
            expected_version=saved.version,
            completed_on=on,
            today=TODAY,
            **kw,
        )

    def figures(self, plan_id: int):
        with self.uow.read():
            return plan_estimate_in(self.uow.session, plan_id)

    def charge_of_item(self, item_id: int) -> SimpleNamespace:
        """The charge a plan item posted, as plain values."""
        with self.uow.read():
            tx = self.uow.session.scalar(select(LedgerTransaction).where(LedgerTransaction.plan_item_id == item_id))
            assert tx is not None, f"item {item_id} posted no charge"
            names = ("id", "dos", "aged_date", "amount", "write_off", "held_amount", "estimated_insurance")
            return SimpleNamespace(
                **{
                    n: getattr(tx, n)
                    for n in (*names, "estimated_secondary", "deductible_primary", "deductible_secondary")
                }
            )


@pytest.fixture
def clinic(money: MoneyPractice, clinic_clock) -> Clinic:
    return Clinic(money)


def _day(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)
