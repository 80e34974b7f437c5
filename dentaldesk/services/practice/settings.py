"""Practice set-up: General settings and fee schedules.

Dental plans and bluebooks are in :mod:`dentaldesk.services.practice.dental_plans`, users and providers
in :mod:`dentaldesk.services.practice.staff`. Every function here is one user action: the role is checked
first (SETUP_ROLES), the input is parsed and refused field by field before anything is written,
and the change and its audit event (SEC-2, before and after) are saved in one transaction (DATA-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Final, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentaldesk import config
from dentaldesk.db.models import FeeSchedule, FeeScheduleEntry, Office, ProcedureCode
from dentaldesk.db.versioning import check_version, conflict_for
from dentaldesk.domain.errors import ConflictError, NotFound, ValidationError
from dentaldesk.domain.fees import check_schedule
from dentaldesk.domain.mail import SmtpSecurity, check_mail_server
from dentaldesk.domain.money import format_money, parse_money, percent_of
from dentaldesk.domain.records import optional_text, parse_email, parse_raise_percent, parse_whole, required_text
from dentaldesk.domain.tax import parse_tax_rate
from dentaldesk.domain.terms import PaperSize, TaxMethod, ToothNumbering
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.practice.mail import office_mail_server
from dentaldesk.services.uow import UnitOfWork

# --------------------------------------------------------------------------- General settings


@dataclass(frozen=True)
class GeneralSettingsForm:
    """The General System Settings window as typed (numbers and the tax rate are text)."""

    office_code: str
    name: str
    address: str
    phone: str
    email: str
    tax_method: TaxMethod
    tax_rate: str
    tooth_numbering: ToothNumbering
    paper_size: PaperSize
    handout_note: str
    estimate_valid_days: str
    idle_lock_minutes: str
    backup_folder: str = ""  # DATA-6: where backups go; blank: a "backups" folder beside the database
    # CASE-4: the office's mail server; blank host = none (Send to patient opens the mail client).
    smtp_host: str = ""
    smtp_port: str = ""
    smtp_security: SmtpSecurity = SmtpSecurity.STARTTLS
    smtp_user: str = ""
    smtp_from: str = ""
    # The password is kept in this workstation's settings file (SEC-6), not in the database:
    # None keeps the one kept, "" removes it. ``smtp_password_kept`` says whether one is kept.
    smtp_password: str | None = None
    smtp_password_kept: bool = False
    version: int | None = None  # the office's version when loaded (DATA-4)


_OFFICE_FIELDS = (
    "office_code",
    "name",
    "address",
    "phone",
    "email",
    "tax_method",
    "tax_rate",
    "tooth_numbering",
    "paper_size",
    "handout_note",
    "estimate_valid_days",
    "idle_lock_minutes",
    "backup_folder",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_user",
    "smtp_from",
)


def check_backup_folder(text: str) -> str:
    """DATA-6: a backup folder is a full path that can be created and written; blank is the default."""
    import os
    from pathlib import Path

    cleaned = optional_text(text, "backup_folder", "backup folder", max_length=1000)
    if not cleaned:
        return ""
    folder = Path(cleaned).expanduser()
    if not folder.is_absolute():
        raise ValidationError(
            "Give the backup folder's full path, e.g. D:\\DentalDesk backups or /mnt/nas/backups.", "backup_folder"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"The folder {folder} cannot be created ({exc.strerror}).", "backup_folder") from None
    if not os.access(folder, os.W_OK):
        raise ValidationError(
            f"The folder {folder} cannot be written; choose another or ask for access.", "backup_folder"
        )
    return str(folder)


def _office(session: Session, actor: Actor) -> Office:
    office = session.get(Office, actor.office_id)
    if office is None:
        raise NotFound("The office no longer exists.")
    return office


def _rate_text(rate: Decimal | None) -> str:
    return "" if rate is None else f"{rate.normalize():f}"


def _office_snapshot(office: Office) -> dict[str, object]:
    # The rate keeps its own decimals (8.875 %); audit.snapshot would show it as money.
    return audit.snapshot(office, *_OFFICE_FIELDS) | {"tax_rate": _rate_text(office.tax_rate)}


@guarded(Right.SETUP, read=True)
def load_general_settings(uow: UnitOfWork, actor: Actor) -> GeneralSettingsForm:
    with uow.read():
        o = _office(uow.session, actor)
        return GeneralSettingsForm(
            office_code=o.office_code,
            name=o.name,
            address=o.address,
            phone=o.phone,
            email=o.email,
            tax_method=o.tax_method,
            tax_rate=_rate_text(o.tax_rate),
            tooth_numbering=o.tooth_numbering,
            paper_size=o.paper_size,
            handout_note=o.handout_note,
            estimate_valid_days=str(o.estimate_valid_days),
            idle_lock_minutes=str(o.idle_lock_minutes),
            backup_folder=o.backup_folder,
            smtp_host=o.smtp_host,
            smtp_port=str(o.smtp_port),
            smtp_security=office_mail_server(o).security,
            smtp_user=o.smtp_user,
            smtp_from=o.smtp_from,
            smtp_password_kept=config.smtp_password() is not None,
            version=o.version,
        )


@guarded(Right.SETUP)
def save_general_settings(uow: UnitOfWork, actor: Actor, form: GeneralSettingsForm) -> int:
    """Save the General System Settings; the tax method and rate drive Taxable (TX-TAX-1).

    Returns the office's new version, for the next save from the same window (DATA-4).
    """
    code = required_text(form.office_code, "office_code", "office ID", max_length=16).upper()
    values = {
        "office_code": code,
        "name": required_text(form.name, "name", "practice name", max_length=120),
        "address": optional_text(form.address, "address", "address", max_length=240),
        "phone": optional_text(form.phone, "phone", "phone number", max_length=40),
        "email": parse_email(form.email),
        "tax_method": TaxMethod(form.tax_method),
        "tax_rate": parse_tax_rate(form.tax_rate) if form.tax_rate.strip() else None,
        "tooth_numbering": ToothNumbering(form.tooth_numbering),
        "paper_size": PaperSize(form.paper_size),
        "handout_note": optional_text(form.handout_note, "handout_note", "handout note", max_length=2000),
        "estimate_valid_days": parse_whole(
            form.estimate_valid_days, "estimate_valid_days", low=1, high=730, what="Estimate validity (days)"
        ),
        "idle_lock_minutes": parse_whole(
            form.idle_lock_minutes, "idle_lock_minutes", low=1, high=240, what="Idle lock (minutes)"
        ),
        "backup_folder": check_backup_folder(form.backup_folder),
    }
    server = check_mail_server(form.smtp_host, form.smtp_port, form.smtp_security, form.smtp_user, form.smtp_from)
    values |= {
        "smtp_host": server.host,
        "smtp_port": server.port,
        "smtp_security": server.security.value,
        "smtp_user": server.user,
        "smtp_from": server.sender,
    }
    if form.smtp_password is not None and len(form.smtp_password) > 500:
        raise ValidationError("A password has at most 500 characters.", "smtp_password")
    with uow:
        s = uow.session
        office = _office(s, actor)
        check_version(office, form.version)
        taken = s.scalar(select(Office.id).where(Office.office_code == code, Office.id != office.id))
        if taken is not None:
            raise ValidationError(f"The office ID {code} belongs to another office.", "office_code")
        before = _office_snapshot(office)
        for name, value in values.items():
            setattr(office, name, value)
        s.flush()
        after = _office_snapshot(office)
        if form.smtp_password is not None:
            # SEC-6: into this workstation's settings file (0600); the audit says only that it changed.
            config.set_smtp_password(form.smtp_password)
            after["smtp_password"] = "changed" if form.smtp_password else "removed"
        audit.record(s, actor, "update_settings", "office", office.id, before=before, after=after)
        uow.commit()
        return office.version


# --------------------------------------------------------------------------- Fee schedules


@dataclass(frozen=True)
class FeeScheduleRow:
    number: int
    name: str
    entries: int


@dataclass(frozen=True)
class FeeGridRow:
    """One code's fees in the schedules shown side by side (``None`` = no entry)."""

    code_id: int
    code: str
    name: str
    fees: tuple[Decimal | None, ...]
    versions: tuple[int | None, ...] = ()  # each fee's version (None: no fee), for set_fee (DATA-4)


@dataclass(frozen=True)
class FeeChange:
    """A line of the raise-by-percentage preview: the fee now and after the raise."""

    code_id: int
    code: str
    name: str
    old: Decimal
    new: Decimal


def default_schedule_name(number: int) -> str:
    return "Office fee (UCR)" if number == 0 else f"Fee {number}"


@guarded(Right.SETUP, read=True)
def fee_schedules(uow: UnitOfWork, actor: Actor) -> list[FeeScheduleRow]:
    """Every schedule number 0 to 26, named, with how many fees each holds."""
    with uow.read():
        s = uow.session
        named = {
            number: (name, entries)
            for number, name, entries in s.execute(
                select(FeeSchedule.number, FeeSchedule.name, func.count(FeeScheduleEntry.id))
                .outerjoin(FeeScheduleEntry, FeeScheduleEntry.fee_schedule_id == FeeSchedule.id)
                .where(FeeSchedule.office_id == actor.office_id)
                .group_by(FeeSchedule.number, FeeSchedule.name)
            )
        }
    return [
        FeeScheduleRow(n, named.get(n, (default_schedule_name(n), 0))[0], named.get(n, ("", 0))[1]) for n in range(27)
    ]


@guarded(Right.SETUP, read=True)
def fee_grid(uow: UnitOfWork, actor: Actor, numbers: Sequence[int]) -> list[FeeGridRow]:
    """The office's active codes x the chosen schedules (a few side by side)."""
    shown = [check_schedule(n) for n in numbers]
    with uow.read():
        s = uow.session
        fees: dict[tuple[int, int], tuple[Decimal, int]] = {
            (code_id, number): (fee, version)
            for code_id, number, fee, version in s.execute(
                select(
                    FeeScheduleEntry.procedure_code_id,
                    FeeSchedule.number,
                    FeeScheduleEntry.fee,
                    FeeScheduleEntry.version,
                )
                .join(FeeSchedule, FeeSchedule.id == FeeScheduleEntry.fee_schedule_id)
                .where(FeeSchedule.office_id == actor.office_id, FeeSchedule.number.in_(shown))
            )
        }
        codes = s.execute(
            select(ProcedureCode.id, ProcedureCode.code, ProcedureCode.name)
            .where(ProcedureCode.office_id == actor.office_id, ProcedureCode.active.is_(True))
            .order_by(ProcedureCode.code)
        ).all()
    none = (None, None)
    return [
        FeeGridRow(
            c.id,
            c.code,
            c.name,
            tuple(fees.get((c.id, n), none)[0] for n in shown),
            tuple(fees.get((c.id, n), none)[1] for n in shown),
        )
        for c in codes
    ]


def _schedule(session: Session, office_id: int, number: int, *, create: bool) -> FeeSchedule | None:
    schedule = session.scalar(
        select(FeeSchedule).where(FeeSchedule.office_id == office_id, FeeSchedule.number == number)
    )
    if schedule is None and create:
        schedule = FeeSchedule(office_id=office_id, number=number, name=default_schedule_name(number))
        session.add(schedule)
        session.flush()
    return schedule


class _Unchecked(Enum):
    UNCHECKED = "unchecked"


UNCHECKED: Final = _Unchecked.UNCHECKED  # set_fee without a version check (imports, scripts)


@guarded(Right.SETUP, read=True, code_id=ProcedureCode)
def fee_cell(uow: UnitOfWork, actor: Actor, code_id: int, number: int) -> tuple[Decimal | None, int | None]:
    """One cell of the fee grid as on file now: the fee and its version (None, None: no fee)."""
    check_schedule(number)
    with uow.read():
        found = uow.session.execute(
            select(FeeScheduleEntry.fee, FeeScheduleEntry.version)
            .join(FeeSchedule, FeeSchedule.id == FeeScheduleEntry.fee_schedule_id)
            .where(
                FeeSchedule.office_id == actor.office_id,
                FeeSchedule.number == number,
                FeeScheduleEntry.procedure_code_id == code_id,
            )
        ).first()
    return (found.fee, found.version) if found is not None else (None, None)


@guarded(Right.SETUP, code_id=ProcedureCode)
def set_fee(
    uow: UnitOfWork,
    actor: Actor,
    code_id: int,
    number: int,
    text: str,
    *,
    expected_version: int | None | Literal[_Unchecked.UNCHECKED] = UNCHECKED,
) -> Decimal | None:
    """Edit one cell of the fee grid: a fee (MONEY-2: 0 or more, cents), or blank to remove it.

    ``expected_version`` is the fee's version the grid showed (None: the cell was empty); a fee
    saved by another workstation since is refused (DATA-4).
    """
    check_schedule(number)
    fee = parse_money(text, field="fee") if text.strip() else None
    with uow:
        s = uow.session
        code = s.get(ProcedureCode, code_id)
        if code is None or code.office_id != actor.office_id:
            raise NotFound("This procedure code is no longer in the office list.", "code")
        schedule = _schedule(s, actor.office_id, number, create=fee is not None)
        entry = None
        if schedule is not None:
            entry = s.scalar(
                select(FeeScheduleEntry).where(
                    FeeScheduleEntry.fee_schedule_id == schedule.id, FeeScheduleEntry.procedure_code_id == code_id
                )
            )
        if expected_version is not UNCHECKED:
            if entry is None and expected_version is not None:
                raise conflict_for("fee", None, None, removed=True)
            if entry is not None:
                if expected_version is None:
                    raise conflict_for("fee", entry.saved_by, entry.saved_at)
                check_version(entry, expected_version)
        old = entry.fee if entry is not None else None
        if old == fee:
            return fee
        if fee is None:
            assert entry is not None
            s.delete(entry)
        elif entry is None:
            assert schedule is not None
            s.add(FeeScheduleEntry(fee_schedule_id=schedule.id, procedure_code_id=code_id, fee=fee))
        else:
            entry.fee = fee
        audit.record(
            s,
            actor,
            "set_fee",
            "fee_schedule",
            schedule.id if schedule else None,
            before={"schedule": number, "code": code.code, "fee": old},
            after={"schedule": number, "code": code.code, "fee": fee},
        )
        uow.commit()
        return fee


@guarded(Right.SETUP)
def name_fee_schedule(uow: UnitOfWork, actor: Actor, number: int, name: str) -> None:
    """Name a schedule ("Loyalty / senior"); naming an unused number creates the schedule."""
    check_schedule(number)
    cleaned = required_text(name, "schedule_name", "schedule name", max_length=80)
    with uow:
        s = uow.session
        schedule = _schedule(s, actor.office_id, number, create=True)
        assert schedule is not None
        before = {"number": number, "name": schedule.name}
        schedule.name = cleaned
        audit.record(
            s,
            actor,
            "name_fee_schedule",
            "fee_schedule",
            schedule.id,
            before=before,
            after={"number": number, "name": cleaned},
        )
        uow.commit()


def _raised_fees(session: Session, office_id: int, number: int, percent: Decimal) -> list[FeeChange]:
    rows = session.execute(
        select(ProcedureCode.id, ProcedureCode.code, ProcedureCode.name, FeeScheduleEntry.fee)
        .join(FeeScheduleEntry, FeeScheduleEntry.procedure_code_id == ProcedureCode.id)
        .join(FeeSchedule, FeeSchedule.id == FeeScheduleEntry.fee_schedule_id)
        .where(FeeSchedule.office_id == office_id, FeeSchedule.number == number)
        .order_by(ProcedureCode.code)
    )
    # New fee = old x (100 + p) / 100, rounded half-up once to cents (MONEY-1).
    return [FeeChange(r.id, r.code, r.name, r.fee, percent_of(r.fee, Decimal(100) + percent)) for r in rows]


@guarded(Right.SETUP, read=True)
def preview_raise(uow: UnitOfWork, actor: Actor, number: int, percent_text: str) -> list[FeeChange]:
    """Every fee of a schedule before and after a raise by ``percent_text``; nothing is saved."""
    check_schedule(number)
    percent = parse_raise_percent(percent_text)
    with uow.read():
        changes = _raised_fees(uow.session, actor.office_id, number, percent)
    if not changes:
        raise ValidationError(f"Fee schedule {number} has no fees to raise yet.", "percent")
    return changes


@guarded(Right.SETUP)
def raise_fee_schedule(
    uow: UnitOfWork, actor: Actor, number: int, percent_text: str, previewed: Sequence[FeeChange]
) -> int:
    """Apply a previewed raise in one transaction; refused if a fee changed since the preview."""
    check_schedule(number)
    percent = parse_raise_percent(percent_text)
    with uow:
        s = uow.session
        changes = _raised_fees(s, actor.office_id, number, percent)
        if [(c.code, c.old, c.new) for c in changes] != [(c.code, c.old, c.new) for c in previewed]:
            raise ConflictError(
                "The fees of this schedule changed since the preview (another workstation?). "
                "Nothing was raised; preview again.",
                "percent",
            )
        schedule = _schedule(s, actor.office_id, number, create=False)
        if schedule is None:
            raise NotFound(f"Fee schedule {number} has no fees to raise.", "schedule")
        entries = {
            e.procedure_code_id: e
            for e in s.scalars(select(FeeScheduleEntry).where(FeeScheduleEntry.fee_schedule_id == schedule.id))
        }
        for change in changes:
            entries[change.code_id].fee = change.new
        audit.record(
            s,
            actor,
            "raise_fee_schedule",
            "fee_schedule",
            schedule.id,
            before={
                "schedule": number,
                "percent": f"{percent:f}",
                "fees": {c.code: format_money(c.old) for c in changes},
            },
            after={
                "schedule": number,
                "percent": f"{percent:f}",
                "fees": {c.code: format_money(c.new) for c in changes},
            },
        )
        uow.commit()
    return len(changes)
