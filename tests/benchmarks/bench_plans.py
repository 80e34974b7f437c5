"""Opening a big plan and re-totalling it on a fee edit (goals: <= 50 ms and <= 5 ms, median).

    python tests/benchmarks/bench_plans.py sqlite:////tmp/dd_large.sqlite3
    python tests/benchmarks/bench_plans.py URL --plan 123          # a given plan
    python tests/benchmarks/bench_plans.py URL --add-60-item-plan  # on a COPY of a smaller database

Measures, on the plan with the most items (the large practice has 60-item plans with
dependencies):

* ``load_plan``: reading the whole plan (items, links, approval, history) into a PlanView;
* a fee typed in the editor: the total recomputed from the working copy per keystroke (TP-7),
  and a fee edit committed (working copy changed, total, the row and its visit caption redrawn);
* for information, a full editor redraw (tree rebuilt) after an edit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import func, select

from dentaldesk.db.engine import make_engine
from dentaldesk.db.models import ItemPrerequisite, PlanItem, ProcedureCode, Provider, TreatmentPlan, User
from dentaldesk.demo import DEMO_PASSWORDS
from dentaldesk.domain.terms import PLAN_EDITOR_ROLES
from dentaldesk.services.access.login import login
from dentaldesk.services.plans import ItemInput, New, NewItem, PlanChanges, create_plan, load_plan, save_draft
from dentaldesk.services.uow import UnitOfWork

RUNS = 40


def median_ms(action, runs: int = RUNS, warm: int = 3) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    for _ in range(warm):
        action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def biggest_plan(uow: UnitOfWork) -> tuple[int, int, int]:
    """(plan id, items, links) of the plan with the most items, links breaking ties."""
    with uow:
        s = uow.session
        items = (
            select(PlanItem.plan_id, func.count(PlanItem.id).label("n"))
            .group_by(PlanItem.plan_id)
            .order_by(func.count(PlanItem.id).desc(), PlanItem.plan_id)
            .limit(20)
        )
        best = None
        for plan_id, n in s.execute(items):
            links = (
                s.scalar(
                    select(func.count(ItemPrerequisite.id))
                    .join(PlanItem, PlanItem.id == ItemPrerequisite.item_id)
                    .where(PlanItem.plan_id == plan_id)
                )
                or 0
            )
            if best is None or (n, links) > (best[1], best[2]):
                best = (plan_id, n, links)
        if best is None:
            raise SystemExit("The database holds no plan with items.")
        return best


def add_60_item_plan(uow: UnitOfWork) -> int:
    """A 60-item, 6-visit plan with a chain of links per visit, saved through the services."""
    with uow:
        s = uow.session
        user = s.scalar(select(User).where(User.role.in_([r.value for r in PLAN_EDITOR_ROLES])).order_by(User.id))
        name = user.username
        patient = s.scalar(select(TreatmentPlan.patient_id).limit(1))
        if patient is None:
            from dentaldesk.db.models import Patient

            patient = s.scalar(select(Patient.id).where(Patient.office_id == user.office_id).limit(1))
        provider = s.scalar(select(Provider.id).where(Provider.office_id == user.office_id, Provider.active.is_(True)))
        codes = [
            (code, requires_tooth)
            for code, requires_tooth in s.execute(
                select(ProcedureCode.code, ProcedureCode.requires_tooth)
                .where(
                    ProcedureCode.office_id == user.office_id,
                    ProcedureCode.active.is_(True),
                    ProcedureCode.requires_surface.is_(False),
                )
                .order_by(ProcedureCode.code)
            )
        ]
    actor = login(uow, name, DEMO_PASSWORDS[name], "benchmark")
    saved = create_plan(uow, actor, patient, "Benchmark: 60 items over 6 visits")
    added, linked = [], []
    for n in range(60):
        code, requires_tooth = codes[(n * 7) % len(codes)]
        tooth = str(1 + n % 32) if requires_tooth else ""
        added.append(NewItem(n + 1, ItemInput(code, tooth, provider_id=provider, visit=1 + n // 10)))
        if n % 10:
            linked.append((New(n + 1), New(n)))
    save_draft(
        uow, actor, saved.plan_id, PlanChanges(added=tuple(added), linked=tuple(linked)), expected_version=saved.version
    )
    return saved.plan_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--plan", type=int, help="the plan to open (default: the one with the most items)")
    parser.add_argument(
        "--add-60-item-plan",
        action="store_true",
        help="first save a 60-item plan with links in this database (use a copy)",
    )
    args = parser.parse_args()
    engine = make_engine(args.url)
    uow = UnitOfWork.for_engine(engine)
    if args.add_60_item_plan:
        plan_id = add_60_item_plan(uow)
        print(f"added plan {plan_id}")
    plan_id, items, links = biggest_plan(uow) if args.plan is None else (args.plan, 0, 0)
    reader = login(uow, "frontdesk", DEMO_PASSWORDS["frontdesk"], "benchmark")
    view = load_plan(uow, reader, plan_id)
    items, links = len(view.items), sum(len(r.prerequisites) for r in view.items)
    print(f"plan {plan_id}: {items} items, {links} prerequisite links, {len(view.history)} history rows")
    if items < 60:
        print(f"note: this plan has {items} items, fewer than the 60 of the goal")

    load_median, load_p95 = median_ms(lambda: load_plan(uow, reader, plan_id))
    print(f"load_plan:                    median {load_median:6.2f} ms, p95 {load_p95:6.2f} ms (goal <= 50 ms)")

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from dentaldesk.ui.plans.panels import TotalsBar
    from dentaldesk.ui.plans.plan_model import Grouping, PlanTreeModel
    from dentaldesk.ui.plans.working_copy import WorkingPlan

    app = QApplication.instance() or QApplication([])
    working = WorkingPlan.load(view)
    model = PlanTreeModel()
    model.grouping = Grouping.BY_VISIT
    model.rebuild(working, editable_fees=True)
    totals = TotalsBar()
    keys = [k for k, item in working.items.items() if not item.is_completed] or list(working.items)
    fees = [Decimal(f"{100 + n}.{n % 100:02d}") for n in range(len(keys))]
    state = {"n": 0}

    def keystroke() -> None:
        n = state["n"] = state["n"] + 1
        totals.show_total(working.total_with_fee(keys[n % len(keys)], fees[n % len(fees)]), typing=True)

    def commit() -> None:
        n = state["n"] = state["n"] + 1
        key = keys[n % len(keys)]
        working.replace_item(replace(working.item(key), fee=fees[n % len(fees)]))
        model.update_fee(working, key)
        totals.show_plan(working)

    def full_redraw() -> None:
        model.rebuild(working, editable_fees=True)

    typed_median, typed_p95 = median_ms(keystroke, runs=200)
    commit_median, commit_p95 = median_ms(commit, runs=200)
    redraw_median, redraw_p95 = median_ms(full_redraw)
    print(f"total while a fee is typed:   median {typed_median:6.3f} ms, p95 {typed_p95:6.3f} ms (goal <= 5 ms)")
    print(f"fee edit committed + totals:  median {commit_median:6.3f} ms, p95 {commit_p95:6.3f} ms (goal <= 5 ms)")
    print(f"full tree redraw (for info):  median {redraw_median:6.2f} ms, p95 {redraw_p95:6.2f} ms")
    model.deleteLater()
    totals.deleteLater()
    app.processEvents()


if __name__ == "__main__":
    main()
