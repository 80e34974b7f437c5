"""Idle-time warm-up: while the login window waits for the person, load what the main window needs.

PySide6 makes a Qt class (and every enum of it) the first time Python names it, and the first
rich-text label loads Qt's text layout: the first main window paid for all of it after Log in
(tens of milliseconds). Here that is done in small steps while the login window is idle, each
step a few milliseconds at most, so typing never waits; whatever is left when the person logs in
is simply made when first used.

The garbage collector is tuned here too (:func:`settle_garbage_collector`): a collection holds
Python's interpreter lock from start to end, so one over every object of the running app, set off
while a worker builds a large result (the aging report's 27,000 accounts), stopped the GUI thread
for 170-300 ms. What was loaded at start lives as long as the app, so it is frozen out of the
collections, and the youngest generation is collected less often, over more objects.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QTimer

STEP_MS = 4.0  # work per idle step
PAUSE_MS = 15  # between steps: key presses and paints go first


def _qt_classes() -> Iterator[Callable[[], object]]:
    from PySide6 import QtCore, QtGui, QtWidgets

    for module in (QtCore, QtGui, QtWidgets):
        for name in sorted(n for n in dir(module) if n.startswith("Q")):
            yield lambda m=module, n=name: getattr(m, n)


def _rich_text() -> object:
    from PySide6.QtWidgets import QLabel

    label = QLabel("<b>DentalDesk</b> &nbsp;·&nbsp; <span style='font-size:14pt'>x</span>")
    size = label.sizeHint()
    label.deleteLater()
    return size


GC_THRESHOLDS = (20_000, 20, 100)  # CPython's default is (700, 10, 10)


def settle_garbage_collector() -> None:
    """Freeze what exists now out of future collections and collect the young less often."""
    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()


def main_window_steps() -> Iterator[Callable[[], object]]:
    yield _rich_text
    yield from _qt_classes()
    yield settle_garbage_collector  # what is loaded by now lives as long as the app


class IdleWarmup(QObject):
    def __init__(self, steps: Iterator[Callable[[], object]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps = steps
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PAUSE_MS)
        self._timer.timeout.connect(self._step)
        self.done = False

    def start(self) -> None:
        if not self.done:
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _step(self) -> None:
        deadline = time.perf_counter() + STEP_MS / 1000
        for step in self._steps:
            step()
            if time.perf_counter() >= deadline:
                self._timer.start()
                return
        self.done = True
