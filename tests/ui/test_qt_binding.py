"""The Qt binding itself: a guard against the PySide6 release that drains references to None."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_nones_reference_count(qtbot) -> None:
    """Stability: 20,000 void calls (setText) leave None's count as it was.

    PySide6 6.12.0 on Python 3.11 returned None from void methods without a reference, so a long
    session aborted ("none_dealloc"); pyproject.toml keeps PySide6 below 6.12 for that reason.
    """
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for n in range(20_000):
        label.setText(str(n % 7))
    assert abs(sys.getrefcount(None) - before) < 100
