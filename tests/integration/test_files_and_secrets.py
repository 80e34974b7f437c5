"""Files and secrets (SEC-6): private data folder and files; no password on the command line."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from dentaldesk.cli import main
from dentaldesk.config import StorageError, database_url, paths, read_settings
from dentaldesk.db.engine import make_engine
from dentaldesk.db.opening import open_or_create


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sec6_a_new_data_folder_is_0700_and_the_database_and_its_wal_0600(tmp_path: Path) -> None:
    """SEC-6: the folder is its owner's only, and so are the database and the files SQLite adds."""
    database = tmp_path / "fresh" / "data" / "practice.sqlite3"
    engine = open_or_create(f"sqlite:///{database}", make_data_folder=True).engine
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
    assert _mode(database.parent) == 0o700
    for path in database.parent.iterdir():
        assert _mode(path) == 0o600, path
    engine.dispose()


def test_sec6_an_old_world_readable_database_is_made_private_when_opened(tmp_path: Path) -> None:
    """SEC-6: a database made by an older DentalDesk (0644 in a 0755 data folder) is tightened on opening."""
    folder = tmp_path / "old"
    folder.mkdir(mode=0o755)
    database = folder / "old.sqlite3"
    open_or_create(f"sqlite:///{database}", make_data_folder=True).engine.dispose()
    database.chmod(0o644)
    folder.chmod(0o755)
    engine = open_or_create(f"sqlite:///{database}", make_data_folder=True).engine
    assert _mode(database) == 0o600 and _mode(folder) == 0o700
    engine.dispose()


def test_sec6_a_folder_the_person_named_keeps_its_mode(tmp_path: Path) -> None:
    """SEC-6: a database in a folder named with --url (a shared /srv/dental, or /tmp) is 0600, and the
    folder keeps its own mode: only DentalDesk's data folder is made 0700."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)  # like /tmp: closing it would lock every other user out
    database = folder / "practice.sqlite3"
    engine = open_or_create(f"sqlite:///{database}").engine
    engine.dispose()
    assert _mode(database) == 0o600 and _mode(folder) == 0o1777


def test_sec6_the_settings_file_is_kept_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SEC-6: settings.json may hold the database password; reading it makes it its owner's only."""
    monkeypatch.setenv("DENTALDESK_HOME", str(tmp_path))
    settings = paths().settings_file
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"database_password": "s3cret-pass"}), encoding="utf-8")
    settings.chmod(0o644)
    assert read_settings()["database_password"] == "s3cret-pass"
    assert _mode(settings) == 0o600


def test_sec6_a_password_in_url_is_refused_with_where_to_put_it(capsys) -> None:
    """SEC-6: `--url postgresql://user:secret@host/db` is refused before anything connects."""
    with pytest.raises(StorageError, match="PGPASSWORD"):
        database_url("postgresql://dd:secret@127.0.0.1:1/dd")
    assert main(["db", "upgrade", "--url", "postgresql://dd:secret@127.0.0.1:1/dd"]) == 1
    err = capsys.readouterr().err
    assert "Do not put the database password in --url" in err and "secret" not in err.replace("settings", "")


@pytest.mark.postgres
def test_sec6_the_postgresql_password_comes_from_the_settings_file(pg_url: str, tmp_path: Path, monkeypatch) -> None:
    """SEC-6: a URL without a password connects with "database_password" from settings.json."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    role = f"dd_pw_{uuid.uuid4().hex[:8]}"
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'from-settings-1'"))
    try:
        monkeypatch.setenv("DENTALDESK_HOME", str(tmp_path))
        monkeypatch.delenv("PGPASSWORD", raising=False)
        settings = paths().settings_file
        settings.parent.mkdir(parents=True)
        settings.write_text(json.dumps({"database_password": "from-settings-1"}), encoding="utf-8")
        url = make_url(pg_url).set(username=role, password=None).render_as_string(hide_password=False)
        engine = make_engine(url)
        assert engine.url.password == "from-settings-1"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == role
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_sec6_a_backup_is_0600_and_pg_dump_gets_no_password_on_its_command_line(tmp_path: Path) -> None:
    """SEC-6: a backup holds every record, so it is its owner's only; pg_dump/pg_restore are handed
    the password in their environment, never in the process list."""
    from sqlalchemy import create_engine

    from dentaldesk.db.backup import _libpq_env, _libpq_url, back_up

    engine = open_or_create(f"sqlite:///{tmp_path / 'data' / 'p.sqlite3'}", make_data_folder=True).engine
    made = back_up(engine, tmp_path / "backups")
    assert _mode(made.path) == 0o600
    engine.dispose()
    pg = create_engine("postgresql+psycopg://app:s3cret-pass@db.example/dd")  # not connected
    assert "s3cret" not in _libpq_url(pg) and _libpq_env(pg)["PGPASSWORD"] == "s3cret-pass"


def test_sec6_a_database_in_a_shared_temporary_folder_leaves_the_folder_open(tmp_path: Path) -> None:
    """SEC-6: a sticky, world-writable folder (as /tmp) keeps its mode; the database itself is 0600."""
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    database = shared / "practice.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    engine.dispose()
    assert _mode(shared) == 0o1777
    assert _mode(database) == 0o600
