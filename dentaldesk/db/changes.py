"""Telling the other workstations what a transaction changed (DATA-7).

Every transaction that changes rows says which ones, in the transaction itself, so the message
exists exactly when the change does (a rolled-back action announces nothing):

* PostgreSQL: ``NOTIFY dentaldesk_changes`` with the changes as its payload; the server delivers
  it to every listening workstation at commit.
* SQLite: a row in ``change_log``; the other processes notice the file changed through
  ``PRAGMA data_version`` (cheap, no lock) and read the rows after the last one they saw. SQLite
  writes one transaction at a time, so the rows' ids are in commit order.

A change is ``{table: [ids]}`` plus the origin (this engine), so a workstation skips its own
changes: its windows already heard them through the UI's change signal. :class:`ChangeFeed` reads
them on the other side; it holds one connection of its own and never writes.

The same record tells this workstation what its own action changed: :func:`recording` collects
what every transaction committed on this thread while it is open (the UI's operation helper
announces those tables' areas), so an action says what it changed by doing it, not by a name
its caller picks.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, event, insert, select, text
from sqlalchemy.orm import Session

from dentaldesk.db.models import ChangeLog

CHANNEL = "dentaldesk_changes"
MAX_PAYLOAD = 7000  # PostgreSQL takes 8000 bytes; beyond that only the tables are named
KEEP_ROWS = 5000  # change_log rows kept (the feed reads the newest within seconds)
_PENDING = "dentaldesk_changes_pending"
_COMMITTING = "dentaldesk_changes_committing"
_recorders = threading.local()
# Tables whose rows say nothing another workstation's screen shows.
QUIET = frozenset({"audit_event", "audit_chain", "login_session", "login_throttle", "change_log", "plan_event"})


def origin_of(engine: Engine) -> str:
    """This workstation's name for its own changes: one per engine (one per app, one per test desk)."""
    found = engine.__dict__.get("dentaldesk_origin")
    if found is None:
        found = uuid.uuid4().hex[:16]
        engine.__dict__["dentaldesk_origin"] = found
    return found


@dataclass(frozen=True)
class Change:
    """What another workstation committed: table -> the ids changed (None: too many to name)."""

    origin: str
    tables: dict[str, frozenset[int] | None]
    who: str = ""  # the person and workstation that saved ("Fran Front on FRONT-2")

    def ids(self, table: str) -> frozenset[int] | None:
        return self.tables.get(table, frozenset())

    def touches(self, table: str, row_id: int | None = None) -> bool:
        if table not in self.tables:
            return False
        ids = self.tables[table]
        return row_id is None or ids is None or row_id in ids


def _collect(session: Session, objects: Iterable[Any]) -> None:
    pending: dict[str, set[int]] = session.info.setdefault(_PENDING, {})
    for obj in objects:
        table = getattr(obj, "__tablename__", None)
        if table is None or table in QUIET:
            continue
        row_id = getattr(obj, "id", None)
        pending.setdefault(table, set())
        if isinstance(row_id, int):
            pending[table].add(row_id)


@event.listens_for(Session, "after_flush")
def _remember(session: Session, _context: Any) -> None:
    _collect(session, list(session.new) + list(session.dirty) + list(session.deleted))


@event.listens_for(Session, "after_begin")
def _forget_on_begin(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_COMMITTING, None)


class Recorded:
    """What the transactions committed on one thread changed: table -> ids (see :func:`recording`)."""

    def __init__(self) -> None:
        self.tables: dict[str, set[int]] = {}

    def add(self, pending: dict[str, set[int]]) -> None:
        for table, ids in pending.items():
            self.tables.setdefault(table, set()).update(ids)

    def touches(self, table: str, row_id: int | None = None) -> bool:
        return table in self.tables and (row_id is None or row_id in self.tables[table])


@contextmanager
def recording() -> Iterator[Recorded]:
    """Collect what the transactions committed on this thread change while the block runs."""
    seen = Recorded()
    stack: list[Recorded] = _recorders.__dict__.setdefault("stack", [])
    stack.append(seen)
    try:
        yield seen
    finally:
        stack.remove(seen)


@event.listens_for(Session, "after_commit")
def _record_committed(session: Session) -> None:
    pending = session.info.pop(_COMMITTING, None)
    if pending:
        for seen in _recorders.__dict__.get("stack", ()):
            seen.add(pending)


def payload(origin: str, pending: dict[str, set[int]], who: str = "") -> str:
    body = {"o": origin, "w": who[:160], "c": {table: sorted(ids) for table, ids in pending.items()}}
    text_ = json.dumps(body, separators=(",", ":"))
    if len(text_) > MAX_PAYLOAD:
        body["c"] = {table: None for table in pending}
        text_ = json.dumps(body, separators=(",", ":"))
    return text_


@event.listens_for(Session, "before_commit")
def _announce(session: Session) -> None:
    """Say what this transaction changed, inside it (DATA-7)."""
    session.flush()  # the last changes, so they are counted
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.info[_COMMITTING] = pending  # for this thread's recording(), once the commit holds
    engine = session.get_bind().engine
    from dentaldesk.db.versioning import saved_by_text

    body = payload(origin_of(engine), pending, saved_by_text(session.info.get("actor")))
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_notify(:channel, :body)"), {"channel": CHANNEL, "body": body})
        return
    row_id = connection.execute(insert(ChangeLog).values(payload=body).returning(ChangeLog.id)).scalar_one()
    if row_id % 500 == 0:
        connection.execute(delete(ChangeLog).where(ChangeLog.id <= row_id - KEEP_ROWS))


def parse(body: str) -> Change | None:
    try:
        data = json.loads(body)
        tables = {
            str(table): (None if ids is None else frozenset(int(i) for i in ids)) for table, ids in data["c"].items()
        }
        return Change(str(data["o"]), tables, str(data.get("w") or ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


class ChangeFeed:
    """The other workstations' committed changes, read on a connection of its own (DATA-7).

    ``poll(timeout)`` returns what arrived since the last call, waiting up to ``timeout`` seconds on
    PostgreSQL for a notification; on SQLite it checks ``PRAGMA data_version`` and returns at once.
    Not thread-safe: one thread polls.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.origin = origin_of(engine)
        self._conn: Any = None
        self._data_version: int | None = None
        self._last_id = 0
        self._open()

    def _open(self) -> None:
        if self.engine.dialect.name == "postgresql":
            import psycopg
            from sqlalchemy.engine import make_url

            url = make_url(self.engine.url).set(drivername="postgresql")
            from dentaldesk.db.presence import application_name

            self._conn = psycopg.connect(
                url.render_as_string(hide_password=False),
                autocommit=True,
                application_name=application_name(),
                connect_timeout=5,
            )
            self._conn.execute(f"LISTEN {CHANNEL}")
        else:
            import sqlite3

            self._conn = sqlite3.connect(f"file:{self.engine.url.database}?mode=ro", uri=True, check_same_thread=False)
            self._conn.isolation_level = None
            self._data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            found = self._conn.execute("SELECT max(id) FROM change_log").fetchone()[0]
            self._last_id = found or 0

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def poll(self, timeout: float = 0.0) -> list[Change]:
        if self._conn is None:
            return []
        if self.engine.dialect.name == "postgresql":
            found = [
                parse(n.payload) for n in self._conn.notifies(timeout=timeout, stop_after=None) if n.channel == CHANNEL
            ]
        else:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self._data_version:
                return []
            self._data_version = version
            rows = self._conn.execute(
                "SELECT id, payload FROM change_log WHERE id > ? ORDER BY id", (self._last_id,)
            ).fetchall()
            if rows:
                self._last_id = rows[-1][0]
            found = [parse(body) for _id, body in rows]
        return [c for c in found if c is not None and c.origin != self.origin]


def newest_change_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1)) or 0
