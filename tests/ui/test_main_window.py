"""The main window: navigation, patient search as you type, header, status bar, empty states."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from dentaldesk.ui.shell.main_window import MainWindow


def make_window(qtbot, engine, practice, make_ctx, actor=None) -> MainWindow:
    ctx = make_ctx(engine, actor or practice.front_desk)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def test_status_bar_names_user_role_office_and_database(qtbot, engine, practice, make_ctx) -> None:
    """The status bar shows user, role, office and database."""
    window = make_window(qtbot, engine, practice, make_ctx)
    assert window.status_user.text() == "Fran Front (Front desk)"
    assert "TST01" in window.status_office.text()
    assert window.status_db.text().startswith("SQLite ")


def test_typing_a_name_lists_matching_patients_and_enter_opens_one(qtbot, engine, practice, make_ctx) -> None:
    """Search as you type: 'brow' lists Peter Brown; Enter on a single match shows his header."""
    window = make_window(qtbot, engine, practice, make_ctx)
    view = window.patients
    qtbot.keyClicks(view.search, "brow")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.model.data(view.model.index(0, 0)) == "Brown, Peter"
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert "Peter Brown" in window.header.name.text()
    assert "Patient ID 1005" in window.header.details.text()
    assert "ICM 0" in window.header.details.text()
    assert window.header.coverage.text() == "No insurance on file"


def test_search_by_birth_date_and_nothing_found_says_so(qtbot, engine, practice, make_ctx) -> None:
    """A birth date finds both patients born that day; an unknown name says no patient matches."""
    window = make_window(qtbot, engine, practice, make_ctx)
    view = window.patients
    qtbot.keyClicks(view.search, "1980-04-02")
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    view.search.clear()
    qtbot.keyClicks(view.search, "qqq")
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.empty)
    assert "No patient matches 'qqq'" in view.empty.label.text()


def test_navigation_switches_views_and_empty_views_say_what_to_do(qtbot, engine, practice, make_ctx) -> None:
    """Top navigation (Ctrl+2/3/4/5): views without data say so plainly and offer the next step."""
    window = make_window(qtbot, engine, practice, make_ctx)
    window.nav_actions["Ledger"].trigger()
    assert window.stack.currentWidget() is window.ledger
    assert "Choose a patient" in window.ledger.empty.label.text()
    window.nav_actions["Treatments"].trigger()
    assert window.stack.currentWidget() is window.treatments
    assert window.treatments.stack.currentWidget() is window.treatments.empty
    assert "no treatment plans yet" in window.treatments.empty.label.text()
    window.nav_actions["Follow-up"].trigger()
    assert window.stack.currentWidget() is window.followup
    assert "nothing to follow up" in window.followup.empty.label.text()
    assert window.nav_actions["Follow-up"].isChecked() and not window.nav_actions["Treatments"].isChecked()
    window.nav_actions["Settings"].trigger()
    assert window.stack.currentWidget() is window.settings
    assert window.nav_actions["Settings"].shortcut().toString() == "Ctrl+5"


def test_main_window_screenshot(qtbot, engine, practice, make_ctx, shots: Path) -> None:
    """A picture of the main window with a patient chosen, for a person to look at."""
    window = make_window(qtbot, engine, practice, make_ctx)
    qtbot.keyClicks(window.patients.search, "smi")
    qtbot.waitUntil(lambda: window.patients.model.rowCount() == 3)
    window.choose_patient(practice.patient_ids[0])
    path = shots / "main_window_small.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 0
