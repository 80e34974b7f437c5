"""Patient search per keystroke on the large practice (goal: median <= 10 ms).

python tests/benchmarks/bench_search.py sqlite:////tmp/dd_large.sqlite3
"""

from __future__ import annotations

import statistics
import sys
import time

from sqlalchemy import func, select

from dentaldesk.db.engine import make_engine
from dentaldesk.db.models import Patient
from dentaldesk.demo import DEMO_PASSWORDS
from dentaldesk.services.access.login import login
from dentaldesk.services.patients.search import search_patients
from dentaldesk.services.uow import UnitOfWork

# What people type, keystroke by keystroke: last names, first + last, IDs, birth dates.
TYPED = ["smith", "johnson", "garcia", "maria lo", "nguyen", "brown, j", "1042", "20417", "o'", "williams"]


def keystrokes(word: str) -> list[str]:
    return [word[: n + 1] for n in range(len(word))]


def main(url: str) -> None:
    engine = make_engine(url)
    uow = UnitOfWork.for_engine(engine)
    actor = login(uow, "frontdesk", DEMO_PASSWORDS["frontdesk"], "benchmark")  # reads as the desk does (SEC-3)
    with uow:
        patients = uow.session.scalar(select(func.count(Patient.id))) or 0
        birth = uow.session.scalar(select(Patient.birth_date).order_by(Patient.id).offset(5000).limit(1))
    typed = [*TYPED, birth.isoformat()]
    for prefix in keystrokes("smith"):  # warm the cache the way a running app has it warm
        search_patients(uow, actor, prefix)
    times: list[float] = []
    for word in typed:
        for prefix in keystrokes(word):
            start = time.perf_counter()
            search_patients(uow, actor, prefix)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"patients in database: {patients:,}")
    print(f"keystrokes searched:  {len(times)}")
    print(f"median per keystroke: {statistics.median(times):.2f} ms (goal <= 10 ms)")
    print(f"p95 per keystroke:    {p95:.2f} ms; worst {times[-1]:.2f} ms")


if __name__ == "__main__":
    main(sys.argv[1])
