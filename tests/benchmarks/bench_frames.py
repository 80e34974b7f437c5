"""No freeze: every front-desk action within a frame budget, on SQLite and PostgreSQL, 10k and 100k patients.

    python tests/benchmarks/bench_frames.py --data /work/large                 # SQLite and PostgreSQL, 100k
    python tests/benchmarks/bench_frames.py --data DIR --size both --repeat 3  # and 10k, three rounds
    python tests/benchmarks/bench_frames.py --data DIR --db sqlite --size 10k  # one of them

What it measures, in one run with the configurations interleaved (each round runs every
database and size in turn, so a busy moment of the machine falls on all of them alike):

* GUI-thread blocking (frames_gui.py): the real windows (login, main window, Patients, Ledger,
  Treatments, plan editor, Patient Transactions dialog, payment dialog, office aging report,
  print preview) driven as a person would, each action started from the event loop; a 2 ms
  heartbeat timer on the GUI thread gives the longest time the event loop was blocked during the
  action. Goal: 50 ms (100 ms for the first window of a session: the login window and the main
  window after Log in).
* Service time against the plain-SQL floor for the same rows (frames_service.py), interleaved
  call by call. Goal: within 2x (aging within 1.5x).
* Per-account and per-plan views at 10k against 100k patients (goal: within 1.3x), PostgreSQL
  against SQLite (goal: within 2x), memory with the biggest plan, its dialog and the aging report
  open (goal: under 250 MB), and start to usable main window against a bare PySide6 window
  started the same way, typing excluded (goal: within 1.5x; bench_startup.py's processes).

The databases live in ``--data`` (made when missing, and made again when dentaldesk/demo has
changed since: a stamp file beside each keeps the generator's hash): ``sqlite/dd_large.sqlite3``
(100k), ``sqlite/dd_10k.sqlite3``, and a private PostgreSQL server in ``pg/`` on 127.0.0.1 (pg_server.py) with
the databases ``dd_large`` and ``dd_10k``. Every run works on a fresh copy (the actions save,
complete an item and post payments), so the figures do not drift from run to run. Building the
100k practice takes a few minutes per database. Not part of the pass/fail suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

SIZES = {"100k": ("dd_large", 1.0), "10k": ("dd_10k", 0.1)}
BLOCK_GOAL_MS = 50.0
FIRST_WINDOW_GOAL_MS = 100.0
FIRST_WINDOWS = ("login window", "log in -> main window")
FLOOR_GOAL = 2.0
AGING_FLOOR_GOAL = 1.5
SIZE_GOAL = 1.3
PG_GOAL = 2.0
MEMORY_GOAL_MB = 250.0
STARTUP_GOAL = 1.5
# The views whose cost must not grow with the office: one account, one patient, one plan.
PER_RECORD = (
    "open a patient (Enter in the search)",
    "Ledger of the biggest account",
    "Treatments, this patient",
    "open the biggest plan",
    "open the Transactions dialog",
    "keystroke in the Transactions dialog (fee)",
)
PER_RECORD_SERVICES = (
    "Ledger of the biggest account",
    "Treatments, this patient",
    "open the biggest plan (load_plan)",
    "Transactions dialog reads",
)


# --- databases -------------------------------------------------------------------------------------


def demo_hash() -> str:
    """The generator's fingerprint: a change to dentaldesk/demo makes the databases again."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "dentaldesk" / "demo").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


BUILD = """
import sys
from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade
from dentaldesk.demo import create_demo_practice
engine = make_engine(sys.argv[1])
upgrade(engine)
last = [0.0]
def report(stage, done, total):
    import time
    if time.time() - last[0] > 10 or done == total:
        last[0] = time.time()
        print(f"  {stage}: {done:,}/{total:,}", flush=True)
summary = create_demo_practice(engine, size="large", scale=float(sys.argv[2]), progress=report)
print(f"  {summary.patients:,} patients, {summary.ledger_rows:,} ledger rows in {summary.seconds:.0f} s", flush=True)
"""

UPGRADE = """
import sys
from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import is_current, upgrade
engine = make_engine(sys.argv[1])
if not is_current(engine):
    upgrade(engine)
# Each demo user logs in once, as an office does after an upgrade: a password hash made with
# older Argon2 parameters is made again at login, so the measured logins check current hashes.
from dentaldesk.demo import DEMO_PASSWORDS
from dentaldesk.services.access.login import login
from dentaldesk.services.uow import UnitOfWork
for name, password in DEMO_PASSWORDS.items():
    login(UnitOfWork.for_engine(engine), name, password, "benchmark set-up")
"""


def python(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], check=check, text=True, cwd=ROOT)


class Databases:
    def __init__(self, data: Path, use_pg: bool) -> None:
        self.data = data
        # SQLite files in a folder of their own: DentalDesk makes a database's folder private
        # (SEC-6), which must not shut the PostgreSQL server out of its own folder beside it.
        self.lite = data / "sqlite"
        self.lite.mkdir(exist_ok=True)
        self.server: Any = None
        if use_pg:
            from pg_server import PrivateServer

            self.server = PrivateServer(data / "pg").start()

    def stamp(self, db: str, name: str) -> Path:
        return self.data / f"{db}_{name}.stamp"

    def master_url(self, db: str, name: str) -> str:
        if db == "sqlite":
            return f"sqlite:///{self.lite / (name + '.sqlite3')}"
        return self.server.url(name)

    def ensure(self, db: str, size: str) -> None:
        name, scale = SIZES[size]
        stamp = self.stamp(db, name)
        fresh = stamp.exists() and stamp.read_text().strip() == demo_hash()
        present = (self.lite / f"{name}.sqlite3").exists() if db == "sqlite" else self.server.exists(name)
        if fresh and present:
            python("-c", UPGRADE, self.master_url(db, name))  # a newer migration: upgrade in place
            return
        print(f"== building the {size} practice on {db} ({'demo code changed' if present else 'missing'})", flush=True)
        if db == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                (self.lite / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
        else:
            self.server.psql(f"DROP DATABASE IF EXISTS {name}")
            self.server.psql(f"CREATE DATABASE {name}")
        python("-c", BUILD, self.master_url(db, name), str(scale))
        stamp.write_text(demo_hash())

    def working_copy(self, db: str, size: str) -> str:
        """A fresh copy of the practice for one run (its actions write)."""
        name, _scale = SIZES[size]
        if db == "sqlite":
            target = self.lite / f"run_{name}.sqlite3"
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            master = self.lite / f"{name}.sqlite3"
            with sqlite3.connect(master) as conn:  # everything in the main file before it is copied
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(master, target)
            return f"sqlite:///{target}"
        run = f"run_{name}"
        self.server.psql(f"DROP DATABASE IF EXISTS {run}")
        self.server.psql(f"CREATE DATABASE {run} TEMPLATE {name}")
        return self.server.url(run)

    def drop_copies(self) -> None:
        for name, _ in SIZES.values():
            for suffix in ("", "-wal", "-shm"):
                Path(self.lite / f"run_{name}.sqlite3{suffix}").unlink(missing_ok=True)
            if self.server is not None:
                self.server.psql(f"DROP DATABASE IF EXISTS run_{name}")

    def close(self) -> None:
        self.drop_copies()
        if self.server is not None:
            self.server.stop()


# --- one measured run (a child process) -------------------------------------------------------------


def targets(url: str) -> dict[str, int]:
    """The biggest editable plan (most items; approved and with most items still to do first) and
    the account with the most ledger rows, and that account's guarantor."""
    from sqlalchemy import case, func, select

    from dentaldesk.db.engine import make_engine
    from dentaldesk.db.models import Account, LedgerTransaction, PlanItem, TreatmentPlan
    from dentaldesk.domain.terms import ItemStatus, PlanStatus

    engine = make_engine(url)
    with engine.connect() as conn:
        plan_id = conn.scalar(
            select(PlanItem.plan_id)
            .join(TreatmentPlan, TreatmentPlan.id == PlanItem.plan_id)
            .where(TreatmentPlan.status.in_([PlanStatus.APPROVED, PlanStatus.DRAFT]))
            .group_by(PlanItem.plan_id)
            .having(func.sum(case((PlanItem.status == ItemStatus.PLANNED, 1), else_=0)) > 0)
            .order_by(
                func.count(PlanItem.id).desc(),  # the biggest plan; approved, so an item can be completed
                func.max(case((TreatmentPlan.status == PlanStatus.APPROVED, 1), else_=0)).desc(),
                func.sum(case((PlanItem.status == ItemStatus.PLANNED, 1), else_=0)).desc(),
                PlanItem.plan_id,
            )
            .limit(1)
        )
        account_id = conn.scalar(
            select(LedgerTransaction.account_id)
            .group_by(LedgerTransaction.account_id)
            .order_by(func.count().desc(), LedgerTransaction.account_id)
            .limit(1)
        )
        patient_id = conn.scalar(select(Account.guarantor_id).where(Account.id == account_id))
    engine.dispose()
    return {"plan_id": int(plan_id), "account_id": int(account_id), "patient_id": int(patient_id)}


def child(url: str, rounds: int, runs: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    load_before = os.getloadavg()[0]
    aim = targets(url)
    from frames_service import run_services

    services = run_services(url, aim["plan_id"], aim["account_id"], aim["patient_id"], runs)
    from frames_gui import run_gui

    gui = run_gui(url, aim["plan_id"], aim["patient_id"], rounds)
    result = {**gui, **services, "targets": aim, "load": [load_before, os.getloadavg()[0]]}
    print("RESULT " + json.dumps(result), flush=True)


def run_child(url: str, rounds: int, runs: int) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_LOGGING_RULES="qt.qpa.*=false")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", url, "--rounds", str(rounds), "--runs", str(runs)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
    raise SystemExit(f"the measured run on {url} failed (exit {proc.returncode})")


def startup_runs(url: str, runs: int) -> dict[str, list[float]]:
    """bench_startup.py's processes, bare and ours alternating."""
    from bench_startup import APP, BARE, run

    bare, login, main = [], [], []
    for _ in range(runs):
        bare.append(run(BARE)[0])
        elapsed, rest = run(APP, url)
        login.append(elapsed)
        main.append(float(rest.split()[1]))
    return {"bare": bare, "login": login, "main": main}


# --- the table -----------------------------------------------------------------------------------


def merge(results: list[dict[str, Any]], key: str) -> dict[str, list[float]]:
    merged: dict[str, list[float]] = {}
    for r in results:
        for name, values in r[key].items():
            merged.setdefault(name, []).extend(values)
    return merged


def med(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def goal_for(action: str) -> float:
    return FIRST_WINDOW_GOAL_MS if action.startswith(FIRST_WINDOWS) else BLOCK_GOAL_MS


def report(configs: list[tuple[str, str]], results: dict[tuple[str, str], list[dict[str, Any]]], starts: dict) -> bool:
    ok = True
    names = [f"{'SQLite' if db == 'sqlite' else 'PostgreSQL'} {size}" for db, size in configs]
    blocked = {c: merge(results[c], "blocked") for c in configs}
    actions: list[str] = []
    for c in configs:
        for r in results[c]:
            actions.extend(a for a in r["blocked"] if a not in actions)

    print("\n### GUI thread blocked during the action (median of every sample, ms; max in brackets)\n")
    print("| action | " + " | ".join(names) + " | goal | met |")
    print("| --- | " + " | ".join("---:" for _ in names) + " | ---: | --- |")
    for action in actions:
        cells, met = [], True
        for c in configs:
            values = blocked[c].get(action)
            m = med(values)
            cells.append(f"{fmt(m)} ({fmt(max(values))})" if values else "-")
            met = met and m is not None and m <= goal_for(action)
        ok = ok and met
        print(f"| {action} | " + " | ".join(cells) + f" | {goal_for(action):.0f} | {'yes' if met else 'NO'} |")
    errors = {f"{c[0]} {c[1]}: {k}": v for c in configs for r in results[c] for k, v in r["errors"].items()}
    if errors:
        ok = False
        print("\nActions that did not finish:")
        for k, v in errors.items():
            print(f"- {k}: {v}")

    print("\n### Service reads against the plain-SQL floor for the same rows (median ms, interleaved)\n")
    services: list[str] = list(results[configs[0]][0]["services"])
    print("| read | " + " | ".join(f"{n}: service / floor / ratio" for n in names) + " | goal | met |")
    print("| --- | " + " | ".join("---:" for _ in names) + " | ---: | --- |")
    for name in services:
        cells, met = [], True
        goal = AGING_FLOOR_GOAL if "aging" in name else FLOOR_GOAL
        for c in configs:
            s = med([v for r in results[c] for v in r["services"][name]["service"]])
            f = med([v for r in results[c] for v in r["services"][name]["floor"]])
            ratio = s / f if s and f else None
            met = met and ratio is not None and ratio <= goal
            cells.append(f"{fmt(s, 2)} / {fmt(f, 2)} / {fmt(ratio, 2)}x")
        ok = ok and met
        print(f"| {name} | " + " | ".join(cells) + f" | {goal}x | {'yes' if met else 'NO'} |")

    sizes = sorted({size for _, size in configs})
    dbs = sorted({db for db, _ in configs})
    if len(sizes) == 2:
        print("\n### Per-account and per-plan views: 100k against 10k patients (median, ratio)\n")
        print("| view | " + " | ".join(f"{db}: 10k / 100k / ratio" for db in dbs) + " | goal | met |")
        print("| --- | " + " | ".join("---:" for _ in dbs) + " | ---: | --- |")
        rows = [("GUI blocked: " + a, "blocked", a) for a in PER_RECORD] + [
            ("service: " + s, "services", s) for s in PER_RECORD_SERVICES
        ]
        for label, kind, key in rows:
            cells, met = [], True
            for db in dbs:
                figures = []
                for size in ("10k", "100k"):
                    runs = results[(db, size)]
                    if kind == "blocked":
                        figures.append(med([v for r in runs for v in r["blocked"].get(key, [])]))
                    else:
                        figures.append(med([v for r in runs for v in r["services"][key]["service"]]))
                small, big = figures
                ratio = big / small if small and big else None
                # a figure within a frame's noise (3 ms) of the other counts as the same
                same = ratio is not None and (ratio <= SIZE_GOAL or (big - small) <= 3.0)
                met = met and same
                cells.append(f"{fmt(small, 2)} / {fmt(big, 2)} / {fmt(ratio, 2)}x")
            ok = ok and met
            print(f"| {label} | " + " | ".join(cells) + f" | {SIZE_GOAL}x | {'yes' if met else 'NO'} |")

    if len(dbs) == 2:
        print("\n### PostgreSQL against SQLite (GUI blocked, median; goal within 2x, or both within the frame goal)\n")
        print("| action | " + " | ".join(f"{size}: SQLite / PostgreSQL / ratio" for size in sizes) + " | met |")
        print("| --- | " + " | ".join("---:" for _ in sizes) + " | --- |")
        for action in actions:
            cells, met = [], True
            for size in sizes:
                lite = med(blocked[("sqlite", size)].get(action))
                pg = med(blocked[("pg", size)].get(action))
                ratio = pg / lite if lite and pg else None
                fine = ratio is not None and (ratio <= PG_GOAL or pg <= goal_for(action))
                met = met and fine
                cells.append(f"{fmt(lite)} / {fmt(pg)} / {fmt(ratio, 2)}x")
            ok = ok and met
            print(f"| {action} | " + " | ".join(cells) + f" | {'yes' if met else 'NO'} |")

    print("\n### Memory, start-up, load\n")
    print("| figure | " + " | ".join(names) + " | goal | met |")
    print("| --- | " + " | ".join("---:" for _ in names) + " | ---: | --- |")
    mem_key = "memory: plan, its dialog and aging report open (MB RSS)"
    mems = [max((r["facts"].get(mem_key, float("nan")) for r in results[c]), default=None) for c in configs]
    met = all(m is not None and m < MEMORY_GOAL_MB for m in mems)
    ok = ok and met
    print(
        f"| {mem_key} (worst run) | "
        + " | ".join(fmt(m) for m in mems)
        + f" | < {MEMORY_GOAL_MB:.0f} | {'yes' if met else 'NO'} |"
    )
    peaks = [
        max((r["facts"].get("peak memory (MB RSS)", float("nan")) for r in results[c]), default=None) for c in configs
    ]
    print("| peak memory of the whole run (MB RSS) | " + " | ".join(fmt(m) for m in peaks) + " | | |")
    if starts:
        cells_b, cells_l, cells_m, cells_r, met = [], [], [], [], True
        for c in configs:
            s = starts.get(c)
            if not s:
                cells_b.append("-"), cells_l.append("-"), cells_m.append("-"), cells_r.append("-")
                continue
            b, lg, m = med(s["bare"]), med(s["login"]), med(s["main"])
            ratio = (lg + m) / b
            met = met and ratio <= STARTUP_GOAL
            cells_b.append(fmt(b, 0)), cells_l.append(fmt(lg, 0)), cells_m.append(fmt(m, 0))
            cells_r.append(f"{ratio:.2f}x")
        ok = ok and met
        print("| bare PySide6 window, process start to shown (ms) | " + " | ".join(cells_b) + " | | |")
        print("| DentalDesk login window, process start to usable (ms) | " + " | ".join(cells_l) + " | | |")
        print("| Log in -> main window usable (ms) | " + " | ".join(cells_m) + " | | |")
        print(
            "| start to usable main window, typing excluded, vs bare | "
            + " | ".join(cells_r)
            + f" | <= {STARTUP_GOAL}x | {'yes' if met else 'NO'} |"
        )
    loads = [v for c in configs for r in results[c] for v in r["load"]]
    print("| load average (1 min) during the runs | " + " | ".join(
        f"{min(v for r in results[c] for v in r['load']):.1f}-{max(v for r in results[c] for v in r['load']):.1f}"
        for c in configs
    ) + " | | |")  # fmt: skip
    facts = results[configs[0]][0]["facts"] | {"targets": results[configs[0]][0]["targets"]}
    rows = {c: results[c][0]["rows"] for c in configs}
    print("\nWhat was measured: " + "; ".join(f"{k}: {v}" for k, v in facts.items()))
    print("Rows read: " + "; ".join(f"{n}: {rows[c]}" for n, c in zip(names, configs, strict=True)))
    print(f"Load average over the run: {min(loads):.1f}-{max(loads):.1f} (2 cores)")
    print("\nEvery goal met." if ok else "\nSome goals are not met (NO above).")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.environ.get("DENTALDESK_BENCH_DATA", "/tmp/dentaldesk-bench"))
    parser.add_argument("--db", default="sqlite,pg", help="sqlite, pg or both (default)")
    parser.add_argument("--size", default="100k", choices=("100k", "10k", "both"))
    parser.add_argument("--repeat", type=int, default=2, help="rounds over every configuration")
    parser.add_argument("--rounds", type=int, default=3, help="repeats of each repeatable action in a run")
    parser.add_argument("--runs", type=int, default=15, help="service/floor pairs per read")
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--json", help="also write every sample to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rounds, args.runs)
        return 0

    data = Path(args.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    dbs = [d for d in args.db.split(",") if d]
    sizes = ["10k", "100k"] if args.size == "both" else [args.size]
    configs = [(db, size) for size in sizes for db in dbs]
    databases = Databases(data, "pg" in dbs)
    try:
        for db, size in configs:
            databases.ensure(db, size)
        results: dict[tuple[str, str], list[dict[str, Any]]] = {c: [] for c in configs}
        starts: dict[tuple[str, str], dict[str, list[float]]] = {}
        for n in range(args.repeat):
            for c in configs:
                began = time.perf_counter()
                url = databases.working_copy(*c)
                results[c].append(run_child(url, args.rounds, args.runs))
                s = startup_runs(url, args.startup_runs)
                for k, v in s.items():
                    starts.setdefault(c, {}).setdefault(k, []).extend(v)
                print(
                    f"== round {n + 1}/{args.repeat}: {c[0]} {c[1]} in {time.perf_counter() - began:.0f} s", flush=True
                )
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {f"{db} {size}": results[(db, size)] for db, size in configs}
                    | {"startup": {f"{db} {size}": v for (db, size), v in starts.items()}},
                    indent=1,
                )  # fmt: skip
            )
        ok = report(configs, results, starts)
    finally:
        databases.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
