"""Build the one-folder bundle: python installer/build.py [--dist DIR] [--work DIR].

The bundle lands in DIR/dentaldesk/ (default: dist/dentaldesk/ under the checkout) and runs as
DIR/dentaldesk/dentaldesk[.exe]; copy that folder to a workstation, or wrap it in the platform's
installer. Needs the test extras (`pip install -e ".[test]"`), which bring PyInstaller.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
    print(build(args.dist, args.work))


if __name__ == "__main__":
    main()
