"""Backing up and restoring the practice database (DATA-6).

SQLite: SQLite's online backup copies the database page by page from one read snapshot, so a
backup taken while workstations save is consistent and holds every committed action, the ones
still in the ``-wal`` file too (copying the file while the app runs does not: the WAL is left
behind). The copy is written under a temporary name, checked (``PRAGMA integrity_check``) and only
then renamed to ``<database>-YYYYMMDD-HHMMSS.sqlite3``; a file with that name is a good backup.
Older backups are thinned by the rotation rule (domain/backups.py).

A restore checks the file before it touches anything: a readable SQLite database, intact, made by
this DentalDesk or an older one (it is upgraded after the restore, never by a newer one). The
database it replaces is kept beside the backups as ``<database>-replaced-YYYYMMDD-HHMMSS.sqlite3``.

PostgreSQL (shared mode): ``pg_dump`` in its custom format and ``pg_restore`` into the same
database, where the PostgreSQL client tools are installed; where they are not, a StorageError
says so and what to install.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from dentaldesk import clock
from dentaldesk.config import StorageError, make_private
from dentaldesk.domain.backups import BackupName, backup_name, backups_to_keep, parse_backup_name

PARTIAL = ".partial"
REQUIRED_TABLES = {"office", "patient", "account", "ledger_transaction", "treatment_plan", "alembic_version"}


@dataclass(frozen=True)
class BackupFile:
    path: Path
    name: BackupName
    size: int

    @property
    def taken_at(self) -> dt.datetime:
        return self.name.taken_at


@dataclass(frozen=True)
class BackupCheck:
    """What a backup file holds, found before a restore (DATA-6)."""

    revision: str
    offices: int
    patients: int


# --------------------------------------------------------------------------- where and what


def sqlite_path(engine: Engine) -> Path:
    return Path(str(engine.url.database))


def database_stem(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return sqlite_path(engine).stem
    return str(engine.url.database or "dentaldesk")


def default_folder(engine: Engine) -> Path:
    """Beside the database file (SQLite), or in the user data folder (PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        return sqlite_path(engine).parent / "backups"
    from dentaldesk.config import paths

    return paths().data_dir / "backups"


def extension(engine: Engine) -> str:
    return "sqlite3" if engine.dialect.name == "sqlite" else "dump"


def list_backups(folder: Path, stem: str) -> list[BackupFile]:
    """The good backups of the database named ``stem`` in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        name = parse_backup_name(path.name)
        if name is None or name.stem != stem or not path.is_file():
            continue
        found.append(BackupFile(path, name, path.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def _ready_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"The backup folder {folder} cannot be created ({exc.strerror}). Choose another folder in General settings."
        ) from exc
    if not os.access(folder, os.W_OK):
        raise StorageError(
            f"The backup folder {folder} cannot be written. Choose another folder in General settings, "
            "or ask for write access to it."
        )


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


# --------------------------------------------------------------------------- taking a backup


def back_up(engine: Engine, folder: Path) -> BackupFile:
    """Take one backup of the database into ``folder`` and thin the older ones (DATA-6)."""
    _ready_folder(folder)
    name = backup_name(database_stem(engine), clock.now_local(), extension(engine))
    target = folder / name.file_name
    partial = folder / (name.file_name + PARTIAL)
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_backup(sqlite_path(engine), partial)
        else:
            _pg_dump(engine, partial)
        _fsync(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    rotate(folder, name.stem)
    return BackupFile(target, name, target.stat().st_size)


def _sqlite_backup(database: Path, target: Path) -> None:
    """The online backup of a live database into ``target``, checked before it counts."""
    if not database.exists():
        raise StorageError(f"The database file {database} is not there; there is nothing to back up.")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # every page from one read snapshot: WAL included, writers go on
        copy.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
        result = copy.execute("PRAGMA integrity_check").fetchone()
        if not result or result[0] != "ok":
            raise StorageError(
                f"The backup did not check out ({result[0] if result else 'no answer'}); it was not kept."
            )
    except sqlite3.Error as exc:
        raise StorageError(f"The backup could not be taken: {exc}.") from exc
    finally:
        copy.close()
        source.close()
        make_private(target)  # SEC-6: a backup holds every patient's record


def rotate(folder: Path, stem: str) -> list[Path]:
    """Delete the backups the rotation rule does not keep (7 daily, 4 weekly, 12 monthly)."""
    backups = list_backups(folder, stem)
    keep = backups_to_keep(b.taken_at for b in backups)
    removed = []
    for backup in backups:
        if backup.taken_at not in keep:
            try:
                backup.path.unlink()
                removed.append(backup.path)
            except OSError:
                pass  # a file another workstation is reading; the next backup tries again
    return removed


# --------------------------------------------------------------------------- checking and restoring (SQLite)


def check_sqlite_backup(path: Path) -> BackupCheck:
    """Refuse a file that is not a whole DentalDesk database this version can open (DATA-6)."""
    from dentaldesk.db.migrate import _revisions, head_revision

    if not path.is_file():
        raise StorageError(f"The file {path} is not there.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StorageError(f"The file {path.name} cannot be opened: {exc}.") from exc
    try:
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"The file {path.name} is not a DentalDesk backup or is damaged ({exc}).") from exc
        if not result or result[0] != "ok":
            raise StorageError(
                f"The backup {path.name} is damaged ({result[0] if result else 'no answer'}); it was not restored."
            )
        missing = REQUIRED_TABLES - tables
        if missing:
            raise StorageError(
                f"The file {path.name} is not a DentalDesk database (it has no {', '.join(sorted(missing))})."
            )
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or (revision[0] not in _revisions() and revision[0] != head_revision()):
            raise StorageError(
                f"The backup {path.name} was made by a newer DentalDesk (schema {revision[0] if revision else '?'}); "
                "install the newer version to restore it. Nothing was changed."
            )
        offices = conn.execute("SELECT count(*) FROM office").fetchone()[0]
        patients = conn.execute("SELECT count(*) FROM patient").fetchone()[0]
    finally:
        conn.close()
    return BackupCheck(revision[0], offices, patients)


def keep_replaced(database: Path, folder: Path) -> Path | None:
    """Copy the database a restore is about to replace next to the backups; None if there is none."""
    if not database.exists():
        return None
    _ready_folder(folder)
    kept = folder / backup_name(f"{database.stem}-replaced", clock.now_local()).file_name
    try:
        _sqlite_backup(database, kept)
    except StorageError:
        # Not a readable database (damaged): keep its bytes as they are.
        shutil.copy2(database, kept)
        make_private(kept)
    _fsync(kept)
    return kept


def restore_sqlite(backup: Path, database: Path) -> None:
    """Put the backup's content in place of the database (after :func:`check_sqlite_backup`).

    The database file is rewritten by SQLite's backup into it, under its own locks, so its WAL and
    shared-memory files stay consistent; a file that is not a database is replaced whole.
    """
    try:
        _restore_into(backup, database)
    except sqlite3.DatabaseError:
        for suffix in ("", "-wal", "-shm"):
            Path(str(database) + suffix).unlink(missing_ok=True)
        _restore_into(backup, database)


def _restore_into(backup: Path, database: Path) -> None:
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=30)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        target.close()
        source.close()


# --------------------------------------------------------------------------- PostgreSQL


def pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore, or a StorageError saying what to install (DATA-6)."""
    found = shutil.which(name)
    if found is None:
        raise StorageError(
            f"PostgreSQL's {name} is not installed on this workstation, so the shared database cannot be "
            f"{'backed up' if name == 'pg_dump' else 'restored'} from here. Install the PostgreSQL client tools "
            "(the same version as the server or newer), or ask whoever runs the database server to back it up there."
        )
    return found


def _libpq_url(engine: Engine) -> str:
    """The database for pg_dump/pg_restore's command line: never with its password (SEC-6)."""
    url = make_url(engine.url)
    bare = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return bare.render_as_string(hide_password=False)


def _libpq_env(engine: Engine) -> dict[str, str]:
    """The password, when DentalDesk has one, goes to the tool in its environment (SEC-6)."""
    env = dict(os.environ)
    if engine.url.password:
        env["PGPASSWORD"] = str(engine.url.password)
    return env


def _run(command: list[str], what: str, env: dict[str, str] | None = None) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StorageError(f"{what} could not run: {exc}.") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise StorageError(f"{what} failed: {detail[-1] if detail else f'exit code {done.returncode}'}.")


def _pg_dump(engine: Engine, target: Path) -> None:
    _run(
        [pg_tool("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={_libpq_url(engine)}"],
        "pg_dump",
        _libpq_env(engine),
    )
    make_private(target)  # SEC-6: a backup holds every patient's record


def check_pg_backup(path: Path) -> None:
    """A dump file pg_restore can read (its table of contents lists the DentalDesk tables)."""
    if not path.is_file():
        raise StorageError(f"The file {path} is not there.")
    done = subprocess.run([pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0 or "TABLE public patient" not in done.stdout:
        raise StorageError(f"The file {path.name} is not a DentalDesk PostgreSQL backup; nothing was changed.")


def keep_replaced_pg(engine: Engine, folder: Path) -> Path:
    _ready_folder(folder)
    kept = folder / backup_name(f"{database_stem(engine)}-replaced", clock.now_local(), "dump").file_name
    _pg_dump(engine, kept)
    return kept


def restore_pg(engine: Engine, backup: Path) -> None:
    _run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            f"--dbname={_libpq_url(engine)}",
            str(backup),
        ],
        "pg_restore",
        _libpq_env(engine),
    )
