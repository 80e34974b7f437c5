"""The Backups window driven as an Owner does (DATA-6): Back up now, the last backup and its age,
the overdue warning, restore with confirmation; and a lost database brought back at first run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select, text

from dentaldesk import clock
from dentaldesk.db import backup as files
from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade
from dentaldesk.db.models import Patient
from dentaldesk.db.presence import Presence
from dentaldesk.services.access.login import login
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.settings.backups_window import BackupsWindow
from dentaldesk.ui.settings.view import SettingsView
from dentaldesk.ui.shell.first_run import FirstRunDialog

LEFT = Qt.MouseButton.LeftButton


def _patients(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Patient)) or 0


def _open_backups(qtbot, ctx) -> BackupsWindow:  # type: ignore[no-untyped-def]
    hub = SettingsView(ctx)
    qtbot.addWidget(hub)
    hub.refresh()
    qtbot.mouseClick(hub.buttons["backups"], LEFT)
    window = hub.windows["backups"]
    assert isinstance(window, BackupsWindow)
    qtbot.addWidget(window)
    return window


def _confirm(qtbot, window: BackupsWindow) -> None:
    box = window.confirm
    assert isinstance(box, QMessageBox) and "kept next to the backups" in box.text()
    restore = next(b for b in box.buttons() if b.text() == "&Restore")
    qtbot.mouseClick(restore, LEFT)


def test_data6_back_up_now_shows_the_last_backup_size_and_age(qtbot, fast_practice, make_ctx, shots: Path) -> None:
    """Back up now runs off the GUI thread; the list and the 'Last backup' line show it, no warning."""
    ctx = make_ctx(fast_practice.engine, fast_practice.owner)
    window = _open_backups(qtbot, ctx)
    assert window.warning.isVisible() and "no backup of this practice yet" in window.warning.text()
    qtbot.mouseClick(window.back_up_button, LEFT)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=15000)
    assert window.status.text().startswith("Backed up: small-")
    assert window.last.text().startswith("Last backup: ") and "just now" in window.last.text()
    assert not window.warning.isVisible()
    window.grab().save(str(shots / "backups_window_backed_up.png"))


def test_data6_the_window_warns_when_the_last_good_backup_is_over_two_days_old(
    qtbot, fast_practice, make_ctx, tmp_path: Path
) -> None:
    """A backup three days old: the warning says how old and what to do."""
    engine = fast_practice.engine
    folder = files.default_folder(engine)
    folder.mkdir(exist_ok=True)
    old = clock.now_local().replace(tzinfo=None) - dt.timedelta(days=3)
    (folder / files.backup_name(files.database_stem(engine), old).file_name).write_bytes(b"x" * 2048)
    window = _open_backups(qtbot, make_ctx(engine, fast_practice.owner))
    assert window.warning.isVisible()
    assert "3 days ago old (more than two days)" in window.warning.text() or "3 days" in window.warning.text()
    assert "2.0 KB" in window.last.text()


def test_data6_the_front_desk_cannot_open_backups(qtbot, fast_practice, make_ctx) -> None:
    hub = SettingsView(make_ctx(fast_practice.engine, fast_practice.front_desk))
    qtbot.addWidget(hub)
    hub.refresh()
    assert not hub.buttons["backups"].isEnabled() and hub.open_window("backups") is None


def test_data6_restore_from_the_window_asks_then_everyone_logs_in_again(
    qtbot, fast_practice, make_ctx, shots: Path
) -> None:
    """Restore selected: a confirmation naming what is kept; the practice goes back to the backup and the
    app is told to log everybody in again (database_replaced)."""
    engine = fast_practice.engine
    ctx = make_ctx(engine, fast_practice.owner)
    ctx.presence = Presence(files.sqlite_path(engine))
    window = _open_backups(qtbot, ctx)
    qtbot.mouseClick(window.back_up_button, LEFT)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=15000)
    before = _patients(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE patient SET phone = 'after the backup'"))
    replaced: list[str] = []
    ctx.changes.database_replaced.connect(replaced.append)
    window.table.selectRow(0)
    qtbot.mouseClick(window.restore_button, LEFT)
    window.confirm.grab().save(str(shots / "backups_confirm_restore.png"))
    _confirm(qtbot, window)
    assert replaced and replaced[0].startswith("Restored small-")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM patient WHERE phone = 'after the backup'")) == 0
    assert _patients(engine) == before
    ctx.presence.close()


def test_data6_a_lost_database_is_restored_from_the_backups_window_at_first_run(
    qtbot, fast_practice, make_ctx, shots: Path
) -> None:
    """The story of the issue: a backup is taken from the GUI, the database file is deleted, DentalDesk
    starts on an empty database, and the first-run window's Restore a backup brings the practice back
    (no login: the empty database has nothing to protect); the owner logs in with their old password."""
    engine = fast_practice.engine
    url = str(engine.url)
    patients = _patients(engine)
    window = _open_backups(qtbot, make_ctx(engine, fast_practice.owner))
    qtbot.mouseClick(window.back_up_button, LEFT)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=15000)
    window.grab().save(str(shots / "story_1_backup_taken.png"))
    window.close()
    engine.dispose()
    database = files.sqlite_path(engine)
    for suffix in ("", "-wal", "-shm"):  # the database is lost
        Path(str(database) + suffix).unlink(missing_ok=True)
    assert not database.exists()

    fresh = make_engine(url)  # start-up: a new, empty database is made and migrated
    upgrade(fresh)
    ctx = make_ctx(fresh)
    ctx.presence = Presence(database)
    first = FirstRunDialog(ctx)
    qtbot.addWidget(first)
    first.show()
    first.grab().save(str(shots / "story_2_first_run_after_the_loss.png"))
    qtbot.mouseClick(first.restore_button, LEFT)
    backups_window = first.backups
    assert isinstance(backups_window, BackupsWindow) and backups_window.first_run
    qtbot.addWidget(backups_window)
    assert backups_window.model.rowCount() == 1 and not backups_window.back_up_button.isVisible()
    backups_window.grab().save(str(shots / "story_3_backups_window_first_run.png"))
    backups_window.table.selectRow(0)
    qtbot.mouseClick(backups_window.restore_button, LEFT)
    _confirm(qtbot, backups_window)
    assert first.result() == FirstRunDialog.DialogCode.Accepted
    assert _patients(fresh) == patients
    owner = login(UnitOfWork.for_engine(fresh), "owner", "owner-pass-1", "ws")
    assert owner.full_name == "Olive Owner"
    # The restored practice in the main window: the patients the lost database had are there.
    from dentaldesk.ui.shell.main_window import MainWindow

    main = MainWindow(make_ctx(fresh, owner))
    qtbot.addWidget(main)
    main.resize(1200, 700)
    main.show()
    qtbot.keyClicks(main.patients.search, "smi")
    qtbot.waitUntil(lambda: main.patients.model.rowCount() == 3)
    main.choose_patient(fast_practice.patient_ids[0])
    assert "Anna Smith" in main.header.name.text()
    qtbot.wait(50)  # the header's new text laid out before the picture
    main.grab().save(str(shots / "story_4_restored_main_window.png"))
    main.close()
    ctx.presence.close()
    fresh.dispose()
