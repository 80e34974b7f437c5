"""Plans for the handout tests and benchmark, written straight into a test database.

The plan services are built elsewhere; these rows are what they store: items with fees from Fee 0,
status changes, and for an approved plan a PlanApproval whose hash covers the lines in plan order
(TP-15) and a drawn signature PNG.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select

from dentaldesk.db.models import (
    Account,
    Coverage,
    DentalPlan,
    Office,
    Patient,
    PlanApproval,
    PlanCategory,
    PlanItem,
    PlanOption,
    PlanStatusChange,
    ProcedureCode,
    Provider,
    TreatmentPlan,
)
from dentaldesk.domain.approval import ApprovedLine, canonical_text, content_hash
from dentaldesk.domain.money import money
from dentaldesk.domain.terms import (
    ApprovalMethod,
    Category,
    CoverageRank,
    EstimationType,
    ItemStatus,
    PaperSize,
    PlanStatus,
    Role,
    ToothNumbering,
)
from dentaldesk.domain.text import search_key
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.login import login
from dentaldesk.services.practice.codes import copy_master_codes
from dentaldesk.services.practice.office import create_practice
from dentaldesk.services.practice.pricing import quote_fee_in
from dentaldesk.services.practice.staff import UserForm, add_user
from dentaldesk.services.uow import UnitOfWork

CODES = [
    "D0150",
    "D0210",
    "D1110",
    "D2392",
    "D2391",
    "D2740",
    "D2950",
    "D3330",
    "D4341",
    "D6010",
    "D6058",
    "D7210",
    "D7140",
    "D1351",
    "D9944",
]

# The items of the realistic plan: code, tooth, surfaces, visit, provider (0 dentist, 1 hygienist).
IMPLANT_AND_CROWN = [
    ("D0150", None, "", 1, 0),
    ("D0210", None, "", 1, 0),
    ("D1110", None, "", 1, 1),
    ("D2392", "3", "MO", 2, 0),
    ("D2391", "30", "O", 2, 0),
    ("D3330", "19", "", 3, 0),
    ("D2950", "19", "", 4, 0),
    ("D2740", "19", "", 4, 0),
    ("D7210", "14", "", 5, 0),
    ("D6010", "14", "", 6, 0),
    ("D6058", "14", "", 7, 0),
    ("D9944", None, "", None, 0),
]


@dataclass
class HandoutOffice:
    office_id: int
    owner: Actor
    front_desk: Actor
    patient_id: int
    uninsured_patient_id: int
    provider_ids: list[int]
    provider_names: list[str]


def signature_png() -> bytes:
    """A drawn signature as the signature pad stores it: dark strokes on a transparent PNG."""
    image = Image.new("RGBA", (480, 140), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    points = [
        (20, 100),
        (60, 30),
        (90, 110),
        (130, 40),
        (170, 100),
        (200, 70),
        (260, 90),
        (300, 40),
        (340, 105),
        (380, 60),
        (440, 80),
    ]
    pen.line(points, fill=(16, 24, 40, 255), width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def make_office(
    uow: UnitOfWork, *, paper: PaperSize = PaperSize.LETTER, numbering: ToothNumbering = ToothNumbering.UNIVERSAL
) -> HandoutOffice:
    """A practice with a dentist and a hygienist, codes with Fee 0, one insured patient, one not."""
    office_id = create_practice(
        uow,
        office_code="HND01",
        office_name="Maple Street Dental",
        owner_username="owner",
        owner_full_name="Olive Owner",
        owner_password="owner-pass-1",
        workstation="test-ws",
    )
    owner = login(uow, "owner", "owner-pass-1", "test-ws")
    add_user(
        uow,
        owner,
        UserForm(
            username="front", full_name="Fran Front", role=Role.FRONT_DESK, password="front-pass-1", provider_id=None
        ),
    )
    front = login(uow, "front", "front-pass-1", "test-ws")
    copy_master_codes(uow, owner, CODES)
    with uow:
        s = uow.session
        office = s.get(Office, office_id)
        office.address = "1250 Maple Street, Suite 200\nSpringfield, IL 62704"
        office.phone = "(217) 555-0142"
        office.email = "frontdesk@maplestreet.example"
        office.paper_size = paper
        office.tooth_numbering = numbering
        office.estimate_valid_days = 90
        office.handout_note = (
            "Insurance payments are estimates, not guarantees: you are responsible for any "
            "amount your plan does not pay. Questions? Call us at (217) 555-0142."
        )
        names = ["Olivia Bennett, DDS", "Hannah Lee, RDH"]
        providers = [Provider(office_id=office_id, name=n, short_name=n[:2].upper()) for n in names]
        s.add_all(providers)
        account = Account(office_id=office_id, account_number="A1")
        s.add(account)
        s.flush()
        people = []
        for number, (first, last, email) in enumerate(
            [("Zoë", "Ångström", "zoe@example.com"), ("Peter", "Brown", "")], start=1001
        ):
            p = Patient(
                office_id=office_id,
                patient_number=str(number),
                account_id=account.id,
                first_name=first,
                last_name=last,
                first_name_key=search_key(first),
                last_name_key=search_key(last),
                birth_date=dt.date(1984, 2, 29),
                email=email,
            )
            s.add(p)
            s.flush()
            people.append(p.id)
        account.guarantor_id = people[0]
        plan = DentalPlan(
            office_id=office_id,
            name="PPO Plus",
            carrier="Delta Dental",
            estimation_type=EstimationType.PERCENTAGE,
            deductible=Decimal("50.00"),
            annual_max=Decimal("1500.00"),
        )
        s.add(plan)
        s.flush()
        for category, percent, applies in [
            (Category.DIAGNOSTIC, 100, False),
            (Category.PREVENTIVE, 100, False),
            (Category.RESTORATIVE, 80, True),
            (Category.ENDODONTICS, 80, True),
            (Category.ORAL_SURGERY, 80, True),
            (Category.IMPLANT, 50, True),
        ]:
            s.add(
                PlanCategory(
                    dental_plan_id=plan.id, category=category, coverage_percent=percent, deductible_applies=applies
                )
            )
        s.add(
            Coverage(
                patient_id=people[0],
                dental_plan_id=plan.id,
                rank=CoverageRank.PRIMARY,
                subscriber_name="Zoë Ångström",
                benefit_year=2026,
            )
        )
        uow.commit()
        return HandoutOffice(office_id, owner, front, people[0], people[1], [p.id for p in providers], names)


def add_plan(
    uow: UnitOfWork,
    office: HandoutOffice,
    items: list[tuple[str, str | None, str, int | None, int]],
    *,
    title: str = "Implant and crown",
    status: PlanStatus = PlanStatus.DRAFT,
    completed: int = 0,
    approve: ApprovalMethod | None = None,
    patient_id: int | None = None,
    created: dt.datetime = dt.datetime(2026, 10, 5, 9, 30),
) -> int:
    """Write a plan as the plan services store it; the first ``completed`` items are done."""
    with uow:
        s = uow.session
        patient = patient_id or office.patient_id
        plan = TreatmentPlan(
            office_id=office.office_id,
            patient_id=patient,
            title=title,
            status=status,
            created_at=created,
            updated_at=created,
            created_by_id=office.owner.user_id,
        )
        plan.options = [PlanOption(name="Option A", position=1, chosen=status is not PlanStatus.DRAFT)]
        s.add(plan)
        s.flush()
        option_id = plan.options[0].id
        codes = {c.code: c for c in s.scalars(select(ProcedureCode).where(ProcedureCode.office_id == office.office_id))}
        rows = []
        for sequence, (code, tooth, surfaces, visit, who) in enumerate(items):
            fee = quote_fee_in(s, patient, code).fee
            row = PlanItem(
                plan_id=plan.id,
                option_id=option_id,
                procedure_code_id=codes[code].id,
                tooth=tooth,
                surfaces=surfaces,
                provider_id=office.provider_ids[who],
                fee=fee,
                schedule_fee=fee,
                rtu=codes[code].default_rtu,
                visit=visit,
                sequence=sequence,
            )
            s.add(row)
            rows.append((row, code, office.provider_names[who]))
        s.flush()
        s.add(
            PlanStatusChange(
                plan_id=plan.id, from_status=None, to_status=PlanStatus.DRAFT, at=created, user_id=office.owner.user_id
            )
        )
        if status is not PlanStatus.DRAFT:
            approved_at = created + dt.timedelta(days=2, hours=1)
            s.add(
                PlanStatusChange(
                    plan_id=plan.id,
                    from_status=PlanStatus.DRAFT,
                    to_status=PlanStatus.APPROVED,
                    at=approved_at,
                    user_id=office.front_desk.user_id,
                )
            )
            if approve is not None:
                ordered = sorted(rows, key=lambda r: (r[0].visit if r[0].visit is not None else 10**9, r[0].sequence))
                lines = [
                    ApprovedLine(code, row.tooth or "", row.surfaces, name, money(row.fee), row.visit)
                    for row, code, name in ordered
                ]
                total = money(sum((row.fee for row, _c, _n in rows), Decimal(0)))
                s.add(
                    PlanApproval(
                        plan_id=plan.id,
                        option_id=option_id,
                        approver_name="Zoë Ångström",
                        method=approve,
                        approved_at=approved_at,
                        recorded_by_id=office.front_desk.user_id,
                        total=total,
                        lines_json=canonical_text(title, lines, total, version=1),
                        content_hash=content_hash(title, lines, total, version=1),
                        hash_version=1,
                        signature_png=signature_png() if approve is ApprovalMethod.SIGNED_AT_DESK else None,
                    )
                )
                plan.approved_total = total
                for row, _c, _n in rows:
                    row.approved_fee = row.fee
            ordered_rows = sorted(rows, key=lambda r: (r[0].visit if r[0].visit is not None else 10**9, r[0].sequence))
            for n, (row, _c, _n) in enumerate(ordered_rows[:completed]):
                row.status = ItemStatus.COMPLETED
                row.completed_on = dt.date(2026, 10, 8) + dt.timedelta(days=4 * n)
        if status is PlanStatus.CANCELLED:
            s.add(
                PlanStatusChange(
                    plan_id=plan.id,
                    from_status=PlanStatus.APPROVED,
                    to_status=status,
                    at=created + dt.timedelta(days=30),
                    user_id=office.owner.user_id,
                )
            )
        uow.commit()
        return plan.id


def long_plan(count: int) -> list[tuple[str, str | None, str, int | None, int]]:
    """``count`` items over many visits: fillings, crowns and extractions round the mouth."""
    teeth = [str(n) for n in range(1, 33)]
    kinds = [("D2392", "MO"), ("D2391", "O"), ("D2950", ""), ("D2740", ""), ("D7140", "")]
    items: list[tuple[str, str | None, str, int | None, int]] = []
    for n in range(count):
        code, surfaces = kinds[n % len(kinds)]
        items.append((code, teeth[n % 32], surfaces, 1 + n // 4, 0))
    return items


@dataclass
class HandoutPractice:
    """A copy of the handout practice: its engine, a unit of work, the office and the plan ids."""

    engine: object
    uow: UnitOfWork
    office: HandoutOffice
    plans: dict[str, int]


def build_template(path: Path) -> tuple[HandoutOffice, dict[str, int]]:
    """The office and a draft, an approved and a half-completed plan, in a new database at ``path``.

    Built once per test session and copied per test: the practice's Argon2 logins are the slow part.
    """
    from dentaldesk.db.engine import make_engine
    from dentaldesk.db.migrate import upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    uow = UnitOfWork.for_engine(engine)
    office = make_office(uow)
    plans = {
        "draft": add_plan(uow, office, IMPLANT_AND_CROWN),
        "approved": add_plan(
            uow, office, IMPLANT_AND_CROWN, status=PlanStatus.APPROVED, approve=ApprovalMethod.SIGNED_AT_DESK
        ),
        "half": add_plan(
            uow,
            office,
            IMPLANT_AND_CROWN,
            status=PlanStatus.APPROVED,
            approve=ApprovalMethod.SIGNED_AT_DESK,
            completed=6,
        ),
        "uninsured": add_plan(
            uow, office, IMPLANT_AND_CROWN[:3], title="Checkup", patient_id=office.uninsured_patient_id
        ),
    }
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return office, plans


def copy_template(template: tuple[Path, HandoutOffice, dict[str, int]], folder: Path) -> HandoutPractice:
    """A private copy of the template database for one test."""
    import shutil

    from dentaldesk.db.engine import make_engine

    path, office, plans = template
    target = folder / "handout.sqlite3"
    shutil.copyfile(path, target)
    engine = make_engine(f"sqlite:///{target}")
    return HandoutPractice(engine, UnitOfWork.for_engine(engine), office, dict(plans))
