"""Bring a database to the current schema (Alembic), refusing one made by a newer DentalDesk.

Start-up asks ``is_current`` first, which reads the migration files' revision ids with a regular
expression and the database's ``alembic_version`` row with plain SQL: Alembic itself is imported
only when there is something to migrate.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError

from dentaldesk.config import StorageError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^revision(?:: str)? = ['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:: [^=]+)? = (?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@cache
def _revisions() -> dict[str, str | None]:
    """revision -> down_revision, read from the migration files without importing Alembic."""
    found: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(source), _DOWN.search(source)
        if rev and down:
            found[rev.group(1)] = down.group(1)
    return found


def head_revision() -> str:
    revisions = _revisions()
    pointed_at = {down for down in revisions.values() if down}
    heads = [rev for rev in revisions if rev not in pointed_at]
    if len(heads) != 1:
        raise StorageError(f"The migrations have {len(heads)} heads ({', '.join(sorted(heads))}); expected one.")
    return heads[0]


def known_revision(revision: str) -> bool:
    """Whether this DentalDesk's migrations know ``revision`` (else a newer DentalDesk made it)."""
    return revision in _revisions()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DatabaseError:
            return None


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Upgrade to head; return (revision before, revision after)."""
    before = current_revision(engine)
    head = head_revision()
    if before == head:
        return before, head
    if before is not None:
        if not known_revision(before):
            raise StorageError(
                f"This database was made by a newer DentalDesk (schema {before}). "
                "Install the newer version to open it; nothing was changed."
            )
    else:
        names = set(inspect(engine).get_table_names())
        if names and "patient" not in names:
            raise StorageError(
                "This database already holds tables that are not DentalDesk's; nothing was changed. "
                "Choose an empty database or another file."
            )
    migrate_to(engine, head)
    return before, head


def migrate_to(engine: Engine, revision: str) -> None:
    """Run the migrations up to ``revision`` in one transaction: all of them or none.

    On SQLite a batch migration rebuilds a table (copy, drop, rename), and a table that other
    tables reference cannot be dropped while foreign keys are enforced. SQLite's documented
    procedure for such changes is followed: foreign keys off (possible only outside a
    transaction), the changes in one explicit transaction, ``PRAGMA foreign_key_check`` before the
    commit, foreign keys on again. A migration that would leave a dangling reference is rolled back.
    """
    from alembic import command

    cfg = alembic_config()
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        return
    from dentaldesk.db.engine import SQLITE_BEGIN

    with engine.connect() as conn:
        # The driver's own connection, outside any transaction: PRAGMA foreign_keys is a no-op
        # inside one, and SQLAlchemy begins one (BEGIN IMMEDIATE here) at the first statement.
        driver = conn.connection.driver_connection
        if driver is None:
            raise StorageError("The connection to the database closed before the upgrade began; nothing was changed.")
        driver.execute("PRAGMA foreign_keys=OFF")
        conn = conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        conn.begin()  # one transaction around every migration (Alembic joins it)
        try:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if dangling:
                conn.rollback()
                table, rowid, parent, _ = dangling[0]
                raise StorageError(
                    f"Upgrading the database would leave {len(dangling)} broken reference(s) "
                    f"(the first: {table} row {rowid} names a missing {parent}); nothing was changed."
                )
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            driver.execute("PRAGMA foreign_keys=ON")
