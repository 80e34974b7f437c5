"""The login dialog as a person uses it (SEC-1, SEC-2)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import select

from dentaldesk.db.models import AuditEvent
from dentaldesk.domain.terms import Role
from dentaldesk.ui.shell.login import LoginDialog


def test_sec1_right_password_logs_in(qtbot, engine, practice, make_ctx) -> None:
    """SEC-1: typing user and password and pressing Enter logs in with the user's role."""
    ctx = make_ctx(engine)
    dialog = LoginDialog(ctx, "Test Dental")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "front")
    qtbot.keyClicks(dialog.password, "front-pass-1")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == LoginDialog.DialogCode.Accepted)
    assert ctx.actor is not None and ctx.actor.role is Role.FRONT_DESK


def test_sec2_wrong_password_is_shown_in_the_dialog_and_audited(qtbot, engine, practice, make_ctx, shots: Path) -> None:
    """SEC-1/2: a wrong password shows a message, clears the password, stays open, is audited."""
    ctx = make_ctx(engine)
    dialog = LoginDialog(ctx, "Test Dental")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "owner")
    qtbot.keyClicks(dialog.password, "not-the-password")
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.checking)
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert "not right" in dialog.error.text()
    assert dialog.password.text() == ""
    assert ctx.actor is None
    dialog.grab().save(str(shots / "login_refused.png"))
    with ctx.uow() as uow:
        actions = list(uow.session.scalars(select(AuditEvent.action)))
    assert "login_failed" in actions


def test_login_is_keyboard_only(qtbot, engine, practice, make_ctx) -> None:
    """Accessibility: Tab goes user -> password -> Log in; fields have accessible names."""
    dialog = LoginDialog(make_ctx(engine), "Test Dental")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.username.setFocus()
    qtbot.waitUntil(dialog.username.hasFocus)
    qtbot.keyClick(dialog.username, Qt.Key.Key_Tab)
    assert dialog.password.hasFocus()
    qtbot.keyClick(dialog.password, Qt.Key.Key_Tab)
    assert dialog.login_button.hasFocus()
    assert dialog.username.accessibleName() == "User name"
    assert dialog.password.accessibleName() == "Password"
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
