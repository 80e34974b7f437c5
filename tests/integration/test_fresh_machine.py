"""The README's two set-up commands, read from README.md, on a fresh Debian 12 machine.

The slow test builds (once, then from a cache) a ``debootstrap --variant=minbase bookworm`` root
with only python3, copies the checkout and the host's registry settings in, and runs there, as
a new user would:

1. ``python3 -m venv .venv`` by hand first, which fails on such a machine and leaves a half-made
   .venv/ behind (what the old README led to);
2. the README's demo command: the login window must come up on an X server (Xvfb) and the app
   must keep running once the demo practice is built;
3. the README's test command, given the files of INSIDE_SELECTION (extra arguments go to pytest,
   as the README says): everything the set-up installs is used by one of them, and they must pass
   inside the root; its own copy of this test sees DENTALDESK_INSIDE_FRESH_MACHINE and skips with
   that reason, so it does not start again. The rest of the suite runs outside, in the same CI run;
   running it twice would prove no more about the set-up and double CI's time;
4. the demo command once more, after the tests (the other order).

It needs root (chroot and mounts), debootstrap, Xvfb and xwininfo, which .ci/run installs; where
they are missing it skips with the reason, and fails instead under CI=true.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from fresh_root import INSIDE_ENV, FreshRoot, base_root_tar

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DEMO_LABEL = "**Start the app on the demo practice:**"
TEST_LABEL = "**Run the tests:**"
LOGIN_TITLE = '"DentalDesk - Log in"'
DATA_IN_ROOT = "root/.local/share/DentalDesk"

# The tests the README's test command runs inside the fresh root: each needs a part of what the
# set-up installs, so together they fail if bootstrap.py misses any of it.
INSIDE_SELECTION = (
    "tests/unit",  # the pure rules, hypothesis
    "tests/test_architecture.py",  # ruff, mypy, lint-imports
    "tests/integration/test_bootstrap.py",  # the set-up script itself
    "tests/integration/test_migrations.py",  # Alembic on SQLite and the private PostgreSQL
    "tests/integration/test_migration_fixtures.py",
    "tests/integration/test_postgres.py",  # psycopg and the PostgreSQL server .ci/run starts
    "tests/integration/test_pg_roles.py",
    "tests/integration/test_backups.py",  # pg_dump and pg_restore, two processes on one file
    "tests/integration/test_handout.py",  # reportlab, the fonts, pdftoppm
    "tests/integration/test_mail.py",  # aiosmtpd
    "tests/ui/test_login.py",  # Qt on the offscreen platform, Argon2
    "tests/ui/test_print_handout.py",  # QtPdf, the print preview
    "tests/ui/test_keyboard_morning.py",  # pytest-qt, a whole front-desk story
    "tests/ui/test_two_app_processes.py",  # two app processes on one database
    "tests/integration/test_fresh_machine.py",  # must skip inside, with its reason
)


def readme_command(text: str, label: str) -> str:
    """The one-line ```sh block that follows ``label`` in the README's set-up section."""
    section = text.split("## Set-up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    after = section.split(label, 1)[1]
    block = re.search(r"```sh\n(.*?)```", after, re.DOTALL)
    assert block, f"no ```sh block after {label} in README.md"
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) == 1, f"the command after {label} must be one line, not {lines}"
    return lines[0].strip()


def test_readme_set_up_commands_are_one_line_each() -> None:
    """The set-up section holds the demo and the test command, one line each, both through bootstrap."""
    text = README.read_text(encoding="utf-8")
    demo, tests = readme_command(text, DEMO_LABEL), readme_command(text, TEST_LABEL)
    assert demo.startswith("python3 installer/bootstrap.py") and demo.endswith("--demo")
    assert tests == "bash .ci/run"
    assert all((ROOT / path).exists() for path in INSIDE_SELECTION), "INSIDE_SELECTION names a missing file"
    assert "installer/bootstrap.py --tests" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def why_it_cannot_run() -> str | None:
    if os.environ.get(INSIDE_ENV):
        return (
            f"this is the fresh-machine test's own inner run ({INSIDE_ENV} is set): "
            "the README's test command inside the root does not start the fresh-machine test again"
        )
    if not sys.platform.startswith("linux") or not shutil.which("apt-get"):
        return "the fresh-machine test needs a Debian or Ubuntu host"
    if os.geteuid() != 0:
        return "the fresh-machine test needs root (debootstrap, chroot and mounts); run .ci/run as root"
    absent = [tool for tool in ("debootstrap", "unshare", "chroot", "Xvfb", "xwininfo") if not shutil.which(tool)]
    if absent:
        return f"the fresh-machine test needs {', '.join(absent)} (installer/bootstrap.py --tests installs them)"
    return None


class Run:
    """A command inside the root, its output kept with the second each line came at."""

    def __init__(self, root: FreshRoot, name: str, shell_command: str, log: Path) -> None:
        self.name, self.shell_command, self.log = name, shell_command, log
        self.lines: list[str] = []
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            root.command(shell_command),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        with open(self.log, "a", encoding="utf-8") as out:
            out.write(f"$ {self.shell_command}\n")
            for raw in self.process.stdout:
                line = raw.decode("utf-8", errors="replace").rstrip("\n")
                self.lines.append(line)
                out.write(f"[{self.elapsed():7.1f}s] {line}\n")
                out.flush()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait(self, timeout: float) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail(f"{self.name} did not finish in {timeout:.0f} s; see {self.log}\n{self.tail()}")
        self._reader.join(timeout=30)
        return code

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Kill the namespace's first process: --kill-child takes everything inside with it."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)
        self._reader.join(timeout=30)

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.lines[-n:])


def windows(display: str) -> str:
    done = subprocess.run(
        ["xwininfo", "-display", display, "-root", "-tree"], capture_output=True, text=True, timeout=30
    )
    return done.stdout


def wait_for_window(run: Run, display: str, timeout: float) -> float:
    while run.elapsed() < timeout:
        if LOGIN_TITLE in windows(display):
            return run.elapsed()
        if not run.alive():
            pytest.fail(
                f"{run.name} ended (exit code {run.process.returncode}) before its window came up:\n{run.tail()}"
            )
        time.sleep(1)
    run.stop()
    pytest.fail(f"{run.name}: no DentalDesk window after {timeout:.0f} s:\n{run.tail()}")


def screenshot(display: str, path: Path) -> None:
    """The whole X screen as PNG, taken with the host's Qt on the xcb platform."""
    grab = (
        "import sys; from PySide6.QtGui import QGuiApplication; app = QGuiApplication([]); "
        "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)"
    )
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run([sys.executable, "-c", grab, str(path)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and path.exists(), done.stderr


def demo_patients(database: Path) -> int:
    """Patients in the demo database, read without writing (0 while it is still being made)."""
    if not database.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as conn:
            return conn.execute("SELECT count(*) FROM patient").fetchone()[0]
    except sqlite3.Error:
        return 0


def run_demo(
    root: FreshRoot, command: str, log: Path, shot: Path, *, timeout: float, keep: float = 30
) -> tuple[float, float]:
    """Start the demo command; return (seconds until the login window, seconds it then kept running).

    The demo practice is built behind the login window; the database is read only after the app
    has stopped, so that this test is no second process on the file while it is being made."""
    assert root.display is not None
    run = Run(root, "the demo command", command, log)
    try:
        window_at = wait_for_window(run, root.display, timeout)
        steady = time.monotonic()
        time.sleep(keep)
        shown = windows(root.display)
        assert run.alive(), f"the app stopped after its window came up:\n{run.tail()}"
        assert LOGIN_TITLE in shown, f"the login window went away:\n{shown}"
        assert '"DentalDesk cannot start"' not in shown, f"the app could not open its database:\n{run.tail()}"
        screenshot(root.display, shot)
        kept = time.monotonic() - steady
    finally:
        run.stop()
    assert not any(line.startswith("dentaldesk:") for line in run.lines), run.tail()
    assert demo_patients(root.path / DATA_IN_ROOT / "demo.sqlite3") == 40, (
        "the demo practice (40 patients) was not made"
    )
    return window_at, kept


@pytest.fixture
def fresh_machine_host() -> None:
    """Skips (with the reason) where the test cannot run; under CI=true that is a failure."""
    reason = why_it_cannot_run()
    if reason:
        if os.environ.get("CI") and not os.environ.get(INSIDE_ENV):
            pytest.fail(f"CI=true, yet {reason}")
        pytest.skip(reason)


@pytest.fixture
def xvfb(fresh_machine_host: None):
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number.isdigit(), "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=30)


@pytest.mark.slow
def test_readme_commands_work_on_a_fresh_debian_12_machine(tmp_path: Path, xvfb: str, shots: Path, capsys) -> None:
    """A minimal Debian 12 with only python3: the README's demo command brings the window up and keeps
    it running, and its test command installs everything and passes the tests of INSIDE_SELECTION,
    in either order."""
    text = README.read_text(encoding="utf-8")
    demo_command, test_command = readme_command(text, DEMO_LABEL), readme_command(text, TEST_LABEL)
    log = tmp_path / "fresh-machine.log"
    report: list[str] = []

    started = time.monotonic()
    tar, cached = base_root_tar(log)
    report.append(
        f"base root {'from the cache' if cached else 'built with debootstrap'}: {tar} ({time.monotonic() - started:.0f} s)"
    )
    started = time.monotonic()
    root = FreshRoot.unpack(tar, tmp_path / "root", ROOT)
    root.display = xvfb
    report.append(f"root unpacked, settings and checkout copied in ({time.monotonic() - started:.0f} s)")
    try:
        first_try = Run(root, "python3 -m venv by hand", "python3 -m venv .venv", log)
        assert first_try.wait(120) != 0, "python3 -m venv worked: this root is not a fresh minimal Debian"
        assert (root.path / "root/dentaldesk/.venv").is_dir()
        report.append("python3 -m venv .venv by hand: failed as on a fresh machine, leaving a half-made .venv/")

        window_at, kept = run_demo(root, demo_command, log, shots / "fresh_machine_demo.png", timeout=1500)
        report.append(
            f"demo command `{demo_command}`: login window up after {window_at:.0f} s, kept running {kept:.0f} s more"
        )

        tests = Run(root, "the test command", f"{test_command} {' '.join(INSIDE_SELECTION)}", log)
        code = tests.wait(3600)
        summary = next((line for line in reversed(tests.lines) if re.search(r"\d+ (passed|failed)", line)), "")
        assert code == 0, f"the README's test command failed (exit {code}) inside the root:\n{tests.tail(80)}"
        assert re.search(r"\d+ passed", summary) and "failed" not in summary and "error" not in summary, summary
        inner_skip = [line for line in tests.lines if line.startswith("SKIPPED") and INSIDE_ENV in line]
        assert len(inner_skip) == 1, "the inner run must skip the fresh-machine test, with its reason"
        report.append(f"test command `{test_command}`: exit 0 in {tests.elapsed():.0f} s: {summary.strip('= ')}")

        again_at, kept = run_demo(root, demo_command, log, shots / "fresh_machine_demo_after_tests.png", timeout=600)
        report.append(
            f"demo command again, after the tests: window up after {again_at:.0f} s, kept running {kept:.0f} s more"
        )
    finally:
        with capsys.disabled():
            print(f"\n== fresh Debian 12 machine (log: {log})", *report, sep="\n   ")
        shutil.rmtree(root.path, ignore_errors=True)
