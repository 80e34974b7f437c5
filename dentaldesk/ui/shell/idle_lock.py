"""The workstation locks after the office's idle time, or at File > Lock now (SEC-1).

An application-wide event filter restarts a timer on every key press, click, or wheel turn.
When the timer runs out, the login session is locked in the database (so every service refuses
the session's actions until it is unlocked, whatever window is still open), the main window
hides its content and every other window of the app (plan editors, dialogs, reports) is hidden,
so no patient data stays on an unattended screen, and a dialog asks for the logged-in user's
password. Every lock and unlock attempt is audited; wrong passwords are throttled as at login
(SEC-4).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from dentaldesk.services.access.login import lock_session, unlock
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.widgets import make_default

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TabletPress,
}


class UnlockDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("DentalDesk - Locked")
        self.setModal(True)
        text = QLabel(
            f"<h3>This workstation is locked</h3>It was idle. {ctx.user.full_name}, enter your password to continue."
        )
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setObjectName("unlock_error")
        self.error.setStyleSheet(f"color: {palette.ERROR};")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        buttons = QDialogButtonBox()
        self.unlock_button = buttons.addButton("&Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(self.unlock_button)
        buttons.accepted.connect(self._try)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.password)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def reject(self) -> None:  # Escape must not unlock
        self.password.setFocus()

    def _try(self) -> None:
        password = self.password.text()
        ok, fresh = run_op(self.ctx, self, lambda: unlock(self.ctx.uow(), self.ctx.user, password), fallback=self.error)
        self.password.clear()
        if ok and fresh is not None:
            self.ctx.actor = fresh  # the user as stored now (SEC-3)
            self.accept()


REARM_MS = 1000  # how long the input watch pauses after input (the idle time is minutes)


class IdleLock(QObject):
    def __init__(self, window: QWidget, ctx: AppContext, minutes: int) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.locked = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, minutes) * 60_000)
        self.timer.timeout.connect(self.lock)
        # Watching every event of the app costs a Python call per event (thousands when a window
        # opens): once input has restarted the timer, the watch pauses for up to a second.
        self.rearm = QTimer(self)
        self.rearm.setSingleShot(True)
        self.rearm.setInterval(REARM_MS)
        self.rearm.timeout.connect(self._watch)
        self._watch()
        self.timer.start()

    def _watch(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def stop(self) -> None:
        """The main window closed: no more timing, no more watching input."""
        self.timer.stop()
        self.rearm.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.timer.setInterval(max(1, minutes) * 60_000)
        if not self.locked:
            self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.locked and event.type() in _ACTIVITY:
            self.timer.start()
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
                # A pause far shorter than the idle time: the lock can be late by a tenth at most.
                self.rearm.start(min(REARM_MS, max(1, self.timer.interval() // 10)))
        return False

    def lock(self, reason: str = "idle") -> None:
        if self.locked:
            return
        self.locked = True
        # The lock holds in the services first: a window left open can no longer act (SEC-1).
        run_op(self.ctx, self.window, lambda: lock_session(self.ctx.uow(), self.ctx.user, reason=reason))
        # Every window of the app goes: the main window's content and any open plan editor,
        # dialog or report, so no patient data stays on an unattended screen.
        self.hidden: list[QWidget] = []
        content = self.window.centralWidget() if hasattr(self.window, "centralWidget") else None
        if content is not None and content.isVisible():
            content.setVisible(False)
            self.hidden.append(content)
        app = QApplication.instance()
        for widget in app.topLevelWidgets() if isinstance(app, QApplication) else []:
            if widget is not self.window and widget.isVisible():
                widget.hide()
                self.hidden.append(widget)
        self.dialog = UnlockDialog(self.ctx, self.window)
        self.dialog.finished.connect(self._unlocked)
        self.dialog.open()

    def _unlocked(self, _result: int) -> None:
        for widget in self.hidden:
            widget.setVisible(True)
        self.hidden = []
        self.locked = False
        self.timer.start()
