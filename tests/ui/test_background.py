"""Slow work runs off the GUI thread and only the newest answer is shown (STYLE.md 11)."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from dentaldesk.domain.errors import DentalDeskError, ValidationError
from dentaldesk.services.access import login as login_service
from dentaldesk.ui.kit.background import Background
from dentaldesk.ui.shell.login import LoginDialog


def test_a_run_is_answered_on_the_gui_thread_with_its_result(qtbot) -> None:
    runner = Background()
    ran_on: list[threading.Thread] = []
    answers: list[tuple[int, threading.Thread]] = []

    def work() -> int:
        ran_on.append(threading.current_thread())
        return 42

    runner.start(work, lambda result: answers.append((result, threading.current_thread())))
    qtbot.waitUntil(lambda: bool(answers))
    assert ran_on[0] is not threading.main_thread()
    assert answers == [(42, threading.main_thread())]
    assert not runner.busy


def test_an_older_run_answering_last_is_dropped(qtbot) -> None:
    """The person moved on (another date, another search): a slow older answer never replaces the newer one."""
    runner = Background()
    release_first = threading.Event()
    shown: list[str] = []

    def first() -> str:
        release_first.wait(10)
        return "old"

    runner.start(first, shown.append)
    runner.start(lambda: "new", shown.append)
    qtbot.waitUntil(lambda: shown == ["new"])
    release_first.set()
    assert runner.wait(10)
    qtbot.wait(50)  # the old answer has arrived and was dropped
    assert shown == ["new"]


def test_a_cancelled_run_answers_nothing_and_errors_arrive_typed(qtbot) -> None:
    runner = Background(what="The report")
    release = threading.Event()
    answers: list[object] = []
    runner.start(lambda: release.wait(10), answers.append, answers.append)
    runner.cancel()
    assert not runner.busy
    release.set()
    assert runner.wait(10)
    qtbot.wait(50)
    assert answers == []

    def refused() -> None:
        raise ValidationError("That date is not right.", "as_of")

    def broken() -> None:
        raise RuntimeError("disk on fire")

    runner.start(refused, answers.append, answers.append)
    qtbot.waitUntil(lambda: len(answers) == 1)
    assert isinstance(answers[0], ValidationError) and answers[0].field == "as_of"
    runner.start(broken, answers.append, answers.append)
    qtbot.waitUntil(lambda: len(answers) == 2)
    assert type(answers[1]) is DentalDeskError and "The report failed: disk on fire" in answers[1].message


def test_sec1_the_password_is_checked_off_the_gui_thread_while_the_window_shows_progress(
    qtbot, engine, practice, make_ctx, monkeypatch
) -> None:
    """SEC-1: Log in checks the password on a worker thread; the window says so, stays responsive, then logs in."""
    real_login = login_service.login
    checked_on: list[threading.Thread] = []
    release = threading.Event()

    def slow_login(*args, **kwargs):
        checked_on.append(threading.current_thread())
        release.wait(10)  # an Argon2 check on a slow machine
        return real_login(*args, **kwargs)

    monkeypatch.setattr(login_service, "login", slow_login)
    ctx = make_ctx(engine)
    dialog = LoginDialog(ctx, "Test Dental")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "front")
    qtbot.keyClicks(dialog.password, "front-pass-1")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(checked_on))
    assert checked_on[0] is not threading.main_thread()
    assert dialog.checking and dialog.busy.isVisible()
    assert dialog.subtitle.text() == "Checking the password..."
    assert not dialog.login_button.isEnabled() and dialog.password.isReadOnly()
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # a second Enter while checking starts nothing
    qtbot.wait(20)
    assert len(checked_on) == 1 and dialog.isVisible()
    release.set()
    qtbot.waitUntil(lambda: dialog.result() == LoginDialog.DialogCode.Accepted)
    assert ctx.actor is not None and ctx.actor.username == "front"
    assert not dialog.busy.isVisible()


def test_a_login_window_closed_during_the_check_logs_nobody_in(qtbot, engine, practice, make_ctx, monkeypatch) -> None:
    real_login = login_service.login
    release = threading.Event()

    def slow_login(*args, **kwargs):
        release.wait(10)
        return real_login(*args, **kwargs)

    monkeypatch.setattr(login_service, "login", slow_login)
    ctx = make_ctx(engine)
    dialog = LoginDialog(ctx, "Test Dental")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "front")
    qtbot.keyClicks(dialog.password, "front-pass-1")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.checking)
    dialog.reject()
    release.set()
    assert dialog.checker.wait(10)
    qtbot.wait(50)
    assert ctx.actor is None and dialog.result() == LoginDialog.DialogCode.Rejected


def test_the_login_window_shows_progress_while_the_database_opens(qtbot) -> None:
    dialog = LoginDialog(None, "DentalDesk")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.busy.isVisible() and dialog.subtitle.text() == "Opening the database..."
    assert not dialog.login_button.isEnabled()
