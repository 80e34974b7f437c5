"""Work off the GUI thread, answered on it: the one way a window runs something slow (STYLE.md 11).

    self.runner = Background(self)
    self.runner.start(lambda: office_aging(uow, office_id, as_of), self._show, self._fail)

``start`` runs the function on Qt's thread pool and calls ``done(result)`` or ``failed(error)``
back on the GUI thread, where widgets may be touched. Only the newest run of a runner is answered:
starting again, ``cancel()`` or the owner being destroyed drops an older run's answer (the person
has moved on, or typed another date), so a slow answer never overwrites a newer one; a runner
whose window is gone answers nothing (Qt drops the connections of a deleted receiver). The
function must not touch widgets; it gets its own unit of work (its own database session) from its
caller. A typed DentalDeskError reaches ``failed`` as it is; any other exception becomes one with
a plain message, so nothing reaches Qt.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from dentaldesk.domain.errors import DentalDeskError


class _Answer(QObject):
    done = Signal(int, object)
    failed = Signal(int, object)


class _Run(QRunnable):
    def __init__(self, run_id: int, work: Callable[[], Any], answer: _Answer, what: str) -> None:
        super().__init__()
        self.run_id, self.work, self.answer, self.what = run_id, work, answer, what
        self.setAutoDelete(False)  # the runner keeps it until it has answered
        self.finished = threading.Event()

    def run(self) -> None:
        try:
            result = self.work()
        except DentalDeskError as exc:
            self.answer.failed.emit(self.run_id, exc)
        except Exception as exc:  # never into Qt: a plain message for the person
            self.answer.failed.emit(self.run_id, DentalDeskError(f"{self.what} failed: {exc}"))
        else:
            self.answer.done.emit(self.run_id, result)
        finally:
            self.finished.set()


class Background(QObject):
    """Runs one kind of work at a time off the GUI thread; only the newest run is answered."""

    def __init__(self, parent: QObject | None = None, *, what: str = "The work") -> None:
        super().__init__(parent)
        self.what = what
        self._answer = _Answer()  # lives on the GUI thread: its signals are delivered there
        self._answer.done.connect(self._done)
        self._answer.failed.connect(self._failed)
        self._newest = 0
        self._runs: dict[int, tuple[_Run, Callable[[Any], None], Callable[[DentalDeskError], None] | None]] = {}

    @property
    def busy(self) -> bool:
        """A run whose answer is still awaited."""
        return self._newest in self._runs

    def start(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[DentalDeskError], None] | None = None,
    ) -> int:
        self._newest += 1
        run = _Run(self._newest, work, self._answer, self.what)
        self._runs[self._newest] = (run, done, failed)
        QThreadPool.globalInstance().start(run)
        return self._newest

    def start_soon(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[DentalDeskError], None] | None = None,
    ) -> None:
        """``start`` once the event loop is back: for a read set off by an action that still has
        its own window to redraw. A worker's Python holds the interpreter lock in turns with the GUI
        thread, so a read started at once would slow the acting window's redraw instead of
        running beside it."""
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self, lambda: self.start(work, done, failed))

    def cancel(self) -> None:
        """Drop the answer of whatever is running (it finishes on its own; nothing is delivered)."""
        self._newest += 1

    def wait(self, timeout_s: float = 30.0) -> bool:
        """Block until every started run has finished (closing a window, tests); True if they did."""
        return all(run.finished.wait(timeout_s) for run, _, _ in list(self._runs.values()))

    def _take(self, run_id: int) -> tuple[Callable[[Any], None], Callable[[DentalDeskError], None] | None] | None:
        entry = self._runs.pop(run_id, None)
        if entry is None or run_id != self._newest:
            return None  # an older run, or cancelled: the person has moved on
        return entry[1], entry[2]

    def _done(self, run_id: int, result: object) -> None:
        taken = self._take(run_id)
        if taken is not None:
            taken[0](result)

    def _failed(self, run_id: int, error: DentalDeskError) -> None:
        taken = self._take(run_id)
        if taken is not None and taken[1] is not None:
            taken[1](error)


def wait_for(
    work: Callable[[], Any],
    parent: Any = None,
    text: str = "Working...",
    *,
    show_after_ms: int = 150,
) -> Any:
    """Run ``work`` off the GUI thread and return its result, the GUI thread painting meanwhile.

    For an action whose next step needs the result (a preview needs its pages): the event loop
    keeps running, so the windows repaint and nothing freezes, and a modal busy dialog (shown
    after ``show_after_ms``, not for a quick answer) keeps the person from starting something
    else meanwhile. A typed error from ``work`` is raised here, as if it had run in place.
    """
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog

    runner = Background(what=text.rstrip(". "))
    answer: dict[str, Any] = {}
    loop = QEventLoop()
    progress = QProgressDialog(text, "", 0, 0, parent)
    progress.setObjectName("busy_dialog")
    progress.setWindowTitle("DentalDesk")
    progress.setCancelButton(None)  # the work cannot be stopped halfway; it finishes or fails
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(0)
    progress.reset()  # a progress dialog shows itself on construction otherwise
    shown = QTimer()
    shown.setSingleShot(True)
    shown.timeout.connect(progress.show)

    def finish(key: str, value: Any) -> None:
        answer[key] = value
        loop.quit()

    runner.start(work, lambda r: finish("result", r), lambda e: finish("error", e))
    shown.start(show_after_ms)
    hold = _HoldInput()
    app = QApplication.instance()
    if app is not None:
        app.installEventFilter(hold)
    try:
        if not answer:
            loop.exec()
    finally:
        if app is not None:
            app.removeEventFilter(hold)
    shown.stop()
    progress.hide()
    progress.deleteLater()
    if "error" in answer:
        raise answer["error"]
    return answer.get("result")


class _HoldInput(QObject):
    """While wait_for waits, the person's clicks and keys go nowhere: the event loop runs (the
    windows paint, timers tick), but a second Save or a typed key cannot start another action on
    data the running one is changing. The busy dialog, shown after a moment, says why."""

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        return event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.MouseButtonDblClick,
            QEvent.Type.KeyPress,
            QEvent.Type.KeyRelease,
            QEvent.Type.Wheel,
            QEvent.Type.ShortcutOverride,
        )
