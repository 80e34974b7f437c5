"""The one path from a widget to a service: every exception is shown, none reaches Qt (STYLE.md 6)."""

from __future__ import annotations

import itertools
import sys
import threading
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget

from dentaldesk import clock
from dentaldesk.domain.errors import ConflictError, ValidationError
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


def test_an_action_off_the_gui_thread_runs_on_a_worker_while_the_window_keeps_painting(qtbot, parent: QWidget) -> None:
    """STYLE.md 11: with off_thread, the action runs on another thread; the GUI thread's timers
    keep ticking meanwhile (nothing freezes), and run_op returns its result as if run in place."""
    ctx = AppContext(engine=None, database="test")
    heard: list[str] = []
    ctx.changes.changed.connect(heard.append)
    ran_on: list[int] = []
    ticks: list[float] = []
    heartbeat = QTimer(parent)
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
    heartbeat.start()

    def slow() -> int:
        ran_on.append(threading.get_ident())
        time.sleep(0.4)
        return 42

    assert run_op(ctx, parent, slow, changed="ledger", off_thread="Posting...") == (True, 42)
    heartbeat.stop()
    assert ran_on and ran_on[0] != threading.get_ident()
    assert len(ticks) >= 10, f"the GUI thread ticked only {len(ticks)} times in 0.4 s"
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.2
    assert heard == ["ledger"]


def test_clicks_during_an_action_off_the_gui_thread_are_held(qtbot, parent: QWidget) -> None:
    """A second click on Post while the first post runs starts nothing: input is held until the answer."""
    ctx = AppContext(engine=None, database="test")
    button = QPushButton("Post", parent)
    parent.show()
    clicked: list[bool] = []
    button.clicked.connect(lambda: clicked.append(True))
    QTimer.singleShot(100, lambda: qtbot.mouseClick(button, Qt.MouseButton.LeftButton))
    assert run_op(ctx, parent, lambda: time.sleep(0.4), off_thread="Posting...") == (True, None)
    assert clicked == []
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # once the answer is in, clicks work again
    assert clicked == [True]


def test_a_refusal_or_a_defect_off_the_gui_thread_is_shown_as_in_place(qtbot, parent: QWidget, capsys) -> None:
    """TX-VAL-1: a typed refusal raised on the worker lands at its field; an untyped exception is
    reported on the GUI thread as a defect (box, traceback logged), and neither announces a change."""
    ctx = AppContext(engine=None, database="test")
    heard: list[str] = []
    ctx.changes.changed.connect(heard.append)
    amount_error = QLabel(parent)

    def refused() -> None:
        raise ValidationError("Type the amount received, more than 0.00.", "amount")

    assert run_op(ctx, parent, refused, field_labels={"amount": amount_error}, off_thread="Posting...") == (
        False,
        None,
    )
    assert amount_error.text() == "Type the amount received, more than 0.00."

    def broken() -> None:
        raise KeyError("claim_id")

    assert run_op(ctx, parent, broken, changed="ledger", off_thread="Posting...") == (False, None)
    boxes = _boxes(parent)
    assert len(boxes) == 1 and "Nothing was saved" in boxes[0].text() and "KeyError" in boxes[0].text()
    assert "KeyError" in capsys.readouterr().err
    assert heard == []


def test_data7_an_action_off_the_gui_thread_announces_the_tables_it_committed(
    qtbot, parent: QWidget, demo_engine, make_ctx
) -> None:
    """What a write committed on the worker is recorded there and announced on the GUI thread: a
    payment posted off the GUI thread refreshes the Ledger and the aging report ("ledger")."""
    from sqlalchemy import select

    from dentaldesk.db.models import Account
    from dentaldesk.services.access.login import login
    from dentaldesk.services.ledger.posting import post_payment
    from dentaldesk.services.uow import UnitOfWork

    actor = login(UnitOfWork.for_engine(demo_engine), "owner", "demo-owner", "ws-test")
    ctx = make_ctx(demo_engine, actor)
    heard: list[str] = []
    ctx.changes.changed.connect(heard.append)
    with demo_engine.connect() as conn:
        account_id = conn.execute(select(Account.id).limit(1)).scalar_one()
    ok, _posted = run_op(
        ctx,
        parent,
        lambda: post_payment(
            ctx.uow(), actor, account_id=account_id, amount="1.00", paid_on=clock.today(), method="Cash", reference=""
        ),
        off_thread="Posting the payment...",
    )
    assert ok and "ledger" in heard
