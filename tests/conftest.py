"""Test set-up shared by every suite.

Qt runs on the offscreen platform, set before any QApplication exists; DENTALDESK_HOME points at
a temporary folder so no test reads or writes the developer's real settings or data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("DENTALDESK_DATABASE_URL", None)
_HOME = tempfile.mkdtemp(prefix="dentaldesk-test-home-")
os.environ["DENTALDESK_HOME"] = _HOME
# The cheapest Argon2 profile: the suite hashes many passwords (see services/users.py).
os.environ["DENTALDESK_TEST_CHEAP_HASHES"] = "1"

import pytest  # noqa: E402
from sqlalchemy import Engine  # noqa: E402

from dentaldesk import clock  # noqa: E402
from dentaldesk.db.engine import make_engine  # noqa: E402
from dentaldesk.db.migrate import upgrade  # noqa: E402
from dentaldesk.services.uow import UnitOfWork  # noqa: E402

# Fixture modules shared by several test folders (their fixtures are found by name).
pytest_plugins = ["case_practice", "chart_builders", "mail_server", "money_clinic", "money_practice", "race_practice"]

# Every test runs on the same day, whatever day the suite runs: the clock starts at this instant
# (noon UTC, the same calendar day from UTC-11 to UTC+11) and runs on at the real pace. Set here,
# before any fixture, so session-wide fixtures such as the demo practice see the same day.
FIXED_NOW = clock.dt.datetime(2026, 5, 12, 12, 0, tzinfo=clock.dt.UTC)
clock.set_clock(FIXED_NOW)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    """The suite's clock runs on from FIXED_NOW; a test that sets it sets it for itself only."""
    saved = clock.current_setting()
    yield
    clock.restore_setting(saved)


@pytest.fixture
def workstation_zone() -> Iterator[Callable[[str], None]]:
    """Put the workstation in a time zone (``"America/Chicago"``) for one test: TZ and time.tzset,
    as the system does; the zone the suite started in is restored after (SEC-2 tests)."""
    saved = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


PG_ENV = "DENTALDESK_TEST_PG_URL"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database migrated once per test session; each test gets its own copy."""
    path = tmp_path_factory.mktemp("schema") / "empty.sqlite3"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture
def engine(migrated_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A new, migrated SQLite database for one test."""
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_template, path)
    eng = make_engine(f"sqlite:///{path}")
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


@pytest.fixture
def pg_engine_new(pg_url: str) -> Iterator[Engine]:
    """A new, migrated, empty PostgreSQL database for one test, dropped afterwards."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"dd_{uuid.uuid4().hex[:12]}"
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(make_url(pg_url).set(database=name).render_as_string(hide_password=False))
    upgrade(eng)
    yield eng
    eng.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def url_of(engine: Engine) -> str:
    """The engine's URL with its password, for a worker process."""
    return engine.url.render_as_string(hide_password=False)


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


class SmallPractice:
    """A new practice made through the services: owner, front desk, master list, a few patients."""

    def __init__(self, uow: UnitOfWork) -> None:
        import datetime as dt

        from dentaldesk.db.models import Account, Patient, Provider
        from dentaldesk.domain.terms import Role
        from dentaldesk.domain.text import search_key
        from dentaldesk.services.access.login import login
        from dentaldesk.services.practice.office import create_practice
        from dentaldesk.services.practice.staff import UserForm, add_user

        self.uow = uow
        self.office_id = create_practice(
            uow,
            office_code="TST01",
            office_name="Test Dental",
            owner_username="owner",
            owner_full_name="Olive Owner",
            owner_password="owner-pass-1",
            workstation="test-ws",
        )
        self.owner = login(uow, "owner", "owner-pass-1", "test-ws")
        add_user(
            uow,
            self.owner,
            UserForm(
                username="front",
                full_name="Fran Front",
                role=Role.FRONT_DESK,
                password="front-pass-1",
                provider_id=None,
            ),
        )
        self.front_desk = login(uow, "front", "front-pass-1", "test-ws")
        people = [
            ("Anna", "Smith", dt.date(1980, 4, 2)),
            ("John", "Smith", dt.date(1975, 1, 30)),
            ("Smitty", "Jones", dt.date(2001, 7, 15)),
            ("Zoë", "Ångström", dt.date(1990, 12, 1)),
            ("Peter", "Brown", dt.date(1980, 4, 2)),
        ]
        with uow:
            s = uow.session
            s.add(Provider(office_id=self.office_id, name="Dr. Dana Dent", short_name="DD"))
            account = Account(office_id=self.office_id, account_number="A1")
            s.add(account)
            s.flush()
            self.patient_ids: list[int] = []
            for n, (first, last, born) in enumerate(people, start=1):
                p = Patient(
                    office_id=self.office_id,
                    patient_number=str(1000 + n),
                    account_id=account.id,
                    first_name=first,
                    last_name=last,
                    first_name_key=search_key(first),
                    last_name_key=search_key(last),
                    birth_date=born,
                )
                s.add(p)
                s.flush()
                self.patient_ids.append(p.id)
            account.guarantor_id = self.patient_ids[0]
            self.account_id = account.id
            uow.commit()


@pytest.fixture
def practice(uow: UnitOfWork) -> SmallPractice:
    return SmallPractice(uow)


@pytest.fixture(scope="session")
def small_practice_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SmallPractice]:
    """SmallPractice built once per session (its Argon2 hashing is the slow part); see fast_practice."""
    path = tmp_path_factory.mktemp("small") / "small.sqlite3"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    built = SmallPractice(UnitOfWork.for_engine(eng))
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path, built


@pytest.fixture
def fast_practice(small_practice_template: tuple[Path, SmallPractice], tmp_path: Path) -> Iterator[SmallPractice]:
    """The same data as ``practice`` in a private copy of a per-session template; use ``.uow``."""
    import copy

    template, built = small_practice_template
    path = tmp_path / "small.sqlite3"
    shutil.copyfile(template, path)
    eng = make_engine(f"sqlite:///{path}")
    twin = copy.copy(built)
    twin.uow = UnitOfWork.for_engine(eng)
    twin.engine = eng  # type: ignore[attr-defined]
    yield twin
    eng.dispose()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Folder for screenshots: DENTALDESK_SHOTS if set (to look at them), else the test's tmp."""
    folder = Path(os.environ.get("DENTALDESK_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def make_ctx():
    """Build a UI AppContext on a test engine, optionally logged in."""
    from dentaldesk.ui.kit.context import AppContext

    def make(engine: Engine, actor=None) -> AppContext:
        return AppContext(engine=engine, database=str(engine.url), actor=actor)

    return make


# --- UI tests: no window outlives its test (napari's leak check, adapted) ---------------------
# Every widget a UI test opens goes through ``qtbot.addWidget`` (or is a child of one), so
# pytest-qt closes and deletes it when the test ends. After that, no top-level window may still
# exist: a window that survives keeps its timers (idle lock, live refresh) running into the next
# test and hides order-dependent failures.


def _is_ui_test(item: pytest.Item) -> bool:
    return Path(str(item.fspath)).parent.name == "ui"


def _open_windows() -> list[str]:
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return []
    for _ in range(3):  # deleteLater of a window can post more deferred deletes (its children)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    # Hidden windows count too: a closed window that was never deleted still holds its timers.
    return sorted(f"{type(w).__name__} {w.windowTitle()!r}" for w in QApplication.topLevelWidgets())


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    yield
    if not _is_ui_test(item):
        return
    before = set(getattr(item, "_windows_before", ()))
    leaked = [w for w in _open_windows() if w not in before]
    if leaked:
        pytest.fail(f"windows left open by {item.name}: {', '.join(leaked)}", pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if _is_ui_test(item):
        item._windows_before = _open_windows()  # type: ignore[attr-defined]
