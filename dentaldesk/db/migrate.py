"""Bring a database to the current schema (Alembic), refusing one made by a newer DentalDesk.

Start-up asks ``is_current`` first, which reads the migration files' revision ids with a regular
expression and the database's ``alembic_version`` row with plain SQL: Alembic itself is imported
only when there is something to migrate.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError

from dentaldesk.config import StorageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^revision(?:: str)? = ['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:: [^=]+)? = (?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


def alembic_config():  # type: ignore[no-untyped-def]
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
        if before not in _revisions():
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
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return before, head
