"""Engine and session setup for SQLite (embedded) and PostgreSQL (shared mode), DATA-3."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dentaldesk.config import StorageError, database_password, make_private, make_private_folder

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


def _prepare_sqlite_file(database: str) -> None:
    path = Path(database)
    folder = path.parent
    try:
        make_private_folder(folder)  # SEC-6: 0700
    except OSError as exc:
        raise StorageError(
            f"The data folder {folder} cannot be created ({exc.strerror}). "
            "Choose another folder with DENTALDESK_HOME or a database URL."
        ) from exc
    if not path.exists() and os.access(folder, os.W_OK):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # SEC-6: born private
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise StorageError(
            f"The data folder {folder} cannot be written. Ask your administrator for write "
            "access, or choose another folder with DENTALDESK_HOME or a database URL."
        )


def _private_database_files(database: str) -> None:
    """SEC-6: the database and its WAL and shared-memory files are 0600, however they were made.

    A new database file is made 0600 before SQLite opens it, and SQLite gives its WAL and
    shared-memory files the database file's mode; an older, looser file is tightened here.
    """
    for suffix in ("", "-wal", "-shm", "-journal"):
        make_private(Path(database + suffix))


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for ``url``; raise StorageError with a plain message if it cannot open."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _prepare_sqlite_file(parsed.database)
        engine = create_engine(url, echo=echo)
        event.listen(engine, "connect", _sqlite_pragmas)
        if parsed.database and parsed.database != ":memory:":
            event.listen(engine, "connect", lambda *_: _private_database_files(parsed.database))
        event.listen(engine, "begin", _sqlite_begin)
    elif backend == "postgresql":
        if parsed.drivername == "postgresql":
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
    where = engine.url.render_as_string(hide_password=True)
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


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
