"""The one path from a widget to a service: every exception is shown, none reaches Qt (STYLE.md 6)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from dentaldesk.domain.errors import ConflictError
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import install_excepthook, run_op


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def _boxes(parent: QWidget) -> list[QMessageBox]:
    return [b for b in parent.findChildren(QMessageBox) if b.isVisible()]


def test_a_typed_refusal_is_shown_at_its_label(qtbot, parent: QWidget) -> None:
    """A ConflictError lands in the form's message line; run_op says it did not succeed."""
    line = QLabel(parent)
    ctx = AppContext(engine=None, database="test")

    def refused() -> None:
        raise ConflictError("Fran Front saved this patient at 10:42, after you opened it.")

    assert run_op(ctx, parent, refused, fallback=line) == (False, None)
    assert line.text().startswith("Fran Front saved this patient")


def test_an_untyped_exception_is_shown_and_never_reaches_qt(qtbot, parent: QWidget, capsys) -> None:
    """A defect in a service (here a KeyError) gives a message box saying nothing was saved, and
    run_op returns instead of letting the exception escape into Qt's event loop."""
    ctx = AppContext(engine=None, database="test")
    heard: list[str] = []
    ctx.changes.changed.connect(heard.append)

    def broken() -> None:
        raise KeyError("provider_id")

    assert run_op(ctx, parent, broken, changed="patients") == (False, None)
    boxes = _boxes(parent)
    assert len(boxes) == 1 and "Nothing was saved" in boxes[0].text() and "KeyError" in boxes[0].text()
    assert heard == []  # a failed action announces no change
    assert "KeyError" in capsys.readouterr().err  # the traceback is logged


def test_the_excepthook_shows_a_slot_error_instead_of_crashing(qtbot, monkeypatch) -> None:
    """An exception in a Qt slot that does not go through run_op is shown too (sys.excepthook)."""
    shown: list[str] = []
    monkeypatch.setattr("dentaldesk.ui.kit.operations.show_unexpected", lambda _p, exc: shown.append(repr(exc)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook()
    try:
        raise ValueError("from a slot")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert shown == ["ValueError('from a slot')"]
