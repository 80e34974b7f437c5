"""Live refresh between workstations (DATA-7): what other workstations commit reaches the open views.

A thread of its own reads the database's change feed (PostgreSQL LISTEN/NOTIFY; on SQLite ``PRAGMA
data_version`` and the change log, db/changes.py) and hands each change to the GUI thread, which
announces it twice: ``ctx.changes.remote`` with the tables and ids (a plan editor checks whether its
plan is among them) and ``ctx.changes.changed`` with the area, so every view that refreshes after
this workstation's own actions refreshes after the others' too. A change reaches the screen within
about half a second; views hidden behind another page refresh when shown (RefreshWhenShown).
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

from dentaldesk.ui.kit.context import AppContext, announce, areas_of

POLL_SECONDS = 0.4


class _Relay(QObject):
    arrived = Signal(object)  # list[Change], delivered on the GUI thread
    failed = Signal(str)


class LiveRefresh(QObject):
    """Listens for the whole session; ``stop()`` (at close, before a restore) lets go of the database."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.heard = 0  # changes announced, for the status line and tests
        self._relay = _Relay()
        self._relay.arrived.connect(self._announce)
        self._relay.failed.connect(lambda message: print(f"dentaldesk: live refresh: {message}", file=sys.stderr))
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="dentaldesk-live-refresh", daemon=True)
        self._thread.start()

    def wait_ready(self, seconds: float = 5.0) -> bool:
        """Tests: the feed is open (changes committed from now on are heard)."""
        return self._ready.wait(seconds)

    def _listen(self) -> None:
        from dentaldesk.db.changes import ChangeFeed

        try:
            feed = ChangeFeed(self.ctx.engine)
        except Exception as exc:  # no live refresh, the app still works: views refresh on their own actions
            self._relay.failed.emit(f"cannot listen for other workstations' changes ({exc})")
            self._ready.set()
            return
        self._ready.set()
        try:
            while not self._stop.is_set():
                try:
                    found = feed.poll(POLL_SECONDS)
                except Exception as exc:  # a lost connection: try again after a pause
                    self._relay.failed.emit(str(exc))
                    self._stop.wait(2.0)
                    feed.close()
                    try:
                        feed = ChangeFeed(self.ctx.engine)
                    except Exception:  # still down: the next round tries again
                        continue
                    continue
                if found:
                    self._relay.arrived.emit(found)
                elif self.ctx.engine.dialect.name == "sqlite":
                    self._stop.wait(POLL_SECONDS)
        finally:
            feed.close()

    def _announce(self, changes: list[Any]) -> None:
        if self._stop.is_set():
            return
        for change in changes:
            self.heard += 1
            self.ctx.changes.remote.emit(change)
        announce(self.ctx.changes, areas_of(table for change in changes for table in change.tables))

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=3.0)
