"""The GUI half of bench_frames.py: drives the real windows and measures how long the GUI thread
is blocked during each front-desk action (run in a child process by bench_frames.py).

A heartbeat (a 2 ms precise QTimer on the GUI thread) notes when the event loop last got round
to it; the longest gap between two beats while an action runs is the longest time the window
could not paint or take a key: what a person sees as a freeze. Each action is started from the
event loop (as a key press or click is) and measured until its result is on screen and the
event queue has been quiet for a moment (so deferred work, painting and debounced searches are
included).
"""

from __future__ import annotations

import os
import resource
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

BEAT_MS = 2
SETTLE_MS = 60  # quiet time after an action's result is shown: paints and deferred work land in it


class Heartbeat:
    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0

    def worst_ms(self) -> float:
        # The gap still open counts too (an action that has not given the loop back yet).
        return max(self.worst, time.perf_counter() - self.last) * 1000


def spin(ms: float) -> None:
    """Run the event loop for ``ms`` (the heartbeat keeps beating)."""
    loop = QEventLoop()
    QTimer.singleShot(int(ms), loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout_s: float = 120.0) -> bool:
    deadline = time.perf_counter() + timeout_s
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(5)

    def check() -> None:
        if condition() or time.perf_counter() > deadline:
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    if not condition():
        loop.exec()
    poll.stop()
    return condition()


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Recorder:
    def __init__(self) -> None:
        self.heart = Heartbeat()
        self.blocked: dict[str, list[float]] = {}
        self.took: dict[str, list[float]] = {}
        self.errors: dict[str, str] = {}
        self.facts: dict[str, Any] = {}
        self.current = ""
        # A message box (a refusal, an error) would wait for a click forever: note it, close it.
        self.watchdog = QTimer()
        self.watchdog.setInterval(250)
        self.watchdog.timeout.connect(self._close_message_boxes)
        self.watchdog.start()

    def _close_message_boxes(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                self.errors.setdefault(f"message during '{self.current}'", widget.text()[:300])
                widget.done(0)

    def measure(
        self,
        name: str,
        action: Callable[[], object],
        until: Callable[[], bool] | None = None,
        *,
        settle_ms: float = SETTLE_MS,
        timeout_s: float = 120.0,
    ) -> float:
        """Start ``action`` from the event loop; wait for ``until()`` and a quiet moment; record."""
        spin(10)  # whatever was pending lands before the measure starts
        failure: list[BaseException] = []

        def run() -> None:
            try:
                action()
            except BaseException as exc:  # recorded, the run goes on with the next action
                failure.append(exc)
                traceback.print_exc()

        self.current = name
        profile = _profiler(name)
        self.heart.reset()
        started = time.perf_counter()
        QTimer.singleShot(0, run)
        spin(1)
        ok = wait_until(lambda: bool(failure) or until is None or until(), timeout_s)
        took = (time.perf_counter() - started) * 1000
        spin(settle_ms)
        blocked = self.heart.worst_ms()
        if profile is not None:
            _dump(profile, name)
        if failure or not ok:
            self.errors[name] = repr(failure[0]) if failure else "timed out" + _shown_refusals()
            return blocked
        self.blocked.setdefault(name, []).append(blocked)
        self.took.setdefault(name, []).append(took)
        return blocked

    def keys(self, name: str, widget: QWidget, text: str, *, settle_ms: float = SETTLE_MS) -> None:
        """Each character typed as its own key press, measured one by one."""
        for ch in text:
            self.measure(name, lambda ch=ch: QTest.keyClicks(widget, ch), settle_ms=settle_ms)


def _profiler(name: str) -> Any:
    """FRAMES_PROFILE=part-of-a-name[,another] profiles the GUI thread during those actions (for finding causes)."""
    wanted = [w.strip().lower() for w in os.environ.get("FRAMES_PROFILE", "").split(",") if w.strip()]
    if not any(w in name.lower() for w in wanted):
        return None
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    return profile


def _dump(profile: Any, name: str) -> None:
    import io
    import pstats

    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
    folder = os.environ.get("FRAMES_PROFILE_DIR", "/tmp")
    safe = "".join(c if c.isalnum() else "_" for c in name)[:60]
    with open(os.path.join(folder, f"frames_{safe}.txt"), "a") as f:
        f.write(out.getvalue())
    # The raw profile of the newest run too, for reading further: python -m pstats FILE.prof
    profile.dump_stats(os.path.join(folder, f"frames_{safe}.prof"))


def _shown_refusals() -> str:
    """What the windows say went wrong (visible message lines), for an action that did not finish."""
    from PySide6.QtWidgets import QLabel

    texts = []
    for window in QApplication.topLevelWidgets():
        if window.isVisible():
            for label in window.findChildren(QLabel):
                name = label.objectName()
                if label.isVisible() and label.text() and ("error" in name or "general" in name or "message" in name):
                    texts.append(f"{name}: {label.text()[:160]}")
    return (": " + "; ".join(texts)) if texts else ""


def active_modal() -> QWidget | None:
    return QApplication.activeModalWidget()


def run_gui(url: str, plan_id: int, account_patient: int, rounds: int) -> dict[str, Any]:
    """The scenario: log in, search, open a patient, Ledger, Treatments, the biggest plan, its
    Transactions dialog (typing, OK, Save draft, Complete item), the aging report (open, refresh),
    a payment, print preview. Returns the figures."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if QApplication.instance() is None:
        QApplication([])
    rec = Recorder()

    from dentaldesk.app import Startup

    # --- the first window and logging in ------------------------------------------------------
    startup: Any = None

    def start() -> None:
        nonlocal startup
        startup = Startup(url)
        startup.start()

    rec.measure(
        "login window (first window), database opening",
        start,
        until=lambda: startup is not None and startup.login.login_button.isEnabled(),
    )
    login = startup.login
    login.username.setFocus()
    rec.keys("keystroke in the login window", login.username, "owner")
    login.password.setFocus()
    rec.keys("keystroke in the login window", login.password, "demo-owner")
    rec.measure(
        "log in -> main window (first window of the session)",
        login.login_button.click,
        until=lambda: startup.window is not None and startup.window.isVisible(),
    )
    window = startup.window
    if window is None:
        rec.errors["log in"] = startup.error or "no main window"
        return _result(rec)

    # --- patients --------------------------------------------------------------------------------
    from dentaldesk.services.patients.search import patient_header

    patients = window.patients
    words = ["smith", "garcia", "nguyen", "maria lo", "1042"]
    for word in words[: max(2, rounds + 1)]:
        patients.search.clear()
        spin(150)
        patients.search.setFocus()
        rec.keys("search, per keystroke (debounced search included)", patients.search, word, settle_ms=180)

    header = patient_header(window.ctx.uow(), window.ctx.user, account_patient)
    target_account = header.account_id

    def open_patient() -> None:
        QTest.keyClick(patients.search, Qt.Key.Key_Return)

    for _ in range(rounds):
        window.show_view(window.patients)
        patients.search.setText(header.patient_number)
        patients.run_search()
        spin(150)
        # The search chose its first match already: forget it, so that Enter chooses it again.
        window.patient, patients.chosen_id = None, None
        rec.measure(
            "open a patient (Enter in the search)",
            open_patient,
            until=lambda: window.patient is not None and window.patient.id == account_patient,
        )

    # --- ledger and treatments -------------------------------------------------------------------
    for _ in range(rounds):
        window.show_view(window.patients)
        spin(30)
        window.ledger.account_id = None
        rec.measure(
            "Ledger of the biggest account",
            window.nav_actions["Ledger"].trigger,
            until=lambda: window.ledger.account_id == target_account,
        )
    rec.facts["ledger rows shown"] = window.ledger.model.total_rows
    rec.facts["open claims shown"] = window.ledger.claims_model.total_rows

    for _ in range(rounds):
        window.show_view(window.patients)
        spin(30)
        rec.measure("Treatments, this patient", window.nav_actions["Treatments"].trigger)
        rec.measure("Treatments, whole office", lambda: window.treatments.whole_office.setChecked(True))
        rec.facts["office plans listed"] = window.treatments.model.total_rows

    # --- the biggest plan, its dialog ------------------------------------------------------------
    editor: Any = None

    def open_plan() -> None:
        nonlocal editor
        editor = window.treatments.open_plan(plan_id)

    rec.measure("open the biggest plan (first plan editor)", open_plan, until=lambda: editor is not None)
    rec.facts["plan items"] = len(editor.working.items)
    for _ in range(rounds - 1):
        editor.close()
        editor.deleteLater()
        spin(50)
        editor = None
        rec.measure("open the biggest plan", open_plan, until=lambda: editor is not None)  # noqa: B023

    planned = [k for k, item in editor.working.items.items() if not item.is_completed]
    dialog: Any = None

    def open_dialog() -> None:
        nonlocal dialog
        editor.select(planned[0])
        dialog = editor.edit_item()

    for n in range(rounds):
        rec.measure(
            "open the Transactions dialog" + (" (first)" if n == 0 else ""),
            open_dialog,
            until=lambda: dialog is not None and dialog.isVisible(),
        )
        if n < rounds - 1:
            dialog.reject()
            spin(30)
    fee = dialog.procedure.fee
    fee.setFocus()
    fee.selectAll()
    rec.keys("keystroke in the Transactions dialog (fee)", fee, "123.45")
    rec.measure("OK in the Transactions dialog", dialog.ok_button.click, until=lambda: not dialog.isVisible())
    rec.measure(
        "save (Save draft)", editor.chrome.save_action.trigger, until=lambda: not editor.undo_stack.count() or True
    )

    # complete the first item that may be completed
    from dentaldesk.ui.plans.status_flows import completion_refusal

    completable = [k for k in planned if completion_refusal(editor.working, k) is None]
    if completable:
        editor.select(completable[0])
        rec.measure(
            "complete: open Complete item",
            editor.chrome.complete_action.trigger,
            until=lambda: editor.dialog is not None and editor.dialog.isVisible(),
        )
        done_dialog = editor.dialog
        rec.measure("complete: OK (posts the charge)", done_dialog.ok_button.click, until=lambda: editor.dialog is None)
    else:
        rec.errors["complete"] = "no item of the plan can be completed"

    # --- memory with the plan, its dialog and the aging report open ------------------------------
    planned = [k for k, item in editor.working.items.items() if not item.is_completed]
    open_dialog()
    wait_until(lambda: dialog.isVisible())
    ledger = window.ledger
    window.show_view(ledger)
    spin(50)
    report: Any = None

    def open_report() -> None:
        nonlocal report
        ledger.report_button.click()
        report = ledger.report

    rec.measure(
        "open the office aging report (result shown)",
        open_report,
        until=lambda: report is not None and report.report is not None and not report.busy.isVisible(),
    )
    rec.facts["aging accounts"] = len(report.report.rows) if report.report else 0
    spin(300)
    rec.facts["memory: plan, its dialog and aging report open (MB RSS)"] = round(rss_mb(), 1)
    for _ in range(rounds):
        previous = report.report
        rec.measure(
            "refresh the aging report (a payment elsewhere)",
            lambda: window.ctx.changes.changed.emit("ledger"),
            until=lambda before=previous: report.report is not before and not report.busy.isVisible(),
        )
    report.close()
    dialog.reject()
    spin(50)

    # --- a payment in the Ledger ---------------------------------------------------------------
    for _ in range(rounds):
        window.show_view(ledger)
        rec.measure(
            "post a payment: open the dialog",
            ledger.pay_button.click,
            until=lambda: ledger.dialog is not None and ledger.dialog.isVisible(),
        )
        pay = ledger.dialog
        pay.amount.setFocus()
        rec.keys("keystroke in the payment dialog", pay.amount, "25.00")
        rec.measure("post a payment: OK", pay.action_button.click, until=lambda d=pay: not d.isVisible())

    # --- print preview -------------------------------------------------------------------------
    _print_preview(rec, editor)

    rec.facts["peak memory (MB RSS)"] = round(peak_rss_mb(), 1)
    editor.close()
    window.close()
    spin(50)
    return _result(rec)


def _print_preview(rec: Recorder, editor: Any) -> None:
    """Print preview on the plan: the handout is built and the preview window shows its pages
    (it opens with or without a printer installed)."""
    from dentaldesk.ui.plans import print_handout

    opened: list[Any] = []
    for n in range(2):
        opened.clear()
        rec.measure(
            "print preview (handout built, pages shown)" + (" (first)" if n == 0 else ""),
            lambda: opened.append(print_handout.print_plan(editor.ctx, editor, editor.plan_id)),
            until=lambda: bool(opened) and opened[-1] is not None and opened[-1].isVisible(),
            settle_ms=150,
        )
        if opened and opened[-1] is not None:
            rec.facts["print preview pages"] = len(opened[-1].page_labels)
            opened[-1].reject()
            opened[-1].deleteLater()


def _result(rec: Recorder) -> dict[str, Any]:
    return {"blocked": rec.blocked, "took": rec.took, "errors": rec.errors, "facts": rec.facts}
