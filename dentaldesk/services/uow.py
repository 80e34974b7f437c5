"""The unit of work: one user action, one database transaction (DATA-1, STYLE.md convention 3).

    with uow:
        ...
        uow.commit()

Leaving the block without ``commit()`` rolls back, so a refused action changes nothing.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from dentaldesk.db.engine import session_factory
from dentaldesk.domain.errors import ConflictError


class UnitOfWork:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._session: Session | None = None

    @classmethod
    def for_engine(cls, engine: Engine) -> UnitOfWork:
        return cls(session_factory(engine))

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._session is not None:
            raise RuntimeError("a unit of work is not re-entrant: one action, one transaction")
        self._session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        try:
            session.rollback()
        finally:
            session.close()

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise _conflict() from exc

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as exc:
            raise _conflict() from exc


def _conflict() -> ConflictError:
    return ConflictError(
        "Another workstation saved this record while you were editing it. "
        "Your changes were not saved; reopen it to see the latest version (DATA-2)."
    )
