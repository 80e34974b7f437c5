"""The audit log cannot be rewritten (SEC-5): triggers, the hash chain, ``audit verify``, concurrent appends."""

from __future__ import annotations

import json
import multiprocessing
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from dentaldesk.cli import main
from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade
from dentaldesk.db.models import AuditEvent
from dentaldesk.domain.errors import PermissionDenied
from dentaldesk.services.access.audit_log import AuditFilter, audit_csv, search_audit, verify_audit
from dentaldesk.services.access.login import login
from dentaldesk.services.patients.records import PatientForm, add_patient, edit_patient, load_patient
from dentaldesk.services.uow import UnitOfWork


def _some_history(uow: UnitOfWork, practice) -> None:
    saved = add_patient(
        uow, practice.front_desk, PatientForm(first_name="Ada", last_name="Lopez", birth_date="1990-01-02")
    )
    record = load_patient(uow, practice.front_desk, saved.patient_id)
    edit_patient(uow, practice.front_desk, saved.patient_id, replace(record.form, phone="555-0101"))


def test_sec5_update_and_delete_on_the_audit_log_are_refused_by_the_database(engine: Engine, uow, practice) -> None:
    """SEC-5 on SQLite: plain UPDATE and DELETE of audit rows are refused by triggers; nothing changes."""
    _some_history(uow, practice)
    with engine.connect() as conn:
        first = conn.execute(text("SELECT id, after FROM audit_event ORDER BY seq LIMIT 1")).one()
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("UPDATE audit_event SET after = '{}' WHERE id = :id"), {"id": first.id})
        conn.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("DELETE FROM audit_event"))
        conn.rollback()
        assert (
            conn.execute(text("SELECT after FROM audit_event WHERE id = :id"), {"id": first.id}).scalar() == first.after
        )
    assert verify_audit(uow, practice.owner).intact


def _tamper_behind_the_triggers(engine: Engine, drop: list[str]) -> int:
    """What a database owner can still do: drop the triggers, rewrite a row. Returns its id."""
    with engine.begin() as conn:
        for statement in drop:
            conn.execute(text(statement))
        victim = conn.execute(text("SELECT id, after FROM audit_event ORDER BY seq LIMIT 1 OFFSET 2")).one()
        conn.execute(
            text("UPDATE audit_event SET after = :after WHERE id = :id"),
            {"after": json.dumps({"username": "somebody else"}), "id": victim.id},
        )
    return victim.id


def test_sec5_a_row_altered_behind_the_triggers_back_is_named_by_audit_verify(
    engine: Engine, uow, practice, capsys, monkeypatch
) -> None:
    """SEC-5: the owner drops the triggers and rewrites a row; `dentaldesk audit verify` names that row."""
    _some_history(uow, practice)
    monkeypatch.setenv("DENTALDESK_PASSWORD", "owner-pass-1")
    url = str(engine.url)
    assert main(["audit", "verify", "--url", url, "--user", "owner"]) == 0
    assert "intact" in capsys.readouterr().out
    victim = _tamper_behind_the_triggers(
        engine, ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"]
    )
    check = verify_audit(uow, practice.owner)
    assert (check.broken_id, check.reason) == (victim, "its content was changed after it was written")
    assert main(["audit", "verify", "--url", url, "--user", "owner"]) == 1
    assert f"broken at row {victim} " in capsys.readouterr().err


def test_sec5_a_deleted_row_and_a_cut_off_end_are_found(engine: Engine, uow, practice) -> None:
    """SEC-5: a row taken out of the middle breaks the next link; rows cut off the end break the head."""
    _some_history(uow, practice)
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_event_no_delete"))
        last = conn.execute(text("SELECT max(seq) FROM audit_event")).scalar()
        conn.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": last})
    check = verify_audit(uow, practice.owner)
    assert not check.intact and "cut off" in check.reason
    with engine.begin() as conn:
        row = conn.execute(text("SELECT id, seq FROM audit_event ORDER BY seq LIMIT 1 OFFSET 3")).one()
        conn.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": row.seq - 1})
    check = verify_audit(uow, practice.owner)
    assert check.broken_id == row.id and "missing" in check.reason


def test_sec5_only_owner_and_admin_read_the_audit_log(uow, practice) -> None:
    """SEC-5: the front desk cannot read or verify the log."""
    with pytest.raises(PermissionDenied, match="read the audit log"):
        search_audit(uow, practice.front_desk)
    with pytest.raises(PermissionDenied, match="read the audit log"):
        verify_audit(uow, practice.front_desk)


def test_sec5_the_audit_filters_find_a_patients_history_and_export_csv(uow, practice) -> None:
    """SEC-5: filter by patient, user, action and dates; the CSV has the same rows, local times."""
    _some_history(uow, practice)
    with uow:
        patient_id = uow.session.scalar(select(AuditEvent.entity_id).where(AuditEvent.entity == "patient"))
    rows = search_audit(uow, practice.owner, patient_id)
    assert {r.entity for r in rows} <= {"patient", "coverage", "account"} and len(rows) >= 2
    by_user = search_audit(uow, practice.owner, where=AuditFilter(username="front"))
    assert by_user and {r.username for r in by_user} == {"front"}
    logins = search_audit(uow, practice.owner, where=AuditFilter(action="login"))
    assert logins and {r.action for r in logins} == {"login"}
    day = rows[0].at.astimezone().date()
    assert search_audit(uow, practice.owner, where=AuditFilter(date_from=day, date_to=day))
    assert not search_audit(uow, practice.owner, where=AuditFilter(date_to=day.replace(year=day.year - 1)))
    lines = audit_csv(rows).splitlines()
    assert lines[0].startswith("Time (local),User,Workstation,Action") and len(lines) == len(rows) + 1


def _append_logins(url: str, name: str, password: str, count: int, barrier) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    uow = UnitOfWork.for_engine(engine)
    barrier.wait()
    for _ in range(count):
        login(uow, name, password, f"ws-{name}")
    engine.dispose()


def _two_workstations_append(url: str, count: int = 15) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    workers = [
        ctx.Process(target=_append_logins, args=(url, name, password, count, barrier))
        for name, password in (("owner", "owner-pass-1"), ("front", "front-pass-1"))
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0


@pytest.mark.slow
def test_sec5_two_workstations_appending_at_once_make_one_valid_chain_sqlite(engine: Engine, uow, practice) -> None:
    """SEC-5: two processes log in 15 times each at once on one SQLite file; one chain, every link valid."""
    with uow:
        before = uow.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    _two_workstations_append(str(engine.url))
    check = verify_audit(uow, practice.owner)
    assert check.intact and check.rows >= before + 30


@pytest.fixture
def pg_practice(pg_url: str) -> Iterator[tuple[Engine, object]]:
    """A new PostgreSQL database with the small practice, dropped afterwards."""
    from conftest import SmallPractice

    name = f"dd_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    yield engine, SmallPractice(UnitOfWork.for_engine(engine))
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_sec5_postgresql_refuses_update_delete_truncate_and_verify_names_the_altered_row(pg_practice) -> None:
    """SEC-5 on PostgreSQL: UPDATE, DELETE and TRUNCATE refused even for the owner until the triggers go;
    a row altered after that is named; the rows carry the database's time."""
    engine, practice = pg_practice
    uow = UnitOfWork.for_engine(engine)
    _some_history(uow, practice)
    for statement in ("UPDATE audit_event SET username = 'x'", "DELETE FROM audit_event", "TRUNCATE audit_event"):
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(statement))
    victim = _tamper_behind_the_triggers(
        engine,
        ["DROP TRIGGER audit_event_no_change ON audit_event", "DROP TRIGGER audit_event_no_truncate ON audit_event"],
    )
    check = verify_audit(uow, practice.owner)
    assert check.broken_id == victim and "changed" in check.reason


@pytest.mark.postgres
@pytest.mark.slow
def test_sec5_two_workstations_appending_at_once_make_one_valid_chain_postgresql(pg_practice) -> None:
    """SEC-5: two processes log in 15 times each at once on PostgreSQL; the head row lock keeps one chain."""
    engine, practice = pg_practice
    uow = UnitOfWork.for_engine(engine)
    _two_workstations_append(engine.url.render_as_string(hide_password=False))
    check = verify_audit(uow, practice.owner)
    assert check.intact and check.rows >= 30
