"""Time from process start to a usable window, against a bare PySide6 window started the same way.

    python tests/benchmarks/bench_startup.py sqlite:////tmp/dd_large.sqlite3 [runs]

Each run starts a fresh Python process (offscreen Qt) and reads the moment it reports its window
shown and its event queue processed. Three figures:
  bare:   QApplication + an empty QMainWindow;
  login:  DentalDesk's start path up to the login window, ready for typing (the database opens
          behind it in a thread);
  main:   the login submitted (user "frontdesk" of the demo practice) to the main window shown,
          the database having loaded while the person typed.
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
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from dentaldesk.app import Startup
s = Startup(sys.argv[1])
s.start(); app.processEvents()
print("ready", flush=True)
s.loader.wait(); app.processEvents()
s.login.username.setText("frontdesk"); s.login.password.setText("demo-front")
t = time.perf_counter()
s.login.login_button.click()
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
