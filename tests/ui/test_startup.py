"""Start-up: the login window first, the database opened behind it, then the main window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from dentaldesk.app import Startup
from dentaldesk.ui.shell.first_run import FirstRunDialog


def test_login_window_first_then_database_then_main_window(qtbot, demo_engine) -> None:
    """The login window shows at once; Log in waits for the database; then the main window."""
    startup = Startup(str(demo_engine.url))
    qtbot.addWidget(startup.login)
    startup.start()
    assert startup.login.isVisible()
    qtbot.waitUntil(lambda: startup.ctx is not None, timeout=20_000)
    assert startup.login.login_button.isEnabled()
    assert startup.login.title.text() == "Maple Street Dental"
    qtbot.keyClicks(startup.login.username, "dentist")
    qtbot.keyClicks(startup.login.password, "demo-dentist")
    startup.login.login_button.click()
    qtbot.waitUntil(lambda: startup.window is not None and startup.window.isVisible())
    qtbot.addWidget(startup.window)
    assert startup.window.status_user.text().endswith("(Dentist)")


def test_log_in_waits_while_the_database_opens(qtbot, demo_engine) -> None:
    """The Log in button is disabled, with the reason, until the database is open."""
    startup = Startup(str(demo_engine.url))
    qtbot.addWidget(startup.login)
    startup.login.show()  # the loader is not started: the database is still "opening"
    assert not startup.login.login_button.isEnabled()
    assert startup.login.subtitle.text() == "Opening the database..."
    assert "Waiting for the database" in startup.login.login_button.toolTip()


def test_a_damaged_database_is_reported_and_nothing_opens(qtbot, tmp_path: Path, monkeypatch) -> None:
    """Bad input: a corrupt database file gives a clear message in a dialog, and no main window."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"not a database" * 500)
    startup = Startup(f"sqlite:///{path}")
    qtbot.addWidget(startup.login)
    startup.start()
    qtbot.waitUntil(lambda: startup.error is not None, timeout=20_000)
    assert shown and "damaged" in shown[0]
    assert not startup.login.isVisible() and startup.window is None
    assert path.read_bytes() == b"not a database" * 500


def test_first_start_on_an_empty_database_sets_up_the_practice(qtbot, tmp_path: Path) -> None:
    """A new database: it is created and migrated, the first-run dialog names the practice and its owner."""

    def fill_first_run() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, FirstRunDialog) and w.isVisible())
        values = {
            "office_name": "Elm Dental",
            "office_code": "ELM1",
            "full_name": "Erin Elm",
            "username": "erin",
            "password": "erin-pass-1",
            "confirm": "erin-pass-1",
        }
        for key, text in values.items():
            qtbot.keyClicks(dialog.inputs[key], text)
        dialog.create_button.click()

    startup = Startup(f"sqlite:///{tmp_path / 'practice.sqlite3'}")
    qtbot.addWidget(startup.login)

    def poll() -> None:
        if any(isinstance(w, FirstRunDialog) and w.isVisible() for w in QApplication.topLevelWidgets()):
            fill_first_run()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)
    startup.start()
    qtbot.waitUntil(lambda: startup.office is not None, timeout=20_000)
    assert startup.office == "Elm Dental"
    assert startup.login.isVisible() and startup.login.login_button.isEnabled()
    assert (tmp_path / "practice.sqlite3").exists()


def test_log_in_to_main_window_reads_nothing_on_the_gui_thread(qtbot, demo_engine) -> None:
    """DATA-1, SEC-3: what the first main window shows (its office, today's and the recent
    patients, the backup age) is read in one guarded read on the login's worker, right after the
    password check; building the window runs no statement on the GUI thread, and the lists shown
    are the ones the service gives."""
    import threading

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from dentaldesk.services.access.login import login
    from dentaldesk.services.patients.search import start_lists
    from dentaldesk.services.uow import UnitOfWork

    gui = threading.current_thread()
    on_gui: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        if threading.current_thread() is gui:
            on_gui.append(statement)

    startup = Startup(str(demo_engine.url))
    qtbot.addWidget(startup.login)
    startup.start()
    qtbot.waitUntil(lambda: startup.ctx is not None, timeout=20_000)
    qtbot.keyClicks(startup.login.username, "frontdesk")
    qtbot.keyClicks(startup.login.password, "demo-front")
    event.listen(Engine, "before_cursor_execute", note)
    try:
        qtbot.mouseClick(startup.login.login_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: startup.window is not None and startup.window.isVisible())
        qtbot.addWidget(startup.window)
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert on_gui == []
    window = startup.window
    assert window.status_office.text().startswith("Maple Street Dental - office ID ")
    actor = login(UnitOfWork.for_engine(demo_engine), "frontdesk", "demo-front", "test")
    lists = start_lists(UnitOfWork.for_engine(demo_engine), actor)
    assert lists.today, "the demo practice has patients seen today"
    assert [r.id for r in window.patients.model.rows] == [r.id for r in lists.today]


def test_the_garbage_collector_is_settled_before_the_database_loads(qtbot, demo_engine) -> None:
    """The login window takes keys while the loader imports behind it: the collector's thresholds
    are raised and what start-up made is frozen before the loader starts, so a full collection
    over those imports does not stop the window (STYLE.md 11)."""
    import gc

    from dentaldesk.ui.kit.warmup import GC_THRESHOLDS

    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        startup = Startup(str(demo_engine.url))
        qtbot.addWidget(startup.login)
        startup.start()
        assert not startup.loader.isRunning() and not startup.loader.isFinished()  # it starts next turn
        assert gc.get_threshold() == GC_THRESHOLDS
        qtbot.waitUntil(lambda: startup.ctx is not None, timeout=20_000)
    finally:
        gc.set_threshold(*saved)
