"""Versions of the records two workstations edit (DATA-2, DATA-4)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dentaldesk.domain.errors import ConflictError


def stale_conflict(session: Session | None) -> ConflictError:
    """A save found a row changed (or removed) by another workstation since it was read."""
    return ConflictError(
        "Another workstation saved this record while you were editing it. "
        "Your changes were not saved; reopen it to see the latest version (DATA-2)."
    )
