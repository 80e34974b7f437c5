"""Backups and restores of the practice database as user actions (DATA-6).

Owner and Admin back up by hand and restore (Right.BACKUP); the daily automatic backup runs for
whoever is logged in (Right.AUTO_BACKUP). Each backup and restore is written to the audit log.

Taking a backup does not hold the write lock: the unit of work's transaction is ended before the
copy, which reads on its own connection from one snapshot, and the audit row is written in a new
short transaction afterwards, so the other workstations keep saving meanwhile.

A restore replaces the database under every open session: it is refused while another
workstation has the database open, checks the file first, keeps the database it replaces, and
upgrades an older backup to this version's schema. Everybody logs in again afterwards (the users
and their sessions are those of the backup).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from dentaldesk import clock
from dentaldesk.config import StorageError
from dentaldesk.db import backup as files
from dentaldesk.db.engine import SQLITE_BEGIN
from dentaldesk.db.models import Office
from dentaldesk.db.presence import Presence, others_with_it_open
from dentaldesk.domain.backups import describe_age, describe_size, due_today, is_overdue
from dentaldesk.domain.errors import RuleViolation
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True)
class BackupRow:
    """One backup as the Backups window lists it."""

    file_name: str
    path: Path
    taken_at: dt.datetime
    size: int

    def size_text(self) -> str:
        return describe_size(self.size)

    def age_text(self, now: dt.datetime) -> str:
        return describe_age(self.taken_at, now)


@dataclass(frozen=True)
class BackupStatus:
    """The Backups window's header: where backups go, the last good one, and whether to worry."""

    folder: Path
    backups: tuple[BackupRow, ...]
    shared: bool  # PostgreSQL: pg_dump / pg_restore
    tool_problem: str  # why this workstation cannot back up the shared database, or ""
    now: dt.datetime

    @property
    def last(self) -> BackupRow | None:
        return self.backups[0] if self.backups else None

    @property
    def overdue(self) -> bool:
        return is_overdue(self.last.taken_at if self.last else None, self.now)

    @property
    def warning(self) -> str:
        if self.tool_problem:
            return self.tool_problem
        if self.last is None:
            return "There is no backup of this practice yet. Back up now."
        if self.overdue:
            return (
                f"The last good backup is {self.last.age_text(self.now)} old (more than two days). "
                "Back up now, and check that the backup folder's disk or share is there."
            )
        return ""


@dataclass(frozen=True)
class Restored:
    """What a restore did: the file put in place and where the replaced database was kept."""

    restored_from: Path
    kept_as: Path | None
    upgraded_from: str | None


def _row(backup: files.BackupFile) -> BackupRow:
    return BackupRow(backup.path.name, backup.path, backup.taken_at, backup.size)


def default_folder(engine: Engine) -> Path:
    """Where backups go when General settings name no folder: beside the database."""
    return files.default_folder(engine)


def folder_of(engine: Engine, office: Office | None) -> Path:
    """The office's backup folder (General settings), or the default beside the database."""
    chosen = (office.backup_folder or "").strip() if office is not None else ""
    return Path(chosen) if chosen else files.default_folder(engine)


def _engine_of(uow: UnitOfWork) -> Engine:
    bind = uow.session.get_bind()
    assert isinstance(bind, Engine)
    return bind


def _status(engine: Engine, folder: Path) -> BackupStatus:
    shared = engine.dialect.name != "sqlite"
    problem = ""
    if shared:
        try:
            files.pg_tool("pg_dump")
        except StorageError as exc:
            problem = exc.message
    backups = tuple(_row(b) for b in files.list_backups(folder, files.database_stem(engine)))
    return BackupStatus(folder, backups, shared, problem, clock.now_local().replace(tzinfo=None))


@guarded(Right.BACKUP, read=True)
def backup_status(uow: UnitOfWork, actor: Actor) -> BackupStatus:
    """The Backups window: the folder, every good backup newest first, and the overdue warning."""
    with uow.read():
        office = uow.session.get(Office, actor.office_id)
        return _status(_engine_of(uow), folder_of(_engine_of(uow), office))


def _back_up(uow: UnitOfWork, actor: Actor, to: Path | None, action: str) -> BackupRow:
    session = uow.session
    engine = _engine_of(uow)
    folder = to or folder_of(engine, session.get(Office, actor.office_id))
    session.rollback()  # hold no lock and no snapshot while the copy runs
    taken = files.back_up(engine, folder)
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
    audit.record(
        session,
        actor,
        action,
        "database",
        None,
        after={"file": str(taken.path), "size": taken.size, "taken_at": taken.taken_at},
    )
    uow.commit()
    return _row(taken)


@guarded(Right.BACKUP, read=True)
def back_up_now(uow: UnitOfWork, actor: Actor, *, to: Path | None = None) -> BackupRow:
    """ "Back up now" and ``dentaldesk backup [--to DIR]``: one consistent backup, rotated (DATA-6)."""
    with uow:
        return _back_up(uow, actor, to, "backup")


@guarded(Right.AUTO_BACKUP, read=True)
def automatic_backup(uow: UnitOfWork, actor: Actor, *, at_close: bool = False) -> BackupRow | None:
    """The daily backup (the first one of the day, or at close): None when today's is done (DATA-6).

    SQLite only; a shared PostgreSQL database is backed up on its server or by hand.
    """
    with uow:
        engine = _engine_of(uow)
        if engine.dialect.name != "sqlite":
            return None
        office = uow.session.get(Office, actor.office_id)
        backups = files.list_backups(folder_of(engine, office), files.database_stem(engine))
        last = backups[0].taken_at if backups else None
        if not at_close and not due_today(last, clock.now_local().replace(tzinfo=None)):
            return None
        return _back_up(uow, actor, None, "backup_at_close" if at_close else "backup_daily")


@dataclass(frozen=True)
class BackupAge:
    """For the main window's status bar: when the last good backup was taken, and whether to worry."""

    last: dt.datetime | None
    overdue: bool
    text: str


@guarded(Right.AUTO_BACKUP, read=True)
def backup_age(uow: UnitOfWork, actor: Actor) -> BackupAge:
    """The age of the last good backup, for everyone's status bar (DATA-6: warn after two days)."""
    with uow.read():
        engine = _engine_of(uow)
        status = _status(engine, folder_of(engine, uow.session.get(Office, actor.office_id)))
    if status.shared:
        return BackupAge(None, False, "")
    last = status.last.taken_at if status.last else None
    if not status.overdue:
        return BackupAge(last, False, "")
    if status.last is None:
        return BackupAge(None, True, "No backup of this practice yet: tell the practice owner.")
    return BackupAge(last, True, f"Last backup {status.last.age_text(status.now)}: tell the practice owner.")


@guarded(Right.BACKUP, read=True)
def check_restore(uow: UnitOfWork, actor: Actor, path: Path, *, presence: Presence | None = None) -> str:
    """What restoring ``path`` would put in place, or the reason it is refused; nothing is changed."""
    with uow.read():
        engine = _engine_of(uow)
        return _check_restore(engine, path, presence)


def _check_restore(engine: Engine, path: Path, presence: Presence | None) -> str:
    if engine.dialect.name == "sqlite":
        found = files.check_sqlite_backup(path)
        what = f"{found.patients:,} patients" + (f" in {found.offices} offices" if found.offices != 1 else "")
    else:
        files.check_pg_backup(path)
        what = "the shared database"
    others = others_with_it_open(engine, presence)
    if others:
        raise RuleViolation(
            "Another workstation has the practice open: "
            + "; ".join(others[:3])
            + ". Close DentalDesk there first, then restore; nothing was changed.",
            "restore",
        )
    return what


@guarded(Right.BACKUP, read=True)
def restore_backup(uow: UnitOfWork, actor: Actor, path: Path, *, presence: Presence | None = None) -> Restored:
    """Restore ``path`` in place of the database (DATA-6); every session logs in again afterwards.

    ``presence`` is this process's own mark on the database, so only other workstations count.
    """
    with uow:
        engine = _engine_of(uow)
        _check_restore(engine, path, presence)
        folder = folder_of(engine, uow.session.get(Office, actor.office_id))
        uow.session.rollback()
        uow.session.close()
    return replace_database(engine, path, folder, by=actor)


def replace_database(engine: Engine, path: Path, folder: Path, *, by: Actor | None) -> Restored:
    """The restore itself, once allowed: keep the old database, put the backup in place, upgrade it,
    audit it in the restored database. Used directly only on a database with no practice in it
    (first run), where nothing is there to protect."""
    from dentaldesk.db.migrate import current_revision, head_revision, upgrade

    engine.dispose()  # this process's pooled connections see the new file from the next one on
    if engine.dialect.name == "sqlite":
        database = files.sqlite_path(engine)
        files.check_sqlite_backup(path)
        kept = files.keep_replaced(database, folder)
        files.restore_sqlite(path, database)
    else:
        files.check_pg_backup(path)
        kept = files.keep_replaced_pg(engine, folder)
        files.restore_pg(engine, path)
    engine.dispose()
    before = current_revision(engine)
    upgraded = None
    if before != head_revision():
        upgrade(engine)
        upgraded = before
    record = UnitOfWork.for_engine(engine)
    with record:
        office_id = record.session.scalar(select(Office.id).order_by(Office.id).limit(1))
        audit.record(
            record.session,
            None,
            "restore_backup",
            "database",
            None,
            after={"from": str(path), "kept_as": str(kept) if kept else "", "upgraded_from": upgraded or ""},
            username=by.username if by else "first run",
            workstation=by.workstation if by else "",
            office_id=office_id,
        )
        record.commit()
    return Restored(path, kept, upgraded)


def restore_into_empty(engine: Engine, path: Path, *, presence: Presence | None = None) -> Restored:
    """First run, or a database deleted: restore a backup into a database that holds no practice."""
    from dentaldesk.services.practice.office import practice_name

    if practice_name(UnitOfWork.for_engine(engine)) is not None:
        raise RuleViolation(
            "This database holds a practice: log in as an Owner or Admin to restore over it.", "restore"
        )
    _check_restore(engine, path, presence)
    return replace_database(engine, path, files.default_folder(engine), by=None)


def backups_in(engine: Engine, folder: Path | None = None) -> BackupStatus:
    """The backups in a folder (default: beside the database), before anyone can log in (first run)."""
    return _status(engine, folder or files.default_folder(engine))
