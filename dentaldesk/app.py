"""Wiring: settings -> database (created and migrated on first start) -> login -> main window."""

from __future__ import annotations

import sys

from dentaldesk.config import StorageError, database_url


def _fail(message: str) -> int:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.critical(None, "DentalDesk cannot start", message)
    print(f"dentaldesk: {message}", file=sys.stderr)
    return 1


def open_database(url: str, *, demo: bool):  # type: ignore[no-untyped-def]
    """Open and migrate the database; on the demo path build the demo practice on first use."""
    from dentaldesk.db.engine import make_engine
    from dentaldesk.db.migrate import upgrade
    from dentaldesk.services.office import first_office
    from dentaldesk.services.uow import UnitOfWork

    engine = make_engine(url)
    upgrade(engine)
    if demo and first_office(UnitOfWork.for_engine(engine)) is None:
        from dentaldesk.demo import create_demo_practice

        create_demo_practice(engine, size="demo")
    return engine


def run_gui(url: str | None = None, demo: bool = False) -> int:
    from PySide6.QtWidgets import QApplication, QDialog

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("DentalDesk")
    from dentaldesk.ui.context import AppContext

    chosen = database_url(url, demo=demo)
    try:
        engine = open_database(chosen, demo=demo)
    except StorageError as exc:
        return _fail(exc.message)

    from dentaldesk.services.office import first_office

    ctx = AppContext(engine=engine, database=chosen)
    office = first_office(ctx.uow())
    if office is None:
        from dentaldesk.ui.first_run import FirstRunDialog

        if FirstRunDialog(ctx).exec() != QDialog.DialogCode.Accepted:
            return 0
        office = first_office(ctx.uow())
        assert office is not None

    from dentaldesk.ui.login import LoginDialog

    login = LoginDialog(ctx, office.name, demo_hint=demo)
    if login.exec() != QDialog.DialogCode.Accepted:
        return 0

    from dentaldesk.ui.main_window import MainWindow

    window = MainWindow(ctx, office)
    window.show()
    return app.exec()
