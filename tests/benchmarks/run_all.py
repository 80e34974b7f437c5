"""Run every benchmark in this folder on one database and print their figures.

python tests/benchmarks/run_all.py sqlite:////tmp/dd_large.sqlite3
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(url: str) -> int:
    failed = 0
    # bench_frames.py makes and runs its own databases (SQLite and PostgreSQL, two sizes): run it
    # on its own (tests/benchmarks/README.md).
    for script in sorted(p for p in HERE.glob("bench_*.py") if p.name != "bench_frames.py"):
        print(f"== {script.stem}", flush=True)
        result = subprocess.run([sys.executable, str(script), url])
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
