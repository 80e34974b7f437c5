"""The main window's menu bar (SEC-1) and the Audit window (SEC-5), driven as a person would."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from dentaldesk import __version__
from dentaldesk.db.models import AuditEvent, LoginSession
from dentaldesk.domain.errors import PermissionDenied
from dentaldesk.services.patients.search import search_patients
from dentaldesk.ui.shell.main_window import MainWindow


def _window(qtbot, ctx) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_sec1_the_file_menu_holds_lock_switch_logout_and_quit(qtbot, engine, practice, make_ctx, shots: Path) -> None:
    """SEC-1: File has Lock now (Ctrl+L), Switch user, Log out, Quit (Ctrl+Q); Help has About."""
    window = _window(qtbot, make_ctx(engine, practice.owner))
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Tools", "&Help"]
    file_items = [a.text() for a in window.file_menu.actions() if not a.isSeparator()]
    assert file_items == ["&Lock now", "&Switch user...", "Log &out", "&Quit"]
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.file_menu.popup(window.mapToGlobal(window.menuBar().geometry().bottomLeft()))
    qtbot.waitUntil(window.file_menu.isVisible)
    window.grab().save(str(shots / "main_window_menu.png"))
    window.file_menu.grab().save(str(shots / "file_menu.png"))
    window.file_menu.hide()


def test_sec1_lock_now_makes_the_services_refuse_until_unlocked(qtbot, engine, practice, make_ctx) -> None:
    """SEC-1: Lock now locks the session in the database: a read from any window is refused; unlocking restores it."""
    ctx = make_ctx(engine, practice.front_desk)
    window = _window(qtbot, ctx)
    qtbot.keyClick(window.patients.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.idle_lock.locked, timeout=3000)
    with pytest.raises(PermissionDenied, match="locked"):
        search_patients(ctx.uow(), ctx.user, "smith")
    dialog = window.idle_lock.dialog
    qtbot.keyClicks(dialog.password, "front-pass-1")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert not window.idle_lock.locked
    assert search_patients(ctx.uow(), ctx.user, "smith")
    with ctx.uow() as uow:
        actions = list(uow.session.scalars(select(AuditEvent.action).where(AuditEvent.action.in_(["lock", "unlock"]))))
    assert actions == ["lock", "unlock"]


def test_sec1_log_out_ends_the_session_and_quit_is_ctrl_q(qtbot, engine, practice, make_ctx) -> None:
    """SEC-1 / SEC-3: Log out ends the session (its actor can do nothing more) and says so; Ctrl+Q quits the same way."""
    ctx = make_ctx(engine, practice.front_desk)
    window = _window(qtbot, ctx)
    with qtbot.waitSignal(window.session_ended) as ended:
        window.logout_action.trigger()
    assert ended.args == ["logout"] and not window.isVisible()
    with pytest.raises(PermissionDenied, match="logged out"):
        search_patients(ctx.uow(), ctx.user, "smith")
    owner_ctx = make_ctx(engine, practice.owner)
    second = _window(qtbot, owner_ctx)
    with qtbot.waitSignal(second.session_ended) as quit_signal:
        qtbot.keyClick(second.patients.search, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert quit_signal.args == ["quit"]
    with owner_ctx.uow() as uow:
        session = uow.session.get(LoginSession, practice.owner.session_id)
        assert session.ended_at is not None


def test_help_about_names_the_version_and_the_database(qtbot, engine, practice, make_ctx, shots: Path) -> None:
    """Help > About shows the version, the database and its schema."""
    window = _window(qtbot, make_ctx(engine, practice.owner))
    window.about_action.trigger()
    box = window.about_box
    qtbot.waitUntil(box.isVisible)
    assert f"DentalDesk {__version__}" in box.text() and "SQLite" in box.text() and "schema" in box.text()
    box.grab().save(str(shots / "about.png"))
    box.accept()


def test_sec5_the_audit_menu_is_for_owner_and_admin_only(qtbot, engine, practice, make_ctx) -> None:
    """SEC-5: the Audit log entry is disabled for the front desk and says why."""
    window = _window(qtbot, make_ctx(engine, practice.front_desk))
    assert not window.audit_action.isEnabled()
    assert "Owner or Admin" in window.audit_action.statusTip()


def test_sec5_audit_window_filters_by_patient_user_action_and_date_and_exports(
    qtbot, engine, practice, make_ctx, shots: Path, tmp_path: Path
) -> None:
    """SEC-5: the owner opens Tools > Audit log, filters by user, action and patient, and exports CSV."""
    from dentaldesk.services.patients.records import PatientForm, add_patient

    add_patient(
        engine_uow := make_ctx(engine, practice.front_desk).uow(),
        practice.front_desk,
        PatientForm(first_name="Ada", last_name="Lopez", birth_date="1990-01-02"),
    )
    del engine_uow
    ctx = make_ctx(engine, practice.owner)
    window = _window(qtbot, ctx)
    window.audit_action.trigger()
    audit = window.audit_window
    qtbot.addWidget(audit)
    qtbot.waitUntil(audit.isVisible)
    assert audit.model.total_rows >= 3
    audit.user.setCurrentText("front")
    qtbot.mouseClick(audit.search_button, Qt.MouseButton.LeftButton)
    assert {r.username for r in audit.model.rows} == {"front"}
    audit.user.setCurrentText("(any)")
    audit.action.setCurrentText("login")
    qtbot.keyClick(audit.search_button, Qt.Key.Key_Space)
    assert audit.model.rows and {r.action for r in audit.model.rows} == {"login"}
    audit.action.setCurrentText("(any)")
    with ctx.uow() as uow:
        from dentaldesk.db.models import Patient

        number = uow.session.scalar(select(Patient.patient_number).where(Patient.last_name == "Lopez"))
    qtbot.keyClicks(audit.patient, number)
    qtbot.keyClick(audit.patient, Qt.Key.Key_Return)
    assert audit.patient_name.text() == "Ada Lopez"
    assert audit.model.rows and {r.entity for r in audit.model.rows} <= {"patient", "account", "coverage"}
    audit.patient.clear()
    qtbot.keyClicks(audit.patient, "99999")
    qtbot.mouseClick(audit.search_button, Qt.MouseButton.LeftButton)
    assert audit.error.isVisible() and "No patient has the ID 99999" in audit.error.text()
    audit.patient.clear()
    qtbot.mouseClick(audit.search_button, Qt.MouseButton.LeftButton)
    out = tmp_path / "audit.csv"
    audit.export_to(out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Time (local),User") and len(lines) == audit.model.total_rows + 1
    qtbot.mouseClick(audit.verify_button, Qt.MouseButton.LeftButton)
    assert "intact" in audit.status.text()
    audit.resize(1200, 560)
    audit.grab().save(str(shots / "audit_window.png"))
    audit.close()
    QApplication.processEvents()
