"""The command line: db upgrade, codes import, and one-line errors with a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dentaldesk.cli import main
from dentaldesk.db.engine import make_engine
from dentaldesk.db.models import FeeSchedule, FeeScheduleEntry, ProcedureCode
from dentaldesk.domain.teeth import Dentition
from dentaldesk.services.practice.office import create_practice
from dentaldesk.services.uow import UnitOfWork


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`dentaldesk --version` prints the version."""
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("DentalDesk ")


def test_db_upgrade_creates_then_reports_up_to_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`db upgrade --url` migrates an empty database, then says it is up to date."""
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert main(["db", "upgrade", "--url", url]) == 0
    assert "upgraded from schema empty" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", url]) == 0
    assert "is up to date" in capsys.readouterr().out


def test_db_upgrade_uses_the_environment_url(tmp_path: Path, monkeypatch, capsys) -> None:
    """DATA-3: DENTALDESK_DATABASE_URL chooses the database when --url is not given."""
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    monkeypatch.setenv("DENTALDESK_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    assert str(tmp_path / "env.sqlite3") in capsys.readouterr().out


def test_corrupt_file_gives_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad input: a damaged database file: one line on stderr, exit code 1, file untouched."""
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    assert main(["db", "upgrade", "--url", f"sqlite:///{path}"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "damaged" in err
    assert path.read_bytes() == b"garbage" * 1000


def test_unreachable_postgresql_gives_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """Bad input: an unreachable PostgreSQL URL: one line, exit code 1."""
    assert main(["db", "upgrade", "--url", "postgresql://u@127.0.0.1:1/db"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot be reached" in err


def test_codes_import_adds_good_rows_and_reports_each_refused_row(
    tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """CODE-1/ID-3: `codes import` adds good rows with their fee in Fee 0 and their dentition, and names
    each refused row and why."""
    url = f"sqlite:///{tmp_path / 'codes.sqlite3'}"
    assert main(["db", "upgrade", "--url", url]) == 0
    engine = make_engine(url)
    create_practice(
        UnitOfWork.for_engine(engine),
        office_code="C1",
        office_name="Codes Dental",
        owner_username="boss",
        owner_full_name="Boss",
        owner_password="boss-pass-1",
        workstation="t",
    )
    csv_file = tmp_path / "licensed.csv"
    csv_file.write_text(
        "code,name,category,fee,insurable,taxable,requires_tooth,requires_surface,charts_graphic,dentition\n"
        "D9999,Unusual procedure,adjunctive,55.00,1,0,0,0,0,primary\n"
        "X123,Bad code,adjunctive,10.00,1,0,0,0,0,\n"
        "D2740,Crown porcelain,restorative,-5,1,0,1,0,1,permanent\n"
        "D0120,Periodic exam,diagnostic,60.005,1,0,0,0,0,both\n"
        "D0140,Limited exam,surgery,70.00,1,0,0,0,0,both\n"
        "D0145,Exam for child under three,diagnostic,75.00,1,0,0,0,0,children\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DENTALDESK_PASSWORD", "boss-pass-1")
    capsys.readouterr()
    code = main(["codes", "import", str(csv_file), "--url", url, "--user", "boss"])
    out = capsys.readouterr().out
    assert code == 1  # some rows were refused
    assert "line 3: X123: refused: 'X123' does not look like a CDT code" in out
    assert "line 4: D2740: refused: A fee cannot be negative." in out
    assert "line 5: D0120: refused: An amount has at most two decimals" in out
    assert "line 6: D0140: refused: 'surgery' is not a category" in out
    assert "line 7: D0145: refused: 'children' is not a dentition. Use permanent, primary or both." in out
    assert "1 codes added, 0 updated, 5 refused." in out
    with UnitOfWork.for_engine(engine) as uow:
        fee = uow.session.scalar(
            select(FeeScheduleEntry.fee)
            .join(ProcedureCode, ProcedureCode.id == FeeScheduleEntry.procedure_code_id)
            .join(FeeSchedule, FeeSchedule.id == FeeScheduleEntry.fee_schedule_id)
            .where(ProcedureCode.code == "D9999", FeeSchedule.number == 0)
        )
        dentition = uow.session.scalar(select(ProcedureCode.dentition).where(ProcedureCode.code == "D9999"))
    assert str(fee) == "55.00" and dentition is Dentition.PRIMARY


def test_codes_import_needs_an_owner_or_admin(tmp_path: Path, monkeypatch, capsys) -> None:
    """SEC: a wrong password refuses the import with one line and exit code 1."""
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    main(["db", "upgrade", "--url", url])
    create_practice(
        UnitOfWork.for_engine(make_engine(url)),
        office_code="C1",
        office_name="Codes Dental",
        owner_username="boss",
        owner_full_name="Boss",
        owner_password="boss-pass-1",
        workstation="t",
    )
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("code,name,category\nD9999,Thing,adjunctive\n", encoding="utf-8")
    monkeypatch.setenv("DENTALDESK_PASSWORD", "wrong-pass")
    assert main(["codes", "import", str(csv_file), "--url", url, "--user", "boss"]) == 1
    assert "not right" in capsys.readouterr().err


def test_demo_create_builds_the_demo_practice_and_refuses_a_second_time(tmp_path: Path, capsys) -> None:
    """`demo create --url` migrates and fills an empty database; a second run changes nothing."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert main(["demo", "create", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "Demo practice created" in out and "40 patients" in out
    assert main(["demo", "create", "--url", url]) == 1
    assert "already holds a practice" in capsys.readouterr().err
