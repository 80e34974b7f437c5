"""Backups and restores (DATA-6): consistent while others write, checked before a restore, the
replaced database kept, refused while another workstation has the database open."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from race_practice import WORKER, RacePractice
from sqlalchemy import Engine, func, select, text

from dentaldesk import clock
from dentaldesk.cli import main
from dentaldesk.config import StorageError
from dentaldesk.db import backup as files
from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import current_revision, head_revision, upgrade
from dentaldesk.db.models import AuditEvent, LedgerTransaction, Patient
from dentaldesk.db.presence import Presence, others_with_sqlite_open
from dentaldesk.domain.errors import PermissionDenied, RuleViolation
from dentaldesk.services.access.login import login
from dentaldesk.services.practice import backups
from dentaldesk.services.uow import UnitOfWork

FIXTURES = Path(__file__).parents[1] / "fixtures" / "databases"


def _owner(engine: Engine):  # type: ignore[no-untyped-def]
    return login(UnitOfWork.for_engine(engine), "owner", "owner-pass-1", "test-ws")


def _notes(database: Path) -> set[str]:
    conn = sqlite3.connect(database)
    try:
        return {n for (n,) in conn.execute("SELECT notes FROM ledger_transaction WHERE notes LIKE 'writer-%'")}
    finally:
        conn.close()


def test_data6_a_backup_taken_while_another_process_writes_holds_every_committed_action(
    sqlite_race: RacePractice, tmp_path: Path
) -> None:
    """DATA-6: a workstation posts payments without pause; a backup is taken meanwhile, restored into
    a fresh file, and holds every payment that was committed before the backup started, intact."""
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, str(WORKER), "writer", sqlite_race.url, str(sqlite_race.ids_file), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        committed: list[str] = []
        while len(committed) < 25:  # payments the writer saw committed
            committed.append(writer.stdout.readline().strip())
        owner = _owner(sqlite_race.engine)
        taken = backups.back_up_now(UnitOfWork.for_engine(sqlite_race.engine), owner, to=tmp_path / "bk")
        more = [writer.stdout.readline().strip() for _ in range(5)]  # it went on writing meanwhile
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert all(m.startswith("writer-") for m in committed + more)
    files.check_sqlite_backup(taken.path)
    restored = tmp_path / "restored.sqlite3"
    files.restore_sqlite(taken.path, restored)
    in_backup = _notes(restored)
    assert set(committed) <= in_backup
    conn = sqlite3.connect(restored)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_data6_back_up_now_rotates_and_is_audited_and_refused_to_the_front_desk(fast_practice, tmp_path: Path) -> None:
    """Owner/Admin back up by hand: a checked file under the dated name, old ones thinned, an audit row;
    the front desk may not (Right.BACKUP)."""
    engine = fast_practice.engine
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in range(1, 40):  # old backups of every day of April and March
        stamp = clock.dt.datetime(2026, 4, 30) - clock.dt.timedelta(days=day)
        (folder / files.backup_name(files.database_stem(engine), stamp).file_name).write_bytes(b"old")
    taken = backups.back_up_now(fast_practice.uow, fast_practice.owner, to=folder)
    assert taken.path.parent == folder and taken.size > 0
    left = files.list_backups(folder, files.database_stem(engine))
    assert left[0].path == taken.path and len(left) <= 23 and len(left) < 40
    with engine.connect() as conn:
        action = conn.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1))
    assert action == "backup"
    with pytest.raises(PermissionDenied):
        backups.back_up_now(fast_practice.uow, fast_practice.front_desk, to=folder)


def test_data6_the_daily_backup_runs_once_a_day_and_at_close_always(fast_practice, tmp_path: Path) -> None:
    """The automatic backup: the first of the day is taken for whoever is logged in, the second is not
    needed; at close one is always taken."""
    uow, desk = fast_practice.uow, fast_practice.front_desk
    with uow:
        uow.session.execute(text("UPDATE office SET backup_folder = :f"), {"f": str(tmp_path / "auto")})
        uow.commit()
    first = backups.automatic_backup(uow, desk)
    assert first is not None and backups.automatic_backup(uow, desk) is None
    time.sleep(1.1)  # a second later: a backup name of its own
    at_close = backups.automatic_backup(uow, desk, at_close=True)
    assert at_close is not None and at_close.taken_at > first.taken_at
    # The rotation keeps the newest backup of a day: the one at close.
    left = files.list_backups(tmp_path / "auto", files.database_stem(fast_practice.engine))
    assert [b.path for b in left] == [at_close.path]


def test_data6_restore_checks_the_file_keeps_the_replaced_database_and_upgrades_an_old_backup(
    fast_practice, tmp_path: Path
) -> None:
    """An old release's backup (schema 0005) is checked, restored, upgraded; the replaced practice is kept."""
    engine = fast_practice.engine
    old = tmp_path / "old-backup.sqlite3"
    with gzip.open(FIXTURES / "schema_0005.sqlite3.gz", "rb") as src, old.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    with engine.connect() as conn:
        ours = conn.scalar(select(func.count()).select_from(Patient))
    done = backups.restore_backup(fast_practice.uow, fast_practice.owner, old)
    assert done.upgraded_from == "0005" and current_revision(engine) == head_revision()
    assert done.kept_as is not None and done.kept_as.exists()
    kept = sqlite3.connect(done.kept_as)
    assert kept.execute("SELECT count(*) FROM patient").fetchone()[0] == ours
    kept.close()
    fixture = sqlite3.connect(old)
    # Every ledger row but the visit write-off adjustments, which the upgrade moves onto their
    # charges (migration 0013, INS-8).
    wanted = fixture.execute(
        "SELECT count(*) FROM ledger_transaction "
        "WHERE NOT (kind = 'adjustment' AND description LIKE 'PPO write-off - %')"
    ).fetchone()[0]
    fixture.close()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(LedgerTransaction)) == wanted
        assert conn.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1)) == "restore_backup"
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a database" * 100, "not a DentalDesk backup or is damaged"),
        ("sqlite-but-other", "is not a DentalDesk database"),
        ("newer", "newer DentalDesk"),
    ],
)
def test_data6_a_bad_backup_is_refused_and_nothing_changes(fast_practice, tmp_path: Path, content, message) -> None:
    """A damaged file, someone else's database, a newer DentalDesk's backup: refused before anything is touched."""
    bad = tmp_path / "bad.sqlite3"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif content == "sqlite-but-other":
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        conn.commit()
        conn.close()
    else:
        shutil.copyfile(files.sqlite_path(fast_practice.engine), bad)
        conn = sqlite3.connect(bad)
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
        conn.close()
    before = files.sqlite_path(fast_practice.engine).read_bytes()
    with pytest.raises(StorageError, match=message):
        backups.restore_backup(fast_practice.uow, fast_practice.owner, bad)
    assert files.sqlite_path(fast_practice.engine).read_bytes() == before


def _holder(database: Path, ready: Path) -> subprocess.Popen:
    """Another workstation: a process that has the database open (its presence held) until killed."""
    code = (
        "import sys, time; from pathlib import Path; from dentaldesk.db.presence import Presence; "
        f"p = Presence(Path({str(database)!r}), 'DentalDesk'); Path({str(ready)!r}).touch(); time.sleep(120)"
    )
    return subprocess.Popen([sys.executable, "-c", code])


def test_data6_restore_is_refused_while_another_workstation_has_the_database_open(
    fast_practice, tmp_path: Path
) -> None:
    """A second process has the practice open: the restore is refused naming it; once that process is
    gone (here killed -9, so its lock file is left behind) the restore goes ahead."""
    engine = fast_practice.engine
    database = files.sqlite_path(engine)
    good = backups.back_up_now(fast_practice.uow, fast_practice.owner, to=tmp_path / "bk")
    ready = tmp_path / "ready"
    holder = _holder(database, ready)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        mine = Presence(database)
        assert len(others_with_sqlite_open(database, mine)) == 1
        with pytest.raises(RuleViolation, match="Another workstation has the practice open: DentalDesk on"):
            backups.restore_backup(fast_practice.uow, fast_practice.owner, good.path, presence=mine)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert others_with_sqlite_open(database, mine) == []  # the dead process's lock file is cleared
    done = backups.restore_backup(fast_practice.uow, fast_practice.owner, good.path, presence=mine)
    assert done.kept_as is not None
    mine.close()


def test_data6_cli_backup_then_restore_into_a_lost_database(fast_practice, tmp_path: Path, monkeypatch, capsys) -> None:
    """`dentaldesk backup --to DIR` as the owner; the database file is lost; `dentaldesk restore FILE --yes`
    brings the practice back without a login (there is nothing left to protect)."""
    engine = fast_practice.engine
    url = str(engine.url)
    monkeypatch.setenv("DENTALDESK_PASSWORD", "owner-pass-1")
    assert main(["backup", "--url", url, "--user", "owner", "--to", str(tmp_path / "bk")]) == 0
    taken = files.list_backups(tmp_path / "bk", files.database_stem(engine))[0]
    assert "Backed up" in capsys.readouterr().out
    with engine.connect() as conn:
        patients = conn.scalar(select(func.count()).select_from(Patient))
    engine.dispose()
    database = files.sqlite_path(engine)
    for suffix in ("", "-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    assert main(["restore", str(taken.path), "--url", url, "--yes"]) == 0
    assert "Restored" in capsys.readouterr().out
    check = make_engine(url)
    with check.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Patient)) == patients
    check.dispose()


def test_data6_cli_restore_asks_for_yes_when_not_at_a_terminal(fast_practice, tmp_path: Path, capsys) -> None:
    engine = fast_practice.engine
    taken = backups.back_up_now(fast_practice.uow, fast_practice.owner, to=tmp_path / "bk")
    assert main(["restore", str(taken.path), "--url", str(engine.url)]) == 1
    assert "--yes" in capsys.readouterr().err


def test_data6_without_pg_dump_the_shared_database_says_plainly_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(files.shutil, "which", lambda _name: None)
    with pytest.raises(StorageError, match="pg_dump is not installed on this workstation"):
        files.pg_tool("pg_dump")


@pytest.mark.postgres
def test_data6_postgresql_backup_and_restore_with_pg_dump(pg_engine_new: Engine, tmp_path: Path) -> None:
    """Shared mode: pg_dump takes the backup, pg_restore puts it back (the replaced database dumped first)."""
    from conftest import SmallPractice

    practice = SmallPractice(UnitOfWork.for_engine(pg_engine_new))
    taken = backups.back_up_now(practice.uow, practice.owner, to=tmp_path / "bk")
    assert taken.file_name.endswith(".dump")
    with pg_engine_new.begin() as conn:
        conn.execute(text("UPDATE patient SET phone = 'changed after the backup'"))
    owner = login(practice.uow, "owner", "owner-pass-1", "test-ws")
    done = backups.restore_backup(practice.uow, owner, taken.path)
    assert done.kept_as is not None and done.kept_as.exists()
    with pg_engine_new.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM patient WHERE phone = 'changed after the backup'")) == 0
        assert conn.scalar(text("SELECT count(*) FROM patient")) == len(practice.patient_ids)
    upgrade(pg_engine_new)
