"""Start-up: the login window first, the database opened behind it, then the main window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
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
