"""What the database said, as an error a person can act on (STYLE.md 5, DATA-1, DATA-4).

The unit of work hands every exception raised inside an action to :func:`translate` after the
rollback; what the database or the driver raised comes back typed, anything else (a bug) is
left alone. Nothing was saved in any of these cases: the action was rolled back whole.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dentaldesk.config import StorageError
from dentaldesk.domain.errors import ConflictError, DentalDeskError, NotFound, ValidationError

NOTHING_SAVED = "Nothing was saved"

# PostgreSQL SQLSTATE codes (Appendix A of its manual).
_PG_UNIQUE = "23505"
_PG_FOREIGN_KEY = "23503"
_PG_NOT_NULL = "23502"
_PG_CHECK = "23514"
_SQLITE_BUSY_SNAPSHOT = 517
_PG_RACE = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def _sqlstate(orig: Any) -> str | None:
    return getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)


def busy() -> ConflictError:
    return ConflictError(
        "Another workstation is saving to the database and it stayed busy too long. "
        f"{NOTHING_SAVED}; try again in a moment."
    )


def translate(exc: BaseException, session: Session | None = None) -> DentalDeskError | None:
    """The typed error for ``exc``, or None when it is not the database's (a programming error)."""
    if isinstance(exc, DentalDeskError):
        return exc
    if isinstance(exc, StaleDataError):
        from dentaldesk.db.versioning import stale_conflict

        return stale_conflict(session)
    if isinstance(exc, sa_exc.IntegrityError):
        return _integrity(exc)
    if isinstance(exc, sa_exc.DataError):
        return ValidationError(
            "A value is too long, out of range or holds characters the database does not accept. "
            f"{NOTHING_SAVED}; check what was typed."
        )
    if isinstance(exc, sa_exc.OperationalError):
        return _operational(exc, session)
    if isinstance(exc, sa_exc.DBAPIError):
        state = _sqlstate(exc.orig)
        if state in _PG_RACE:
            return _race()
        if exc.connection_invalidated:
            return StorageError(f"The connection to the database was lost. {NOTHING_SAVED}; try again.")
        return StorageError(f"The database refused the action ({_first_line(exc.orig)}). {NOTHING_SAVED}.")
    if isinstance(exc, UnicodeError):
        return ValidationError(
            f"A value holds a character that cannot be stored (a broken or half character). {NOTHING_SAVED}."
        )
    return None


def _first_line(orig: Any) -> str:
    return (str(orig).strip().splitlines() or ["unknown error"])[0]


def _race() -> ConflictError:
    return ConflictError(
        f"Another workstation changed the same records at the same moment. {NOTHING_SAVED}; try again."
    )


def _integrity(exc: sa_exc.IntegrityError) -> DentalDeskError:
    orig = exc.orig
    state = _sqlstate(orig)
    text = str(orig)
    if state == _PG_UNIQUE or "UNIQUE constraint failed" in text:
        return ConflictError(
            "Another workstation saved a record with the same number or name at the same moment. "
            f"{NOTHING_SAVED}; try again."
        )
    if state == _PG_FOREIGN_KEY or "FOREIGN KEY constraint failed" in text:
        return NotFound(
            "A record this action refers to does not exist any more (another workstation may have removed it). "
            f"{NOTHING_SAVED}; reopen the window and try again."
        )
    if state in (_PG_NOT_NULL, _PG_CHECK) or "NOT NULL constraint" in text or "CHECK constraint" in text:
        return ValidationError(f"A value is missing or out of range. {NOTHING_SAVED}; check what was typed.")
    return ConflictError(f"The database refused the change ({_first_line(orig)}). {NOTHING_SAVED}.")


def _operational(exc: sa_exc.OperationalError, session: Session | None) -> DentalDeskError:
    orig = exc.orig
    if _sqlstate(orig) in _PG_RACE:
        return _race()
    if isinstance(orig, sqlite3.OperationalError):
        if getattr(orig, "sqlite_errorcode", None) == _SQLITE_BUSY_SNAPSHOT:
            # A read that turned into a write after another connection committed: what it read is stale.
            from dentaldesk.db.versioning import stale_conflict

            return stale_conflict(session)
        text = str(orig)
        if "locked" in text or "busy" in text:
            return busy()
        if "disk" in text or "full" in text or "readonly" in text or "read-only" in text:
            return StorageError(f"The database file cannot be written ({text}). {NOTHING_SAVED}.")
    if exc.connection_invalidated or "connection" in str(orig).lower():
        return StorageError(
            f"The database cannot be reached (the server or the network is down). {NOTHING_SAVED}; try again."
        )
    return StorageError(f"The database could not do the action ({_first_line(orig)}). {NOTHING_SAVED}.")
