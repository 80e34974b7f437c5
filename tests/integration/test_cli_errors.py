"""The command line as a new user meets it: every mistake is one line on stderr, an exit code, and
nothing created or changed (checked with a SHA-256 of every file, and the list of folders, before
and after). Exit codes: 1 refused, 2 the command line itself is wrong (dentaldesk.cli.common)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dentaldesk.cli import build_parser, main
from dentaldesk.db.models import FeeSchedule, FeeScheduleEntry, ProcedureCode
from dentaldesk.services.uow import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "code,name,category,fee,default_rtu,description,insurable,taxable,requires_tooth,requires_surface,charts_graphic"
)


def checksums(*folders: Path) -> dict[str, str]:
    """Every folder and file under ``folders``, each file with the SHA-256 of its bytes."""
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            found[str(path)] = "folder" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def the_line(err: str) -> str:
    """stderr is one line, our own, and no traceback."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("dentaldesk: ") and "Traceback" not in err
    return lines[0]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A DENTALDESK_HOME of this test's own, empty (the default and demo databases live there)."""
    folder = tmp_path / "home"
    monkeypatch.setenv("DENTALDESK_HOME", str(folder))
    monkeypatch.delenv("DENTALDESK_DATABASE_URL", raising=False)
    return folder


@pytest.fixture
def demo_home(home: Path, demo_template: Path) -> Path:
    """The demo database where `--demo` finds it."""
    (home / "data").mkdir(parents=True)
    shutil.copyfile(demo_template, home / "data" / "demo.sqlite3")
    return home


def practice_file(engine: Engine) -> Path:
    engine.dispose()
    return Path(str(engine.url.database))


# -- where the database is: --url, the environment, settings.json -------------------------------


@pytest.fixture
def owner_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands log in as the app does (SEC-3): the small practice's owner, password from the environment."""
    monkeypatch.setenv("DENTALDESK_PASSWORD", "owner-pass-1")


@pytest.fixture
def front_desk_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo practice's front desk (README), password from the environment."""
    monkeypatch.setenv("DENTALDESK_PASSWORD", "demo-front")


def test_url_may_be_a_plain_absolute_file_path(fast_practice, owner_password, capsys) -> None:
    """DATA-3: `--url /path/x.sqlite3` is that SQLite file."""
    path = practice_file(fast_practice.engine)
    code, out, err = run(capsys, "aging", "--url", str(path), "--user", "owner")
    assert (code, err) == (0, "") and "Test Dental (TST01)" in out


def test_url_may_be_a_relative_file_path(fast_practice, owner_password, tmp_path: Path, monkeypatch, capsys) -> None:
    """DATA-3: `--url x.db` is x.db in the current folder."""
    path = practice_file(fast_practice.engine)
    shutil.copyfile(path, tmp_path / "x.db")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "aging", "--url", "x.db", "--user", "owner")
    assert (code, err) == (0, "") and "Test Dental (TST01)" in out


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "--url 'not a url' is neither a database URL nor the path of an SQLite file"),
        ("sqlite:/one-slash.db", "--url 'sqlite:/one-slash.db' is not a database URL"),
        ("mysql://u@host/db", "DentalDesk works with SQLite or PostgreSQL, not 'mysql'"),
        ("", "--url is empty"),
    ],
)
def test_a_url_that_cannot_be_read_is_one_line_and_changes_nothing(url, says, home, tmp_path, capsys) -> None:
    """Bad input: --url that is neither a URL nor a file path: one line with examples, exit 1, no file."""
    before = checksums(tmp_path)
    code, out, err = run(capsys, "aging", "--url", url)
    line = the_line(err)
    assert code == 1 and out == "" and says in line and "postgresql://user@server/dentaldesk" in line
    assert checksums(tmp_path) == before


def test_a_bad_environment_url_is_named_and_changes_nothing(home, tmp_path, monkeypatch, capsys) -> None:
    """Bad input: DENTALDESK_DATABASE_URL that cannot be read: the line names the variable."""
    monkeypatch.setenv("DENTALDESK_DATABASE_URL", "postgres:secret@server")
    before = checksums(tmp_path)
    code, _out, err = run(capsys, "db", "upgrade")
    assert code == 1
    assert "DENTALDESK_DATABASE_URL 'postgres:secret@server' is not a database URL" in the_line(err)
    assert checksums(tmp_path) == before


def test_a_bad_url_in_the_settings_file_is_named(home, tmp_path, capsys) -> None:
    """Bad input: "database_url" in settings.json that cannot be read: the line names the file."""
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text('{"database_url": "::nothing::"}', encoding="utf-8")
    before = checksums(tmp_path)
    code, _out, err = run(capsys, "aging")
    assert code == 1 and f'"database_url" in {home / "config" / "settings.json"}' in the_line(err)
    assert checksums(tmp_path) == before


def test_postgresql_is_named_as_written_without_driver_name(capsys) -> None:
    """Bad input: an unreachable server is named postgresql://..., never by the driver (+psycopg)."""
    code, _out, err = run(capsys, "db", "upgrade", "--url", "postgresql://u@127.0.0.1:1/db")
    line = the_line(err)
    assert code == 1 and "postgresql://u@127.0.0.1:1/db cannot be reached" in line and "+psycopg" not in line


def test_a_password_in_the_url_is_refused_and_never_printed(capsys) -> None:
    """SEC-6: a password on the command line is refused in one line that does not repeat it."""
    code, _out, err = run(capsys, "db", "upgrade", "--url", "postgresql://u:secret@127.0.0.1:1/db")
    line = the_line(err)
    assert code == 1 and "Do not put the database password in --url" in line and "secret" not in line


# -- only db upgrade and demo create create a database ------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["aging"], ["handout", "1", "-o", "{tmp}/out.pdf"], ["codes", "import", "{tmp}/codes.csv", "--user", "owner"]],
)
def test_commands_that_work_on_a_practice_create_no_database(command, home, tmp_path, monkeypatch, capsys) -> None:
    """DATA-3: aging, handout and codes import on a missing file create nothing, and say how to make one."""
    (tmp_path / "codes.csv").write_text(HEADER + "\nD9999,Thing,adjunctive,,,,,,,,\n", encoding="utf-8")
    monkeypatch.setenv("DENTALDESK_PASSWORD", "owner-pass-1")
    missing = tmp_path / "missing.sqlite3"
    before = checksums(tmp_path)
    code, _out, err = run(capsys, *[part.format(tmp=tmp_path) for part in command], "--url", str(missing))
    line = the_line(err)
    assert code == 1 and f"There is no DentalDesk database at {missing} (nothing was created)" in line
    assert "dentaldesk db upgrade" in line
    assert checksums(tmp_path) == before


def test_a_mistyped_folder_creates_neither_folder_nor_database(home, tmp_path, capsys) -> None:
    """Bad input: sqlite:///.../typo/x.db: no folder and no file appear, even for db upgrade and demo create."""
    typo = tmp_path / "typo" / "x.db"
    before = checksums(tmp_path)
    for command in (["aging"], ["db", "upgrade"], ["demo", "create"]):
        code, _out, err = run(capsys, *command, "--url", f"sqlite:///{typo}")
        line = the_line(err)
        assert code == 1
        assert "There is no DentalDesk database" in line or f"The folder {typo.parent} does not exist" in line
    assert checksums(tmp_path) == before


def test_db_upgrade_creates_a_new_file_in_a_folder_that_exists(tmp_path, capsys) -> None:
    """DATA-3: db upgrade may create a database; a plain relative path works."""
    code, out, _err = run(capsys, "db", "upgrade", "--url", str(tmp_path / "new.sqlite3"))
    assert code == 0 and "upgraded from schema empty" in out
    assert (tmp_path / "new.sqlite3").exists()


def test_an_empty_file_is_not_a_practice(tmp_path, capsys) -> None:
    """Bad input: aging on a zero-length file: refused, the file stays empty."""
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    before = checksums(tmp_path)
    code, _out, err = run(capsys, "aging", "--url", str(empty))
    assert code == 1 and "is empty: it holds no practice; nothing was changed" in the_line(err)
    assert checksums(tmp_path) == before


def test_an_older_schema_is_not_upgraded_by_a_report(tmp_path, capsys) -> None:
    """DATA-3: aging on a database at an older schema says to upgrade first, and changes nothing."""
    from alembic import command

    from dentaldesk.db.engine import make_engine
    from dentaldesk.db.migrate import alembic_config

    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    before = checksums(tmp_path)
    code, _out, err = run(capsys, "aging", "--url", str(path))
    line = the_line(err)
    assert code == 1 and "is at schema 0004, older than this DentalDesk's" in line and "dentaldesk db upgrade" in line
    assert checksums(tmp_path) == before


# -- a foreign SQLite file is opened read-only ---------------------------------------------------


@pytest.fixture
def foreign_file(tmp_path: Path) -> Path:
    """Another program's SQLite database, in the rollback journal mode (header bytes 18-19 = 1)."""
    path = tmp_path / "invoices.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total TEXT)")
    conn.execute("INSERT INTO invoices (total) VALUES ('12.50')")
    conn.commit()
    conn.close()
    assert path.read_bytes()[18:20] == b"\x01\x01"
    return path


@pytest.mark.parametrize(
    "command",
    [["db", "upgrade"], ["demo", "create"], ["aging"], ["handout", "1", "-o", "{tmp}/h.pdf"]],
)
def test_a_foreign_sqlite_file_is_refused_byte_for_byte_unchanged(command, foreign_file, tmp_path, capsys) -> None:
    """Bad input: another program's database: refused, its journal mode (header) untouched, no -wal/-shm."""
    before = checksums(tmp_path)
    code, _out, err = run(capsys, *[part.format(tmp=tmp_path) for part in command], "--url", str(foreign_file))
    line = the_line(err)
    assert code == 1
    assert f"The file {foreign_file} is an SQLite database of another program (tables invoices)" in line
    assert "nothing was changed" in line
    assert checksums(tmp_path) == before
    assert foreign_file.read_bytes()[18:20] == b"\x01\x01"


def test_a_damaged_file_is_refused_unchanged(tmp_path, capsys) -> None:
    """Bad input: a file that is not SQLite at all: refused, untouched."""
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"not a database " * 100)
    before = checksums(tmp_path)
    code, _out, err = run(capsys, "aging", "--url", str(path))
    assert code == 1 and "is not a DentalDesk database or is damaged" in the_line(err)
    assert checksums(tmp_path) == before


# -- --demo selects the demo database for every command ------------------------------------------


def test_demo_before_the_command_selects_the_demo_database(demo_home, front_desk_password, tmp_path, capsys) -> None:
    """`dentaldesk --demo handout 1 -o x.pdf` writes plan 1 of the demo practice."""
    code, out, err = run(capsys, "--demo", "handout", "1", "-o", str(tmp_path / "x.pdf"), "--user", "frontdesk")
    assert (code, err) == (0, "") and "Handout of plan 1" in out
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")


def test_demo_after_the_command_selects_the_demo_database(demo_home, front_desk_password, capsys) -> None:
    """`dentaldesk aging --demo` is the demo practice's aging report."""
    code, out, err = run(capsys, "aging", "--demo", "--user", "frontdesk")
    assert (code, err) == (0, "") and "Maple Street Dental" in out


def test_demo_wins_over_the_environment(demo_home, front_desk_password, tmp_path, monkeypatch, capsys) -> None:
    """DATA-3: --demo is asked for on this command line, so DENTALDESK_DATABASE_URL does not override it."""
    monkeypatch.setenv("DENTALDESK_DATABASE_URL", str(tmp_path / "elsewhere.sqlite3"))
    code, out, _err = run(capsys, "--demo", "aging", "--user", "frontdesk")
    assert code == 0 and "Maple Street Dental" in out
    assert not (tmp_path / "elsewhere.sqlite3").exists()


def test_demo_without_a_demo_database_creates_nothing(home, tmp_path, capsys) -> None:
    """Bad input: --demo aging before the demo practice exists: says how to make it, creates nothing."""
    before = checksums(tmp_path)
    code, _out, err = run(capsys, "--demo", "aging")
    assert code == 1 and "dentaldesk demo create" in the_line(err)
    assert checksums(tmp_path) == before


def test_url_and_demo_together_are_refused(demo_home, tmp_path, capsys) -> None:
    """Bad input: --url and --demo name two databases: exit 2, nothing done."""
    before = checksums(tmp_path)
    code, _out, err = run(capsys, "--demo", "aging", "--url", str(tmp_path / "x.db"))
    assert code == 2 and the_line(err) == "dentaldesk: give either --url or --demo, not both."
    assert checksums(tmp_path) == before


# -- codes import -------------------------------------------------------------------------------


@pytest.fixture
def codes_db(fast_practice) -> Path:
    """A practice whose D2740 has a description, 90 RTU's, a fee of 1,200.00 and its flags set."""
    from dentaldesk.services.access.login import login
    from dentaldesk.services.practice.codes import import_codes

    csv_file = practice_file(fast_practice.engine).with_name("first.csv")
    csv_file.write_text(
        HEADER + "\nD2740,Crown porcelain,restorative,1200.00,90,Full crown,1,0,1,0,1\n", encoding="utf-8"
    )
    owner = login(fast_practice.uow, "owner", "owner-pass-1", "test-ws")
    assert import_codes(fast_practice.uow, owner, csv_file).added == 1
    fast_practice.engine.dispose()
    return practice_file(fast_practice.engine)


def code_on_file(db: Path, code: str) -> tuple[object, ...]:
    from dentaldesk.db.engine import make_engine

    engine = make_engine(f"sqlite:///{db}")
    with UnitOfWork.for_engine(engine) as uow:
        row = uow.session.scalar(select(ProcedureCode).where(ProcedureCode.code == code))
        fee = uow.session.scalar(
            select(FeeScheduleEntry.fee)
            .join(FeeSchedule, FeeSchedule.id == FeeScheduleEntry.fee_schedule_id)
            .where(FeeScheduleEntry.procedure_code_id == row.id, FeeSchedule.number == 0)
        )
        found = (row.name, row.description, row.default_rtu, row.requires_tooth, row.charts_graphic, str(fee))
    engine.dispose()
    return found


def test_codes_import_without_terminal_or_password_says_what_to_give(codes_db, tmp_path, monkeypatch, capsys) -> None:
    """Bad input: no terminal and no password (cron, CI): one line naming --user and the variable, exit 2."""
    csv_file = tmp_path / "more.csv"
    csv_file.write_text(HEADER + "\nD9999,Thing,adjunctive,,,,,,,,\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.delenv("DENTALDESK_PASSWORD", raising=False)
    before = checksums(tmp_path)
    for extra in ([], ["--user", "owner"]):
        code, _out, err = run(capsys, "codes", "import", str(csv_file), "--url", str(codes_db), *extra)
        line = the_line(err)
        assert code == 2 and "--user NAME and the password in the DENTALDESK_PASSWORD environment variable" in line
    assert checksums(tmp_path) == before


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_at_a_terminal_the_user_and_password_are_asked(fast_practice, monkeypatch, capsys) -> None:
    """SEC-6: without --user and the variable, a person at a terminal is asked for both."""
    import getpass

    path = practice_file(fast_practice.engine)
    monkeypatch.delenv("DENTALDESK_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: "owner" if prompt == "User: " else "")
    monkeypatch.setattr(getpass, "getpass", lambda prompt: "owner-pass-1" if prompt == "Password for owner: " else "")
    code, out, err = run(capsys, "aging", "--url", str(path))
    assert (code, err) == (0, "") and "Test Dental (TST01)" in out


def test_ctrl_d_at_the_prompt_is_one_line(fast_practice, monkeypatch, capsys) -> None:
    """Bad input: Ctrl+D (end of input) at the password prompt: one line, exit 2, no EOFError."""
    import getpass

    def end_of_input(prompt: str) -> str:
        raise EOFError

    path = practice_file(fast_practice.engine)
    monkeypatch.delenv("DENTALDESK_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr(getpass, "getpass", end_of_input)
    code, _out, err = run(capsys, "aging", "--url", str(path), "--user", "owner")
    assert code == 2 and "nothing was typed at 'Password for owner:'" in the_line(err)


def test_codes_import_reads_a_latin1_file(codes_db, tmp_path, monkeypatch, capsys) -> None:
    """CODE-1: a Latin-1 (Windows-1252) export is read, and the output says how it was read."""
    csv_file = tmp_path / "latin1.csv"
    csv_file.write_bytes(
        (
            HEADER
            + "\nD9972,Blanchiment externe (dents vitales),adjunctive,350.00,60,Blanchiment à domicile,0,1,0,0,0\n"
        ).encode("latin-1")
    )
    monkeypatch.setenv("DENTALDESK_PASSWORD", "owner-pass-1")
    code, out, err = run(capsys, "codes", "import", str(csv_file), "--url", str(codes_db), "--user", "owner")
    assert (code, err) == (0, "")
    assert f"Read {csv_file} as Windows-1252 (Latin-1) text." in out and "1 codes added, 0 updated, 0 refused." in out
    assert code_on_file(codes_db, "D9972")[1] == "Blanchiment à domicile"


def test_codes_import_reads_a_utf16_file(codes_db, tmp_path, monkeypatch, capsys) -> None:
    """CODE-1: a UTF-16 export ("Unicode text" with a byte-order mark) is read."""
    csv_file = tmp_path / "utf16.csv"
    csv_file.write_bytes((HEADER + "\nD9973,Zoë's special,adjunctive,10.00,5,,0,0,0,0,0\n").encode("utf-16"))
    monkeypatch.setenv("DENTALDESK_PASSWORD", "owner-pass-1")
    code, out, _err = run(capsys, "codes", "import", str(csv_file), "--url", str(codes_db), "--user", "owner")
    assert code == 0 and "as UTF-16 text" in out and code_on_file(codes_db, "D9973")[0] == "Zoë's special"


def test_codes_import_refuses_a_file_in_no_known_encoding(codes_db, tmp_path, monkeypatch, capsys) -> None:
    """Bad input: bytes that are neither UTF-8 nor Windows-1252: one line with the line number and what to do."""
    csv_file = tmp_path / "odd.csv"
    csv_file.write_bytes((HEADER + "\n").encode() + b"D9974,Bad \x81 byte,adjunctive,,,,,,,,\n")
    monkeypatch.setenv("DENTALDESK_PASSWORD", "owner-pass-1")
    before = checksums(tmp_path)
    code, _out, err = run(capsys, "codes", "import", str(csv_file), "--url", str(codes_db), "--user", "owner")
    line = the_line(err)
    assert code == 1 and "byte 0x81 on line 2" in line and 'Save it from the spreadsheet as "CSV UTF-8"' in line
    assert checksums(tmp_path) == before


def test_codes_import_refuses_a_short_row_and_keeps_the_code(codes_db, tmp_path, monkeypatch, capsys) -> None:
    """CODE-1: a row with 4 of the 11 columns is refused; the code keeps its description, RTU's and fee."""
    csv_file = tmp_path / "short.csv"
    csv_file.write_text(HEADER + "\nD2740,Crown,restorative,100.00\n", encoding="utf-8")
    monkeypatch.setenv("DENTALDESK_PASSWORD", "owner-pass-1")
    before_code = code_on_file(codes_db, "D2740")
    code, out, _err = run(capsys, "codes", "import", str(csv_file), "--url", str(codes_db), "--user", "owner")
    assert code == 1
    assert "line 2: D2740: refused: The row has 4 of the file's 11 columns." in out
    assert "0 codes added, 0 updated, 1 refused." in out
    assert (
        code_on_file(codes_db, "D2740")
        == before_code
        == (
            "Crown porcelain",
            "Full crown",
            90,
            True,
            True,
            "1200.00",
        )
    )


def test_codes_import_updates_only_the_columns_the_file_has(codes_db, tmp_path, monkeypatch, capsys) -> None:
    """CODE-1: a file with code, name, category and fee changes the name and fee; an empty cell keeps the value."""
    csv_file = tmp_path / "prices.csv"
    csv_file.write_text(
        "code,name,category,fee,default_rtu\nD2740,Crown - porcelain/ceramic,restorative,1350.00,\n", encoding="utf-8"
    )
    monkeypatch.setenv("DENTALDESK_PASSWORD", "owner-pass-1")
    code, out, _err = run(capsys, "codes", "import", str(csv_file), "--url", str(codes_db), "--user", "owner")
    assert code == 0 and "0 codes added, 1 updated, 0 refused." in out
    assert code_on_file(codes_db, "D2740") == ("Crown - porcelain/ceramic", "Full crown", 90, True, True, "1350.00")


# -- help a person can act on --------------------------------------------------------------------


def _parsers(parser):  # every parser and sub-parser of the command line
    yield parser
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers(sub)


def test_every_argument_of_every_command_has_help_and_a_readable_name() -> None:
    """Help: no argument without a help text, no internal name (SUB_URL, db_command) in any usage."""
    for parser in _parsers(build_parser()):
        text = parser.format_help()
        assert "SUB_URL" not in text and "db_command" not in text and "_command" not in text, text
        for action in parser._actions:
            if action.__class__.__name__ not in ("_HelpAction", "_SubParsersAction"):
                assert action.help, f"{parser.prog} {action.option_strings or action.dest} has no help"


def test_top_help_shows_urls_to_copy(capsys) -> None:
    """Help: the top help names --url URL and shows an SQLite path and a PostgreSQL URL."""
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert "--url URL" in out and "/srv/dental/practice.sqlite3" in out and "postgresql://" in out


def test_a_command_group_alone_names_its_commands(capsys) -> None:
    """Bad input: `dentaldesk db` says which command it needs, exit 2, one line."""
    code, _out, err = run(capsys, "db")
    assert (
        code == 2
        and the_line(err) == "dentaldesk: 'dentaldesk db' needs a command: upgrade (see 'dentaldesk db --help')."
    )


def test_a_wrong_plan_number_is_explained(capsys) -> None:
    """Bad input: handout abc: the line says what a plan number is, exit 2."""
    code, _out, err = run(capsys, "handout", "abc", "-o", "x.pdf")
    assert code == 2 and "'abc' is not a plan number: write a whole number such as 12" in the_line(err)


# -- the one place that turns an error into a line -----------------------------------------------


def test_an_unexpected_fault_is_one_line_with_exit_70(home, monkeypatch, capsys) -> None:
    """A fault in DentalDesk itself still ends in one line (exit 70); its traceback goes to errors.log
    when the data folder exists (the command line creates no folder for it), else DENTALDESK_TRACEBACK=1
    shows it."""
    import dentaldesk.cli.aging as aging

    def broken(_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(aging, "run_aging", broken)
    code, _out, err = run(capsys, "aging")
    assert code == 70 and "unexpected error (RuntimeError: boom)" in the_line(err) and "DENTALDESK_TRACEBACK=1" in err
    assert not home.exists()
    (home / "data").mkdir(parents=True)
    code, _out, err = run(capsys, "aging")
    assert code == 70 and f"The details are in {home / 'data' / 'errors.log'}." in the_line(err)
    assert 'raise RuntimeError("boom")' in (home / "data" / "errors.log").read_text(encoding="utf-8")
    monkeypatch.setenv("DENTALDESK_TRACEBACK", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["aging"])


def test_a_closed_pipe_ends_quietly(monkeypatch, capsys) -> None:
    """`dentaldesk aging | head -1`: the reader went away; no message, exit 141."""
    import dentaldesk.cli.aging as aging

    def reader_gone(_args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(aging, "run_aging", reader_gone)
    code, _out, err = run(capsys, "aging")
    assert (code, err) == (141, "")


def test_no_display_is_one_line_before_any_window(monkeypatch, capsys) -> None:
    """The app without a desktop session: one line and exit 1, instead of Qt aborting."""
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if not sys.platform.startswith("linux"):
        pytest.skip("the system check is for Linux, where Qt takes its libraries from the system")
    code, _out, err = run(capsys)
    assert code == 1 and "needs a desktop session" in the_line(err) and "DISPLAY is not set" in err


# -- the real process: no traceback reaches the terminal ------------------------------------------


@pytest.mark.parametrize(
    ("argv", "exit_code", "says"),
    [
        (["--url", "not a url", "aging"], 1, "is neither a database URL"),
        (["codes", "import", "{tmp}/c.csv", "--url", "{db}"], 2, "there is no terminal to ask on"),
        (["codes", "import", "{tmp}/latin.csv", "--url", "{db}", "--user", "x"], 2, "there is no terminal"),
        (["handout", "1", "-o", "{tmp}/x.pdf", "--url", "{tmp}/nothing.sqlite3"], 1, "nothing was created"),
        (["db"], 2, "needs a command: upgrade"),
        (["demo", "create", "--size", "huge"], 2, "invalid choice: 'huge'"),
    ],
)
def test_as_a_process_every_mistake_is_one_line(argv, exit_code, says, codes_db, tmp_path) -> None:
    """`python -m dentaldesk ...` with no terminal (stdin closed): one line on stderr, the exit code, no files."""
    (tmp_path / "c.csv").write_text(HEADER + "\n", encoding="utf-8")
    (tmp_path / "latin.csv").write_bytes((HEADER + "\nD9975,Été,adjunctive,,,,,,,,\n").encode("latin-1"))
    env = {k: v for k, v in os.environ.items() if k not in ("DENTALDESK_PASSWORD", "DENTALDESK_DATABASE_URL")}
    env["DENTALDESK_HOME"] = str(tmp_path / "home")
    before = checksums(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "dentaldesk", *[a.format(tmp=tmp_path, db=codes_db) for a in argv]],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == exit_code, done.stderr
    assert says in the_line(done.stderr) and done.stdout == ""
    assert checksums(tmp_path) == before


def test_restore_over_another_programs_file_is_refused_unchanged(foreign_file, tmp_path, capsys) -> None:
    """DATA-6: a backup is restored only in place of a DentalDesk database; the foreign file stays as it was."""
    backup = tmp_path / "backup.sqlite3"
    backup.write_bytes(b"")
    before = checksums(tmp_path)
    code, _out, err = run(capsys, "restore", str(backup), "--url", str(foreign_file), "--yes")
    assert code == 1 and "an SQLite database of another program" in the_line(err)
    assert checksums(tmp_path) == before


def test_restore_without_yes_and_without_a_terminal_creates_nothing(tmp_path, monkeypatch, capsys) -> None:
    """DATA-6: no --yes and no terminal to confirm on: one line, exit 1, no database made."""
    backup = tmp_path / "backup.sqlite3"
    backup.write_bytes(b"")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    before = checksums(tmp_path)
    code, _out, err = run(capsys, "restore", str(backup), "--url", str(tmp_path / "lost.sqlite3"))
    assert code == 1 and "add --yes to confirm" in the_line(err)
    assert checksums(tmp_path) == before
