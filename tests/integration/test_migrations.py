"""The schema comes from Alembic migrations, identical to the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from dentaldesk.config import StorageError
from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import current_revision, head_revision, upgrade
from dentaldesk.db.models import Base
from dentaldesk.db.opening import open_or_create


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata))


def test_migrating_an_empty_sqlite_database_gives_exactly_the_models_schema(tmp_path: Path) -> None:
    """Migrating an empty database yields the models' schema, with no difference."""
    engine = make_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    before, after = upgrade(engine)
    assert before is None and after == head_revision()
    assert _differences(engine) == []
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}


@pytest.mark.postgres
def test_migrating_an_empty_postgresql_database_gives_exactly_the_models_schema(pg_url: str) -> None:
    """DATA-3: the same migrations serve PostgreSQL, again with no difference to the models."""
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    assert _differences(engine) == []
    assert current_revision(engine) == head_revision()
    engine.dispose()


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("SELECT id FROM chart_graphic WHERE plan_item_id = 1", "ix_chart_graphic_plan_item_id"),
        ("SELECT id FROM chart_graphic WHERE transaction_id = 1", "ix_chart_graphic_transaction_id"),
        ("SELECT id FROM claim WHERE patient_id = 1 AND status = 'open'", "ix_claim_patient_id"),
        (
            "SELECT patient_id FROM ledger_transaction WHERE office_id = 1 AND dos = '2026-12-03'",
            "ix_ledger_office_dos",
        ),
        (
            "SELECT tp.patient_id FROM treatment_plan tp JOIN plan_item pi ON pi.plan_id = tp.id "
            "WHERE tp.office_id = 1 AND pi.completed_on = '2026-12-03'",
            "ix_plan_item_completed_on",
        ),
    ],
)
def test_a_procedures_marks_and_a_patients_claims_are_read_through_an_index(engine: Engine, query, index) -> None:
    """TX-CHART-1/2, TX-INS-2 on the large practice: a procedure's marks (by charge or plan item), a
    patient's claims and the Patients page's today (transactions dated and items completed today)
    are found through an index, not by scanning the whole table."""
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}"))
    assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan


def test_upgrade_twice_changes_nothing(tmp_path: Path) -> None:
    """`db upgrade` on an up-to-date database is a no-op."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    upgrade(engine)
    assert upgrade(engine) == (head_revision(), head_revision())


def test_sqlite_runs_with_foreign_keys_wal_and_full_sync(engine: Engine) -> None:
    """Storage: foreign keys on, WAL journal, durable (FULL) commits."""
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2


def test_database_from_a_newer_dentaldesk_is_refused_untouched(tmp_path: Path) -> None:
    """Bad input: a database made by a newer version gives a clear message and is not changed."""
    path = tmp_path / "newer.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StorageError, match="newer DentalDesk"):
        upgrade(engine)
    assert current_revision(engine) == "9999_future"


def test_corrupt_database_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    """Bad input: a damaged file is not overwritten; the message says what to do."""
    path = tmp_path / "broken.sqlite3"
    garbage = b"this is not a database at all" * 200
    path.write_bytes(garbage)
    with pytest.raises(StorageError, match="damaged"):
        make_engine(f"sqlite:///{path}")
    assert path.read_bytes() == garbage


def test_unwritable_data_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad input: a data folder that cannot be written gives a clear message, and no file appears.

    The suite runs as root in CI, where no folder is unwritable, so the OS answer is simulated.
    """
    folder = tmp_path / "locked"
    folder.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == folder else real_access(p, mode))
    with pytest.raises(StorageError, match="cannot be written"):
        make_engine(f"sqlite:///{folder / 'db.sqlite3'}")
    assert list(folder.iterdir()) == []


def test_data_folder_under_a_file_is_refused(tmp_path: Path) -> None:
    """Bad input: a data folder that cannot be created (a file stands in the way) is refused."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot be created"):
        open_or_create(f"sqlite:///{blocker / 'sub' / 'db.sqlite3'}", make_data_folder=True)


def test_unreachable_postgresql_is_refused_with_a_message() -> None:
    """Bad input: an unreachable PostgreSQL URL says so, without a traceback."""
    with pytest.raises(StorageError, match="cannot be reached"):
        make_engine("postgresql://nobody:secret@127.0.0.1:1/none")


def test_foreign_tables_are_not_touched(tmp_path: Path) -> None:
    """A database holding someone else's tables is refused rather than migrated into."""
    path = tmp_path / "other.sqlite3"
    raw = create_engine(f"sqlite:///{path}")
    with raw.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    with pytest.raises(StorageError, match="not DentalDesk's"):
        upgrade(make_engine(f"sqlite:///{path}"))
    assert inspect(raw).get_table_names() == ["invoices"]


def test_start_up_head_matches_alembics_own_head() -> None:
    """The quick head check used at start-up agrees with Alembic's script directory."""
    from alembic.script import ScriptDirectory

    from dentaldesk.db.migrate import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
