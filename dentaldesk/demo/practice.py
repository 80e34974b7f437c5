"""The demo office's set-up (office, people, codes, fee schedules, dental plans) and its prices.

:func:`set_up_practice` writes the set-up through the ORM inside the caller's transaction and
returns a :class:`Practice`: the plain facts the generators price with, so they never query the
database per row. Fees come from the one fee resolver (TX-FEE-1..4); tax and the ICM aging of a
charge follow TX-TAX-2 and TX-AGE-2..4. :meth:`Practice.coverage` hands a plan to the one estimate
engine as the database loader would: the demo has no estimator of its own.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentaldesk.config import StorageError
from dentaldesk.db.models import (
    BluebookEntry,
    Claim,
    DentalPlan,
    FeeSchedule,
    FeeScheduleEntry,
    MasterCode,
    Office,
    PlanCategory,
    ProcedureCode,
    Provider,
    User,
)
from dentaldesk.demo import catalog
from dentaldesk.demo.treatment import all_codes
from dentaldesk.domain.estimates import BluebookFacts, PlanCoverage
from dentaldesk.domain.fees import DmoPlanFacts, FeeQuote, resolve_fee
from dentaldesk.domain.money import ZERO, money, percent_of
from dentaldesk.domain.terms import Category, EstimationType, Role
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import this_workstation
from dentaldesk.services.access.login import hash_password
from dentaldesk.services.practice.codes import CODE_COLUMNS, load_master_list


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment on ``day`` in UTC: generated rows carry times derived from their dates."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class CodeFacts:
    id: int
    code: str
    name: str
    category: Category
    rtu: int
    insurable: bool
    taxable: bool
    requires_tooth: bool
    requires_surface: bool
    charts_graphic: bool


@dataclass(frozen=True)
class BookEntry:
    plan_fee: Decimal | None
    copay: Decimal | None
    insurance_pays: Decimal | None


@dataclass(frozen=True)
class PlanFacts:
    id: int
    name: str
    estimation_type: EstimationType
    percents: dict[Category, int]
    default_copay: Decimal
    deductible: Decimal
    annual_max: Decimal | None
    subscriber_prefix: str
    bluebook: dict[str, BookEntry]
    carrier: str = ""
    deductible_exempt: frozenset[Category] = frozenset()

    @property
    def is_dmo(self) -> bool:
        return self.estimation_type is EstimationType.DMO


@dataclass
class Practice:
    """What the generators need to know of the office, read once after set-up."""

    office_id: int
    tax_rate: Decimal
    dentist_ids: tuple[int, ...]
    hygienist_id: int
    provider_names: dict[int, str]
    user_ids: dict[Role, int]
    codes: dict[str, CodeFacts]
    schedules: dict[int, dict[str, Decimal]]
    plans: tuple[PlanFacts, ...]
    _quotes: dict[tuple[str, int, int | None], FeeQuote] = field(default_factory=dict, repr=False)
    _coverages: dict[int, PlanCoverage] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def code_by_id(self) -> dict[int, CodeFacts]:
        return {facts.id: facts for facts in self.codes.values()}

    def quote(self, code: str, schedule: int, dmo: PlanFacts | None) -> FeeQuote:
        """The default fee of ``code`` for an account's schedule, or a DMO plan's cap fee (TX-FEE-*)."""
        key = (code, schedule, dmo.id if dmo else None)
        found = self._quotes.get(key)
        if found is None:
            facts = None
            if dmo is not None:
                entry = dmo.bluebook.get(code)
                facts = DmoPlanFacts(dmo.name, entry.plan_fee if entry else None)
            found = resolve_fee(code, schedule, lambda s, c: self.schedules.get(s, {}).get(c), facts)
            self._quotes[key] = found
        return found

    def tax(self, code: CodeFacts, fee: Decimal) -> Decimal:
        """Non-pro rata tax: the code's Taxable flag decides, rounded once (TX-TAX-2)."""
        return percent_of(fee, self.tax_rate) if code.taxable else ZERO

    def coverage(self, plan: PlanFacts) -> PlanCoverage:
        """The plan as the estimate engine sees it, read as ``services.practice.pricing.load_coverages``
        reads it from the database (INS-1..7), with nothing used yet (:class:`~.ledger.CoverageBook`
        adds the benefits of a day)."""
        found = self._coverages.get(plan.id)
        if found is None:
            found = PlanCoverage(
                plan_name=plan.name,
                carrier=plan.carrier,
                estimation_type=plan.estimation_type,
                coverage_percent=dict(plan.percents),
                deductible=plan.deductible,
                deductible_exempt=plan.deductible_exempt,
                annual_max=plan.annual_max,
                copays={code: e.copay for code, e in plan.bluebook.items() if e.copay is not None},
                bluebook={
                    code: BluebookFacts(plan_fee=e.plan_fee, copay=e.copay, insurance_pays=e.insurance_pays)
                    for code, e in plan.bluebook.items()
                },
                default_copay=plan.default_copay,
            )
            self._coverages[plan.id] = found
        return found


def _add_users(session: Session, office_id: int, provider_ids: list[int], passwords: dict[str, str]) -> dict[Role, int]:
    users = []
    for spec in catalog.USERS:
        user = User(
            office_id=office_id,
            username=spec.username,
            full_name=spec.full_name,
            role=spec.role,
            password_hash=hash_password(passwords[spec.username]),
            provider_id=None if spec.provider is None else provider_ids[spec.provider],
        )
        session.add(user)
        users.append(user)
    session.flush()
    return {user.role: user.id for user in users}


def _add_codes(session: Session, office_id: int) -> tuple[dict[str, CodeFacts], dict[str, Decimal]]:
    """Load the master list, copy all of it but LEFT_OUT_CODES to the office; return codes and fees."""
    load_master_list(session)
    masters = list(session.scalars(select(MasterCode).order_by(MasterCode.code)))
    rows: list[tuple[ProcedureCode, MasterCode]] = []
    for master in masters:
        if master.code in catalog.LEFT_OUT_CODES:
            continue
        row = ProcedureCode(office_id=office_id, code=master.code, active=True, custom=False)
        for name in CODE_COLUMNS:
            setattr(row, name, getattr(master, name))
        session.add(row)
        rows.append((row, master))
    session.flush()
    codes = {
        row.code: CodeFacts(
            row.id,
            row.code,
            row.name,
            row.category,
            row.default_rtu,
            row.insurable,
            row.taxable,
            row.requires_tooth,
            row.requires_surface,
            row.charts_graphic,
        )
        for row, _ in rows
    }
    usual = {row.code: master.usual_fee for row, master in rows if master.usual_fee is not None}
    return codes, usual


def _add_fee_schedules(
    session: Session, office_id: int, codes: dict[str, CodeFacts], usual: dict[str, Decimal]
) -> dict[int, dict[str, Decimal]]:
    fee0 = dict(usual)
    fee1 = {
        code: percent_of(fee, catalog.LOYALTY_PERCENT)
        for code, fee in usual.items()
        if code not in catalog.NO_LOYALTY_FEE
    }
    schedules = {0: fee0, 1: fee1}
    for number, name in ((0, "Office fee (UCR)"), (1, catalog.LOYALTY_SCHEDULE_NAME)):
        schedule = FeeSchedule(office_id=office_id, number=number, name=name)
        session.add(schedule)
        session.flush()
        session.add_all(
            FeeScheduleEntry(fee_schedule_id=schedule.id, procedure_code_id=codes[code].id, fee=fee)
            for code, fee in sorted(schedules[number].items())
        )
    return schedules


def _bluebook(
    rng: random.Random, spec: catalog.DentalPlanSpec, codes: dict[str, CodeFacts], fee0: dict[str, Decimal]
) -> dict[str, BookEntry]:
    book: dict[str, BookEntry] = {}
    for code in sorted(fee0):
        facts, usual = codes[code], fee0[code]
        if not facts.insurable:
            continue
        percent = spec.percents[facts.category]
        if spec.estimation_type is EstimationType.PERCENTAGE:
            if code in catalog.PERCENTAGE_BLUEBOOK_CODES:
                pays = percent_of(usual, percent)
                book[code] = BookEntry(usual, usual - pays, pays)
        elif spec.estimation_type is EstimationType.PPO:
            if rng.random() < 0.92:  # most codes have a contracted fee; the rest fall back to the fee
                plan_fee = percent_of(usual, rng.randint(70, 80))
                pays = percent_of(plan_fee, percent)
                book[code] = BookEntry(plan_fee, plan_fee - pays, pays)
        elif spec.estimation_type is EstimationType.DMO:  # noqa: SIM102 - kept parallel to the PPO branch
            if rng.random() < 0.6:  # a DHMO lists only part of the codes (TX-FEE-3 shows for the rest)
                cap_fee = percent_of(usual, rng.randint(45, 65))
                copay = percent_of(cap_fee, catalog.DMO_COPAY_PERCENT[facts.category]).quantize(Decimal("1"))
                copay = money(min(copay, cap_fee))
                book[code] = BookEntry(cap_fee, copay, cap_fee - copay)
    return book


def _add_dental_plans(
    session: Session, rng: random.Random, office_id: int, codes: dict[str, CodeFacts], fee0: dict[str, Decimal]
) -> tuple[PlanFacts, ...]:
    plans = []
    for spec in catalog.DENTAL_PLANS:
        plan = DentalPlan(
            office_id=office_id,
            name=spec.name,
            carrier=spec.carrier,
            group_number=spec.group_number,
            estimation_type=spec.estimation_type,
            deductible=spec.deductible,
            annual_max=spec.annual_max,
            default_copay=spec.default_copay,
            active=True,
        )
        plan.categories = [
            PlanCategory(
                category=category,
                coverage_percent=spec.percents[category],
                deductible_applies=(spec.deductible > 0 and category not in catalog.DEDUCTIBLE_EXEMPT),
            )
            for category in Category
        ]
        session.add(plan)
        session.flush()
        book = _bluebook(rng, spec, codes, fee0)
        session.add_all(
            BluebookEntry(
                dental_plan_id=plan.id,
                code=code,
                plan_fee=entry.plan_fee,
                copay=entry.copay,
                insurance_pays=entry.insurance_pays,
                write_off=(fee0[code] - entry.plan_fee)
                if spec.estimation_type is EstimationType.PPO and entry.plan_fee is not None
                else ZERO,
            )
            for code, entry in book.items()
        )
        plans.append(
            PlanFacts(
                plan.id,
                spec.name,
                spec.estimation_type,
                dict(spec.percents),
                spec.default_copay,
                spec.deductible,
                spec.annual_max,
                spec.subscriber_prefix,
                book,
                spec.carrier,
                frozenset(c for c in Category if not (spec.deductible > 0 and c not in catalog.DEDUCTIBLE_EXEMPT)),
            )
        )
    return tuple(plans)


def set_up_practice(session: Session, rng: random.Random, passwords: dict[str, str]) -> Practice:
    """Office, providers, users, codes, fee schedules 0 and 1 and the three dental plans."""
    office = Office(**catalog.OFFICE)
    session.add(office)
    session.flush()
    providers = [
        Provider(office_id=office.id, name=p.name, short_name=p.short_name, kind=p.kind, color=p.color, active=True)
        for p in catalog.PROVIDERS
    ]
    session.add_all(providers)
    session.flush()
    provider_ids = [p.id for p in providers]
    user_ids = _add_users(session, office.id, provider_ids, passwords)
    codes, usual = _add_codes(session, office.id)
    missing = sorted(all_codes() - set(codes))
    if missing:
        raise RuntimeError(f"The master list lacks codes the demo plans use: {', '.join(missing)}")
    schedules = _add_fee_schedules(session, office.id, codes, usual)
    plans = _add_dental_plans(session, rng, office.id, codes, schedules[0])
    session.flush()
    return Practice(
        office_id=office.id,
        tax_rate=Decimal(str(catalog.OFFICE["tax_rate"])),
        dentist_ids=tuple(p.id for p in providers if p.kind == "dentist"),
        hygienist_id=next(p.id for p in providers if p.kind == "hygienist"),
        provider_names={p.id: p.name for p in providers},
        user_ids=user_ids,
        codes=codes,
        schedules=schedules,
        plans=plans,
    )


def refuse_if_practice(session: Session) -> None:
    """The demo goes only into an empty database: never mixed into a real practice."""
    if session.scalar(select(Office.id).limit(1)) is not None:
        raise StorageError("This database already holds a practice; nothing was changed.")


def finish_office(session: Session, office_id: int, patients: int, accounts: int) -> None:
    """Point the office's number counters past the generated patients, accounts and claims."""
    office = session.get(Office, office_id)
    assert office is not None
    claims = session.scalar(select(func.count(Claim.id)).where(Claim.office_id == office_id)) or 0
    office.next_patient_number = 1001 + patients
    office.next_account_number = 1001 + accounts
    office.next_claim_number = claims + 1


def record_creation(session: Session, office_id: int, details: dict[str, object]) -> None:
    """One audit event for the whole generated practice; its rows carry none of their own."""
    audit.record(
        session,
        None,
        "demo_create",
        "office",
        office_id,
        after=details,
        username="setup",
        workstation=this_workstation(),
        office_id=office_id,
    )
