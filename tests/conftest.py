"""Test set-up shared by every suite.

Qt runs on the offscreen platform, set before any QApplication exists; DENTALDESK_HOME points at
a temporary folder so no test reads or writes the developer's real settings or data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("DENTALDESK_DATABASE_URL", None)
_HOME = tempfile.mkdtemp(prefix="dentaldesk-test-home-")
os.environ["DENTALDESK_HOME"] = _HOME

import pytest  # noqa: E402
from sqlalchemy import Engine  # noqa: E402

from dentaldesk.db.engine import make_engine  # noqa: E402
from dentaldesk.db.migrate import upgrade  # noqa: E402
from dentaldesk.services.uow import UnitOfWork  # noqa: E402

PG_ENV = "DENTALDESK_TEST_PG_URL"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_HOME, ignore_errors=True)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A new, migrated SQLite database for one test."""
    eng = make_engine(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def uow(engine: Engine) -> UnitOfWork:
    return UnitOfWork.for_engine(engine)


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of an empty PostgreSQL database; CI starts the server, so there it must exist."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: .ci/run must start PostgreSQL for these tests")
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (set by .ci/run)")
    return url


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo practice built once per test session; tests get their own copy."""
    from dentaldesk.demo import create_demo_practice

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    create_demo_practice(eng, size="demo")
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture
def demo_engine(demo_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the demo practice for one test."""
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, path)
    eng = make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


@pytest.fixture
def demo_uow(demo_engine: Engine) -> UnitOfWork:
    return UnitOfWork.for_engine(demo_engine)
