"""Building the patient handout of a 40-item plan (goal: median <= 150 ms).

    python tests/benchmarks/bench_handout.py [URL]

The 40-item plan (with insurance, an approval and a drawn signature) is written to a temporary
SQLite database, so the figure does not depend on which plans a database happens to hold; the URL
that run_all.py passes is accepted and not used. Measured: reading the plan's handout model
(load_handout, with the insurance estimate) plus building the PDF (build_handout_pdf), which is
what Print, Save as PDF, Send to patient and the CLI each do; and the PDF build alone.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for handout_plans

from handout_plans import add_plan, long_plan, make_office

from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade
from dentaldesk.domain.terms import ApprovalMethod, PlanStatus
from dentaldesk.printing.handout import build_handout_pdf
from dentaldesk.services.access.login import login
from dentaldesk.services.plans.handout import load_handout
from dentaldesk.services.uow import UnitOfWork

ITEMS = 40
RUNS = 30
GOAL_MS = 150


def main(url: str | None = None) -> int:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        upgrade(engine)
        uow = UnitOfWork.for_engine(engine)
        office = make_office(uow)
        actor = login(uow, "front", "front-pass-1", "benchmark")  # the front desk user make_office adds
        plan_id = add_plan(
            uow,
            office,
            long_plan(ITEMS),
            title="Full mouth rehabilitation",
            status=PlanStatus.APPROVED,
            approve=ApprovalMethod.SIGNED_AT_DESK,
            completed=10,
        )
        handout = load_handout(uow, actor, plan_id)
        pages = build_handout_pdf(handout).count(b"/Type /Page\n")  # warm fonts and imports
        total: list[float] = []
        build: list[float] = []
        for _ in range(RUNS):
            start = time.perf_counter()
            handout = load_handout(uow, actor, plan_id)
            loaded = time.perf_counter()
            build_handout_pdf(handout)
            done = time.perf_counter()
            total.append((done - start) * 1000)
            build.append((done - loaded) * 1000)
        engine.dispose()
    median = statistics.median(total)
    print(f"handout of a {ITEMS}-item plan ({pages} pages), {RUNS} runs")
    print(f"median load + build: {median:.1f} ms (goal <= {GOAL_MS} ms); worst {max(total):.1f} ms")
    print(f"median PDF build alone: {statistics.median(build):.1f} ms")
    return 0 if median <= GOAL_MS else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else None))
