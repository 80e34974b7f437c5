"""Bring a database to the current schema (Alembic), refusing one made by a newer DentalDesk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from dentaldesk.config import StorageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Upgrade to head; return (revision before, revision after)."""
    script = ScriptDirectory.from_config(alembic_config())
    before = current_revision(engine)
    if before is not None:
        known = {rev.revision for rev in script.walk_revisions()}
        if before not in known:
            raise StorageError(
                f"This database was made by a newer DentalDesk (schema {before}). "
                "Install the newer version to open it; nothing was changed."
            )
    elif inspect(engine).get_table_names():
        names = set(inspect(engine).get_table_names())
        if "patient" not in names:
            raise StorageError(
                "This database already holds tables that are not DentalDesk's; nothing was changed. "
                "Choose an empty database or another file."
            )
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return before, head_revision()
