"""Opening a database while another process reads it (DATA-3, the engine's connect pragmas)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from dentaldesk.db.engine import SqliteFile, make_engine, probe_sqlite

READER = """
import sqlite3, sys, time
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, isolation_level=None)
conn.execute("BEGIN")
conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
print("reading", flush=True)
time.sleep(1.0)
conn.execute("COMMIT")
"""


def test_a_reader_in_another_process_makes_the_wal_switch_wait_not_fail(tmp_path: Path) -> None:
    """A new database read by a second process (a second workstation starting, a backup) while the
    first opens it and switches it to WAL: the first waits for the reader (the driver's busy
    timeout), it does not fail."""
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
    conn.commit()
    conn.close()
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        started = time.monotonic()
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        engine.dispose()
        assert time.monotonic() - started < 5
    finally:
        reader.wait(timeout=30)
    assert reader.returncode == 0


def test_probing_a_wal_database_leaves_no_files_behind(tmp_path: Path) -> None:
    """The read-only look at a checkpointed WAL database creates no -wal or -shm file."""
    path = tmp_path / "ours.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE alembic_version (version_num TEXT)")
        connection.exec_driver_sql("INSERT INTO alembic_version VALUES ('0001')")
    engine.dispose()
    before = sorted(p.name for p in tmp_path.iterdir())
    probe = probe_sqlite(path)
    assert (probe.kind, probe.revision) == (SqliteFile.DENTALDESK, "0001")
    assert sorted(p.name for p in tmp_path.iterdir()) == before == ["ours.sqlite3"]
