"""SEC-1: the workstation locks after the office's idle time and unlocks with the password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from dentaldesk.db.models import AuditEvent
from dentaldesk.ui.shell.main_window import MainWindow


def test_sec1_idle_lock_hides_patient_data_until_the_password_is_typed(qtbot, engine, practice, make_ctx) -> None:
    """SEC-1: on idle time-out the content hides; a wrong password is refused, the right one unlocks."""
    ctx = make_ctx(engine, practice.front_desk)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    lock = window.idle_lock
    assert lock.timer.interval() == 10 * 60_000  # the office's idle_lock_minutes default
    lock.timer.setInterval(50)
    lock.timer.start()
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)
    assert not window.centralWidget().isVisible()
    dialog = lock.dialog
    qtbot.keyClicks(dialog.password, "wrong-one")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert lock.locked and dialog.error.isVisible()
    qtbot.keyClicks(dialog.password, "front-pass-1")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert not lock.locked
    assert window.centralWidget().isVisible()
    with ctx.uow() as uow:
        actions = list(uow.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("unlock%"))))
    assert actions == ["unlock_failed", "unlock"]


def test_activity_restarts_the_idle_timer(qtbot, engine, practice, make_ctx) -> None:
    """SEC-1: typing counts as activity, so a busy workstation does not lock."""
    ctx = make_ctx(engine, practice.front_desk)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    lock = window.idle_lock
    lock.timer.setInterval(400)
    lock.timer.start()
    for _ in range(4):
        qtbot.wait(150)
        qtbot.keyClick(window.patients.search, Qt.Key.Key_A)
    assert not lock.locked


def test_sec1_a_new_idle_time_applies_without_logging_in_again(qtbot, engine, practice, make_ctx) -> None:
    """SEC-1: saving a new idle time in General settings changes the running lock at once."""
    from dentaldesk.db.models import Office

    ctx = make_ctx(engine, practice.owner)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    with ctx.uow() as uow:
        uow.session.get(Office, practice.office_id).idle_lock_minutes = 3
        uow.session.get(Office, practice.office_id).name = "Renamed Dental"
        uow.commit()
    ctx.changes.changed.emit("settings")
    assert window.idle_lock.timer.interval() == 3 * 60_000
    assert window.status_office.text().startswith("Renamed Dental")


def test_sec1_lock_hides_every_open_window_too(qtbot, engine, practice, make_ctx) -> None:
    """SEC-1: an open editor or dialog (another top-level window) is hidden while locked, then back."""
    from PySide6.QtWidgets import QWidget

    ctx = make_ctx(engine, practice.front_desk)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    editor = QWidget()
    editor.setWindowTitle("Plan editor with patient data")
    qtbot.addWidget(editor)
    editor.show()
    window.idle_lock.lock()
    assert not editor.isVisible() and not window.centralWidget().isVisible()
    dialog = window.idle_lock.dialog
    qtbot.keyClicks(dialog.password, "front-pass-1")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert editor.isVisible() and window.centralWidget().isVisible()


def test_sec1_a_closed_main_window_never_locks_later(qtbot, engine, practice, make_ctx) -> None:
    """SEC-1: closing the main window stops its idle timer (it must not lock other windows later)."""
    ctx = make_ctx(engine, practice.front_desk)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.idle_lock.timer.setInterval(30)
    window.idle_lock.timer.start()
    window.close()
    qtbot.wait(120)
    assert not window.idle_lock.locked and not window.idle_lock.timer.isActive()
