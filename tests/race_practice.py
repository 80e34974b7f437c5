"""Fixtures of the reliability tests (tests/reliability): the race practice on SQLite and
PostgreSQL, workers in their own processes, and the figures printed at the end of the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability.scenario import Ids, build
from sqlalchemy import Engine

from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade

WORKER = Path(__file__).resolve().parent / "reliability" / "worker.py"


@dataclass
class RacePractice:
    engine: Engine
    url: str
    ids: Ids
    ids_file: Path
    folder: Path


@pytest.fixture(scope="session")
def race_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ids]:
    path = tmp_path_factory.mktemp("race") / "race.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ids = build(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, ids


@pytest.fixture
def sqlite_race(race_template: tuple[Path, Ids], tmp_path: Path) -> Iterator[RacePractice]:
    source, ids = race_template
    path = tmp_path / "race.sqlite3"
    shutil.copyfile(source, path)
    engine = make_engine(f"sqlite:///{path}")
    ids_file = tmp_path / "ids.json"
    ids.save(ids_file)
    yield RacePractice(engine, f"sqlite:///{path}", ids, ids_file, tmp_path)
    engine.dispose()


@pytest.fixture
def pg_race(pg_engine_new: Engine, tmp_path: Path) -> RacePractice:
    from conftest import url_of

    ids = build(pg_engine_new)
    ids_file = tmp_path / "ids.json"
    ids.save(ids_file)
    return RacePractice(pg_engine_new, url_of(pg_engine_new), ids, ids_file, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def race_practice(request: pytest.FixtureRequest) -> RacePractice:
    """The race practice on SQLite, then on PostgreSQL (the two databases DATA-3 serves)."""
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
        return request.getfixturevalue("pg_race")
    return request.getfixturevalue("sqlite_race")


def run_race(practice: RacePractice, action: str, count: int, workers: int = 2) -> list[list[dict]]:
    """Start ``workers`` processes doing ``action`` ``count`` times each, all at the same moment."""
    go = practice.folder / f"go-{action}"
    outs = [practice.folder / f"out-{action}-{side}.json" for side in range(workers)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                "race",
                practice.url,
                str(practice.ids_file),
                action,
                str(count),
                str(side),
                str(go),
                str(out),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for side, out in enumerate(outs)
    ]
    try:
        for proc in procs:
            line = proc.stdout.readline() if proc.stdout else ""
            if line.strip() != "ready":
                raise AssertionError(f"a worker did not start: {line}{proc.stderr.read() if proc.stderr else ''}")
        go.touch()
        for proc in procs:
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    return [json.loads(out.read_text(encoding="utf-8")) for out in outs]


FIGURES: list[str] = []


def figures(name: str, **numbers: object) -> None:
    """Keep a reliability figure line; the end of the test run prints them all, and with
    ``DENTALDESK_RELIABILITY_FIGURES=FILE`` each line is also appended to FILE as it comes (with
    or without ``-s``, whatever pytest shows)."""
    line = f"{name}: " + ", ".join(f"{k}={v}" for k, v in numbers.items())
    FIGURES.append(line)
    target = os.environ.get("DENTALDESK_RELIABILITY_FIGURES")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
