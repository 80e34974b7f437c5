"""The office's procedure code list: copy from the master list, import a licensed CSV (CODE-*)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk.config import resources_dir
from dentaldesk.db.models import FeeSchedule, FeeScheduleEntry, MasterCode, ProcedureCode
from dentaldesk.domain.codes import FLAG_NAMES, CodeDefinition, code_matches
from dentaldesk.domain.errors import DentalDeskError, NotFound
from dentaldesk.domain.teeth import Dentition
from dentaldesk.domain.terms import Category
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.practice.code_file import CodeList, CodeListRow, read_code_list
from dentaldesk.services.uow import UnitOfWork

MASTER_CSV = resources_dir() / "master_codes.csv"


@dataclass(frozen=True)
class CodeRow:
    id: int
    code: str
    name: str
    category: Category
    default_rtu: int
    insurable: bool
    taxable: bool
    requires_tooth: bool
    requires_surface: bool
    charts_graphic: bool
    active: bool
    description: str
    dentition: Dentition = Dentition.BOTH


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, reason)


def _schedule(session: Session, office_id: int, number: int) -> FeeSchedule:
    schedule = session.scalar(
        select(FeeSchedule).where(FeeSchedule.office_id == office_id, FeeSchedule.number == number)
    )
    if schedule is None:
        schedule = FeeSchedule(
            office_id=office_id, number=number, name="Office fee (UCR)" if number == 0 else f"Fee {number}"
        )
        session.add(schedule)
        session.flush()
    return schedule


def _set_fee(session: Session, schedule: FeeSchedule, code_id: int, fee: Decimal) -> None:
    entry = session.scalar(
        select(FeeScheduleEntry).where(
            FeeScheduleEntry.fee_schedule_id == schedule.id, FeeScheduleEntry.procedure_code_id == code_id
        )
    )
    if entry is None:
        session.add(FeeScheduleEntry(fee_schedule_id=schedule.id, procedure_code_id=code_id, fee=fee))
    else:
        entry.fee = fee


# CODE-1, ID-3: the columns a procedure code and a master code share, copied from one to the other.
CODE_COLUMNS = ("name", "description", "category", "default_rtu", *FLAG_NAMES, "dentition")


def _apply(code: ProcedureCode, d: CodeDefinition, fields: Iterable[str] = CODE_COLUMNS) -> None:
    for name in fields:
        setattr(code, name, getattr(d, name))


def _updated_fields(row: CodeListRow) -> list[str]:
    """What a row changes on a code already on file: only the columns it fills (CODE-1)."""
    fields = [name for name in CODE_COLUMNS if name in row.given]
    if "requires_surface" in row.given and row.definition.requires_surface and "requires_tooth" not in fields:
        fields.append("requires_tooth")  # requiring a surface also requires the tooth
    return fields


@guarded(Right.SETUP)
def import_codes(uow: UnitOfWork, actor: Actor, source: Path | CodeList) -> ImportReport:
    """Import a licensed code list: add the new codes, update known ones in the columns the file
    fills (a row's fee into Fee 0), and report each refused row.

    ID-3: a new code whose row gives no dentition (an older file without the column, or an empty
    cell) takes the master list's dentition for the code, or both when the master list lacks it."""
    code_list = source if isinstance(source, CodeList) else read_code_list(source)
    report = ImportReport(refused=list(code_list.refused))
    with uow:
        session = uow.session
        existing = {
            c.code: c for c in session.scalars(select(ProcedureCode).where(ProcedureCode.office_id == actor.office_id))
        }
        fee0 = _schedule(session, actor.office_id, 0)
        master_dentition = _master_dentition(session, [r.definition.code for r in code_list.rows])
        for row in code_list.rows:
            d = row.definition
            code = existing.get(d.code)
            if code is None:
                code = ProcedureCode(office_id=actor.office_id, code=d.code, active=True, custom=False)
                session.add(code)
                _apply(code, d)
                if "dentition" not in row.given:
                    code.dentition = master_dentition.get(d.code, Dentition.BOTH)
                report.added += 1
            else:
                _apply(code, d, _updated_fields(row))
                report.updated += 1
            session.flush()
            if d.fee is not None:
                _set_fee(session, fee0, code.id, d.fee)
        audit.record(
            session,
            actor,
            "import_codes",
            "procedure_code",
            None,
            after={
                "file": str(code_list.path),
                "encoding": code_list.encoding,
                "added": report.added,
                "updated": report.updated,
                "refused": len(code_list.refused),
            },
        )
        uow.commit()
    return report


def _master_dentition(session: Session, codes: list[str]) -> dict[str, Dentition]:
    """ID-3: the master list's dentition of each of these codes it holds."""
    found: dict[str, Dentition] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        for master in session.scalars(select(MasterCode).where(MasterCode.code.in_(chunk))):
            found[master.code] = master.dentition
    return found


def load_master_list(session: Session, path: Path = MASTER_CSV) -> int:
    """Fill the master list from the CSV shipped in resources/ (at set-up, inside its transaction)."""
    code_list = read_code_list(path)
    if code_list.refused:
        raise DentalDeskError(f"The shipped master list has bad rows: {code_list.refused[:3]}")
    known = set(session.scalars(select(MasterCode.code)))
    for row in code_list.rows:
        d = row.definition
        if d.code in known:
            continue
        session.add(MasterCode(code=d.code, usual_fee=d.fee, active=True, **{n: getattr(d, n) for n in CODE_COLUMNS}))
    session.flush()
    return len(code_list.rows)


@guarded(Right.SETUP)
def copy_master_codes(uow: UnitOfWork, actor: Actor, codes: list[str], *, with_fees: bool = True) -> list[str]:
    """Copy master codes into the office list (seed 000 troubleshooting); return the codes added."""
    with uow:
        session = uow.session
        masters = {m.code: m for m in session.scalars(select(MasterCode).where(MasterCode.code.in_(codes)))}
        unknown = [c for c in codes if c not in masters]
        if unknown:
            raise NotFound(f"Not in the master list: {', '.join(unknown)}.", "code")
        have = set(
            session.scalars(
                select(ProcedureCode.code).where(
                    ProcedureCode.office_id == actor.office_id, ProcedureCode.code.in_(codes)
                )
            )
        )
        fee0 = _schedule(session, actor.office_id, 0)
        added: list[str] = []
        for code in codes:
            if code in have:
                continue
            m = masters[code]
            row = ProcedureCode(office_id=actor.office_id, code=code, active=True, custom=False)
            for name in CODE_COLUMNS:
                setattr(row, name, getattr(m, name))
            session.add(row)
            session.flush()
            if with_fees and m.usual_fee is not None:
                _set_fee(session, fee0, row.id, m.usual_fee)
            added.append(code)
        audit.record(session, actor, "copy_master_codes", "procedure_code", None, after={"codes": added})
        uow.commit()
        return added


def _code_row(c: ProcedureCode) -> CodeRow:
    return CodeRow(
        id=c.id,
        code=c.code,
        name=c.name,
        category=c.category,
        default_rtu=c.default_rtu,
        insurable=c.insurable,
        taxable=c.taxable,
        requires_tooth=c.requires_tooth,
        requires_surface=c.requires_surface,
        charts_graphic=c.charts_graphic,
        active=c.active,
        description=c.description,
        dentition=c.dentition,
    )


@guarded(Right.READ_CODES)
def office_codes(uow: UnitOfWork, actor: Actor, *, include_inactive: bool = False) -> list[CodeRow]:
    with uow.read():
        query = select(ProcedureCode).where(ProcedureCode.office_id == actor.office_id).order_by(ProcedureCode.code)
        if not include_inactive:
            query = query.where(ProcedureCode.active.is_(True))
        return [_code_row(c) for c in uow.session.scalars(query)]


def search_codes(rows: list[CodeRow], query: str, limit: int = 50) -> list[CodeRow]:
    """CODE-2 over an already loaded list (the office list is small: a few hundred rows)."""
    return [r for r in rows if code_matches(query, r.code, r.name)][:limit]
