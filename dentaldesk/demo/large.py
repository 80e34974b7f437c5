"""The large practice for benchmarks: 100,000 patients and about a million ledger rows.

The same office, users, codes and plans as the demo, then patients generated family by family
with their coverage, treatment plans (20,000, some of exactly 60 items), visits, claims and
payments over the last three years. Rows are plain dicts with ids counted here and written with
Core bulk inserts, one commit per chunk: an ORM object per row would take far too long. On
SQLite the build runs with ``synchronous=OFF`` (a generated set needs no power-cut safety) and
puts FULL back at the end. The money and aging rules are the demo's (:mod:`.ledger`, :mod:`.plans`).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from dentaldesk.db.models import Base
from dentaldesk.demo import catalog, people
from dentaldesk.demo.ledger import ChargeDraft, CoverageBook, approved_terms, settle_visit
from dentaldesk.demo.plans import approval_method, approval_record, plan_timeline
from dentaldesk.demo.practice import (
    PlanFacts,
    Practice,
    at,
    finish_office,
    record_creation,
    refuse_if_practice,
    set_up_practice,
)
from dentaldesk.demo.small import DemoCounts
from dentaldesk.demo.treatment import HYGIENE_CODES, MOLARS, PREMOLARS, PRIMARY_MOLARS, filling, full_mouth, random_plan
from dentaldesk.domain.estimates import PlanLine
from dentaldesk.domain.money import ZERO, money
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

PATIENTS = 100_000
PLANS = 20_000
SIXTY_ITEM_PLANS = 20
CHUNK_LEDGER_ROWS = 40_000
YEARS_DAYS = 3 * 365
# Insert order: every table after the tables it refers to.
TABLES = (
    "account",
    "patient",
    "coverage",
    "treatment_plan",
    "plan_option",
    "plan_item",
    "item_prerequisite",
    "plan_status_change",
    "plan_approval",
    "claim",
    "ledger_transaction",
    "claim_line",
    "chart_graphic",
)
FAMILY_SIZES = (1, 2, 3, 4, 5)
FAMILY_WEIGHTS = (55, 20, 12, 10, 3)
PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.APPROVED, PlanStatus.COMPLETED, PlanStatus.CANCELLED)
PLAN_STATUS_WEIGHTS = (25, 35, 30, 10)

Row = dict[str, Any]


class _Patient(NamedTuple):
    """The generated patient the plan, visits and ledger rows are made for."""

    id: int
    account_id: int
    schedule: int
    dmo: PlanFacts | None
    dentist_id: int
    person: people.Person
    age: int


class _Rows:
    """Rows waiting to be written, with the next id of every table counted here."""

    def __init__(self, conn: Connection) -> None:
        self.tables = {name: Base.metadata.tables[name] for name in TABLES}
        self.next_id = {
            name: (conn.scalar(select(func.max(table.c.id))) or 0) + 1 for name, table in self.tables.items()
        }
        self.pending: dict[str, list[Row]] = {name: [] for name in TABLES}
        self.guarantors: list[Row] = []
        self.written: Counter[str] = Counter()

    def add(self, table: str, row: Row) -> int:
        row_id = self.next_id[table]
        self.next_id[table] = row_id + 1
        row["id"] = row_id
        self.pending[table].append(row)
        return row_id

    def write(self, conn: Connection) -> None:
        for name in TABLES:
            rows = self.pending[name]
            if rows:
                conn.execute(insert(self.tables[name]), rows)
                self.written[name] += len(rows)
                rows.clear()
        if self.guarantors:  # accounts go in before their patients, so the guarantor comes after
            account = self.tables["account"]
            set_guarantor = (
                update(account)
                .where(account.c.id == bindparam("account_id"))
                .values(guarantor_id=bindparam("patient_id"))
            )
            conn.execute(set_guarantor, self.guarantors)
            self.guarantors.clear()
        conn.commit()


class _Generator:
    def __init__(self, practice: Practice, rng: random.Random, today: date, rows: _Rows) -> None:
        self.practice, self.rng, self.today, self.rows = practice, rng, today, rows
        self.office_id = practice.office_id
        self.desk = practice.user_ids[Role.FRONT_DESK]
        self.dentist_user = practice.user_ids[Role.DENTIST]
        self.claims = 0
        self.sixty_owed = 0
        # Approvals hashed once the patient's visits are posted: (row, title, items, lines, approver).
        self.approvals: list[tuple[Row, str, list[ItemFacts], list[PlanLine]]] = []

    # --- people

    def household(
        self, size: int, number: int, plan_flags: Callable[[int], tuple[bool, bool]], first_patient: int
    ) -> int:
        """Write one account and its patients with everything they had done; return the patients."""
        rng, practice = self.rng, self.practice
        persons = people.family(rng, self.today, size, rng.choice(catalog.LAST_NAMES))
        since = self.today - timedelta(days=rng.randint(30, YEARS_DAYS + 2000))
        icm = Icm(rng.randrange(3))
        schedule = 1 if persons[0].age_on(self.today) >= 65 or rng.random() < 0.2 else 0
        account = {
            "office_id": self.office_id,
            "account_number": str(1000 + number),
            "guarantor_id": None,
            "icm": int(icm),
            "fee_schedule": schedule,
            "created_at": at(since),
        }
        opened = at(since)  # the account's created_at: the first of its patients' first days
        account_id = self.rows.add("account", account)
        plan = None if rng.random() < 0.25 else rng.choices(practice.plans, (40, 35, 25))[0]
        spouse_plan = None
        if plan is not None and size >= 2 and persons[1].age_on(self.today) >= 18 and rng.random() < 0.3:
            spouse_plan = rng.choice([p for p in practice.plans if p is not plan])
        home, dentist = people.address(rng), rng.choice(practice.dentist_ids)
        for k, person in enumerate(persons):
            n = first_patient + k
            row = {
                "office_id": self.office_id,
                "patient_number": str(1000 + n),
                "account_id": account_id,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "first_name_key": search_key(person.first_name),
                "last_name_key": search_key(person.last_name),
                "birth_date": person.birth_date,
                "phone": person.phone,
                "email": person.email,
                "address": home,
                "created_at": at(since),
            }
            patient_id = self.rows.add("patient", row)
            if k == 0:
                self.rows.guarantors.append({"account_id": account_id, "patient_id": patient_id})
            ranks = []
            if plan is not None:
                ranks = [(plan, persons[0]), (spouse_plan, persons[1])] if spouse_plan else [(plan, persons[0])]
                if k == 1 and spouse_plan is not None:
                    ranks.reverse()
            coverages = [
                self._coverage(patient_id, p, rank, holder)
                for rank, (p, holder) in zip((CoverageRank.PRIMARY, CoverageRank.SECONDARY), ranks, strict=False)
            ]
            has_plan, sixty = plan_flags(n)
            age = person.age_on(self.today)
            visits: dict[date, list[ChargeDraft]] = defaultdict(list)
            dmo = next((p for p, _ in ranks if p.is_dmo), None)
            patient = _Patient(patient_id, account_id, schedule, dmo, dentist, person, age)
            self.sixty_owed += sixty  # a child passes the 60-item plan on to the next adult with a plan
            first_seen = since
            if has_plan:
                big = age >= 18 and self.sixty_owed > 0
                self.sixty_owed -= big
                first_seen = min(first_seen, self.plan(patient, big, visits))
            self.routine(patient, visits)
            if visits:
                first_seen = min(first_seen, min(visits))
            on_file = at(first_seen)  # on file before the first plan or visit
            row["created_at"] = on_file
            account["created_at"] = min(opened, on_file)
            opened = min(opened, on_file)
            books = [CoverageBook(practice.coverage(p)) for p, _holder in ranks]
            for dos in sorted(visits):
                self.post(patient, icm, books, coverages[0] if coverages else None, dos, visits[dos])
            for coverage, book in zip(coverages, books, strict=True):  # INS-3: what completed claims paid and met
                coverage["benefits_used"], coverage["deductible_met"] = book.used(self.today.year, self.today)
            self.finish_approvals(books, visits)
        return len(persons)

    def _coverage(self, patient_id: int, plan: PlanFacts, rank: CoverageRank, holder: people.Person) -> Row:
        row = {
            "patient_id": patient_id,
            "dental_plan_id": plan.id,
            "rank": rank,
            "subscriber_name": f"{holder.first_name} {holder.last_name}",
            "subscriber_id": people.subscriber_id(self.rng, plan.subscriber_prefix),
            "benefit_year": self.today.year,
            "benefits_used": ZERO,
            "deductible_met": ZERO,
        }
        self.rows.add("coverage", row)
        return row

    # --- treatment plans

    def plan(self, patient: _Patient, sixty: bool, visits: dict[date, list[ChargeDraft]]) -> date:
        """Write one treatment plan with its history; completed items join ``visits``. Return its first day."""
        patient_id, schedule, dmo, dentist, person, age = (
            patient.id,
            patient.schedule,
            patient.dmo,
            patient.dentist_id,
            patient.person,
            patient.age,
        )
        rng, practice = self.rng, self.practice
        draft = full_mouth(rng) if sixty else random_plan(rng, age)
        if sixty:  # the benchmark plans stay editable
            status = rng.choice((PlanStatus.DRAFT, PlanStatus.APPROVED))
        else:
            status = rng.choices(PLAN_STATUSES, PLAN_STATUS_WEIGHTS)[0]
        timeline = plan_timeline(rng, self.today, draft.items, status)
        quotes = [practice.quote(spec.code, schedule, dmo) for spec in draft.items]
        fees = [q.fee if q.fee is not None else ZERO for q in quotes]
        providers = [practice.hygienist_id if s.code in HYGIENE_CODES else dentist for s in draft.items]
        approval = None
        total = money(sum(fees, ZERO))
        if timeline.approved is not None:  # hashed once the visits are posted (finish_approvals)
            approver = f"{person.first_name} {person.last_name}" + ("" if age >= 18 else " (parent)")
            approval = (approver, approval_method(rng))
        plan_id = self.rows.add(
            "treatment_plan",
            {
                "office_id": self.office_id,
                "patient_id": patient_id,
                "title": draft.title,
                "status": status,
                "created_at": at(timeline.created, 10),
                "created_by_id": self.dentist_user,
                "updated_at": at(timeline.last_change, 16),
                "approved_total": total if approval else None,
                "cancel_reason": timeline.cancel_reason,
                "version": 1,
            },
        )
        # CASE-1: one option, the patient's choice once the plan is approved.
        option_id = self.rows.add(
            "plan_option",
            {
                "plan_id": plan_id,
                "name": default_option_name([]),
                "position": 1,
                "chosen": approval is not None,
                "created_at": at(timeline.created, 10),
            },
        )
        item_ids = []
        for n, spec in enumerate(draft.items):
            code = practice.codes[spec.code]
            done = timeline.done_on.get(n)
            item_id = self.rows.add(
                "plan_item",
                {
                    "plan_id": plan_id,
                    "option_id": option_id,
                    "procedure_code_id": code.id,
                    "tooth": spec.tooth,
                    "surfaces": spec.surfaces,
                    "provider_id": providers[n],
                    "fee": quotes[n].fee,
                    "schedule_fee": quotes[n].fee,
                    "fee_source": quotes[n].source,
                    "rtu": code.rtu,
                    "visit": spec.visit,
                    "sequence": n,
                    "status": ItemStatus.COMPLETED if done else ItemStatus.PLANNED,
                    "completed_on": done,
                    "approved_fee": quotes[n].fee if approval else None,
                    "notes": spec.note,
                    "version": 1,
                },
            )
            item_ids.append(item_id)
            if done is not None:
                visits[done].append(ChargeDraft(code, spec.tooth, spec.surfaces, providers[n], fees[n], ref=item_id))
            elif code.charts_graphic and status in (PlanStatus.DRAFT, PlanStatus.APPROVED):
                self.rows.add(
                    "chart_graphic",
                    self._graphic(
                        patient_id,
                        code.id,
                        spec.tooth,
                        spec.surfaces,
                        GraphicStatus.PLANNED,
                        None,
                        item_id,
                        timeline.created,
                    ),
                )
            for k in spec.prerequisites:
                self.rows.add("item_prerequisite", {"item_id": item_id, "prerequisite_id": item_ids[k]})
        for before, after, day in timeline.moves():
            self.rows.add(
                "plan_status_change",
                {
                    "plan_id": plan_id,
                    "from_status": before,
                    "to_status": after,
                    "at": at(day, 11),
                    "user_id": self.desk if after in (PlanStatus.APPROVED, PlanStatus.COMPLETED) else self.dentist_user,
                    "note": timeline.cancel_reason if after is PlanStatus.CANCELLED else "",
                },
            )
        if approval is not None and timeline.approved is not None:
            row = {
                "plan_id": plan_id,
                "option_id": option_id,
                "approver_name": approval[0],
                "method": approval[1],
                "approved_at": at(timeline.approved, 12),
                "recorded_by_id": self.desk,
                "total": total,
                "lines_json": "[]",
                "content_hash": "",
                "hash_version": 1,
                "signature_png": None,
            }
            self.rows.add("plan_approval", row)
            facts = [
                ItemFacts(
                    id=item_ids[n],
                    code=spec.code,
                    label="",
                    provider_id=providers[n],
                    tooth=spec.tooth,
                    surfaces=spec.surfaces,
                    fee=quotes[n].fee,
                    status=ItemStatus.COMPLETED if timeline.done_on.get(n) else ItemStatus.PLANNED,
                    visit=spec.visit,
                    sequence=n,
                )
                for n, spec in enumerate(draft.items)
            ]
            lines = [
                PlanLine(
                    f.id,
                    f.code or "",
                    practice.codes[f.code or ""].category,
                    f.fee,
                    practice.codes[f.code or ""].insurable,
                    None,
                    f.is_completed,
                    plan_order_key(f),
                )
                for f in facts
            ]
            self.approvals.append((row, draft.title, facts, lines))
        return timeline.created

    def finish_approvals(self, books: list[CoverageBook], visits: dict[date, list[ChargeDraft]]) -> None:
        """Hash the patient's approvals with each line's estimate as the services compute it today
        (TP-15, INS-9): a completed item's as posted, a planned item's by the one estimate."""
        if not self.approvals:
            return
        posted = {c.ref: c for charges in visits.values() for c in charges if isinstance(c.ref, int)}
        names = self.practice.provider_names
        for row, title, facts, lines in self.approvals:
            record = approval_record(
                title,
                facts,
                lambda f: names[f.provider_id] if f.provider_id else "",
                approved_terms(lines, books, self.today, posted),
                row["approver_name"],
                row["method"],
            )
            row.update(lines_json=record.lines_json, content_hash=record.content_hash, hash_version=record.hash_version)
        self.approvals.clear()

    # --- visits outside plans

    def routine(self, patient: _Patient, visits: dict[date, list[ChargeDraft]]) -> None:
        """Checkups every 6 to 10 months for most patients, now and then fillings or an emergency."""
        schedule, dmo, dentist, age = patient.schedule, patient.dmo, patient.dentist_id, patient.age
        rng, today = self.rng, self.today
        codes_by_day: list[tuple[date, list[tuple[str, str | None, str]]]] = []
        if rng.random() < 0.8:
            day = today - timedelta(days=rng.randint(0, YEARS_DAYS))
            while day <= today:
                codes: list[tuple[str, str | None, str]] = [
                    ("D0120", None, ""),
                    ("D1120" if age < 14 else "D1110", None, ""),
                ]
                if rng.random() < 0.4:
                    codes.append(("D0274", None, ""))
                if age < 14:
                    codes.append(("D1206", None, ""))
                codes_by_day.append((day, codes))
                day += timedelta(days=rng.randint(180, 300))
        if rng.random() < 0.3:
            tooth_pool = PRIMARY_MOLARS if age < 10 else MOLARS + PREMOLARS
            fills = [filling(rng, tooth, 1) for tooth in rng.sample(tooth_pool, rng.randint(1, 2))]
            day = today - timedelta(days=rng.randint(0, YEARS_DAYS))
            codes_by_day.append((day, [(f.code, f.tooth, f.surfaces) for f in fills]))
        if rng.random() < 0.08:
            day = today - timedelta(days=rng.randint(0, YEARS_DAYS))
            codes_by_day.append((day, [("D0140", None, ""), ("D9110", None, "")]))
        for day, codes in codes_by_day:
            for code, tooth, surfaces in codes:
                fee = self.practice.quote(code, schedule, dmo).fee or ZERO
                provider = self.practice.hygienist_id if code in HYGIENE_CODES else dentist
                visits[day].append(ChargeDraft(self.practice.codes[code], tooth, surfaces, provider, fee))

    # --- the ledger

    def post(
        self,
        patient: _Patient,
        icm: Icm,
        books: list[CoverageBook],
        coverage: Row | None,
        dos: date,
        charges: list[ChargeDraft],
    ) -> None:
        """Write one visit: its charges, claim and lines, payments and adjustments, chart marks."""
        patient_id, account_id = patient.id, patient.account_id
        outcome = settle_visit(self.practice, self.rng, self.today, icm, books, dos, charges)
        claim_id = None
        if outcome.claim is not None and coverage is not None:
            self.claims += 1
            claim = outcome.claim
            claim_id = self.rows.add(
                "claim",
                {
                    "office_id": self.office_id,
                    "account_id": account_id,
                    "patient_id": patient_id,
                    "coverage_id": coverage["id"],
                    "claim_number": str(self.claims),
                    "status": ClaimStatus.COMPLETE if claim.complete else ClaimStatus.OPEN,
                    "created_on": claim.created_on,
                    "completed_on": claim.completed_on,
                },
            )
        charge_ids = {}
        for charge in charges:
            provider = charge.provider_id
            charge_id = self.rows.add(
                "ledger_transaction",
                {
                    "office_id": self.office_id,
                    "account_id": account_id,
                    "patient_id": patient_id,
                    "kind": TransactionKind.CHARGE,
                    "procedure_code_id": charge.code.id,
                    "tooth": charge.tooth,
                    "surfaces": charge.surfaces,
                    "description": charge.code.name,
                    "dos": dos,
                    "aged_date": charge.aged_date,
                    "amount": charge.fee,
                    "tax": charge.tax,
                    "held_amount": charge.held_amount,
                    "write_off": charge.write_off,
                    "released_on": charge.released_on,
                    "applies_to_id": None,
                    "estimated_secondary": charge.estimated_secondary,
                    "deductible_primary": charge.deductible_primary,
                    "deductible_secondary": charge.deductible_secondary,
                    "estimate_note": charge.estimate_note,
                    "taxable": charge.code.taxable,
                    "insurable": charge.insurable,
                    "rtu": charge.code.rtu,
                    "production_provider_id": provider,
                    "collection_provider_id": provider,
                    "plan_item_id": charge.ref,
                    "claim_id": claim_id if charge.insurable else None,
                    "estimated_insurance": charge.estimate,
                    "notes": charge.notes,
                    "posted_at": at(dos, 15),
                    "posted_by_id": self.desk,
                    "version": 1,
                },
            )
            charge_ids[id(charge)] = charge_id
            if charge.code.charts_graphic:
                self.rows.add(
                    "chart_graphic",
                    self._graphic(
                        patient_id,
                        charge.code.id,
                        charge.tooth,
                        charge.surfaces,
                        GraphicStatus.COMPLETED,
                        charge_id,
                        charge.ref,
                        dos,
                    ),
                )
        if outcome.claim is not None and claim_id is not None:
            for line in outcome.claim.lines:
                self.rows.add(
                    "claim_line",
                    {
                        "claim_id": claim_id,
                        "transaction_id": charge_ids[id(line.charge)],
                        "estimated": line.estimated,
                        "paid": line.paid,
                        "write_off": line.charge.write_off if outcome.claim.complete else None,
                    },
                )
        for credit in outcome.credits:
            self.rows.add(
                "ledger_transaction",
                {
                    "office_id": self.office_id,
                    "account_id": account_id,
                    "patient_id": patient_id,
                    "kind": credit.kind,
                    "procedure_code_id": None,
                    "tooth": None,
                    "surfaces": "",
                    "description": credit.description,
                    "dos": credit.dos,
                    "aged_date": None,
                    "amount": credit.amount,
                    "tax": ZERO,
                    "held_amount": credit.held_amount,
                    "write_off": ZERO,
                    "released_on": credit.released_on,
                    "applies_to_id": None,
                    "estimated_secondary": ZERO,
                    "deductible_primary": ZERO,
                    "deductible_secondary": ZERO,
                    "estimate_note": "",
                    "taxable": False,
                    "insurable": False,
                    "rtu": 0,
                    "production_provider_id": None,
                    "collection_provider_id": charges[0].provider_id,
                    "plan_item_id": None,
                    "claim_id": claim_id if credit.from_claim else None,
                    "estimated_insurance": ZERO,
                    "notes": "",
                    "posted_at": at(credit.dos, 16),
                    "posted_by_id": self.desk,
                    "version": 1,
                },
            )

    def _graphic(
        self,
        patient_id: int,
        code_id: int,
        tooth: str | None,
        surfaces: str,
        status: GraphicStatus,
        transaction_id: int | None,
        plan_item_id: Any,
        day: date,
    ) -> Row:
        return {
            "patient_id": patient_id,
            "procedure_code_id": code_id,
            "tooth": tooth,
            "surfaces": surfaces,
            "status": status,
            "transaction_id": transaction_id,
            "plan_item_id": plan_item_id,
            "created_at": at(day, 15),
            "created_by_id": self.dentist_user,
            "removed_at": None,
            "removed_by_id": None,
            "removal_reason": "",
        }


def _plan_flags(rng: random.Random, patients: int, plans: int, sixty: int) -> Callable[[int], tuple[bool, bool]]:
    """Which patient numbers get a plan, and which of those the 60-item benchmark plans."""
    chosen = sorted(rng.sample(range(1, patients + 1), min(plans, patients)))
    step = max(1, len(chosen) // max(1, sixty))
    big = set(chosen[::step][:sixty])
    has = set(chosen)
    return lambda n: (n in has, n in big)


def build_large(
    engine: Engine,
    rng: random.Random,
    today: date,
    report: Callable[[str, int, int], None],
    *,
    scale: float,
    seed: int,
    passwords: dict[str, str],
) -> DemoCounts:
    patients_total = max(1, round(PATIENTS * scale))
    plans_total = round(PLANS * scale)
    sixty_total = max(1, round(SIXTY_ITEM_PLANS * scale)) if plans_total else 0
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        # PRAGMA synchronous cannot change inside a transaction, and SQLAlchemy begins one at
        # the first statement: these go to the driver's connection before that.
        driver = conn.connection.driver_connection
        assert driver is not None  # a live connection always has its driver's
        if sqlite:
            driver.execute("PRAGMA synchronous=OFF")
            driver.execute("PRAGMA cache_size=-131072")
        try:
            report("Practice set-up", 0, 1)
            with Session(bind=conn) as session:
                refuse_if_practice(session)
                practice = set_up_practice(session, rng, passwords)
                session.commit()
            report("Practice set-up", 1, 1)
            rows = _Rows(conn)
            generator = _Generator(practice, rng, today, rows)
            flags = _plan_flags(rng, patients_total, plans_total, sixty_total)
            done = accounts = 0
            stage = "Patients, plans and ledger"
            report(stage, 0, patients_total)
            while done < patients_total:
                size = min(rng.choices(FAMILY_SIZES, FAMILY_WEIGHTS)[0], patients_total - done)
                accounts += 1
                done += generator.household(size, accounts, flags, done + 1)
                if len(rows.pending["ledger_transaction"]) >= CHUNK_LEDGER_ROWS:
                    rows.write(conn)
                    report(stage, done, patients_total)
            rows.write(conn)
            report(stage, done, patients_total)
            with Session(bind=conn) as session:
                finish_office(session, practice.office_id, done, accounts)
                record_creation(
                    session,
                    practice.office_id,
                    {
                        "size": "large",
                        "seed": seed,
                        "scale": str(scale),
                        "today": today,
                        "patients": done,
                        "plans": rows.written["treatment_plan"],
                        "ledger_rows": rows.written["ledger_transaction"],
                    },
                )
                session.commit()
            if sqlite:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                _advance_sequences(conn)
        finally:
            if sqlite:
                conn.rollback()
                driver.execute("PRAGMA synchronous=FULL")
                driver.execute("PRAGMA cache_size=-2000")
    plans, ledger_rows = rows.written["treatment_plan"], rows.written["ledger_transaction"]
    return DemoCounts(practice.office_id, done, accounts, plans, ledger_rows)


def _advance_sequences(conn: Connection) -> None:
    """PostgreSQL: each id sequence moves past the ids written here with the rows (the bulk insert
    names every id itself, so the sequences stayed at 1 and the office's next charge, payment or
    plan took an id in use: a unique key refused on the first save)."""
    for table in TABLES:
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
        )
    conn.commit()
