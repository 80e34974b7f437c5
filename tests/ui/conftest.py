"""UI test set-up: no window outlives its test (napari's leak check, adapted).

Every widget a test opens goes through ``qtbot.addWidget`` (or is a child of one), so pytest-qt
closes and deletes it when the test ends. After that, no top-level window may still be shown or
still exist: a window that survives would keep timers (idle lock, live refresh) running into the
next test and hide order-dependent failures.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


def _open_windows() -> list[str]:
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return []
    for _ in range(3):  # deleteLater of a window can post more deferred deletes (its children)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    # Hidden windows count too: a closed window that was never deleted still holds its timers.
    return sorted(f"{type(w).__name__} {w.windowTitle()!r}" for w in QApplication.topLevelWidgets())


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    before = set(getattr(item, "_windows_before", ()))
    yield
    leaked = [w for w in _open_windows() if w not in before]
    if leaked:
        pytest.fail(f"windows left open by {item.name}: {', '.join(leaked)}", pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item._windows_before = _open_windows()  # type: ignore[attr-defined]
