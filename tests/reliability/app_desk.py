"""A whole DentalDesk workstation in its own process: a QApplication (offscreen) with the main window
open on a patient, driven by lines on stdin, for the two-application live refresh test (DATA-7).

    python tests/reliability/app_desk.py URL IDS.json USER PASSWORD WORKSTATION

It logs in, opens the main window on the practice's patient, waits until it hears other
workstations, and says "ready". Then, one command a line, each answered with one line:

* ``shot PATH``: the main window (and an open patient dialog beside it) to a PNG; "done".
* ``watch PHONE SECONDS``: runs the event loop until the header's patient has that phone; answers
  "seen <time.time()>" or "timeout". "watching" is printed first, once the loop runs.
* ``edit_phone PHONE``: Edit patient..., types the phone over the old one, Save, the way a person
  does; answers "saved <time.time()>" once the save returned and the dialog closed.
* ``quit``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DENTALDESK_TEST_CHEAP_HASHES", "1")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from scenario import Ids  # noqa: E402

from dentaldesk import clock  # noqa: E402
from dentaldesk.db.engine import make_engine  # noqa: E402
from dentaldesk.services.access.login import login  # noqa: E402
from dentaldesk.services.uow import UnitOfWork  # noqa: E402

clock.set_clock(clock.dt.datetime(2026, 5, 12, 12, 0, tzinfo=clock.dt.UTC))


def _pump_until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if condition():
            return True
        QTest.qWait(5)
    return condition()


def main(url: str, ids_file: str, user: str, password: str, workstation: str) -> None:
    from dentaldesk.ui.kit.context import AppContext
    from dentaldesk.ui.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    ids = Ids.load(Path(ids_file))
    engine = make_engine(url)
    actor = login(UnitOfWork.for_engine(engine), user, password, workstation)
    window = MainWindow(AppContext(engine=engine, database=url, actor=actor))
    window.setWindowTitle(f"DentalDesk - {workstation}")
    window.resize(1200, 640)
    window.show()
    assert window.live.wait_ready(), "live refresh did not start"
    window.choose_patient(ids.patient_id)
    view = window.patients
    _pump_until(lambda: view.edit_button.isEnabled(), 5)
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command = words[0]
        if command == "quit":
            break
        if command == "shot":
            QTest.qWait(50)  # what was just shown, laid out
            window.grab().save(words[1])
            dialog = getattr(view, "patient_dialog", None)
            if dialog is not None and dialog.isVisible():
                dialog.grab().save(words[1].replace(".png", "_dialog.png"))
            print("done", flush=True)
        elif command == "watch":
            phone, seconds = words[1], float(words[2])
            print("watching", flush=True)
            seen = _pump_until(
                lambda phone=phone: window.patient is not None and window.patient.phone == phone, seconds
            )
            print(f"seen {time.time()}" if seen else "timeout", flush=True)
        elif command == "edit_phone":
            QTest.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
            dialog = view.patient_dialog
            _pump_until(dialog.isVisible, 5)
            dialog.phone.selectAll()
            QTest.keyClick(dialog.phone, Qt.Key.Key_Delete)
            QTest.keyClicks(dialog.phone, words[1])
            QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
            saved = time.time()
            closed = _pump_until(lambda dialog=dialog: not dialog.isVisible(), 5)
            print(f"saved {saved}" if closed else f"refused {dialog.conflict.text.text()}", flush=True)
        else:
            print(f"unknown {command}", flush=True)
    window.live.stop()
    window.close()
    app.processEvents()
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
