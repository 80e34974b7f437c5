"""A workstation in its own process, for the two-process races and the kill -9 loop.

    python tests/reliability/worker.py race URL IDS.json ACTION COUNT SIDE GO_FILE OUT.json
    python tests/reliability/worker.py zygote URL IDS.json
    python tests/reliability/worker.py writer URL IDS.json STOP_FILE

``race`` logs in, says "ready" on stdout, waits for GO_FILE to appear (so both workers start at
the same moment), does ACTION COUNT times and writes one outcome per attempt to OUT.json:
``{"ok": true, ...}`` or ``{"ok": false, "error": "ConflictError", "typed": true, ...}``. An
exception that is not one of DentalDesk's typed errors is recorded with ``typed: false`` and its
traceback: the tests count those and require none.

``zygote`` imports everything once and then, for each line "fork SEED" on stdin, forks a child
that runs a random mix of real actions until it is killed, and prints the child's pid. Forking a
warmed-up single-threaded process makes a kill -9 cycle take milliseconds instead of a Python
start-up.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
os.environ.setdefault("DENTALDESK_TEST_CHEAP_HASHES", "1")

from scenario import OWNER, Ids  # noqa: E402

from dentaldesk import clock  # noqa: E402
from dentaldesk.db.engine import make_engine  # noqa: E402
from dentaldesk.domain.errors import ConflictError, DentalDeskError  # noqa: E402
from dentaldesk.services.access.login import login  # noqa: E402
from dentaldesk.services.uow import UnitOfWork  # noqa: E402

# The suite's fixed day (tests/conftest.py), so dates agree with the practice the test built.
clock.set_clock(clock.dt.datetime(2026, 5, 12, 12, 0, tzinfo=clock.dt.UTC))

MAX_RETRIES = 200


class Desk:
    """One workstation: its own engine, its logged-in user, the practice's ids."""

    def __init__(self, url: str, ids: Ids, side: int, user: tuple[str, str] = OWNER) -> None:
        self.engine = make_engine(url)
        self.ids = ids
        self.side = side
        self.actor = login(self.uow(), user[0], user[1], f"worker-{side}-{os.getpid()}")

    def uow(self) -> UnitOfWork:
        return UnitOfWork.for_engine(self.engine)


def _retrying(action: Callable[[], object]) -> tuple[object, int]:
    """Run a read-modify-write until it is not refused as stale; returns (result, conflicts)."""
    conflicts = 0
    while True:
        try:
            return action(), conflicts
        except ConflictError:
            conflicts += 1
            if conflicts > MAX_RETRIES:
                raise
            time.sleep(random.random() * 0.005)


# --------------------------------------------------------------------------- race actions


def add_patient(desk: Desk, n: int) -> dict[str, object]:
    from dentaldesk.services.patients.records import PatientForm
    from dentaldesk.services.patients.records import add_patient as add

    saved = add(
        desk.uow(), desk.actor, PatientForm(first_name=f"W{desk.side}n{n}", last_name="Racer", birth_date="1991-02-03")
    )
    return {"patient_number": saved.patient_number, "account_number": saved.account_number}


def create_claim(desk: Desk, n: int) -> dict[str, object]:
    from dentaldesk.services.claims.filing import create_claim as file

    patients = desk.ids.claim_patients[desk.side]
    claim = file(desk.uow(), desk.actor, patient_id=patients[n % len(patients)])
    return {"claim_number": claim.claim_number}


def post_payment(desk: Desk, n: int) -> dict[str, object]:
    from dentaldesk.services.ledger.posting import post_payment as pay

    amount = Decimal(n % 7 + 1)
    pay(desk.uow(), desk.actor, account_id=desk.ids.account_id, amount=amount, paid_on=clock.today())
    return {"amount": str(amount)}


def complete_item(desk: Desk, n: int) -> dict[str, object]:
    """Both workers complete the same item at the same moment, item after item."""
    from dentaldesk.services.plans import complete_item as complete
    from dentaldesk.services.plans import load_plan

    item_id = desk.ids.plan_items[n % len(desk.ids.plan_items)]
    view = load_plan(desk.uow(), desk.actor, desk.ids.plan_id)
    complete(desk.uow(), desk.actor, desk.ids.plan_id, item_id, expected_version=view.version)
    return {"item_id": item_id}


def raise_fee(desk: Desk, n: int) -> dict[str, object]:
    """Raise the draft item's fee by 1.00 from what was loaded; a stale save reloads and tries again."""
    from dentaldesk.services.plans import ItemChange, ItemInput, PlanChanges, load_plan, save_draft

    def once() -> object:
        view = load_plan(desk.uow(), desk.actor, desk.ids.draft_id)
        item = view.item(desk.ids.draft_item)
        fee = (item.fee or Decimal(0)) + 1
        entry = ItemInput(item.code, provider_id=item.provider_id, fee=fee)
        changes = PlanChanges(changed=(ItemChange(item.id, entry),))
        return save_draft(desk.uow(), desk.actor, desk.ids.draft_id, changes, expected_version=view.version)

    _result, conflicts = _retrying(once)
    return {"conflicts": conflicts}


def patient_counter(desk: Desk, n: int) -> dict[str, object]:
    """Add one to a number kept in the patient's phone field; a stale save reloads and tries again."""
    from dentaldesk.services.patients.records import edit_patient, load_patient

    def once() -> object:
        record = load_patient(desk.uow(), desk.actor, desk.ids.patient_id)
        counter = int(record.form.phone or "0") + 1
        form = replace(record.form, phone=str(counter))
        return edit_patient(desk.uow(), desk.actor, desk.ids.patient_id, form, expected_versions=record.versions)

    _result, conflicts = _retrying(once)
    return {"conflicts": conflicts}


def outcome(action: Callable[[], dict[str, object]]) -> dict[str, object]:
    try:
        return {"ok": True, **action()}
    except DentalDeskError as exc:
        return {"ok": False, "typed": True, "error": type(exc).__name__, "message": exc.message}
    except Exception as exc:
        return {"ok": False, "typed": False, "error": type(exc).__name__, "message": traceback.format_exc()}


def race(url: str, ids_file: str, action: str, count: str, side: str, go_file: str, out: str) -> None:
    desk = Desk(url, Ids.load(Path(ids_file)), int(side))
    run = ACTIONS[action]
    print("ready", flush=True)
    go = Path(go_file)
    while not go.exists():
        time.sleep(0.001)
    results = [outcome(lambda n=n: run(desk, n)) for n in range(int(count))]
    Path(out).write_text(json.dumps(results), encoding="utf-8")


def writer(url: str, ids_file: str, stop_file: str) -> None:
    """Post payments one after another until STOP_FILE appears; print each one's note once committed."""
    from dentaldesk.services.ledger.posting import post_payment as pay

    desk = Desk(url, Ids.load(Path(ids_file)), 0)
    print("ready", flush=True)
    stop, n = Path(stop_file), 0
    while not stop.exists():
        n += 1
        note = f"writer-{n}"
        pay(
            desk.uow(), desk.actor, account_id=desk.ids.account_id, amount="1.00", paid_on=clock.today(), reference=note
        )
        print(note, flush=True)  # committed: the service returned


# --------------------------------------------------------------------------- kill -9 workload


def plan_step(desk: Desk, n: int) -> dict[str, object]:
    """Take the patient's newest unfinished "Cycle" plan one step on, each step one action: create
    a plan, add an exam, record the approval, complete the exam (which posts its charge). A kill
    between two steps leaves a plan part-way, which the next worker carries on."""
    from sqlalchemy import select

    from dentaldesk.db.models import TreatmentPlan
    from dentaldesk.domain.terms import ApprovalMethod, ItemStatus, PlanStatus
    from dentaldesk.services.plans import ItemInput, add_item, approve, create_plan, load_plan
    from dentaldesk.services.plans import complete_item as complete

    with desk.engine.connect() as conn:
        plan_id = conn.scalar(
            select(TreatmentPlan.id)
            .where(
                TreatmentPlan.patient_id == desk.ids.patient_id,
                TreatmentPlan.title.like("Cycle %"),
                TreatmentPlan.status.in_([PlanStatus.DRAFT, PlanStatus.APPROVED]),
            )
            .order_by(TreatmentPlan.id.desc())
            .limit(1)
        )
    if plan_id is None:
        made = create_plan(desk.uow(), desk.actor, desk.ids.patient_id, f"Cycle {n}")
        return {"step": "create", "plan_id": made.plan_id}
    view = load_plan(desk.uow(), desk.actor, plan_id)
    if view.status is PlanStatus.DRAFT and not view.items:
        entry = ItemInput("D0120", provider_id=desk.ids.provider_id)
        add_item(desk.uow(), desk.actor, plan_id, entry, expected_version=view.version)
        return {"step": "add", "plan_id": plan_id}
    if view.status is PlanStatus.DRAFT:
        approve(
            desk.uow(),
            desk.actor,
            plan_id,
            expected_version=view.version,
            approver_name="Anna Smith",
            method=ApprovalMethod.ON_PAPER,
        )
        return {"step": "approve", "plan_id": plan_id}
    item = next(i for i in view.items if i.status is ItemStatus.PLANNED)
    complete(desk.uow(), desk.actor, plan_id, item.id, expected_version=view.version)
    return {"step": "complete", "plan_id": plan_id, "item_id": item.id}


ACTIONS: dict[str, Callable[[Desk, int], dict[str, object]]] = {
    f.__name__: f
    for f in (add_patient, create_claim, post_payment, complete_item, raise_fee, patient_counter, plan_step)
}


WORKLOAD = (add_patient, post_payment, raise_fee, plan_step, patient_counter, create_claim)
WEIGHTS = (15, 15, 10, 40, 10, 10)


def _workload(desk: Desk, rng: random.Random) -> None:
    """Real actions, one after another, until the process is killed."""
    n = rng.randrange(1_000_000)
    while True:
        n += 1
        run = rng.choices(WORKLOAD, weights=WEIGHTS)[0]
        outcome(lambda n=n, run=run: run(desk, n))


def zygote(url: str, ids_file: str) -> None:
    import signal

    ids = Ids.load(Path(ids_file))
    desk = Desk(url, ids, 0, OWNER)
    # Each action once, here: imports, mapper set-up and the engine's statement cache are then
    # warm in every child, so a child spends its short life on real work.
    for warm_up in WORKLOAD:
        outcome(lambda warm_up=warm_up: warm_up(desk, 0))
    desk.engine.dispose()  # each child opens its own connections
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed children are reaped at once
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            return
        seed = int(words[1])
        pid = os.fork()
        if pid == 0:  # the child: a workstation doing real work until kill -9
            try:
                sys.stdin.close()
                desk.engine.dispose(close=False)
                _workload(desk, random.Random(seed))
            finally:
                os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    {"race": race, "zygote": zygote, "writer": writer}[mode](*args)
