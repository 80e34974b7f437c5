"""Engine and session setup for SQLite (embedded) and PostgreSQL (shared mode), DATA-3."""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dentaldesk.config import StorageError, database_password, display_url, make_private

# How long a write waits for another workstation's write to finish before it is refused (ms).
SQLITE_BUSY_TIMEOUT_MS = 5000
# The execution option a unit of work sets to say how its SQLite transaction begins.
SQLITE_BEGIN = "dentaldesk_sqlite_begin"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the sqlite3 module, starts transactions (see _sqlite_begin): the module's
    # own control begins a transaction only at the first INSERT/UPDATE, which is too late.
    dbapi_connection.isolation_level = None
    # Foreign keys on; WAL so readers never block the writer; FULL sync so a commit survives
    # a power cut (a practice's ledger is worth the few milliseconds).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Begin every SQLite transaction explicitly; a write action begins IMMEDIATE (DATA-1, DATA-4).

    BEGIN IMMEDIATE takes the database's write lock at the start of the action (waiting up to
    the busy timeout for another workstation's write), so what the action reads (the next patient
    ID, the plan's version) cannot change before it writes. Reads begin DEFERRED and never wait.
    """
    mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


class SqliteFile(Enum):
    """What a file named as an SQLite database is, found without writing a byte to it."""

    MISSING = "missing"
    EMPTY = "empty"  # a new or zero-length database: no tables yet
    DENTALDESK = "dentaldesk"  # has our alembic_version table
    FOREIGN = "foreign"  # an SQLite database of another program
    DAMAGED = "damaged"  # not an SQLite database, or one that cannot be read


@dataclass(frozen=True)
class SqliteProbe:
    kind: SqliteFile
    revision: str | None = None
    tables: tuple[str, ...] = ()
    detail: str = ""


SQLITE_HEADER = b"SQLite format 3\x00"


def probe_sqlite(path: Path) -> SqliteProbe:
    """Look at an SQLite file read-only (mode=ro): its tables and schema revision, changing nothing.

    A foreign database must come out of this as it went in: the engine's connect pragmas (WAL
    journal) would rewrite its header, so the engine is made only once the file is known to be
    ours or empty.
    """
    if not path.exists():
        return SqliteProbe(SqliteFile.MISSING)
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        return SqliteProbe(SqliteFile.DAMAGED, detail=exc.strerror or str(exc))
    if not header:
        return SqliteProbe(SqliteFile.EMPTY)
    if not header.startswith(SQLITE_HEADER):
        return SqliteProbe(SqliteFile.DAMAGED, detail="not an SQLite database")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if header[18:20] == b"\x02\x02" and not Path(f"{path}-wal").exists():
        # A WAL database with nothing in a -wal file: read it as immutable, or SQLite would leave
        # behind the -wal and -shm files a read-only connection cannot remove.
        uri += "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
        try:
            tables = tuple(
                name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            )
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return SqliteProbe(SqliteFile.DAMAGED, detail=str(exc))
    if not tables:
        return SqliteProbe(SqliteFile.EMPTY)
    if "alembic_version" in tables:
        return SqliteProbe(SqliteFile.DENTALDESK, revision, tables)
    return SqliteProbe(SqliteFile.FOREIGN, tables=tables)


def _private_database_files(database: str) -> None:
    """SEC-6: the database and its WAL and shared-memory files are 0600, however they were made.

    A new database file is made 0600 before SQLite opens it, and SQLite gives its WAL and
    shared-memory files the database file's mode; an older, looser file is tightened here.
    """
    for suffix in ("", "-wal", "-shm", "-journal"):
        make_private(Path(database + suffix))


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for ``url``; raise StorageError with a plain message if it cannot open.

    Low level: it opens (for SQLite, creates) whatever ``url`` names, in a folder that must
    exist. Commands and the app go through :mod:`dentaldesk.db.opening`, which decides first
    whether a database may be created there and whether the file is ours.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _check_sqlite_folder(Path(parsed.database))
        engine = create_engine(url, echo=echo)
        event.listen(engine, "connect", _sqlite_pragmas)
        database = parsed.database
        if database and database != ":memory:":
            event.listen(engine, "connect", lambda *_: _private_database_files(database))
        event.listen(engine, "begin", _sqlite_begin)
    elif backend == "postgresql":
        if parsed.drivername != "postgresql+psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.password is None:
            password = database_password()  # SEC-6: else PGPASSWORD or ~/.pgpass, read by libpq
            if password:
                parsed = parsed.set(password=password)
        from dentaldesk.db.presence import application_name

        # Each connection names the workstation and process, so a restore can see who else is
        # connected (pg_stat_activity, DATA-6).
        connect_args = {"connect_timeout": 5, "application_name": application_name()}
        engine = create_engine(parsed, echo=echo, pool_pre_ping=True, connect_args=connect_args)
    else:
        raise StorageError(f"DentalDesk works with SQLite or PostgreSQL, not '{backend}'.")
    check_connection(engine)
    return engine


def _check_sqlite_folder(path: Path) -> None:
    """The database's folder must exist and be writable; only DentalDesk's own data folder is
    made (and kept 0700, SEC-6), by :func:`dentaldesk.db.opening.open_or_create`: a folder the
    person named keeps its own mode."""
    folder = path.parent
    if not folder.is_dir():
        raise StorageError(
            f"The folder {folder} does not exist, so the database {path.name} cannot be there; "
            "check the path (nothing was created)."
        )
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise StorageError(
            f"The data folder {folder} cannot be written. Ask your administrator for write "
            "access, or choose another folder with DENTALDESK_HOME or a database URL."
        )
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # SEC-6: born private


def check_connection(engine: Engine) -> None:
    """Open one connection and read from the file, so a corrupt or unreachable database fails now."""
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(text("SELECT count(*) FROM sqlite_master"))
            else:
                conn.execute(text("SELECT 1"))
    except DatabaseError as exc:
        raise StorageError(_explain(engine, exc)) from exc


def _explain(engine: Engine, exc: DatabaseError) -> str:
    where = display_url(engine.url.render_as_string(hide_password=False))
    orig = getattr(exc, "orig", None)
    if engine.dialect.name == "sqlite":
        if isinstance(orig, sqlite3.DatabaseError) and "not a database" in str(orig):
            return (
                f"The file {engine.url.database} is not a DentalDesk database or is damaged. "
                "It was left untouched; restore it from a backup or choose another file."
            )
        return f"The database file {engine.url.database} cannot be opened: {orig}"
    if isinstance(exc, OperationalError):
        return (
            f"The PostgreSQL server at {where} cannot be reached or refused the login. "
            "Check that it is running and the URL, user and password are right."
        )
    return f"The database at {where} cannot be opened: {orig}"


_FACTORIES: weakref.WeakKeyDictionary[Engine, sessionmaker[Session]] = weakref.WeakKeyDictionary()
_FACTORIES_LOCK = threading.Lock()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The engine's one session factory. A sessionmaker makes a Session subclass of its own, and
    the first session of each new subclass copies every Session-level event listener (versioning,
    change notes) onto it: one factory per unit of work paid that on every action."""
    with _FACTORIES_LOCK:
        factory = _FACTORIES.get(engine)
        if factory is None:
            factory = _FACTORIES[engine] = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
        return factory
