"""Build the one-folder bundle: python installer/build.py [--dist DIR] [--work DIR].

The bundle lands in DIR/dentaldesk/ (default: dist/dentaldesk/ under the checkout) and runs as
DIR/dentaldesk/dentaldesk[.exe]; copy that folder to a workstation, or wrap it in the platform's
installer. Needs the test extras, which bring PyInstaller, and on Linux binutils (PyInstaller
reads shared libraries with objdump): from a fresh checkout, `python3 installer/bootstrap.py
--tests` installs both. What the bundle needs from the machine it runs on is checked when it
starts (dentaldesk/system_check.py), and listed in README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


SETUP = "python3 installer/bootstrap.py --tests"


def missing_tools() -> str | None:
    """What the build lacks, as one sentence that says how to get it; None when nothing."""
    if importlib.util.find_spec("PyInstaller") is None:
        return f"PyInstaller is not installed in {sys.prefix}; run '{SETUP}' and build with .venv/bin/python."
    if sys.platform.startswith("linux") and shutil.which("objdump") is None:
        return f"PyInstaller needs objdump (Debian/Ubuntu package binutils); run '{SETUP}'."
    return None


def build(dist: Path, work: Path) -> Path:
    import PyInstaller.__main__

    PyInstaller.__main__.run(
        [
            str(ROOT / "installer" / "dentaldesk.spec"),
            "--noconfirm",
            "--clean",
            "--log-level=WARN",
            f"--distpath={dist}",
            f"--workpath={work}",
        ]
    )
    exe = dist / "dentaldesk" / ("dentaldesk.exe" if sys.platform == "win32" else "dentaldesk")
    if not exe.exists():
        raise SystemExit(f"build failed: {exe} was not made")
    return exe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build")
    args = parser.parse_args()
    problem = missing_tools()
    if problem:
        raise SystemExit(f"build: {problem}")
    print(build(args.dist, args.work))


if __name__ == "__main__":
    main()
