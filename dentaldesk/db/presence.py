"""Which workstations have the database open, so a restore never pulls it from under one (DATA-6).

SQLite: every process that opens a practice file holds an exclusive lock on a small file of its
own in ``<database>-open/`` for as long as it runs, with who and where written in it. A lock file
that can be locked by someone else belongs to a process that is gone (a crash, kill -9): the
operating system released its lock, and the file is removed. PostgreSQL: every DentalDesk
connection names itself in ``application_name`` ("DentalDesk <host> <pid>"); the server's
``pg_stat_activity`` lists the other workstations.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import socket
import sys
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, text

from dentaldesk import clock

APP_PREFIX = "DentalDesk "


def application_name() -> str:
    """How this process names its PostgreSQL connections."""
    return f"{APP_PREFIX}{socket.gethostname() or 'workstation'} {os.getpid()}"[:63]


def _lock(handle: IO[str]) -> bool:
    """An exclusive lock on an open file, without waiting; False if another process holds it."""
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows workstations
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def presence_folder(database: Path) -> Path:
    return database.with_name(database.name + "-open")


class Presence:
    """This process has the SQLite database open; hold it for the process's life, close at exit."""

    def __init__(self, database: Path, what: str = "DentalDesk") -> None:
        self.database = database
        folder = presence_folder(database)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{socket.gethostname() or 'workstation'}-{os.getpid()}.lock"
        self._handle: IO[str] | None = self.path.open("a+", encoding="utf-8")
        _lock(self._handle)
        self._handle.seek(0)
        self._handle.truncate()
        user = _user()
        self._handle.write(
            f"{what} on {socket.gethostname()} (process {os.getpid()}, {user}) since {clock.now_local():%H:%M}"
        )
        self._handle.flush()

    def close(self) -> None:
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        handle.close()
        self.path.unlink(missing_ok=True)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (a service account)
        return "unknown user"


def others_with_sqlite_open(database: Path, mine: Presence | None = None) -> list[str]:
    """Who else has the file open now; stale lock files of gone processes are removed."""
    folder = presence_folder(database)
    if not folder.is_dir():
        return []
    others: list[str] = []
    for path in sorted(folder.glob("*.lock")):
        if mine is not None and path == mine.path:
            continue
        try:
            handle = path.open("r+", encoding="utf-8")
        except OSError:
            continue
        with handle:
            if _lock(handle):  # nobody holds it: the process is gone
                handle.close()
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            handle.seek(0)
            others.append(handle.read().strip() or path.stem)
    return others


def others_with_postgresql_open(engine: Engine) -> list[str]:
    """The other DentalDesk processes connected to this PostgreSQL database now."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT DISTINCT application_name FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name LIKE :app AND application_name <> :me"
            ),
            {"app": APP_PREFIX + "%", "me": application_name()},
        ).all()
    return [name.removeprefix(APP_PREFIX) for (name,) in rows]


def others_with_it_open(engine: Engine, mine: Presence | None = None) -> list[str]:
    if engine.dialect.name == "sqlite":
        return others_with_sqlite_open(Path(str(engine.url.database)), mine)
    return others_with_postgresql_open(engine)
