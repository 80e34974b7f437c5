"""Dental plans and their bluebooks): the Dental plans window's actions.

Carrier, estimation type (Percentage, PPO, Flat fee, DMO/Capitation), coverage % per category
and which categories skip the deductible (INS-1, INS-2), deductible, annual maximum, copay; and
the bluebook grid (plan fee, copay, insurance pays, write-off per code). Owner and Admin only
(SETUP_ROLES); each save is one transaction with one audit event, before and after (SEC-2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentaldesk.db.models import BluebookEntry, Coverage, DentalPlan, PlanCategory, ProcedureCode
from dentaldesk.db.versioning import check_version, conflict_for, move_on
from dentaldesk.domain.codes import normalize_code
from dentaldesk.domain.errors import NotFound, ValidationError
from dentaldesk.domain.money import PAYMENT_MAX, parse_money
from dentaldesk.domain.records import (
    optional_text,
    parse_coverage_percent,
    parse_optional_money,
    required_text,
)
from dentaldesk.domain.terms import Category, EstimationType
from dentaldesk.domain.text import fold
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True)
class DentalPlanRow:
    id: int
    name: str
    carrier: str
    estimation_type: EstimationType
    active: bool
    patients: int


@dataclass(frozen=True)
class CategoryTerms:
    """Coverage % (as typed) for one category, and whether the deductible applies to it."""

    category: Category
    coverage_percent: str
    deductible_applies: bool


@dataclass(frozen=True)
class DentalPlanForm:
    name: str
    carrier: str
    group_number: str
    estimation_type: EstimationType
    deductible: str
    annual_max: str  # blank: no annual maximum
    default_copay: str
    active: bool
    categories: tuple[CategoryTerms, ...]
    version: int | None = None  # the plan's version when loaded (DATA-4); None when adding


@dataclass(frozen=True)
class BluebookLine:
    """One row of a plan's bluebook grid as typed (blank cells are "not on file")."""

    code: str
    plan_fee: str = ""
    copay: str = ""
    insurance_pays: str = ""
    write_off: str = ""
    version: int | None = None  # the entry's version when loaded (DATA-4); None for a new row


BLUEBOOK_AMOUNTS = ("plan_fee", "copay", "insurance_pays", "write_off")
_PLAN_FIELDS = (
    "name",
    "carrier",
    "group_number",
    "estimation_type",
    "deductible",
    "annual_max",
    "default_copay",
    "active",
)


def blank_dental_plan_form() -> DentalPlanForm:
    """A new plan: no coverage in any category; preventive and diagnostic skip the deductible (INS-2)."""
    exempt = {Category.DIAGNOSTIC, Category.PREVENTIVE}
    return DentalPlanForm(
        name="",
        carrier="",
        group_number="",
        estimation_type=EstimationType.PERCENTAGE,
        deductible="0.00",
        annual_max="",
        default_copay="0.00",
        active=True,
        categories=tuple(CategoryTerms(c, "0", c not in exempt) for c in Category),
    )


@guarded(Right.SETUP, read=True)
def dental_plans(uow: UnitOfWork, actor: Actor) -> list[DentalPlanRow]:
    with uow.read():
        counts = dict(
            uow.session.execute(
                select(Coverage.dental_plan_id, func.count(Coverage.id)).group_by(Coverage.dental_plan_id)
            ).all()
        )
        plans = uow.session.scalars(
            select(DentalPlan).where(DentalPlan.office_id == actor.office_id).order_by(DentalPlan.name)
        )
        return [DentalPlanRow(p.id, p.name, p.carrier, p.estimation_type, p.active, counts.get(p.id, 0)) for p in plans]


def _plan(session: Session, actor: Actor, plan_id: int) -> DentalPlan:
    plan = session.get(DentalPlan, plan_id)
    if plan is None or plan.office_id != actor.office_id:
        raise NotFound("This dental plan no longer exists.")
    return plan


def _amount_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


@guarded(Right.SETUP, read=True, plan_id=DentalPlan)
def load_dental_plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> DentalPlanForm:
    with uow.read():
        plan = _plan(uow.session, actor, plan_id)
        terms = {c.category: c for c in plan.categories}
        return DentalPlanForm(
            name=plan.name,
            carrier=plan.carrier,
            group_number=plan.group_number,
            estimation_type=plan.estimation_type,
            deductible=_amount_text(plan.deductible),
            annual_max=_amount_text(plan.annual_max),
            default_copay=_amount_text(plan.default_copay),
            active=plan.active,
            categories=tuple(
                CategoryTerms(c, str(terms[c].coverage_percent), terms[c].deductible_applies)
                if c in terms
                else CategoryTerms(c, "0", True)
                for c in Category
            ),
            version=plan.version,
        )


def _plan_snapshot(plan: DentalPlan) -> dict[str, object]:
    return audit.snapshot(plan, *_PLAN_FIELDS) | {
        "categories": {
            c.category.value: {"coverage_percent": c.coverage_percent, "deductible_applies": c.deductible_applies}
            for c in plan.categories
        }
    }


@guarded(Right.SETUP, plan_id=DentalPlan)
def save_dental_plan(uow: UnitOfWork, actor: Actor, plan_id: int | None, form: DentalPlanForm) -> int:
    """Add or change a plan: carrier, estimation type, coverage % per category, deductible, maximum."""
    values = {
        "name": required_text(form.name, "name", "plan name", max_length=120),
        "carrier": required_text(form.carrier, "carrier", "carrier", max_length=120),
        "group_number": optional_text(form.group_number, "group_number", "group number", max_length=40),
        "estimation_type": EstimationType(form.estimation_type),
        "deductible": parse_money(form.deductible or "0", field="deductible", what="A deductible", maximum=PAYMENT_MAX),
        "annual_max": parse_optional_money(form.annual_max, "annual_max", maximum=PAYMENT_MAX),
        "default_copay": parse_money(form.default_copay or "0", field="default_copay", what="A copay"),
        "active": form.active,
    }
    terms: dict[Category, tuple[int, bool]] = {}
    for t in form.categories:
        field = f"coverage_percent:{t.category.value}"
        terms[t.category] = (
            parse_coverage_percent(t.coverage_percent, field, what=f"Coverage for {t.category.label}"),
            t.deductible_applies,
        )
    with uow:
        s = uow.session
        named = select(DentalPlan.name).where(DentalPlan.office_id == actor.office_id)
        if plan_id is not None:
            named = named.where(DentalPlan.id != plan_id)
        if any(fold(name) == fold(str(values["name"])) for name in s.scalars(named)):
            raise ValidationError(f"A plan named '{values['name']}' already exists.", "name")
        if plan_id is None:
            plan = DentalPlan(office_id=actor.office_id, **values)
            s.add(plan)
            before = None
        else:
            plan = _plan(s, actor, plan_id)
            check_version(plan, form.version)
            before = _plan_snapshot(plan)
            for name, value in values.items():
                setattr(plan, name, value)
        existing = {c.category: c for c in plan.categories}
        for category, (percent, applies) in terms.items():
            row = existing.get(category)
            if row is None:
                plan.categories.append(
                    PlanCategory(category=category, coverage_percent=percent, deductible_applies=applies)
                )
                if plan_id is not None:
                    move_on(s, plan)
            elif (row.coverage_percent, row.deductible_applies) != (percent, applies):
                row.coverage_percent, row.deductible_applies = percent, applies
                move_on(s, plan)  # the plan's terms changed: its version moves on with them
        s.flush()
        audit.record(
            s,
            actor,
            "create" if plan_id is None else "update",
            "dental_plan",
            plan.id,
            before=before,
            after=_plan_snapshot(plan),
        )
        uow.commit()
        return plan.id


@guarded(Right.SETUP, read=True, plan_id=DentalPlan)
def load_bluebook(uow: UnitOfWork, actor: Actor, plan_id: int) -> list[BluebookLine]:
    with uow.read():
        _plan(uow.session, actor, plan_id)
        entries = uow.session.scalars(
            select(BluebookEntry).where(BluebookEntry.dental_plan_id == plan_id).order_by(BluebookEntry.code)
        )
        return [
            BluebookLine(
                e.code,
                plan_fee=_amount_text(e.plan_fee),
                copay=_amount_text(e.copay),
                insurance_pays=_amount_text(e.insurance_pays),
                write_off=_amount_text(e.write_off),
                version=e.version,
            )
            for e in entries
        ]


def _entry_values(e: BluebookEntry) -> dict[str, str]:
    return {n: _amount_text(getattr(e, n)) for n in BLUEBOOK_AMOUNTS}


def _check_bluebook_versions(entries: dict[str, BluebookEntry], expected: Mapping[str, int] | None) -> None:
    """DATA-4: the grid as loaded (code -> version) must still be the bluebook on file."""
    if expected is None:
        return
    for code, entry in entries.items():
        if code not in expected:  # added by another workstation since the grid was loaded
            raise conflict_for("bluebook", entry.saved_by, entry.saved_at)
        check_version(entry, expected[code])
    if set(expected) - set(entries):
        raise conflict_for("bluebook entry", None, None, removed=True)


@guarded(Right.SETUP, plan_id=DentalPlan)
def save_bluebook(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    lines: Sequence[BluebookLine],
    *,
    expected_versions: Mapping[str, int] | None = None,
) -> int:
    """Save a plan's whole bluebook grid: rows added, changed and removed, in one transaction.

    Each code must be in the office list and appear once; amounts are money (MONEY-2). For a
    DMO/Capitation plan the plan fee is the cap fee charged for the code (TX-FEE-2). A refused row
    names itself in the error's field: ``bluebook:<row number>`` (1-based, as in the grid).
    ``expected_versions`` (code -> version of the lines as loaded) refuses the save when another
    workstation changed the bluebook since (DATA-4).
    """
    parsed: dict[str, dict[str, Decimal | None]] = {}
    for row_number, line in enumerate(lines, start=1):
        if not line.code.strip() and not any(getattr(line, n).strip() for n in BLUEBOOK_AMOUNTS):
            continue  # an empty row the person added and left blank
        try:
            code = normalize_code(line.code, custom=True)
            if code in parsed:
                raise ValidationError(f"{code} is in the bluebook twice.", "code")
            parsed[code] = {n: parse_optional_money(getattr(line, n), n) for n in BLUEBOOK_AMOUNTS}
        except ValidationError as exc:
            shown = line.code.strip().upper() or "no code"
            raise ValidationError(f"Row {row_number} ({shown}): {exc.message}", f"bluebook:{row_number}") from None
    with uow:
        s = uow.session
        _plan(s, actor, plan_id)
        office_codes = set(s.scalars(select(ProcedureCode.code).where(ProcedureCode.office_id == actor.office_id)))
        missing = sorted(set(parsed) - office_codes)
        if missing:
            raise ValidationError(
                f"Not in the office's code list: {', '.join(missing)}. Add them under Procedure codes first.",
                "bluebook",
            )
        entries = {e.code: e for e in s.scalars(select(BluebookEntry).where(BluebookEntry.dental_plan_id == plan_id))}
        _check_bluebook_versions(entries, expected_versions)
        before: dict[str, object] = {}
        after: dict[str, object] = {}
        for code, gone in entries.items():
            if code not in parsed:
                before[code] = _entry_values(gone)
                s.delete(gone)
        for code, amounts in parsed.items():
            entry = entries.get(code)
            if entry is None:
                entry = BluebookEntry(dental_plan_id=plan_id, code=code)
                s.add(entry)
            else:
                old = _entry_values(entry)
                if old == {n: _amount_text(amounts[n]) for n in BLUEBOOK_AMOUNTS}:
                    continue
                before[code] = old
            for name, value in amounts.items():
                setattr(entry, name, value)
            after[code] = {n: _amount_text(amounts[n]) for n in BLUEBOOK_AMOUNTS}
        if before or after:
            audit.record(s, actor, "save_bluebook", "dental_plan", plan_id, before=before or None, after=after or None)
        uow.commit()
    return len(parsed)
