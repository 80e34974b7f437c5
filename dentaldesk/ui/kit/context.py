"""What every window needs: the database, the logged-in user, and a signal for changes.

Nothing here imports SQLAlchemy at import time: the login window must appear before the
database layer has loaded (the start-up goal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from dentaldesk.services.access.actor import Actor
    from dentaldesk.services.uow import UnitOfWork


class Changes(QObject):
    """Announces what an action changed so each view decides whether to redraw (STYLE.md 6)."""

    changed = Signal(str)  # the area: "patients", "plans", "ledger", "settings", "chart", ...
    patient_selected = Signal(int)


@dataclass
class AppContext:
    engine: Any  # sqlalchemy.Engine
    database: str
    actor: Actor | None = None
    changes: Changes = field(default_factory=Changes)

    def uow(self) -> UnitOfWork:
        from dentaldesk.services.uow import UnitOfWork

        return UnitOfWork.for_engine(self.engine)

    @property
    def user(self) -> Actor:
        if self.actor is None:
            raise RuntimeError("no one is logged in")
        return self.actor
