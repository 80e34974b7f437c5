"""The ADA Transaction Codes window's actions: add a custom code, edit, deactivate (CODE-1).

Copying from the master list and importing a licensed CSV are in
:mod:`dentaldesk.services.practice.codes` (``copy_master_codes``, ``import_codes``); this module adds the
master list as the window shows it and a preview of an import's refused rows.

A deactivated code stays on every past plan item, charge and bluebook entry; it only leaves the
pickers (``office_codes`` lists active codes) and the fee grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from dentaldesk.db.models import FeeSchedule, FeeScheduleEntry, MasterCode, ProcedureCode
from dentaldesk.db.versioning import check_version
from dentaldesk.domain.codes import normalize_code, parse_rtu
from dentaldesk.domain.errors import NotFound, ValidationError
from dentaldesk.domain.money import parse_money
from dentaldesk.domain.records import optional_text, required_text
from dentaldesk.domain.teeth import Dentition
from dentaldesk.domain.terms import Category
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.practice.code_file import read_code_list
from dentaldesk.services.uow import UnitOfWork

MAX_RTU = 480  # a whole working day of chair time
_FIELDS = (
    "code",
    "name",
    "description",
    "category",
    "default_rtu",
    "insurable",
    "taxable",
    "requires_tooth",
    "requires_surface",
    "charts_graphic",
    "dentition",
    "active",
    "custom",
)


@dataclass(frozen=True)
class CodeForm:
    """The code editor as typed. ``code``, ``custom`` and ``usual_fee`` count only when adding."""

    code: str
    name: str
    description: str
    category: Category
    default_rtu: str
    insurable: bool = True
    taxable: bool = False
    requires_tooth: bool = False
    requires_surface: bool = False
    charts_graphic: bool = False
    dentition: Dentition = Dentition.BOTH  # ID-3
    custom: bool = False
    usual_fee: str = ""
    version: int | None = None  # the code's version when loaded (DATA-4); None when adding


@dataclass(frozen=True)
class MasterRow:
    code: str
    name: str
    category: Category
    usual_fee: Decimal | None
    in_office: bool


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do: codes new to the office, codes updated, rows refused with why."""

    new: tuple[str, ...]
    updated: tuple[str, ...]
    refused: tuple[tuple[int, str, str], ...]  # (line, code, reason)


def _checked(form: CodeForm) -> dict[str, object]:
    rtu = parse_rtu(form.default_rtu)
    if rtu > MAX_RTU:
        raise ValidationError(f"Default RTU's are at most {MAX_RTU} minutes.", "rtu")
    return {
        "name": required_text(form.name, "name", "code's name", max_length=120),
        "description": optional_text(form.description, "description", "patient-friendly description", max_length=2000),
        "category": Category(form.category),
        "default_rtu": rtu,
        "insurable": form.insurable,
        "taxable": form.taxable,
        # CODE-4: a surface is always on a tooth, so requiring a surface requires the tooth too.
        "requires_tooth": form.requires_tooth or form.requires_surface,
        "requires_surface": form.requires_surface,
        "charts_graphic": form.charts_graphic,
        "dentition": _dentition(form.dentition),
    }


def _dentition(value: object) -> Dentition:
    """ID-3: permanent, primary or both, as the code dialog's choice gives it."""
    try:
        return Dentition(value)
    except ValueError:
        raise ValidationError("Choose the teeth the code is for: permanent, primary or both.", "dentition") from None


def _code(uow: UnitOfWork, actor: Actor, code_id: int) -> ProcedureCode:
    code = uow.session.get(ProcedureCode, code_id)
    if code is None or code.office_id != actor.office_id:
        raise NotFound("This procedure code is no longer in the office list.", "code")
    return code


@guarded(Right.SETUP, read=True, code_id=ProcedureCode)
def load_code(uow: UnitOfWork, actor: Actor, code_id: int) -> CodeForm:
    with uow.read():
        c = _code(uow, actor, code_id)
        return CodeForm(
            code=c.code,
            name=c.name,
            description=c.description,
            category=c.category,
            default_rtu=str(c.default_rtu),
            insurable=c.insurable,
            taxable=c.taxable,
            requires_tooth=c.requires_tooth,
            requires_surface=c.requires_surface,
            charts_graphic=c.charts_graphic,
            dentition=c.dentition,
            custom=c.custom,
            version=c.version,
        )


@guarded(Right.SETUP)
def add_code(uow: UnitOfWork, actor: Actor, form: CodeForm) -> int:
    """Add a code to the office list: a CDT code (D and four digits) or, ticked custom, any code.

    A usual fee typed with it goes into Fee 0 in the same transaction.
    """
    code_text = normalize_code(form.code, custom=form.custom)
    values = _checked(form)
    fee = parse_money(form.usual_fee, field="usual_fee") if form.usual_fee.strip() else None
    with uow:
        s = uow.session
        if (
            s.scalar(
                select(ProcedureCode.id).where(
                    ProcedureCode.office_id == actor.office_id, ProcedureCode.code == code_text
                )
            )
            is not None
        ):
            raise ValidationError(f"{code_text} is already in the office list; edit it there.", "code")
        row = ProcedureCode(office_id=actor.office_id, code=code_text, custom=form.custom, active=True, **values)
        s.add(row)
        s.flush()
        after = audit.snapshot(row, *_FIELDS)
        if fee is not None:
            schedule = s.scalar(
                select(FeeSchedule).where(FeeSchedule.office_id == actor.office_id, FeeSchedule.number == 0)
            )
            if schedule is None:
                schedule = FeeSchedule(office_id=actor.office_id, number=0, name="Office fee (UCR)")
                s.add(schedule)
                s.flush()
            s.add(FeeScheduleEntry(fee_schedule_id=schedule.id, procedure_code_id=row.id, fee=fee))
            after["fee_0"] = f"{fee:.2f}"
        audit.record(s, actor, "create", "procedure_code", row.id, after=after)
        uow.commit()
        return row.id


@guarded(Right.SETUP, code_id=ProcedureCode)
def edit_code(uow: UnitOfWork, actor: Actor, code_id: int, form: CodeForm) -> None:
    """Change a code's name, description, category, default RTU's and option flags (CODE-1).

    The code itself stays: past plans and charges name it. A code saved by another workstation
    since ``form.version`` was loaded is refused (DATA-4).
    """
    values = _checked(form)
    with uow:
        s = uow.session
        row = _code(uow, actor, code_id)
        check_version(row, form.version)
        before = audit.snapshot(row, *_FIELDS)
        for name, value in values.items():
            setattr(row, name, value)
        s.flush()
        after = audit.snapshot(row, *_FIELDS)
        if after != before:
            audit.record(s, actor, "update", "procedure_code", row.id, before=before, after=after)
        uow.commit()


@guarded(Right.SETUP, code_id=ProcedureCode)
def set_code_active(uow: UnitOfWork, actor: Actor, code_id: int, active: bool) -> None:
    """Deactivate a code (it stays on past records and leaves the pickers) or bring it back."""
    with uow:
        s = uow.session
        row = _code(uow, actor, code_id)
        if row.active == active:
            return
        before = audit.snapshot(row, "code", "active")
        row.active = active
        audit.record(
            s,
            actor,
            "activate" if active else "deactivate",
            "procedure_code",
            row.id,
            before=before,
            after=audit.snapshot(row, "code", "active"),
        )
        uow.commit()


@guarded(Right.SETUP, read=True)
def master_list(uow: UnitOfWork, actor: Actor) -> list[MasterRow]:
    """The shipped master list, each code marked if the office list already holds it."""
    with uow.read():
        s = uow.session
        have = set(s.scalars(select(ProcedureCode.code).where(ProcedureCode.office_id == actor.office_id)))
        masters = s.scalars(select(MasterCode).where(MasterCode.active.is_(True)).order_by(MasterCode.code))
        return [MasterRow(m.code, m.name, m.category, m.usual_fee, m.code in have) for m in masters]


@guarded(Right.SETUP, read=True)
def preview_import(uow: UnitOfWork, actor: Actor, path: Path) -> ImportPreview:
    """Read a code CSV and say what importing it would add, update and refuse; nothing is saved."""
    code_list = read_code_list(path)
    with uow.read():
        have = set(uow.session.scalars(select(ProcedureCode.code).where(ProcedureCode.office_id == actor.office_id)))
    codes = [row.definition.code for row in code_list.rows]
    return ImportPreview(
        new=tuple(c for c in codes if c not in have),
        updated=tuple(c for c in codes if c in have),
        refused=code_list.refused,
    )
