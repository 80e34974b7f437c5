"""Upgrading filled databases of every earlier schema version, on SQLite and PostgreSQL.

Migrating an empty database proves the schema; a practice's database is not empty. Each fixture
in tests/fixtures/databases/ is the demo practice as an earlier release made it. Upgrading it must
give exactly the models' schema and keep every row: each row keeps its id and the value of every
column it had, except the columns a migration deliberately reshapes, listed in RESHAPED with the
migration that does it (and checked in that migration's own test).
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, inspect, select, text

from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import current_revision, head_revision, migrate_to, upgrade
from dentaldesk.db.models import Base

FIXTURES = Path(__file__).parents[1] / "fixtures" / "databases"
OLD_DATABASES = sorted(FIXTURES.glob("schema_*.sqlite3.gz"))

# (table, column) -> the migration that changes its stored values on purpose.
RESHAPED: dict[tuple[str, str], str] = {
    # Held parts and aged dates of insurable charges, and what insurance payments pay of them (0013).
    ("ledger_transaction", "held_amount"): "0013",
    ("ledger_transaction", "aged_date"): "0013",
    # Patient search keys folded the Unicode way (0014, tests/integration/test_service_arguments.py).
    ("patient", "first_name_key"): "0014",
    ("patient", "last_name_key"): "0014",
}


def _visit_write_off(row: dict[str, Any]) -> bool:
    return row.get("kind") == "adjustment" and str(row.get("description", "")).startswith("PPO write-off - ")


# table -> (the migration, which rows it removes on purpose): 0013 moves the demo's visit write-off
# adjustments onto their charges (tests/integration/test_money_migration.py checks the money).
REMOVED: dict[str, tuple[str, Callable[[dict[str, Any]], bool]]] = {
    "ledger_transaction": ("0013", _visit_write_off),
}

Rows = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def _revision_of(fixture: Path) -> str:
    return fixture.name.removeprefix("schema_").removesuffix(".sqlite3.gz")


def _unpack(fixture: Path, folder: Path) -> Path:
    target = folder / fixture.name.removesuffix(".gz")
    with gzip.open(fixture, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def _rows(engine: Engine) -> Rows:
    """Every row of every DentalDesk table, keyed by primary key, as plain comparable values."""
    meta = MetaData()
    meta.reflect(engine)
    found: Rows = {}
    with engine.connect() as conn:
        for table in meta.tables.values():
            if table.name == "alembic_version":
                continue
            key = [c.name for c in table.primary_key.columns]
            found[table.name] = {
                tuple(row[k] for k in key): {name: _plain(value) for name, value in row.items()}
                for row in (r._mapping for r in conn.execute(select(table)))
            }
    return found


def _plain(value: Any) -> Any:
    # SQLite hands back naive datetimes where PostgreSQL gives aware ones: compare as UTC text.
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _lost(before: Rows, after: Rows) -> list[str]:
    """Rows or values of ``before`` that ``after`` does not keep (RESHAPED columns aside)."""
    problems: list[str] = []
    for table, rows in before.items():
        if table not in after:
            problems.append(f"table {table} is gone")
            continue
        for key, row in rows.items():
            kept = after[table].get(key)
            if kept is None and table in REMOVED and REMOVED[table][1](row):
                continue
            if kept is None:
                problems.append(f"{table} {key} is gone")
                continue
            for column, value in row.items():
                if (table, column) in RESHAPED or column not in kept:
                    continue
                if kept[column] != value:
                    problems.append(f"{table} {key}.{column}: {value!r} became {kept[column]!r}")
    return problems


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata))


def test_there_is_a_filled_database_of_every_earlier_schema_version() -> None:
    """Every migration before the newest has a fixture to upgrade from (the README there says how)."""
    from dentaldesk.db.migrate import _revisions

    earlier = set(_revisions()) - {head_revision()}
    have = {_revision_of(f) for f in OLD_DATABASES}
    first_release = "0005"
    assert {r for r in earlier if r <= first_release} <= have


@pytest.mark.parametrize("fixture", OLD_DATABASES, ids=_revision_of)
def test_a_filled_sqlite_database_upgrades_with_every_row_kept(fixture: Path, tmp_path: Path) -> None:
    """DATA-1/DATA-3: an old practice upgrades in one go to exactly the models' schema, every row kept,
    no broken reference, the file intact."""
    path = _unpack(fixture, tmp_path)
    raw = create_engine(f"sqlite:///{path}")
    before = _rows(raw)
    raw.dispose()

    engine = make_engine(f"sqlite:///{path}")
    assert current_revision(engine) == _revision_of(fixture)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert _lost(before, _rows(engine)) == []
    engine.dispose()


def test_an_upgraded_practice_opens_in_the_services(tmp_path: Path) -> None:
    """The first release's demo, upgraded, logs in and shows every plan and the office aging."""
    from dentaldesk.services import plans
    from dentaldesk.services.access.login import login
    from dentaldesk.services.ledger.aging import office_aging
    from dentaldesk.services.uow import UnitOfWork

    path = _unpack(FIXTURES / "schema_0005.sqlite3.gz", tmp_path)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    uow = UnitOfWork.for_engine(engine)
    actor = login(uow, "owner", "demo-owner", "test")
    with engine.connect() as conn:
        plan_ids = [row[0] for row in conn.execute(text("SELECT id FROM treatment_plan ORDER BY id"))]
    assert len(plan_ids) == 28
    for plan_id in plan_ids:
        assert plans.load_plan(uow, actor, plan_id).id == plan_id
    assert office_aging(uow, actor).rows
    engine.dispose()


def _postgres_at(fixture: Path, folder: Path, pg_url: str) -> tuple[Engine, Rows]:
    """A PostgreSQL database at the fixture's schema (made by the old migrations) holding the
    fixture's rows, and those rows as they were."""
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate_to(engine, _revision_of(fixture))

    source = create_engine(f"sqlite:///{_unpack(fixture, folder)}")
    before = _rows(source)
    meta = MetaData()
    meta.reflect(engine)
    with source.connect() as src, engine.begin() as dst:
        # account and patient refer to each other: load with the reference triggers paused.
        dst.execute(text("SET session_replication_role = replica"))
        for table in meta.tables.values():
            if table.name == "alembic_version":
                continue
            rows = [dict(r._mapping) for r in src.execute(select(table))]
            if rows:
                dst.execute(table.insert(), rows)
        dst.execute(text("SET session_replication_role = DEFAULT"))
        for table in meta.tables.values():
            identity = [c.name for c in table.primary_key.columns]
            if identity == ["id"] and inspect(engine).get_columns(table.name):
                dst.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false) "
                        f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"
                    )
                )
    source.dispose()
    return engine, before


@pytest.mark.postgres
@pytest.mark.parametrize("fixture", OLD_DATABASES, ids=_revision_of)
def test_a_filled_postgresql_database_upgrades_with_every_row_kept(fixture: Path, tmp_path: Path, pg_url: str) -> None:
    """DATA-3: the same upgrade on PostgreSQL: the old schema made by the old migrations, filled with
    the fixture's rows, then upgraded; every row kept and the schema exactly the models'."""
    engine, before = _postgres_at(fixture, tmp_path, pg_url)

    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []
    assert _lost(before, _rows(engine)) == []
    engine.dispose()


# ID-3 (migration 0017): what an upgraded practice's codes apply to, from the master list.
DENTITION_AFTER_UPGRADE = {
    "D6010": "permanent",  # implant
    "D2740": "permanent",  # crown
    "D2930": "primary",  # steel crown, primary tooth
    "D2934": "primary",
    "D3240": "primary",  # pulpal therapy, primary back tooth
    "D7111": "primary",  # primary tooth remnant
    "D1351": "both",  # sealant
}


def _dentitions(engine: Engine) -> dict[str, dict[str, str]]:
    """Each table's dentition of the codes above (the office's list and the master list)."""
    found: dict[str, dict[str, str]] = {}
    for name in ("procedure_code", "master_code"):
        table = Base.metadata.tables[name]
        query = select(table.c.code, table.c.dentition).where(table.c.code.in_(tuple(DENTITION_AFTER_UPGRADE)))
        with engine.connect() as conn:
            found[name] = {code: dentition for code, dentition in conn.execute(query)}
    return found


def _office_codes_unlike_the_master_list(engine: Engine) -> list[tuple[str, str, str]]:
    """Office codes whose dentition is not the master list's for the same code (both when the
    master list lacks it or the code is the office's own custom code)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.code, p.dentition, CASE WHEN p.custom THEN 'both' ELSE COALESCE(m.dentition, 'both') END "
                "FROM procedure_code p LEFT JOIN master_code m ON m.code = p.code"
            )
        ).all()
    assert len(rows) > 200
    return [(code, have, want) for code, have, want in rows if have != want]


def test_id3_an_upgraded_sqlite_practice_has_each_codes_dentition_from_the_master_list(tmp_path: Path) -> None:
    """ID-3 (migration 0017): the first release's demo, upgraded, has implants and crowns for
    permanent teeth, the primary-tooth codes for primary teeth and a sealant for both, in the office
    list and the master list; the demo's rows are otherwise kept (the test above)."""
    engine = make_engine(f"sqlite:///{_unpack(FIXTURES / 'schema_0005.sqlite3.gz', tmp_path)}")
    upgrade(engine)
    assert _dentitions(engine) == {"procedure_code": DENTITION_AFTER_UPGRADE, "master_code": DENTITION_AFTER_UPGRADE}
    assert _office_codes_unlike_the_master_list(engine) == []
    engine.dispose()


@pytest.mark.postgres
def test_id3_an_upgraded_postgresql_practice_has_each_codes_dentition_from_the_master_list(
    tmp_path: Path, pg_url: str
) -> None:
    """ID-3 (migration 0017) on PostgreSQL: the same values after the same upgrade."""
    engine, _before = _postgres_at(FIXTURES / "schema_0005.sqlite3.gz", tmp_path, pg_url)
    upgrade(engine)
    assert _dentitions(engine) == {"procedure_code": DENTITION_AFTER_UPGRADE, "master_code": DENTITION_AFTER_UPGRADE}
    assert _office_codes_unlike_the_master_list(engine) == []
    engine.dispose()
