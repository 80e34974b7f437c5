"""The automatic backups of an SQLite practice (DATA-6): the day's first one soon after logging in
(checked again every hour, so a workstation left on overnight backs up the next day too) and one
when the main window closes; a warning in the status bar when the last good backup is over two
days old. They run for whoever is logged in; the backup itself runs off the GUI thread.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox

from dentaldesk.domain.errors import DentalDeskError, PermissionDenied
from dentaldesk.services.practice.backups import BackupAge, BackupRow, automatic_backup, backup_age
from dentaldesk.services.practice.session import SessionStart
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.background import Background
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op

FIRST_CHECK_MS = 5_000
EVERY_MS = 60 * 60 * 1000


class AutoBackup(QObject):
    def __init__(self, window: QMainWindow, ctx: AppContext, *, start: SessionStart | None = None) -> None:
        """``start``: the session's first figures, with the backup age already read."""
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.runner = Background(self, what="The automatic backup")
        self.timer = QTimer(self)
        self.timer.setInterval(EVERY_MS)
        self.timer.timeout.connect(self.daily)
        self.warning = QLabel()
        self.warning.setObjectName("backup_overdue")
        self.warning.setAccessibleName("Backup warning")
        self.warning.setStyleSheet(f"color: {palette.ERROR};")
        self.warning.setVisible(False)
        window.statusBar().addPermanentWidget(self.warning)
        if ctx.auto_backup:
            QTimer.singleShot(FIRST_CHECK_MS, self.daily)
            self.timer.start()
        if start is None:
            self.show_age()
        else:
            self._show_age(start.backup)

    def show_age(self) -> None:
        """The status bar's warning when the last good backup is more than two days old."""
        # A role that may not read the backups sees no warning (the manager's screen shows it).
        ok, age = run_op(
            self.ctx, self.window, lambda: backup_age(self.ctx.uow(), self.ctx.user), refused=lambda _exc: None
        )
        if ok:
            self._show_age(age)

    def _show_age(self, age: BackupAge | None) -> None:
        if age is None:
            return
        self.warning.setText(age.text)
        self.warning.setToolTip(age.text)
        self.warning.setVisible(bool(age.text))

    def daily(self) -> None:
        if self.runner.busy or self.ctx.actor is None:
            return
        ctx, actor = self.ctx, self.ctx.user
        self.runner.start(lambda: automatic_backup(ctx.uow(), actor), self._done, self._failed)

    def _done(self, taken: BackupRow | None) -> None:
        if taken is not None:
            self.window.statusBar().showMessage(f"Daily backup taken: {taken.file_name} ({taken.size_text()}).", 8000)
        self.show_age()

    def _failed(self, error: DentalDeskError) -> None:
        if isinstance(error, PermissionDenied):  # locked or logged out: the next check tries again
            return
        self.warning.setText(f"The automatic backup failed: {error.message}")
        self.warning.setToolTip(error.message)
        self.warning.setVisible(True)

    def stop(self) -> None:
        self.timer.stop()
        self.runner.cancel()

    def at_close(self) -> BackupRow | None:
        """The backup at close (the window is going away, so this one runs in the foreground)."""
        self.stop()
        if not self.ctx.auto_backup or self.ctx.actor is None:
            return None
        _, taken = run_op(
            self.ctx,
            self.window,
            lambda: automatic_backup(self.ctx.uow(), self.ctx.user, at_close=True),
            refused=self._refused_at_close,
        )
        return taken

    def _refused_at_close(self, exc: DentalDeskError) -> None:
        if isinstance(exc, PermissionDenied):  # locked or logged out: the practice's data is as last backed up
            print(f"dentaldesk: no backup at close: {exc.message}", file=sys.stderr)
        else:
            QMessageBox.critical(self.window, "DentalDesk", f"The backup at close failed: {exc.message}")
