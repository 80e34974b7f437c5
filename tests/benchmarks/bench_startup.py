"""Time from process start to a usable window, against a bare PySide6 window started the same way.

    python tests/benchmarks/bench_startup.py sqlite:////tmp/dd_large.sqlite3 [runs]

Each run starts a fresh Python process (offscreen Qt) and reads the moment it reports its window
shown and its event queue processed. Three figures:
  bare:   QApplication + an empty QMainWindow;
  login:  DentalDesk's start path up to the login window, ready for typing (the database opens
          behind it in a thread);
  main:   the login submitted (user "frontdesk" of the demo practice) to the main window shown,
          the database having loaded while the person typed (two seconds of an idle login
          window, not counted; the password is checked on a
          worker thread, so this waits for the main window to appear).
Goal: the usable first window at most 1.3x the bare window.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1180, 760); w.show(); app.processEvents()
print("ready", flush=True)
"""

APP = """
import sys, time
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from dentaldesk.app import Startup
s = Startup(sys.argv[1])
s.start(); app.processEvents()
print("ready", flush=True)
s.loader.wait(); app.processEvents()
# The person types user name and password (about two seconds, not counted): the window is idle.
typing = time.perf_counter() + 2.0
while time.perf_counter() < typing:
    app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)
s.login.username.setText("frontdesk"); s.login.password.setText("demo-front")
t = time.perf_counter()
s.login.login_button.click()
# The password is checked on a worker thread: the main window comes when it has answered.
while s.window is None and s.error is None and time.perf_counter() - t < 30:
    app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
app.processEvents()
assert s.window is not None and s.window.isVisible(), s.error
print(f"main {(time.perf_counter() - t) * 1000:.1f}", flush=True)
"""


def run(code: str, *args: str) -> tuple[float, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = (time.perf_counter() - start) * 1000
    assert line.strip() == "ready", line
    rest = proc.stdout.read()
    proc.wait()
    return elapsed, rest


def main(url: str, runs: int = 9) -> None:
    bare, login, main_ms = [], [], []
    for _ in range(runs):
        bare.append(run(BARE)[0])
        elapsed, rest = run(APP, url)
        login.append(elapsed)
        main_ms.append(float(rest.split()[1]))
    b, lg, m = statistics.median(bare), statistics.median(login), statistics.median(main_ms)
    print(f"runs: {runs}")
    print(f"bare PySide6 window:        {b:.0f} ms")
    print(f"DentalDesk login window:    {lg:.0f} ms  ({lg / b:.2f}x bare; goal <= 1.3x)")
    print(f"Log in -> main window:      {m:.0f} ms  (password check included)")
    print(f"start -> main window, no typing time: {lg + m:.0f} ms ({(lg + m) / b:.2f}x bare)")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 9)
