"""The Backups window (Owner and Admin): the last backup, its size and age, a warning when the last
good one is more than two days old, Back up now, and Restore (DATA-6).

A restore replaces the database under this workstation too: afterwards everybody logs in again
(``ctx.changes.database_replaced``). On a new, empty database (first run, or the file was lost)
the window opens without a login and offers only to restore: there is nothing there to protect.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import clock
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.times import shown_wall_time
from dentaldesk.services.practice.backups import (
    BackupRow,
    BackupStatus,
    Restored,
    back_up_now,
    backup_status,
    backups_in,
    check_restore,
    restore_backup,
    restore_into_empty,
)
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.background import Background
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import hint_label, make_table
from dentaldesk.ui.settings.forms import SetupWindow, button, fit_columns


def _columns(window: BackupsWindow) -> list[Column[BackupRow]]:
    return [
        Column("Taken", lambda b: shown_wall_time(b.taken_at)),
        Column("Age", lambda b: b.age_text(window.now)),
        Column("Size", lambda b: b.size_text(), align_right=True),
        Column("File", lambda b: b.file_name),
    ]


class BackupsWindow(SetupWindow):
    """``first_run``: no one is logged in and the database holds no practice: restore only."""

    restored = Signal(object)  # Restored

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, first_run: bool = False) -> None:
        super().__init__(ctx, "Backups", parent)
        self.first_run = first_run
        self.status_info: BackupStatus | None = None
        self.now = clock.now_local().replace(tzinfo=None)
        self.runner = Background(self, what="The backup")
        self.confirm: QMessageBox | None = None

        self.folder = QLabel()
        self.folder.setObjectName("backup_folder")
        self.folder.setWordWrap(True)
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last = QLabel()
        self.last.setObjectName("last_backup")
        self.last.setAccessibleName("Last backup")
        self.last.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setObjectName("backup_warning")
        self.warning.setAccessibleName("Backup warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(palette.ALERT_STYLE)
        self.model: RowsModel[BackupRow] = RowsModel(_columns(self), self)
        self.table = make_table("backup_list")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Backups, newest first")
        fit_columns(self.table, 3)

        self.back_up_button = button("&Back up now", "back_up_now", tip="Take a backup of the practice now.")
        self.restore_button = button(
            "&Restore selected...", "restore_selected", tip="Put the chosen backup in place of the practice database."
        )
        self.restore_file_button = button(
            "Restore from &file...", "restore_file", tip="Choose a backup file anywhere (another disk, a share)."
        )
        self.back_up_button.clicked.connect(self.back_up)
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button.clicked.connect(self.restore_from_file)
        row = QHBoxLayout()
        for b in (self.back_up_button, self.restore_button, self.restore_file_button):
            row.addWidget(b)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.folder)
        layout.addWidget(self.last)
        layout.addWidget(self.warning)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(
            hint_label(
                "A restore checks the file first, keeps the database it replaces next to the backups, and is "
                "refused while another workstation has the practice open. Everyone logs in again afterwards."
            )
        )
        layout.addWidget(self.problem)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.back_up_button.setVisible(not first_run)
        self.resize(760, 460)
        self.reload()
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self._enable()

    # --- reading

    def reload(self) -> None:
        self.now = clock.now_local().replace(tzinfo=None)
        if self.first_run:
            ok, status = run_op(self.ctx, self, lambda: backups_in(self.ctx.engine), fallback=self.problem)
        else:
            ok, status = run_op(
                self.ctx, self, lambda: backup_status(self.ctx.uow(), self.ctx.user), fallback=self.problem
            )
        if not ok or status is None:
            return
        self.status_info = status
        self.folder.setText(
            f"Backups go to <b>{status.folder}</b>"
            + ("" if self.first_run else " (change it under General settings).")
            + (" Shared database: backed up with pg_dump." if status.shared else "")
        )
        last = status.last
        if last is None:
            self.last.setText("Last backup: none yet.")
        else:
            self.last.setText(
                f"Last backup: {shown_wall_time(last.taken_at)}, {last.age_text(self.now)}, {last.size_text()} "
                f"({last.file_name})."
            )
        self.last.setAccessibleDescription(self.last.text())
        warning = "" if self.first_run and status.last is not None else status.warning
        self.warning.setText(warning)
        self.warning.setAccessibleDescription(warning)
        self.warning.setVisible(bool(warning))
        self.model.set_rows(list(status.backups))
        if status.backups:
            self.table.selectRow(0)
        self._enable()

    def selected(self) -> BackupRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.row(rows[0].row()) if rows else None

    def _enable(self) -> None:
        busy = self.runner.busy
        tool = bool(self.status_info and self.status_info.tool_problem)
        self.back_up_button.setEnabled(not busy and not tool)
        self.restore_button.setEnabled(not busy and self.selected() is not None)
        self.restore_file_button.setEnabled(not busy)

    # --- backing up

    def back_up(self) -> None:
        """Back up now, off the GUI thread (a large practice takes a few seconds)."""
        if self.runner.busy:
            return
        self.say("Backing up...")
        ctx, actor = self.ctx, self.ctx.user
        self.runner.start(lambda: back_up_now(ctx.uow(), actor), self._backed_up, self._failed)
        self._enable()

    def _backed_up(self, taken: BackupRow) -> None:
        self.reload()
        self.say(f"Backed up: {taken.file_name} ({taken.size_text()}).")

    def _failed(self, error: DentalDeskError) -> None:
        self._enable()
        self.status.setText("")
        self.problem.setText(error.message)
        self.problem.setVisible(True)

    # --- restoring

    def restore_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.ask_restore(chosen.path)

    def restore_from_file(self) -> None:
        start = str(self.status_info.folder) if self.status_info else ""
        path, _filter = QFileDialog.getOpenFileName(
            self, "Restore a backup", start, "DentalDesk backups (*.sqlite3 *.dump);;All files (*)"
        )
        if path:
            self.ask_restore(Path(path))

    def ask_restore(self, path: Path) -> QMessageBox | None:
        """Check the file and who has the practice open, then ask before anything is replaced."""
        self.problem.setVisible(False)
        presence = self.ctx.presence
        if self.first_run:
            ok, what = True, "the practice in the backup"
        else:
            ok, what = run_op(
                self.ctx,
                self,
                lambda: check_restore(self.ctx.uow(), self.ctx.user, path, presence=presence),
                fallback=self.problem,
            )
        if not ok:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Restore a backup",
            f"Replace the practice database with {path.name} ({what})?\n\n"
            "The database as it is now is kept next to the backups. Everything saved after this backup was "
            "taken will not be in the practice any more. Everyone logs in again afterwards.",
            parent=self,
        )
        yes = box.addButton("&Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setObjectName("confirm_restore")
        box.finished.connect(lambda _r: self.restore(path) if box.clickedButton() is yes else None)
        self.confirm = box
        box.open()
        return box

    def restore(self, path: Path) -> Restored | None:
        presence = self.ctx.presence
        stop = getattr(self.ctx, "before_restore", None)
        if callable(stop):
            stop()  # the live refresh lets go of its connection
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if self.first_run:
                ok, done = run_op(
                    self.ctx,
                    self,
                    lambda: restore_into_empty(self.ctx.engine, path, presence=presence),
                    fallback=self.problem,
                )
            else:
                ok, done = run_op(
                    self.ctx,
                    self,
                    lambda: restore_backup(self.ctx.uow(), self.ctx.user, path, presence=presence),
                    fallback=self.problem,
                )
        finally:
            QGuiApplication.restoreOverrideCursor()
        if not ok or done is None:
            return None
        kept = f" The database it replaced is kept as {done.kept_as.name}." if done.kept_as else ""
        upgraded = f" It was upgraded from schema {done.upgraded_from}." if done.upgraded_from else ""
        message = f"Restored {path.name}.{kept}{upgraded}"
        self.say(message)
        self.restored.emit(done)
        self.ctx.changes.database_replaced.emit(message)
        return done
