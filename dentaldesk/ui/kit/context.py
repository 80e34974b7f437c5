"""What every window needs: the database, the logged-in user, and a signal for changes.

Nothing here imports SQLAlchemy at import time: the login window must appear before the
database layer has loaded (the start-up goal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from dentaldesk.services.access.actor import Actor
    from dentaldesk.services.uow import UnitOfWork


# The UI's areas (ctx.changes.changed) by table.
AREAS = {
    "patient": "patients",
    "account": "patients",
    "coverage": "patients",
    "treatment_plan": "plans",
    "plan_item": "plans",
    "item_prerequisite": "plans",
    "plan_approval": "plans",
    "plan_status_change": "plans",
    "ledger_transaction": "ledger",
    "claim": "ledger",
    "claim_line": "ledger",
    "chart_graphic": "chart",
    "office": "settings",
    "procedure_code": "settings",
    "fee_schedule": "settings",
    "fee_schedule_entry": "settings",
    "dental_plan": "settings",
    "plan_category": "settings",
    "bluebook_entry": "settings",
    "provider": "settings",
    "app_user": "settings",
}


def areas_of(tables: Iterable[str]) -> list[str]:
    """The UI areas (``Changes.changed``) whose views show rows of ``tables``, in first-seen order."""
    areas: list[str] = []
    for table in tables:
        area = AREAS.get(table)
        if area and area not in areas:
            areas.append(area)
    return areas


class Changes(QObject):
    """Announces what an action changed so each view decides whether to redraw (STYLE.md 6)."""

    changed = Signal(str)  # the area: "patients", "plans", "ledger", "settings", "chart", ...
    # After the areas of one action (or one batch of another workstation's) each had ``changed``:
    # all of them at once, for a view that shows several and should read once, not per area.
    announced = Signal(list)
    patient_selected = Signal(int)
    # A backup was restored in place of the database (DATA-6): every window closes, all log in again.
    database_replaced = Signal(str)
    # Another workstation committed a change (DATA-7): a db.changes.Change with its tables and ids.
    remote = Signal(object)


def announce(changes: Changes, areas: list[str]) -> None:
    """Each area's ``changed``, then ``announced`` with them all (nothing for no area)."""
    for area in areas:
        changes.changed.emit(area)
    if areas:
        changes.announced.emit(list(areas))


@dataclass
class AppContext:
    engine: Any  # sqlalchemy.Engine
    database: str
    actor: Actor | None = None
    changes: Changes = field(default_factory=Changes)
    # This process's mark on the SQLite file (db/presence.py), so a restore counts only others.
    presence: Any = None
    # The daily and at-close backups (DATA-6): on in the app, off in tests that do not test them.
    auto_backup: bool = False
    # Called before a restore replaces the database, to let go of long-lived connections.
    before_restore: Any = None

    def uow(self) -> UnitOfWork:
        from dentaldesk.services.uow import UnitOfWork

        return UnitOfWork.for_engine(self.engine)

    @property
    def user(self) -> Actor:
        if self.actor is None:
            raise RuntimeError("no one is logged in")
        return self.actor
