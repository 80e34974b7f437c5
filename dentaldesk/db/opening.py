"""Opening a practice database: what may be created, what is refused, and when the schema moves.

Two ways in, and every command and the app take one of them:

- :func:`open_existing`: the database must already be a DentalDesk database at the current
  schema. Nothing is created (no file, no folder, no tables) and nothing is migrated: a missing
  file, an empty or foreign database, or an older schema is refused with what to do instead.
  Reports, handouts, imports and every later command that works on a practice use this.
- :func:`open_or_create`: creates the database when there is none and brings it to the current
  schema (``db upgrade``, ``demo create``, and the app's first start). DentalDesk's own data
  folder is made when missing; a folder named by the person must exist, so a mistyped path
  creates nothing.

An SQLite file is looked at read-only first (:func:`dentaldesk.db.engine.probe_sqlite`): a
foreign or damaged file is refused before the engine's connect pragmas could change a byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from dentaldesk.config import StorageError, display_url, make_private_folder
from dentaldesk.db.engine import SqliteFile, SqliteProbe, make_engine, probe_sqlite
from dentaldesk.db.migrate import current_revision, head_revision, known_revision, upgrade

NOTHING_CHANGED = "nothing was changed"


@dataclass(frozen=True)
class Opened:
    engine: Engine
    revision_before: str | None  # None: the database was empty (just created)
    revision: str  # the schema it is at now


def sqlite_path(url: str) -> Path | None:
    """The file an SQLite URL names, or None (PostgreSQL, in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _where(url: str) -> str:
    path = sqlite_path(url)
    return str(path) if path is not None else display_url(url)


def _refuse_foreign_or_damaged(path: Path, probe: SqliteProbe) -> None:
    if probe.kind is SqliteFile.DAMAGED:
        raise StorageError(
            f"The file {path} is not a DentalDesk database or is damaged ({probe.detail}). "
            "It was left untouched; restore it from a backup or choose another file."
        )
    if probe.kind is SqliteFile.FOREIGN:
        shown = ", ".join(probe.tables[:4]) + (", ..." if len(probe.tables) > 4 else "")
        raise StorageError(
            f"The file {path} is an SQLite database of another program (tables {shown}), not a "
            f"DentalDesk database; {NOTHING_CHANGED}. Choose a DentalDesk database or a new file."
        )


def _refuse_newer(url: str, revision: str | None) -> None:
    if revision is not None and not known_revision(revision):
        raise StorageError(
            f"The database {_where(url)} was made by a newer DentalDesk (schema {revision}). "
            f"Install the newer version to open it; {NOTHING_CHANGED}."
        )


def _refuse_older(url: str, revision: str | None) -> None:
    if revision is not None and revision != head_revision():
        raise StorageError(
            f"The database {_where(url)} is at schema {revision}, older than this DentalDesk's "
            f"({head_revision()}); {NOTHING_CHANGED}. Bring it up to date with 'dentaldesk db upgrade' "
            "(or by starting the app) first."
        )


def open_existing(url: str) -> Engine:
    """A DentalDesk database that exists and is at the current schema; creates and migrates nothing."""
    path = sqlite_path(url)
    create_hint = "Create one with 'dentaldesk db upgrade' or 'dentaldesk demo create', or check the path"
    if path is not None:
        probe = probe_sqlite(path)
        if probe.kind is SqliteFile.MISSING:
            raise StorageError(f"There is no DentalDesk database at {path} (nothing was created). {create_hint}.")
        if probe.kind is SqliteFile.EMPTY:
            raise StorageError(f"The database {path} is empty: it holds no practice; {NOTHING_CHANGED}. {create_hint}.")
        _refuse_foreign_or_damaged(path, probe)
        _refuse_newer(url, probe.revision)
        _refuse_older(url, probe.revision)  # before the engine: its connection would touch the file
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
        if revision is None:
            tables = inspect(engine).get_table_names()
            if tables:
                raise StorageError(
                    f"The database {_where(url)} holds tables of another program, not DentalDesk's; {NOTHING_CHANGED}."
                )
            raise StorageError(
                f"The database {_where(url)} is empty: it holds no practice; {NOTHING_CHANGED}. {create_hint}."
            )
        _refuse_newer(url, revision)
        _refuse_older(url, revision)
    except BaseException:
        engine.dispose()
        raise
    return engine


def open_or_create(url: str, *, make_data_folder: bool = False) -> Opened:
    """The database at ``url``, created if missing or empty, at the current schema.

    ``make_data_folder``: the file is in DentalDesk's own data folder (the default or the demo
    database), which is made on first use; any other folder must exist.
    """
    path = sqlite_path(url)
    if path is not None:
        if make_data_folder:
            try:
                make_private_folder(path.parent)  # SEC-6: 0700, made on first use
            except OSError as exc:
                raise StorageError(
                    f"The data folder {path.parent} cannot be created ({exc.strerror}). "
                    "Choose another folder with DENTALDESK_HOME or a database URL."
                ) from exc
        probe = probe_sqlite(path)
        _refuse_foreign_or_damaged(path, probe)
        _refuse_newer(url, probe.revision)
    engine = make_engine(url)
    try:
        before, after = upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Opened(engine, before, after)
