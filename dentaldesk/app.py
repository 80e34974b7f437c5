"""Wiring: settings -> login window at once -> database opened behind it -> main window.

The login window appears before SQLAlchemy has even been imported: a thread opens (and on first
start creates and migrates) the database while the person types, then the Log in button becomes
available. On an empty database the first-run dialog comes instead; with ``--demo`` the demo
practice is built on first use.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.warmup import IdleWarmup, main_window_steps, settle_garbage_collector
from dentaldesk.ui.shell.login import LoginDialog


def open_database(url: str | None, *, demo: bool) -> tuple[str, Any, Any]:
    """Choose, open and migrate the database (the demo practice is built on first use).

    Returns (the URL chosen, engine, the practice's name or None on an empty database).
    """
    from dentaldesk.config import choose_database
    from dentaldesk.db.opening import open_or_create
    from dentaldesk.services.practice.office import practice_name
    from dentaldesk.services.uow import UnitOfWork

    choice = choose_database(url, demo=demo)
    url = choice.url
    engine = open_or_create(url, make_data_folder=choice.in_data_folder).engine
    office = practice_name(UnitOfWork.for_engine(engine))
    if demo and office is None:
        from dentaldesk.demo import create_demo_practice

        create_demo_practice(engine, size="demo")
        office = practice_name(UnitOfWork.for_engine(engine))
    return url, engine, office


def read_session_start(ctx: AppContext, actor: Any) -> Any:
    """On the login's worker, once the password is accepted: what the main window shows first
    (its office, today's and the recent patients, the backup age), so it opens without a read."""
    from dentaldesk.services.practice.session import session_start
    from dentaldesk.ui.patients.recent import recent_patients

    return session_start(ctx.uow(), actor, recent_patients(ctx.database, actor.user_id))


class DatabaseLoader(QThread):
    """Runs ``open_database`` off the GUI thread; reports on the GUI thread through signals."""

    loaded = Signal(str, object, object)  # URL chosen, engine, the practice's name or None
    failed = Signal(str)

    def __init__(self, url: str | None, demo: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.url, self.demo = url, demo

    def run(self) -> None:
        from dentaldesk.config import StorageError

        try:
            url, engine, office = open_database(self.url, demo=self.demo)
            # While the person types the password, load the main window's code too, and the
            # printing code (reportlab, QtPdf, QtPrintSupport) the first plan editor would load
            # (imports only: no widget is made off the GUI thread).
            import dentaldesk.ui.plans.print_handout
            import dentaldesk.ui.shell.main_window  # noqa: F401
        except StorageError as exc:
            self.failed.emit(exc.message)
        except Exception as exc:
            self.failed.emit(f"The database could not be opened: {exc}")
        else:
            self.loaded.emit(url, engine, office)


class Startup(QObject):
    """The start sequence as objects, so tests and the start-up benchmark drive the real path."""

    main_window_shown = Signal(object)

    def __init__(self, url: str | None = None, *, demo: bool = False) -> None:
        super().__init__()
        self.url = url  # None: chosen by the loader from the environment and settings (DATA-3)
        self.demo = demo
        self.ctx: AppContext | None = None
        self.office: Any = None
        self.window: Any = None
        self.error: str | None = None
        self.login = LoginDialog(None, "DentalDesk", demo_hint=demo)
        self.login.prepare = read_session_start
        self.login.accepted.connect(self._open_main_window)
        self.loader = DatabaseLoader(self.url, demo, self)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(self._failed)
        self.warmup = IdleWarmup(main_window_steps(), self)

    def start(self) -> None:
        # Before the loader imports SQLAlchemy, the models and the main window's code behind the
        # login window: what exists now lives as long as the app, and with the default thresholds
        # those imports set off full collections (47-63 ms at the 100k practice) that hold the
        # interpreter lock over a keystroke.
        settle_garbage_collector()
        self.login.show()
        # The loader starts once the event loop has drawn the login window, so its imports do
        # not compete with the first paint.
        QTimer.singleShot(0, self.loader.start)

    def _loaded(self, url: str, engine: Any, office: Any) -> None:
        self.url = url
        self.ctx = AppContext(engine=engine, database=url, auto_backup=True)
        if engine.dialect.name == "sqlite":
            from pathlib import Path

            from dentaldesk.db.presence import Presence

            # This process has the practice open until it exits (a restore elsewhere waits for it).
            self.ctx.presence = Presence(Path(str(engine.url.database)))
        if office is None:
            from dentaldesk.services.practice.office import practice_name
            from dentaldesk.ui.shell.first_run import FirstRunDialog

            self.login.hide()
            if FirstRunDialog(self.ctx).exec() != QDialog.DialogCode.Accepted:
                self.login.reject()
                return
            office = practice_name(self.ctx.uow())
            self.login.show()
        self.office = office
        self.login.set_context(self.ctx, office)
        # While the person types: load what the first main window needs, a few ms at a time.
        self.warmup.start()

    def _failed(self, message: str) -> None:
        self.error = message
        QMessageBox.critical(self.login, "DentalDesk cannot start", message)
        print(f"dentaldesk: {message}", file=sys.stderr)
        self.login.reject()

    def _open_main_window(self) -> None:
        from dentaldesk.ui.shell.main_window import MainWindow

        assert self.ctx is not None
        self.warmup.stop()
        self.window = MainWindow(self.ctx, start=self.login.prepared)
        self.window.session_ended.connect(self._session_ended)
        self.window.show()
        self.main_window_shown.emit(self.window)
        # The main window lives as long as the session: out of the garbage collector's way.
        QTimer.singleShot(0, settle_garbage_collector)

    def _session_ended(self, how: str) -> None:
        """Log out / Switch user: the login window again, on a fresh context (SEC-1, SEC-3)."""
        if how not in ("logout", "switch", "restored") or self.ctx is None:
            return
        old = self.ctx
        self.ctx = AppContext(
            engine=old.engine, database=old.database, presence=old.presence, auto_backup=old.auto_backup
        )
        if how == "restored":  # DATA-6: the practice as restored, its users log in again
            from dentaldesk.services.practice.office import practice_name

            self.office = practice_name(self.ctx.uow()) or self.office
        self.login = LoginDialog(self.ctx, self.office or "DentalDesk")
        if how == "switch":
            self.login.subtitle.setText("Switch user: log in as the next user")
        self.login.prepare = read_session_start
        self.login.accepted.connect(self._open_main_window)
        self.login.open()
        if how == "restored" and self.window is not None:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "DentalDesk",
                f"{self.window.restore_message}\n\nLog in again to go on.",
                parent=self.login,
            )
            box.setObjectName("restored_log_in_again")
            box.open()


def run_gui(url: str | None = None, demo: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("DentalDesk")
    from dentaldesk.ui.kit.operations import install_excepthook

    install_excepthook()
    startup = Startup(url, demo=demo)
    startup.start()
    startup.login.exec()
    startup.loader.wait()
    if startup.error is not None:
        return 1
    if startup.window is None:
        return 0
    return app.exec()
