"""The unit of work: one user action, one database transaction (DATA-1, STYLE.md convention 3).

    with uow:                 # a write action: on SQLite BEGIN IMMEDIATE, the write lock first
        ...
        uow.commit()

    with uow.read():          # a read: BEGIN DEFERRED, never waits for a writer
        ...

Leaving the block without ``commit()`` rolls back, so a refused action changes nothing.

Whatever the database says inside the block leaves it as a typed error (STYLE.md 5), never as a
SQLAlchemy or driver exception: a stale version found at any flush (an explicit one, the commit,
or an autoflush before a query) is a :class:`ConflictError` naming who saved the record first and
when (DATA-4); a unique key taken by another workstation at the same moment is a ConflictError; a
row that vanished under a foreign key is NotFound; a value the database refuses is a
ValidationError; a busy or unreachable database is a StorageError. The translation happens in
``__exit__``, after the rollback, so it covers every statement of the action.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dentaldesk.db.engine import SQLITE_BEGIN, session_factory
from dentaldesk.db.faults import translate
from dentaldesk.domain.errors import DentalDeskError

if TYPE_CHECKING:
    from dentaldesk.services.access.actor import Actor


class UnitOfWork:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._session: Session | None = None
        self._read_only = False
        self._actor: Actor | None = None

    @classmethod
    def for_engine(cls, engine: Engine) -> UnitOfWork:
        return cls(session_factory(engine))

    @property
    def engine(self) -> Engine:
        bind = self._factory.kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its 'with' block")
        return self._session

    def read(self) -> UnitOfWork:
        """Use the next ``with`` block for reading only: it does not take the write lock."""
        if self._session is not None:
            raise RuntimeError("read() is called before the 'with' block, not inside it")
        self._read_only = True
        return self

    def act_as(self, actor: Actor | None) -> None:
        """Who the action is for: recorded on every versioned row it saves (DATA-4)."""
        self._actor = actor
        self.session.info["actor"] = actor

    @property
    def actor(self) -> Actor | None:
        return self._actor

    def __enter__(self) -> UnitOfWork:
        if self._session is not None:
            raise RuntimeError("a unit of work is not re-entrant: one action, one transaction")
        session = self._factory()
        self._session = session
        mode = "DEFERRED" if self._read_only else "IMMEDIATE"
        try:
            # Begin now: on SQLite a write action takes the write lock at its start.
            session.connection(execution_options={SQLITE_BEGIN: mode})
        except Exception as exc:
            self._session = None
            self._read_only = False
            session.close()
            typed = translate(exc, session)
            if typed is None:
                raise
            raise typed from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        self._read_only = False
        self._actor = None
        try:
            session.rollback()
        finally:
            session.close()
        if exc is not None and not isinstance(exc, DentalDeskError) and isinstance(exc, Exception):
            typed = translate(exc, session)
            if typed is not None:
                raise typed from exc

    def flush(self) -> None:
        try:
            self.session.flush()
        except Exception as exc:
            self._raise_typed(exc)

    def commit(self) -> None:
        try:
            self.session.commit()
        except Exception as exc:
            self._raise_typed(exc)

    def _raise_typed(self, exc: Exception) -> None:
        typed = translate(exc, self.session)
        if typed is None or typed is exc:
            raise exc
        raise typed from exc
