"""The demo practice: about 40 patients in 25 accounts, written through the ORM in one transaction.

Families share an account; accounts are spread over ICM 0, 1 and 2 and fee schedules 0 and 1;
most patients have a primary plan, several a secondary, a few none. Treatment plans exist in every
status; completed items are posted as charges with their tax, aging, claims and payments
(:mod:`dentaldesk.demo.ledger`), and the tooth chart shows planned and completed work.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from dentaldesk.db.models import (
    Account,
    ChartGraphic,
    Claim,
    ClaimLine,
    Coverage,
    ItemPrerequisite,
    LedgerTransaction,
    Patient,
    PlanApproval,
    PlanItem,
    PlanOption,
    PlanStatusChange,
    TreatmentPlan,
)
from dentaldesk.demo import catalog, people
from dentaldesk.demo.ledger import ChargeDraft, CoverageBook, approved_terms, settle_visit
from dentaldesk.demo.plans import approval_method, approval_record, plan_timeline
from dentaldesk.demo.practice import PlanFacts, Practice, at
from dentaldesk.demo.treatment import HYGIENE_CODES, TEMPLATES, ItemSpec, fits, random_plan
from dentaldesk.domain.estimates import PlanLine
from dentaldesk.domain.money import ZERO, money, percent_of
from dentaldesk.domain.options import default_option_name
from dentaldesk.domain.plans import ItemFacts, plan_order_key
from dentaldesk.domain.terms import (
    ClaimStatus,
    CoverageRank,
    GraphicStatus,
    Icm,
    ItemStatus,
    PlanStatus,
    Role,
    TransactionKind,
)
from dentaldesk.domain.text import search_key

# 40 patients in 25 accounts: two families of four, two of three, five couples, sixteen singles.
FAMILY_SIZES = (4, 4, 3, 3, 2, 2, 2, 2, 2) + (1,) * 16
UNINSURED_ACCOUNTS = 3
D, A, C, X = PlanStatus.DRAFT, PlanStatus.APPROVED, PlanStatus.COMPLETED, PlanStatus.CANCELLED
# (template, status); the first approved implant plan is under way, its extraction done (TP-9).
DEMO_PLANS = (
    ("implant", A),
    ("root_canal_crown", A),
    ("fillings", C),
    ("perio", A),
    ("checkup", D),
    ("bridge", D),
    ("implant", C),
    ("sealants", C),
    ("ortho", A),
    ("dentures", X),
    ("crown", X),
    ("wisdom", D),
    ("cosmetic", D),
    ("fillings", A),
    ("crown", C),
    ("emergency", C),
    ("checkup", C),
    ("sealants", D),
    ("guard", A),
    ("root_canal_crown", D),
    ("fillings", X),
    ("perio", C),
    ("dentures", A),
    ("fillings", D),
    ("bridge", A),
    ("implant", D),
    ("crown", A),
    ("emergency", X),
)
# Plans (by position above) whose dearest item got a 10% courtesy discount: an override (MONEY-2).
DISCOUNTED_PLANS = frozenset({1, 6, 24})


@dataclass
class Member:
    patient: Patient
    account: Account
    person: people.Person
    age: int
    dentist_id: int
    coverages: list[tuple[Coverage, PlanFacts]] = field(default_factory=list)
    books: list[CoverageBook] = field(default_factory=list)  # the estimate's inputs per coverage (INS-3)
    plans: int = 0
    first_seen: date = date.max  # the first plan or visit; the patient was on file by then

    @property
    def primary(self) -> tuple[Coverage, PlanFacts] | None:
        return self.coverages[0] if self.coverages else None

    @property
    def dmo(self) -> PlanFacts | None:
        return next((plan for _, plan in self.coverages if plan.is_dmo), None)


@dataclass(frozen=True)
class DemoCounts:
    office_id: int
    patients: int
    accounts: int
    plans: int
    ledger_rows: int


def _coverage(
    member: Member,
    plan: PlanFacts,
    rank: CoverageRank,
    subscriber: people.Person,
    rng: random.Random,
    today: date,
    practice: Practice,
) -> Coverage:
    row = Coverage(
        dental_plan_id=plan.id,
        rank=rank,
        subscriber_name=f"{subscriber.first_name} {subscriber.last_name}",
        subscriber_id=people.subscriber_id(rng, plan.subscriber_prefix),
        benefit_year=today.year,
        benefits_used=ZERO,
        deductible_met=ZERO,
    )
    member.patient.coverages.append(row)
    member.coverages.append((row, plan))
    member.books.append(CoverageBook(practice.coverage(plan)))
    return row


def add_households(session: Session, rng: random.Random, today: date, practice: Practice) -> list[Member]:
    sizes = list(FAMILY_SIZES)
    rng.shuffle(sizes)
    last_names = rng.sample(catalog.LAST_NAMES, len(sizes))
    icms = [Icm(n % 3) for n in range(len(sizes))]
    rng.shuffle(icms)
    account_plans: list[PlanFacts | None] = [None] * UNINSURED_ACCOUNTS
    account_plans += [practice.plans[n % 3] for n in range(len(sizes) - UNINSURED_ACCOUNTS)]
    rng.shuffle(account_plans)
    members: list[Member] = []
    for n, (size, last, icm, plan) in enumerate(zip(sizes, last_names, icms, account_plans, strict=False), start=1):
        persons = people.family(rng, today, size, last)
        since = today - timedelta(days=rng.randint(200, 2500))
        guarantor_age = persons[0].age_on(today)
        account = Account(
            office_id=practice.office_id,
            account_number=str(1000 + n),
            icm=int(icm),
            fee_schedule=1 if guarantor_age >= 65 or rng.random() < 0.2 else 0,
            created_at=at(since),
        )
        session.add(account)
        home = people.address(rng)
        dentist = rng.choice(practice.dentist_ids)
        household: list[Member] = []
        for person in persons:
            key = len(members) + len(household) + 1
            patient = Patient(
                office_id=practice.office_id,
                patient_number=str(1000 + key),
                account=account,
                first_name=person.first_name,
                last_name=person.last_name,
                first_name_key=search_key(person.first_name),
                last_name_key=search_key(person.last_name),
                birth_date=person.birth_date,
                phone=person.phone,
                email=person.email,
                address=home,
                created_at=at(since),
            )
            session.add(patient)
            household.append(Member(patient, account, person, person.age_on(today), dentist))
        if plan is not None:
            spouse_plan = None
            if len(persons) >= 2 and household[1].age >= 18 and rng.random() < 0.6:
                spouse_plan = rng.choice([p for p in practice.plans if p is not plan])
            for k, member in enumerate(household):
                if k == 1 and spouse_plan is not None:  # the spouse's own plan comes first for the spouse
                    _coverage(member, spouse_plan, CoverageRank.PRIMARY, persons[1], rng, today, practice)
                    _coverage(member, plan, CoverageRank.SECONDARY, persons[0], rng, today, practice)
                    continue
                _coverage(member, plan, CoverageRank.PRIMARY, persons[0], rng, today, practice)
                if spouse_plan is not None:
                    _coverage(member, spouse_plan, CoverageRank.SECONDARY, persons[1], rng, today, practice)
        members.extend(household)
    session.flush()
    for member in members:  # the guarantor is the first of each household
        if member.account.guarantor_id is None:
            member.account.guarantor_id = member.patient.id
    return members


def _pick(rng: random.Random, members: list[Member], template: str) -> tuple[Member, str]:
    fitting = [m for m in members if fits(template, m.age) and m.plans < 2]
    if not fitting:  # no patient of the right age: give someone an ordinary plan instead
        return rng.choice(members), ""
    fresh = [m for m in fitting if m.plans == 0]
    return rng.choice(fresh or fitting), template


def add_treatment_plans(
    session: Session,
    rng: random.Random,
    today: date,
    practice: Practice,
    members: list[Member],
    visits: dict[tuple[int, date], list[ChargeDraft]],
) -> list[TreatmentPlan]:
    plans = []
    started = False
    for n, (template, status) in enumerate(DEMO_PLANS):
        member, name = _pick(rng, members, template)
        draft = TEMPLATES[name][0](rng, member.age) if name else random_plan(rng, member.age)
        under_way = status is A and not started
        started = started or under_way
        plans.append(
            _add_plan(
                session,
                rng,
                today,
                practice,
                member,
                draft.title,
                draft.items,
                status,
                visits,
                under_way=under_way,
                discounted=n in DISCOUNTED_PLANS,
            )
        )
        member.plans += 1
    return plans


def _add_plan(
    session: Session,
    rng: random.Random,
    today: date,
    practice: Practice,
    member: Member,
    title: str,
    specs: tuple[ItemSpec, ...],
    status: PlanStatus,
    visits: dict[tuple[int, date], list[ChargeDraft]],
    *,
    under_way: bool,
    discounted: bool,
) -> TreatmentPlan:
    timeline = plan_timeline(rng, today, specs, status, under_way=under_way)
    member.first_seen = min(member.first_seen, timeline.created)
    dentist_user, desk_user = practice.user_ids[Role.DENTIST], practice.user_ids[Role.FRONT_DESK]
    plan = TreatmentPlan(
        office_id=practice.office_id,
        patient_id=member.patient.id,
        title=title,
        status=status,
        created_at=at(timeline.created, 10),
        created_by_id=dentist_user,
        updated_at=at(timeline.last_change, 16),
        cancel_reason=timeline.cancel_reason,
    )
    # CASE-1: one option, the patient's choice once the plan is approved.
    option = PlanOption(name=default_option_name([]), position=1, chosen=timeline.approved is not None)
    plan.options = [option]
    quotes = [practice.quote(spec.code, member.account.fee_schedule, member.dmo) for spec in specs]
    dearest = max(range(len(specs)), key=lambda i: quotes[i].fee or ZERO)
    items: list[PlanItem] = []
    for n, (spec, quote) in enumerate(zip(specs, quotes, strict=True)):
        code = practice.codes[spec.code]
        fee, notes = quote.fee, spec.note
        if discounted and n == dearest and fee is not None:  # the schedule fee stays beside it
            fee, notes = percent_of(fee, 90), (notes + " Courtesy discount 10%.").strip()
        provider = practice.hygienist_id if spec.code in HYGIENE_CODES else member.dentist_id
        done = timeline.done_on.get(n)
        items.append(
            PlanItem(
                option=option,
                procedure_code_id=code.id,
                tooth=spec.tooth,
                surfaces=spec.surfaces,
                provider_id=provider,
                fee=fee,
                schedule_fee=quote.fee,
                fee_source=quote.source,
                rtu=code.rtu,
                visit=spec.visit,
                sequence=n,
                status=ItemStatus.COMPLETED if done else ItemStatus.PLANNED,
                completed_on=done,
                notes=notes,
            )
        )
    plan.items = items
    session.add(plan)
    session.flush()
    for n, spec in enumerate(specs):
        for k in spec.prerequisites:
            session.add(ItemPrerequisite(item_id=items[n].id, prerequisite_id=items[k].id))
    for before, after, day in timeline.moves():
        user = desk_user if after in (PlanStatus.APPROVED, PlanStatus.COMPLETED) else dentist_user
        note = timeline.cancel_reason if after is PlanStatus.CANCELLED else ""
        plan.status_changes.append(
            PlanStatusChange(from_status=before, to_status=after, at=at(day, 11), user_id=user, note=note)
        )
    if timeline.approved is not None:
        # What was approved is hashed once the ledger is written (finish_approvals): the lines
        # hold each item's estimate, which the visits' posted charges decide (TP-15, INS-9).
        total = money(sum((item.fee or ZERO for item in items), ZERO))
        plan.approvals.append(
            PlanApproval(
                option=option,
                approver_name=member.patient.full_name if member.age >= 18 else _guardian(member),
                method=approval_method(rng),
                approved_at=at(timeline.approved, 12),
                recorded_by_id=desk_user,
                total=total,
                lines_json="[]",
                content_hash="",
                signature_png=None,
            )
        )
        plan.approved_total = total
        for item in items:
            item.approved_fee = item.fee
    for n, item in enumerate(items):
        done = timeline.done_on.get(n)
        if done is not None:
            code = practice.codes[specs[n].code]
            visits[(member.patient.id, done)].append(
                ChargeDraft(
                    code,
                    item.tooth,
                    item.surfaces,
                    item.provider_id or member.dentist_id,
                    item.fee or ZERO,
                    ref=item,
                    notes=item.notes,
                )
            )
        elif status in (PlanStatus.DRAFT, PlanStatus.APPROVED) and practice.codes[specs[n].code].charts_graphic:
            session.add(
                ChartGraphic(
                    patient_id=member.patient.id,
                    procedure_code_id=item.procedure_code_id,
                    tooth=item.tooth,
                    surfaces=item.surfaces,
                    status=GraphicStatus.PLANNED,
                    plan_item_id=item.id,
                    created_at=at(timeline.created, 10),
                    created_by_id=dentist_user,
                )
            )
    return plan


def finish_approvals(
    today: date,
    practice: Practice,
    members: list[Member],
    plans: list[TreatmentPlan],
    visits: dict[tuple[int, date], list[ChargeDraft]],
) -> None:
    """Hash each approval of what the patient approved (TP-15): the plan's lines with their one
    estimate as the services compute it today (INS-9), so a demo signature matches its plan."""
    by_patient = {m.patient.id: m for m in members}
    posted = {c.ref.id: c for charges in visits.values() for c in charges if isinstance(c.ref, PlanItem)}
    for plan in plans:
        if not plan.approvals:
            continue
        member = by_patient[plan.patient_id]
        facts = [
            ItemFacts(
                id=item.id,
                code=practice.code_by_id[item.procedure_code_id].code,
                label="",
                provider_id=item.provider_id,
                tooth=item.tooth,
                surfaces=item.surfaces or "",
                fee=item.fee,
                status=ItemStatus(item.status),
                visit=item.visit,
                sequence=item.sequence,
            )
            for item in plan.items
        ]
        lines = [
            PlanLine(
                f.id,
                f.code or "",
                practice.code_by_id[item.procedure_code_id].category,
                f.fee,
                practice.code_by_id[item.procedure_code_id].insurable,
                None,
                f.is_completed,
                plan_order_key(f),
            )
            for f, item in zip(facts, plan.items, strict=True)
        ]
        approval = plan.approvals[-1]
        record = approval_record(
            plan.title,
            facts,
            lambda f: practice.provider_names[f.provider_id] if f.provider_id else "",
            approved_terms(lines, member.books, today, posted),
            approval.approver_name,
            approval.method,
        )
        approval.lines_json, approval.content_hash = record.lines_json, record.content_hash
        approval.hash_version, approval.total = record.hash_version, record.total


def _guardian(member: Member) -> str:
    guarantor = member.account.patients[0]
    return f"{guarantor.first_name} {guarantor.last_name} (parent)"


def add_recall_visits(
    rng: random.Random,
    today: date,
    practice: Practice,
    members: list[Member],
    visits: dict[tuple[int, date], list[ChargeDraft]],
) -> None:
    """Checkups and cleanings of the past year and a half, outside any plan."""
    for member in members:
        day = today - timedelta(days=rng.randint(120, 540))
        while day <= today - timedelta(days=3):
            codes = ["D0120", "D1120" if member.age < 14 else "D1110"]
            if rng.random() < 0.5:
                codes.append("D0274")
            if member.age < 14:
                codes.append("D1206")
            elif rng.random() < 0.15:
                codes.append("D9630")  # take-home toothpaste: taxable, not insurable
            for code in codes:
                fee = practice.quote(code, member.account.fee_schedule, member.dmo).fee or ZERO
                provider = practice.hygienist_id if code in HYGIENE_CODES else member.dentist_id
                visits[(member.patient.id, day)].append(ChargeDraft(practice.codes[code], None, "", provider, fee))
            day += timedelta(days=rng.randint(170, 200))


def post_visits(
    session: Session,
    rng: random.Random,
    today: date,
    practice: Practice,
    members: list[Member],
    visits: dict[tuple[int, date], list[ChargeDraft]],
) -> int:
    """Post every visit's charges, claims and credits in date order; return the ledger rows written."""
    by_id = {m.patient.id: m for m in members}
    desk_user, dentist_user = practice.user_ids[Role.FRONT_DESK], practice.user_ids[Role.DENTIST]
    rows = 0
    claims = 0
    for (patient_id, dos), charges in sorted(visits.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        member = by_id[patient_id]
        member.first_seen = min(member.first_seen, dos)
        primary = member.primary
        money_out = settle_visit(practice, rng, today, Icm(member.account.icm), member.books, dos, charges)
        posted = []
        for charge in charges:
            row = LedgerTransaction(
                office_id=practice.office_id,
                account_id=member.account.id,
                patient_id=patient_id,
                kind=TransactionKind.CHARGE,
                procedure_code_id=charge.code.id,
                tooth=charge.tooth,
                surfaces=charge.surfaces,
                description=charge.code.name,
                dos=dos,
                aged_date=charge.aged_date,
                amount=charge.fee,
                tax=charge.tax,
                held_amount=charge.held_amount,
                write_off=charge.write_off,
                released_on=charge.released_on,
                estimated_secondary=charge.estimated_secondary,
                deductible_primary=charge.deductible_primary,
                deductible_secondary=charge.deductible_secondary,
                estimate_note=charge.estimate_note,
                taxable=charge.code.taxable,
                insurable=charge.insurable,
                rtu=charge.code.rtu,
                production_provider_id=charge.provider_id,
                collection_provider_id=charge.provider_id,
                plan_item_id=charge.ref.id if isinstance(charge.ref, PlanItem) else None,
                estimated_insurance=charge.estimate,
                notes=charge.notes,
                posted_at=at(dos, 15),
                posted_by_id=desk_user,
            )
            session.add(row)
            posted.append(row)
        session.flush()
        claim_row = None
        if money_out.claim is not None and primary is not None:
            claims += 1
            claim = money_out.claim
            claim_row = Claim(
                office_id=practice.office_id,
                account_id=member.account.id,
                patient_id=patient_id,
                coverage_id=primary[0].id,
                claim_number=str(claims),
                created_on=claim.created_on,
                status=ClaimStatus.COMPLETE if claim.complete else ClaimStatus.OPEN,
                completed_on=claim.completed_on,
            )
            rows_by_charge = {id(c): r for c, r in zip(charges, posted, strict=True)}
            for line in claim.lines:
                charge_row = rows_by_charge[id(line.charge)]
                claim_row.lines.append(
                    ClaimLine(
                        transaction_id=charge_row.id,
                        estimated=line.estimated,
                        paid=line.paid,
                        write_off=line.charge.write_off if claim.complete else None,  # INS-8: as estimated
                    )
                )
            session.add(claim_row)
            session.flush()
            for line in claim.lines:
                rows_by_charge[id(line.charge)].claim_id = claim_row.id
        for credit in money_out.credits:
            session.add(
                LedgerTransaction(
                    office_id=practice.office_id,
                    account_id=member.account.id,
                    patient_id=patient_id,
                    kind=credit.kind,
                    description=credit.description,
                    dos=credit.dos,
                    aged_date=None,
                    amount=credit.amount,
                    held_amount=credit.held_amount,
                    released_on=credit.released_on,
                    collection_provider_id=charges[0].provider_id,
                    claim_id=claim_row.id if credit.from_claim and claim_row is not None else None,
                    posted_at=at(credit.dos, 16),
                    posted_by_id=desk_user,
                )
            )
        rows += len(charges) + len(money_out.credits)
        for charge, row in zip(charges, posted, strict=True):
            if charge.code.charts_graphic:
                session.add(
                    ChartGraphic(
                        patient_id=patient_id,
                        procedure_code_id=charge.code.id,
                        tooth=charge.tooth,
                        surfaces=charge.surfaces,
                        status=GraphicStatus.COMPLETED,
                        transaction_id=row.id,
                        plan_item_id=row.plan_item_id,
                        created_at=at(dos, 15),
                        created_by_id=dentist_user,
                    )
                )
    _benefits_used(today, members)
    for member in members:  # on file before the first plan or visit
        if member.first_seen < member.patient.created_at.date():
            member.patient.created_at = at(member.first_seen)
            member.account.created_at = min(member.account.created_at, member.patient.created_at)
    session.flush()
    return rows


def _benefits_used(today: date, members: list[Member]) -> None:
    """This benefit year's usage on each coverage: what its completed claims paid and the deductible
    their lines met (INS-2, INS-3), as completing them through the services records it."""
    for member in members:
        for (coverage, _plan), book in zip(member.coverages, member.books, strict=True):
            coverage.benefits_used, coverage.deductible_met = book.used(today.year, today)


def add_existing_work(session: Session, rng: random.Random, practice: Practice, members: list[Member]) -> None:
    """Work done elsewhere before the patient came: existing crowns and fillings on the chart."""
    choices = (("D2740", ""), ("D2392", "MO"), ("D2391", "O"), ("D3330", ""), ("D2150", "DO"))
    for member in members:
        if member.age < 25 or rng.random() < 0.5:
            continue
        for tooth in rng.sample(("2", "3", "14", "15", "18", "19", "30", "31"), rng.randint(1, 3)):
            code, surfaces = rng.choice(choices)
            session.add(
                ChartGraphic(
                    patient_id=member.patient.id,
                    procedure_code_id=practice.codes[code].id,
                    tooth=tooth,
                    surfaces=surfaces,
                    status=GraphicStatus.EXISTING,
                    created_at=member.patient.created_at,
                )
            )


def build_demo(
    session: Session, rng: random.Random, today: date, practice: Practice, report: Callable[[str, int, int], None]
) -> DemoCounts:
    members = add_households(session, rng, today, practice)
    report("Patients and insurance", 2, 5)
    visits: dict[tuple[int, date], list[ChargeDraft]] = defaultdict(list)
    plans = add_treatment_plans(session, rng, today, practice, members, visits)
    report("Treatment plans", 3, 5)
    add_recall_visits(rng, today, practice, members, visits)
    add_existing_work(session, rng, practice, members)
    ledger_rows = post_visits(session, rng, today, practice, members, visits)
    finish_approvals(today, practice, members, plans, visits)
    report("Ledger and claims", 4, 5)
    return DemoCounts(practice.office_id, len(members), len({m.account.id for m in members}), len(plans), ledger_rows)
