"""Shared mode (DATA-3): the same code and migrations on PostgreSQL, and conflict-safe saves."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade
from dentaldesk.db.models import TreatmentPlan
from dentaldesk.domain.errors import ConflictError
from dentaldesk.services.access.login import login
from dentaldesk.services.patients.search import search_patients
from dentaldesk.services.uow import UnitOfWork

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """A new PostgreSQL database for this module, migrated, with the demo practice in it."""
    from dentaldesk.demo import create_demo_practice

    name = f"dd_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    create_demo_practice(engine, size="demo")
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_data3_demo_practice_login_and_search_on_postgresql(pg_engine: Engine) -> None:
    """DATA-3: the demo practice builds on PostgreSQL; login and search work the same as on SQLite."""
    uow = UnitOfWork.for_engine(pg_engine)
    actor = login(uow, "frontdesk", "demo-front", "pg-ws")
    with uow:
        some = uow.session.execute(text("SELECT last_name FROM patient ORDER BY id LIMIT 1")).scalar_one()
    rows = search_patients(uow, actor, some[:3].lower())
    assert rows and all(
        r.last_name.lower().startswith(some[:3].lower()) or r.first_name.lower().startswith(some[:3].lower())
        for r in rows
    )


def test_data2_second_save_of_the_same_plan_is_refused(pg_engine: Engine) -> None:
    """DATA-2: two workstations edit one plan; the second save is refused, the first stands."""
    first, second = UnitOfWork.for_engine(pg_engine), UnitOfWork.for_engine(pg_engine)
    with first, second:
        plan_id = first.session.scalar(select(TreatmentPlan.id).order_by(TreatmentPlan.id).limit(1))
        mine = first.session.get(TreatmentPlan, plan_id)
        theirs = second.session.get(TreatmentPlan, plan_id)
        mine.title = "Saved by workstation 1"
        first.commit()
        theirs.title = "Saved by workstation 2"
        with pytest.raises(ConflictError, match="Another workstation"):
            second.commit()
    with UnitOfWork.for_engine(pg_engine) as check:
        assert check.session.get(TreatmentPlan, plan_id).title == "Saved by workstation 1"
