"""The unit of work: the write lock at the start of an action, and every database refusal typed (DATA-1, DATA-4)."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest
from reliability.scenario import Ids, build
from sqlalchemy import Engine, text, update
from sqlalchemy import exc as sa_exc

from dentaldesk.config import StorageError
from dentaldesk.db.faults import translate
from dentaldesk.db.models import PlanItem, TreatmentPlan
from dentaldesk.domain.errors import ConflictError, NotFound, ValidationError
from dentaldesk.services.access.login import login
from dentaldesk.services.plans import ItemChange, ItemInput, PlanChanges, complete_item, load_plan, save_draft
from dentaldesk.services.plans import core as plan_core
from dentaldesk.services.plans import status as plan_status
from dentaldesk.services.uow import UnitOfWork


def _other_workstation_tries_to_write(engine: Engine) -> str:
    """What another process gets when it asks for the write lock without waiting."""
    other = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return "got the lock"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        other.close()


def test_data1_a_sqlite_write_action_holds_the_write_lock_from_its_first_statement(uow: UnitOfWork, engine) -> None:
    """DATA-1/DATA-4: a write action takes SQLite's write lock when it begins (BEGIN IMMEDIATE),
    before it reads a counter or a version, so no other workstation writes in between."""
    with uow:
        assert "locked" in _other_workstation_tries_to_write(engine)
    assert _other_workstation_tries_to_write(engine) == "got the lock"


def test_data1_a_read_does_not_take_the_write_lock(uow: UnitOfWork, engine) -> None:
    """A read (uow.read()) begins DEFERRED: another workstation can save meanwhile."""
    with uow.read():
        uow.session.execute(text("SELECT count(*) FROM patient")).scalar()
        assert _other_workstation_tries_to_write(engine) == "got the lock"


def test_data1_a_write_waits_for_the_busy_timeout_and_then_says_busy(engine, monkeypatch) -> None:
    """A write that cannot get the lock within the busy timeout is a typed ConflictError, not a driver error."""
    from dentaldesk.db import engine as engine_module
    from dentaldesk.db.engine import make_engine

    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 50)
    impatient = make_engine(str(engine.url))
    holder = sqlite3.connect(engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ConflictError, match="busy"), UnitOfWork.for_engine(impatient):
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        impatient.dispose()


def test_a_programming_error_inside_a_unit_of_work_is_not_disguised(uow: UnitOfWork) -> None:
    """Only the database's refusals are translated; a defect keeps its own exception (and rolls back)."""
    with pytest.raises(ZeroDivisionError), uow:
        _ = 1 / 0


@pytest.mark.parametrize(
    ("orig", "typed"),
    [
        (sqlite3.IntegrityError("UNIQUE constraint failed: patient.office_id, patient.patient_number"), ConflictError),
        (sqlite3.IntegrityError("FOREIGN KEY constraint failed"), NotFound),
        (sqlite3.IntegrityError("CHECK constraint failed: fee_not_negative"), ValidationError),
        (sqlite3.IntegrityError("NOT NULL constraint failed: patient.first_name"), ValidationError),
    ],
)
def test_data1_integrity_refusals_are_typed(orig: Exception, typed: type) -> None:
    """A unique key taken at the same moment is a conflict; a vanished reference is NotFound; a bad value a
    ValidationError; each says nothing was saved."""
    error = translate(sa_exc.IntegrityError("INSERT ...", {}, orig))
    assert isinstance(error, typed) and "Nothing was saved" in error.message


def test_data1_driver_and_connection_failures_are_typed() -> None:
    """A value the database refuses, a broken character, a lost connection: each a typed error."""
    assert isinstance(translate(sa_exc.DataError("INSERT", {}, Exception("value too long"))), ValidationError)
    assert isinstance(translate(UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")), ValidationError)
    lost = sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
    assert isinstance(translate(lost), StorageError)
    assert translate(ZeroDivisionError()) is None


# --------------------------------------------------------------------------- PostgreSQL: stale autoflush


@pytest.fixture
def pg_plan(pg_engine_new: Engine) -> tuple[Engine, Ids]:
    return pg_engine_new, build(pg_engine_new, claim_patients=0, plan_items=2)


def _meanwhile_another_workstation_saves(engine: Engine, plan_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(TreatmentPlan)
            .where(TreatmentPlan.id == plan_id)
            .values(title="Saved elsewhere", version=TreatmentPlan.version + 1)
        )


@pytest.mark.postgres
def test_data4_a_stale_autoflush_in_save_draft_is_a_conflict_error(pg_plan, monkeypatch) -> None:
    """DATA-4 on PostgreSQL: another workstation saves the plan after this save read it; the stale version is
    found by an autoflush (finish() reads the items), and still comes out as ConflictError, nothing saved."""
    engine, ids = pg_plan
    uow = UnitOfWork.for_engine(engine)
    owner = login(uow, "owner", "owner-pass-1", "ws-1")
    view = load_plan(uow, owner, ids.draft_id)
    original = plan_core.PlanWork.finish

    def finish_after_the_other_save(work: plan_core.PlanWork) -> None:
        _meanwhile_another_workstation_saves(engine, ids.draft_id)
        original(work)

    monkeypatch.setattr(plan_core.PlanWork, "finish", finish_after_the_other_save)
    entry = ItemInput("D2391", provider_id=ids.provider_id, fee=Decimal("150.00"))
    with pytest.raises(ConflictError, match="Another workstation|saved"):
        save_draft(
            uow,
            owner,
            ids.draft_id,
            PlanChanges(changed=(ItemChange(ids.draft_item, entry),)),
            expected_version=view.version,
        )
    monkeypatch.undo()
    after = load_plan(uow, owner, ids.draft_id)
    assert after.title == "Saved elsewhere" and after.item(ids.draft_item).fee == Decimal("100.00")


@pytest.mark.postgres
def test_data4_completing_an_item_of_a_plan_saved_meanwhile_is_a_conflict_error(pg_plan, monkeypatch) -> None:
    """DATA-4 on PostgreSQL: completing an item reads through the chart service (autoflush) after another
    workstation saved the plan: ConflictError, no charge posted, the item still planned."""
    engine, ids = pg_plan
    uow = UnitOfWork.for_engine(engine)
    owner = login(uow, "owner", "owner-pass-1", "ws-1")
    view = load_plan(uow, owner, ids.plan_id)
    original = plan_status.complete_item_marks_in

    def marks_after_the_other_save(*args, **kwargs):  # type: ignore[no-untyped-def]
        with engine.begin() as conn:  # another workstation saves the same item meanwhile
            conn.execute(
                update(PlanItem).where(PlanItem.id == ids.plan_items[0]).values(notes="x", version=PlanItem.version + 1)
            )
        return original(*args, **kwargs)

    monkeypatch.setattr(plan_status, "complete_item_marks_in", marks_after_the_other_save)
    with pytest.raises(ConflictError):
        complete_item(uow, owner, ids.plan_id, ids.plan_items[0], expected_version=view.version)
    monkeypatch.undo()
    after = load_plan(uow, owner, ids.plan_id)
    assert not after.item(ids.plan_items[0]).is_completed
    with engine.connect() as conn:
        charges = conn.execute(
            text("SELECT count(*) FROM ledger_transaction WHERE plan_item_id = :i"), {"i": ids.plan_items[0]}
        )
        assert charges.scalar() == 0


def test_data1_every_unit_of_work_of_an_engine_shares_one_session_class(engine) -> None:
    """Each action is its own transaction and session (DATA-1), made by the engine's one factory:
    a factory per action made a Session subclass per action, and each copied every Session-level
    listener (versioning DATA-4, change notes DATA-7) before its first statement."""
    first, second = UnitOfWork.for_engine(engine), UnitOfWork.for_engine(engine)
    with first.read(), second.read():
        assert first.session is not second.session
        assert type(first.session) is type(second.session)
