"""The office and its people as the UI shows them; first-run set-up of a new practice."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select

from dentaldesk.db.models import FeeSchedule, Office, ProcedureCode, Provider, User
from dentaldesk.domain.errors import NotFound, ValidationError
from dentaldesk.domain.terms import PaperSize, Role, TaxMethod, ToothNumbering
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.login import hash_password
from dentaldesk.services.access.rights import Right
from dentaldesk.services.practice.codes import load_master_list
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True)
class OfficeInfo:
    id: int
    office_code: str
    name: str
    address: str
    phone: str
    tax_method: TaxMethod
    tax_rate: Decimal | None
    tooth_numbering: ToothNumbering
    paper_size: PaperSize
    idle_lock_minutes: int
    estimate_valid_days: int
    handout_note: str
    codes: int
    providers: int
    users: int


def practice_name(uow: UnitOfWork) -> str | None:
    """The practice's name for the login window, or None on a new, empty database (first run).

    The one read before anyone logs in: it tells nothing but the name on the office's door.
    """
    with uow.read():
        return uow.session.scalar(select(Office.name).order_by(Office.id).limit(1))


@guarded(Right.READ_OFFICE)
def office_info(uow: UnitOfWork, actor: Actor) -> OfficeInfo:
    """The acting user's office as the main window and the Settings summary show it."""
    office_id = actor.office_id
    with uow.read():
        s = uow.session
        office = s.get(Office, office_id)
        if office is None:
            raise NotFound("The office no longer exists.")

        def count(model: Any, *where: ColumnElement[bool]) -> int:
            return s.scalar(select(func.count()).select_from(model).where(model.office_id == office_id, *where)) or 0

        return OfficeInfo(
            id=office.id,
            office_code=office.office_code,
            name=office.name,
            address=office.address,
            phone=office.phone,
            tax_method=office.tax_method,
            tax_rate=office.tax_rate,
            tooth_numbering=office.tooth_numbering,
            paper_size=office.paper_size,
            idle_lock_minutes=office.idle_lock_minutes,
            estimate_valid_days=office.estimate_valid_days,
            handout_note=office.handout_note,
            codes=count(ProcedureCode, ProcedureCode.active.is_(True)),
            providers=count(Provider, Provider.active.is_(True)),
            users=count(User, User.active.is_(True)),
        )


def create_practice(
    uow: UnitOfWork,
    *,
    office_code: str,
    office_name: str,
    owner_username: str,
    owner_full_name: str,
    owner_password: str,
    workstation: str,
) -> int:
    """First run: the office, its owner, the master code list and Fee 0, in one transaction.

    This is the only way to make an Owner without being one, and only on an empty practice: a
    database that holds an office or a user already refuses it (SEC-3).
    """
    code = office_code.strip().upper()
    if not code:
        raise ValidationError("Enter an office ID.", "office_code")
    if not office_name.strip():
        raise ValidationError("Enter the practice name.", "office_name")
    if not owner_username.strip():
        raise ValidationError("Enter a user name for the owner.", "username")
    password_hash = hash_password(owner_password, owner_username)
    with uow:
        s = uow.session
        if s.scalar(select(Office.id).limit(1)) is not None or s.scalar(select(User.id).limit(1)) is not None:
            raise ValidationError("This database already holds a practice.", "office_code")
        office = Office(office_code=code, name=office_name.strip())
        s.add(office)
        s.flush()
        owner = User(
            office_id=office.id,
            username=owner_username.strip(),
            full_name=owner_full_name.strip() or owner_username.strip(),
            role=Role.OWNER,
            password_hash=password_hash,
        )
        s.add(owner)
        s.add(FeeSchedule(office_id=office.id, number=0, name="Office fee (UCR)"))
        load_master_list(s)
        s.flush()
        audit.record(
            s,
            None,
            "create_practice",
            "office",
            office.id,
            after={"office_code": code, "name": office.name, "owner": owner.username},
            username=owner.username,
            workstation=workstation,
            office_id=office.id,
        )
        uow.commit()
        return office.id
