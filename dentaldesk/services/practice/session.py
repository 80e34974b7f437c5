"""What the main window shows when a session begins, read as one action right after the password
check: the office it is titled for, the Patients page's today and recent lists, and the age of the
last backup for the status bar. One transaction (DATA-1) on the login's worker, so the first window
of a session is built from answers already in hand, without a database read on the GUI thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dentaldesk.domain.errors import PermissionDenied
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.patients.search import StartLists, start_lists
from dentaldesk.services.practice.backups import BackupAge, backup_age
from dentaldesk.services.practice.office import OfficeInfo, office_info
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True)
class SessionStart:
    """The main window's first figures; ``backup`` is None for a role that may not read the backups
    (its status bar shows no backup warning: the manager's screen does, DATA-6)."""

    office: OfficeInfo
    lists: StartLists
    backup: BackupAge | None


@guarded(Right.READ_OFFICE)
def session_start(uow: UnitOfWork, actor: Actor, recent_ids: Sequence[int] = ()) -> SessionStart:
    """The office, today's and the recent patients (``recent_ids``, most recent first) and the
    backup age, each under its own right (SEC-3), in one read."""
    with uow.read():
        office = office_info(uow, actor)
        lists = start_lists(uow, actor, recent_ids)
        try:
            backup: BackupAge | None = backup_age(uow, actor)
        except PermissionDenied:
            backup = None
    return SessionStart(office=office, lists=lists, backup=backup)
