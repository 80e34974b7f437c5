"""The PyInstaller bundle builds and runs). Marked slow; CI runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dentaldesk import __version__

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bundle_builds_and_runs_version_and_demo_create(tmp_path: Path) -> None:
    """The one-folder bundle prints its version and creates the demo practice on a temp database."""
    build = subprocess.run(
        [
            sys.executable,
            str(ROOT / "installer" / "build.py"),
            "--dist",
            str(tmp_path / "dist"),
            "--work",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    exe = tmp_path / "dist" / "dentaldesk" / "dentaldesk"
    env = {k: v for k, v in os.environ.items() if k != "DENTALDESK_DATABASE_URL"}
    env["DENTALDESK_HOME"] = str(tmp_path / "home")

    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=120, env=env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"DentalDesk {__version__}"

    db = tmp_path / "bundle-demo.sqlite3"
    demo = subprocess.run(
        [str(exe), "demo", "create", "--url", f"sqlite:///{db}"], capture_output=True, text=True, timeout=600, env=env
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Demo practice created" in demo.stdout
    assert db.stat().st_size > 100_000

    # The bundle checks the machine before Qt loads: without a desktop, one line instead of an abort.
    headless = {k: v for k, v in env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    start = subprocess.run([str(exe), "--demo"], capture_output=True, text=True, timeout=120, env=headless)
    if sys.platform.startswith("linux"):
        assert start.returncode == 1, start.stdout + start.stderr
        assert start.stderr.splitlines() == [
            "dentaldesk: DentalDesk needs a desktop session to show its window, and there is none here "
            "(DISPLAY is not set). Start it from the desktop, or over ssh with 'ssh -X'."
        ]
