"""The demo practice and the large benchmark generator (dentaldesk.demo)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dentaldesk.config import StorageError
from dentaldesk.db.models import (
    Account,
    AuditEvent,
    BluebookEntry,
    ChartGraphic,
    Claim,
    ClaimLine,
    Coverage,
    DentalPlan,
    FeeSchedule,
    FeeScheduleEntry,
    ItemPrerequisite,
    LedgerTransaction,
    MasterCode,
    Office,
    Patient,
    PlanApproval,
    PlanCategory,
    PlanItem,
    PlanStatusChange,
    ProcedureCode,
    TreatmentPlan,
    User,
)
from dentaldesk.demo import DEMO_PASSWORDS, create_demo_practice
from dentaldesk.domain.approval import ApprovedLine, content_hash
from dentaldesk.domain.money import percent_of
from dentaldesk.domain.teeth import parse_surfaces, parse_tooth
from dentaldesk.domain.terms import Category, ClaimStatus, EstimationType, Icm, ItemStatus, PlanStatus, Role
from dentaldesk.domain.text import search_key
from dentaldesk.services.access.login import login
from dentaldesk.services.uow import UnitOfWork

TODAY = date(2026, 11, 23)


def _count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _counts(engine: Engine, *models: type) -> tuple[int, ...]:
    with Session(engine) as session:
        return tuple(_count(session, model) for model in models)


@pytest.fixture
def demo(demo_engine: Engine) -> Iterator[Session]:
    """A read-only look at a copy of the demo practice."""
    with Session(demo_engine) as session:
        yield session


def test_demo_is_one_office_with_one_user_per_role(demo: Session) -> None:
    """The demo is Maple Street Dental (MSD01) with an owner, admin, dentist and front-desk user."""
    offices = demo.scalars(select(Office)).all()
    users = demo.scalars(select(User)).all()
    assert [(o.office_code, o.name) for o in offices] == [("MSD01", "Maple Street Dental")]
    assert offices[0].tax_rate == Decimal("6.000") and offices[0].estimate_valid_days == 90
    assert sorted(u.role for u in users) == sorted(Role)
    assert {u.username for u in users} == set(DEMO_PASSWORDS)
    dentist = next(u for u in users if u.role is Role.DENTIST)
    assert dentist.provider is not None and dentist.provider.kind == "dentist"


def test_every_demo_password_logs_in(demo_uow: UnitOfWork) -> None:
    """Each user name and password printed in the README logs in with its role."""
    roles = {login(demo_uow, name, password, "test").role for name, password in DEMO_PASSWORDS.items()}
    assert roles == set(Role)


def test_demo_office_list_leaves_master_codes_to_copy(demo: Session) -> None:
    """All of the master list (>= 120 codes) is in the office list except a few left to copy (CODE-3)."""
    master = set(demo.scalars(select(MasterCode.code)))
    office = set(demo.scalars(select(ProcedureCode.code)))
    assert len(master) >= 120
    assert office < master and 1 <= len(master - office) <= 5
    assert "D6010" in office


def test_demo_fee_schedule_1_is_a_discount_with_gaps(demo: Session) -> None:
    """Schedule 0 has every code; schedule 1 is 90% of it and lacks a few, so Fee 0 is the fallback."""
    fees: dict[int, dict[int, Decimal]] = {}
    for number, code_id, fee in demo.execute(
        select(FeeSchedule.number, FeeScheduleEntry.procedure_code_id, FeeScheduleEntry.fee).join(
            FeeScheduleEntry, FeeScheduleEntry.fee_schedule_id == FeeSchedule.id
        )
    ):
        fees.setdefault(number, {})[code_id] = fee
    assert set(fees) == {0, 1}
    assert len(fees[0]) == _count(demo, ProcedureCode)
    assert 1 <= len(set(fees[0]) - set(fees[1])) <= 10
    assert all(fee == percent_of(fees[0][code], 90) for code, fee in fees[1].items())
    fallback = demo.scalars(select(PlanItem.fee_source).where(PlanItem.fee_source.like("Fee 0 (schedule 1%"))).all()
    assert fallback


def test_demo_has_the_three_estimation_types_with_bluebooks(demo: Session) -> None:
    """Percentage, PPO and DMO plans each have bluebook entries and a row for every category."""
    plans = {p.estimation_type: p for p in demo.scalars(select(DentalPlan))}
    books = Counter(
        demo.scalars(
            select(DentalPlan.estimation_type).join(BluebookEntry, BluebookEntry.dental_plan_id == DentalPlan.id)
        )
    )
    assert set(plans) == {EstimationType.PERCENTAGE, EstimationType.PPO, EstimationType.DMO}
    assert books[EstimationType.PPO] > books[EstimationType.DMO] > books[EstimationType.PERCENTAGE] > 0
    assert all({c.category for c in plan.categories} == set(Category) for plan in plans.values())
    percentage = plans[EstimationType.PERCENTAGE]
    assert (percentage.deductible, percentage.annual_max) == (Decimal("50.00"), Decimal("1500.00"))
    assert plans[EstimationType.DMO].default_copay > 0


def test_demo_patients_accounts_and_coverage(demo: Session) -> None:
    """About 40 patients in about 25 accounts on every ICM and both schedules; most insured, some twice."""
    patients = demo.scalars(select(Patient)).all()
    accounts = demo.scalars(select(Account)).all()
    ranks = Counter(demo.scalars(select(Coverage.rank)))
    insured = set(demo.scalars(select(Coverage.patient_id)))
    assert 35 <= len(patients) <= 45 and 20 <= len(accounts) <= 30
    assert {Icm(a.icm) for a in accounts} == set(Icm)
    assert {a.fee_schedule for a in accounts} == {0, 1}
    assert all(a.guarantor_id in {p.id for p in a.patients} for a in accounts)
    assert all(
        (p.first_name_key, p.last_name_key) == (search_key(p.first_name), search_key(p.last_name)) for p in patients
    )
    assert sum(1 for p in patients if p.email) > len(patients) // 2 > sum(1 for p in patients if not p.email)
    assert any(p.birth_date.year > TODAY.year - 13 for p in patients)
    assert 0 < len(patients) - len(insured) <= 8
    assert ranks["secondary"] >= 3 and len(set(demo.scalars(select(Coverage.dental_plan_id)))) == 3


def test_demo_plans_in_every_status(demo: Session) -> None:
    """Drafts are untouched, approved plans part-done, completed ones done, cancelled ones give a reason."""
    plans = demo.scalars(select(TreatmentPlan)).all()
    for plan in plans:
        states = {item.status for item in plan.items}
        assert 2 <= len(plan.items) <= 8
        assert plan.status_changes[-1].to_status is plan.status
        if plan.status is PlanStatus.DRAFT:
            assert states == {ItemStatus.PLANNED} and not plan.approvals
        elif plan.status is PlanStatus.APPROVED:
            assert ItemStatus.PLANNED in states and plan.approved_total == plan.approvals[-1].total
        elif plan.status is PlanStatus.COMPLETED:
            assert states == {ItemStatus.COMPLETED} and plan.approvals
        else:
            assert plan.cancel_reason and plan.status_changes[-1].note == plan.cancel_reason
    part_done = [
        p for p in plans if p.status is PlanStatus.APPROVED and ItemStatus.COMPLETED in {i.status for i in p.items}
    ]
    assert {p.status for p in plans} == set(PlanStatus) and part_done
    assert _count(demo, PlanItem, PlanItem.fee < PlanItem.schedule_fee) >= 2


def test_demo_items_have_what_their_codes_require(demo: Session) -> None:
    """Every item has the tooth and surfaces its code requires, on a valid Universal tooth (CODE-4, ID-1, ID-2)."""
    rows = demo.execute(select(PlanItem, ProcedureCode).join(ProcedureCode)).all()
    assert rows
    for item, code in rows:
        assert item.tooth or not code.requires_tooth, code.code
        assert item.surfaces or not code.requires_surface, code.code
        assert item.tooth is None or parse_tooth(item.tooth) == item.tooth
        assert parse_surfaces(item.surfaces) == item.surfaces
        assert item.provider_id is not None and item.rtu == code.default_rtu


def test_demo_approvals_hash_what_was_approved(demo: Session) -> None:
    """Each approval's content hash is the hash of its recorded lines and total, in its own hash
    version (TP-15)."""
    rows = demo.execute(select(PlanApproval, TreatmentPlan.title).join(TreatmentPlan)).all()
    assert rows
    for approval, title in rows:
        lines = [
            ApprovedLine(
                d["code"],
                d["tooth"],
                d["surfaces"],
                d["provider"],
                Decimal(d["fee"]),
                d["visit"],
                d.get("taxable"),
                d.get("insurable"),
                Decimal(d.get("insurance", "0")),
                Decimal(d.get("patient", "0")),
            )
            for d in json.loads(approval.lines_json)
        ]
        assert sum((line.fee for line in lines), Decimal(0)) == approval.total
        assert content_hash(title, lines, approval.total, approval.hash_version) == approval.content_hash


def test_demo_prerequisites_are_respected(demo: Session) -> None:
    """No completed item waits for an unfinished one, and an implant waits for its extraction (TP-8, TP-9)."""
    links = demo.execute(select(ItemPrerequisite.item_id, ItemPrerequisite.prerequisite_id)).all()
    items = {i.id: i for i in demo.scalars(select(PlanItem))}
    codes = dict(demo.execute(select(ProcedureCode.id, ProcedureCode.code)).all())
    assert links
    for item_id, prerequisite_id in links:
        item, prerequisite = items[item_id], items[prerequisite_id]
        assert item.plan_id == prerequisite.plan_id
        if item.status is ItemStatus.COMPLETED:
            assert prerequisite.status is ItemStatus.COMPLETED and prerequisite.completed_on <= item.completed_on
    chains = {(codes[items[p].procedure_code_id], codes[items[i].procedure_code_id]) for i, p in links}
    assert {("D7210", "D6010"), ("D6010", "D6058")} <= chains


def test_demo_completed_items_are_charged_at_their_fee(demo: Session) -> None:
    """Every completed item posted one charge at its fee on its completion date; taxable codes carry tax (TP-13)."""
    done = demo.scalars(select(PlanItem).where(PlanItem.status == ItemStatus.COMPLETED)).all()
    charges = {
        t.plan_item_id: t
        for t in demo.scalars(select(LedgerTransaction).where(LedgerTransaction.plan_item_id.is_not(None)))
    }
    taxed = demo.scalars(select(LedgerTransaction).where(LedgerTransaction.taxable.is_(True))).all()
    assert done and set(charges) == {item.id for item in done}
    assert all((charges[i.id].amount, charges[i.id].dos) == (i.fee, i.completed_on) for i in done)
    assert taxed and all(t.tax == percent_of(t.amount, Decimal("6.000")) > 0 for t in taxed)
    marks = Counter(demo.scalars(select(ChartGraphic.status)))
    assert set(marks) == {"planned", "completed", "existing"}


def test_demo_charges_age_by_the_accounts_icm(demo: Session) -> None:
    """ICM 0 or uninsurable charges age from DOS; ICM 1 holds the charge less its write-off for the
    claim; ICM 2 holds the estimate and ages the patient's part from DOS; a completed claim's held
    parts age from its completion, the patient's parts keep their DOS (TX-AGE-2..4, INS-8)."""
    rows = demo.execute(
        select(LedgerTransaction, Account.icm, Claim.completed_on)
        .join(Account, Account.id == LedgerTransaction.account_id)
        .outerjoin(Claim, Claim.id == LedgerTransaction.claim_id)
        .where(LedgerTransaction.kind == "charge", LedgerTransaction.procedure_code_id.is_not(None))
    ).all()
    seen: Counter[tuple[int, bool, bool]] = Counter()
    for charge, icm, completed_on in rows:
        net = charge.amount + charge.tax - charge.write_off
        assert charge.released_on == completed_on
        if not charge.insurable or icm == Icm.FULL_FEE_AT_SERVICE:
            assert (charge.aged_date, charge.held_amount) == (charge.dos, 0)
        elif icm == Icm.AFTER_INSURANCE:
            assert (charge.aged_date, charge.held_amount) == (None, net)
        else:
            assert charge.aged_date == charge.dos
            assert charge.held_amount == min(charge.estimated_insurance, net) > 0
        seen[(icm, charge.insurable, completed_on is not None)] += 1
    assert seen[(1, True, True)] and seen[(2, True, True)] and seen[(0, True, False)]


def test_demo_history_comes_from_the_one_estimate_and_write_off(demo: Session) -> None:
    """INS-8/INS-7/INS-3: the demo's PPO write-offs are posted with their charges (fee less the plan
    fee), never as adjustments; what a coverage paid and was still expected to pay in a benefit year
    is never more than its annual maximum; every insurable charge keeps the explanation of the
    estimate it was posted with."""
    assert not demo.scalars(
        select(LedgerTransaction.id).where(LedgerTransaction.description.like("PPO write-off%"))
    ).all()
    ppo = demo.execute(
        select(LedgerTransaction, BluebookEntry.plan_fee)
        .join(ProcedureCode, ProcedureCode.id == LedgerTransaction.procedure_code_id)
        .join(Coverage, (Coverage.patient_id == LedgerTransaction.patient_id) & (Coverage.rank == "primary"))
        .join(DentalPlan, (DentalPlan.id == Coverage.dental_plan_id) & (DentalPlan.estimation_type == "ppo"))
        .join(
            BluebookEntry, (BluebookEntry.dental_plan_id == DentalPlan.id) & (BluebookEntry.code == ProcedureCode.code)
        )
        .where(LedgerTransaction.insurable.is_(True))
    ).all()
    assert ppo and all(tx.write_off == max(Decimal(0), tx.amount - plan_fee) for tx, plan_fee in ppo)
    assert demo.scalar(select(func.sum(LedgerTransaction.write_off))) > 0
    per_year: Counter[tuple[int, int]] = Counter()
    for tx, annual_max, coverage_id, status, paid in demo.execute(
        select(LedgerTransaction, DentalPlan.annual_max, Coverage.id, Claim.status, ClaimLine.paid)
        .join(Coverage, (Coverage.patient_id == LedgerTransaction.patient_id) & (Coverage.rank == "primary"))
        .join(DentalPlan, DentalPlan.id == Coverage.dental_plan_id)
        .outerjoin(Claim, Claim.id == LedgerTransaction.claim_id)
        .outerjoin(ClaimLine, ClaimLine.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.insurable.is_(True), DentalPlan.annual_max.is_not(None))
    ):
        expected = paid if status == ClaimStatus.COMPLETE else tx.estimated_insurance - tx.estimated_secondary
        per_year[(coverage_id, tx.dos.year)] += expected
        assert per_year[(coverage_id, tx.dos.year)] <= annual_max
        assert tx.estimate_note.startswith("Fee ")


def test_demo_has_open_and_complete_claims_of_insurable_charges(demo: Session) -> None:
    """Claims are open and complete; their lines are insurable charges, and the carrier's payments add up."""
    claims = demo.scalars(select(Claim)).all()
    lines = demo.execute(select(ClaimLine, LedgerTransaction).join(LedgerTransaction)).all()
    paid = demo.scalar(select(func.sum(LedgerTransaction.amount)).where(LedgerTransaction.kind == "insurance_payment"))
    assert {c.status for c in claims} == {ClaimStatus.OPEN, ClaimStatus.COMPLETE}
    assert all((c.status is ClaimStatus.COMPLETE) == (c.completed_on is not None) for c in claims)
    assert all(t.insurable and t.claim_id == line.claim_id for line, t in lines)
    assert paid == sum((line.paid for line, _ in lines), Decimal(0))


def test_demo_ledger_money_is_decimal(demo: Session) -> None:
    """Amounts, tax and their sums come back as Decimal cents, never float (MONEY-1)."""
    amounts = demo.scalars(select(LedgerTransaction.amount)).all()
    total = demo.scalar(select(func.sum(LedgerTransaction.amount)))
    tax = demo.scalar(select(func.sum(LedgerTransaction.tax)))
    assert all(isinstance(a, Decimal) and a == a.quantize(Decimal("0.01")) for a in amounts)
    assert isinstance(total, Decimal) and isinstance(tax, Decimal)
    assert total == sum(amounts, Decimal(0)) and total > 0 and tax > 0


def test_second_build_is_refused_and_changes_nothing(demo_engine: Engine) -> None:
    """Building into a database that holds a practice is refused with a message; nothing changes."""
    tables = (Office, Patient, LedgerTransaction, AuditEvent, MasterCode)
    before = _counts(demo_engine, *tables)
    for size in ("demo", "large"):
        with pytest.raises(StorageError, match="already holds a practice; nothing was changed"):
            create_demo_practice(demo_engine, size=size, today=TODAY)  # type: ignore[arg-type]
    assert _counts(demo_engine, *tables) == before


def _fingerprint(engine: Engine) -> tuple[list[tuple[str, ...]], dict[str, Decimal]]:
    with Session(engine) as session:
        names = session.execute(
            select(Patient.patient_number, Patient.first_name, Patient.last_name).order_by(Patient.patient_number)
        ).all()
        sums = session.execute(
            select(LedgerTransaction.kind, func.sum(LedgerTransaction.amount)).group_by(LedgerTransaction.kind)
        ).all()
        return [tuple(row) for row in names], {kind.value: total for kind, total in sums}


def test_same_seed_and_day_build_the_same_practice(demo_engine: Engine, engine: Engine) -> None:
    """A second build with the demo's seed and day gives the same patients and ledger sums."""
    with Session(demo_engine) as session:
        details = json.loads(session.scalar(select(AuditEvent.after).where(AuditEvent.action == "demo_create")) or "{}")
    again = create_demo_practice(engine, seed=details["seed"], today=date.fromisoformat(details["today"]))
    expected = (details["patients"], details["plans"], details["ledger_rows"])
    assert (again.patients, again.plans, again.ledger_rows) == expected
    assert _fingerprint(engine) == _fingerprint(demo_engine)


def test_scale_is_only_for_the_large_practice(engine: Engine) -> None:
    """The demo has a fixed size: a scale is refused before anything is written."""
    with pytest.raises(ValueError, match="large practice only"):
        create_demo_practice(engine, scale=0.5, today=TODAY)
    assert _counts(engine, Office) == (0,)


def test_large_generator_scaled_down_keeps_its_proportions(engine: Engine) -> None:
    """A 1/200 large practice: 500 patients, ~10 ledger rows each, 100 plans of ~5 items, one of 60."""
    stages: list[tuple[str, int, int]] = []
    summary = create_demo_practice(engine, size="large", scale=0.005, today=TODAY, progress=lambda *s: stages.append(s))
    assert (summary.patients, summary.plans) == (500, 100)
    assert stages[-1] == ("Done", 1, 1) and ("Patients, plans and ledger", 500, 500) in stages
    with Session(engine) as session:
        assert (_count(session, Patient), _count(session, TreatmentPlan)) == (500, 100)
        assert summary.ledger_rows == _count(session, LedgerTransaction)
        assert 6 <= summary.ledger_rows / summary.patients <= 14
        assert 1.5 <= summary.patients / summary.accounts <= 2.5
        assert 4.0 <= _count(session, PlanItem) / summary.plans <= 6.5
        sizes = Counter(session.scalars(select(func.count(PlanItem.id)).group_by(PlanItem.plan_id)))
        sixty = session.scalar(select(PlanItem.plan_id).group_by(PlanItem.plan_id).having(func.count() == 60))
        assert sizes[60] >= 1
        assert (
            _count(
                session,
                ItemPrerequisite,
                ItemPrerequisite.item_id.in_(select(PlanItem.id).where(PlanItem.plan_id == sixty)),
            )
            >= 10
        )
        kinds = {k.value for k in session.scalars(select(LedgerTransaction.kind).distinct())}
        assert kinds == {"charge", "payment", "insurance_payment", "adjustment"}  # write-offs are on their charges
        assert set(session.scalars(select(TreatmentPlan.status).distinct())) == set(PlanStatus)
        claimed = session.scalars(select(LedgerTransaction.insurable).join(ClaimLine)).all()
        assert claimed and all(claimed)
        assert _count(session, Coverage) > summary.patients // 2
        assert _count(session, PlanStatusChange) > summary.plans
        assert _count(session, PlanCategory) == 3 * len(Category)
    with engine.connect() as conn:  # the build's speed-up setting is put back
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


@pytest.mark.postgres
def test_the_large_practice_on_postgresql_takes_new_rows_after_its_bulk_load(pg_engine_new) -> None:
    """DATA-3: after the bulk load (ids written with the rows) the sequences are past them, so the
    first payment, plan and charge an office saves get fresh ids instead of a refused unique key."""
    from dentaldesk import clock
    from dentaldesk.db.models import Account, LedgerTransaction, TreatmentPlan
    from dentaldesk.demo import DEMO_PASSWORDS
    from dentaldesk.services.access.login import login
    from dentaldesk.services.ledger.posting import post_payment
    from dentaldesk.services.uow import UnitOfWork

    create_demo_practice(pg_engine_new, size="large", scale=0.002)
    uow = UnitOfWork.for_engine(pg_engine_new)
    actor = login(uow, "owner", DEMO_PASSWORDS["owner"], "test")
    with uow:
        account_id = uow.session.scalar(select(Account.id).order_by(Account.id).limit(1))
        highest = uow.session.scalar(select(func.max(LedgerTransaction.id)))
        plans = uow.session.scalar(select(func.max(TreatmentPlan.id)))
    post_payment(uow, actor, account_id=account_id, amount="25.00", paid_on=clock.today())
    with uow:
        assert uow.session.scalar(select(func.max(LedgerTransaction.id))) > highest
        assert plans is not None and plans > 0
