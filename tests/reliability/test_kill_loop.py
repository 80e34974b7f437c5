"""kill -9 during real actions, on SQLite and PostgreSQL: nothing is ever left half done.

A warmed-up worker (tests/reliability/worker.py ``zygote``) forks a workstation that adds
patients, posts payments, raises a plan fee, takes plans step by step to a completed item,
edits a patient and files claims, one action after another; the test kills it with SIGKILL at a
random moment, and after every kill checks the database (:func:`invariants`):

* SQLite's ``PRAGMA integrity_check`` is ``ok`` (the file is never damaged);
* DATA-1: a COMPLETED item has exactly one charge and a charge posted for an item has its item
  COMPLETED (the completion and its charge are one transaction);
* SEC-2: every patient, ledger transaction, plan item and claim has its audit row, and a patient
  has one audit row per saved version (no change without its audit row);
* AGE-3: each account's balance as the Ledger header and the aging buckets show it equals the
  sum of its ledger rows added up here, row by row;
* SEC-5: the audit chain verifies, and its head names the last row.

CI makes ``DENTALDESK_KILLS`` kills (50 by default) on SQLite and half as many on PostgreSQL;
set the variable higher for a longer run. The figures go to the run's "reliability figures".
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from race_practice import WORKER, RacePractice, figures
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dentaldesk.db.models import Account, AuditChain, AuditEvent, Claim, LedgerTransaction, Patient, PlanItem
from dentaldesk.domain.terms import ItemStatus, TransactionKind
from dentaldesk.services.access.audit import verify_chain
from dentaldesk.services.access.login import login
from dentaldesk.services.ledger.aging import account_aging
from dentaldesk.services.ledger.queries import account_facts
from dentaldesk.services.uow import UnitOfWork

KILLS = int(os.environ.get("DENTALDESK_KILLS", "50"))


def _row_effect(kind: TransactionKind, amount: Decimal, tax: Decimal, write_off: Decimal) -> Decimal:
    # Written out here on purpose, not taken from the ledger code: the check is independent.
    if kind is TransactionKind.CHARGE:
        return amount + tax - write_off
    return -amount


@dataclass
class Baseline:
    """What the test practice holds before the loop: its set-up rows were written straight to the
    database (tests/conftest.py SmallPractice), without audit rows, so the audit checks count from here."""

    rows: set[tuple[str, int]] = field(default_factory=set)
    patients: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (version, audit rows)
    ledger_rows: Counter[int] = field(default_factory=Counter)  # account id -> its ledger rows


def invariants(engine: Engine, actor: object, baseline: Baseline | None) -> tuple[list[str], Counter[str], Baseline]:
    """What is wrong with the database after a kill (empty when nothing is), its row counts, and
    what it holds now. The first check (``baseline`` None) takes what is there as the baseline
    and checks everything but the audit rows."""
    problems: list[str] = []
    now = Baseline()

    def unaudited(entity: str, row_id: int) -> bool:
        now.rows.add((entity, row_id))
        return baseline is not None and (entity, row_id) not in baseline.rows and not audited[(entity, row_id)]

    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            result = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
        if result != ["ok"]:
            problems.append(f"integrity_check: {result[:5]}")
    with Session(engine) as s:
        counts: Counter[str] = Counter()
        audited: Counter[tuple[str, int]] = Counter(
            {
                (entity, entity_id): n
                for entity, entity_id, n in s.execute(
                    select(AuditEvent.entity, AuditEvent.entity_id, func.count()).group_by(
                        AuditEvent.entity, AuditEvent.entity_id
                    )
                )
            }
        )
        charges_of: Counter[int] = Counter(
            s.scalars(
                select(LedgerTransaction.plan_item_id).where(
                    LedgerTransaction.plan_item_id.is_not(None), LedgerTransaction.kind == TransactionKind.CHARGE
                )
            )
        )
        for item_id, status in s.execute(select(PlanItem.id, PlanItem.status)):
            counts["plan items"] += 1
            completed = ItemStatus(status) is ItemStatus.COMPLETED
            counts["completed items"] += completed
            if completed and charges_of[item_id] != 1:
                problems.append(f"completed item {item_id} has {charges_of[item_id]} charges")
            if not completed and charges_of[item_id]:
                problems.append(f"item {item_id} is {status} but has a charge")
            if unaudited("plan_item", item_id):
                problems.append(f"plan item {item_id} has no audit row")
        for patient_id, version in s.execute(select(Patient.id, Patient.version)):
            counts["patients"] += 1
            rows = audited[("patient", patient_id)]
            now.patients[patient_id] = (version, rows)
            was_version, was_rows = baseline.patients.get(patient_id, (0, 0)) if baseline else (version, rows)
            if rows - was_rows < version - was_version:
                problems.append(
                    f"patient {patient_id} moved from version {was_version} to {version} with {rows - was_rows} audit rows"
                )
        for (claim_id,) in s.execute(select(Claim.id)):
            counts["claims"] += 1
            if unaudited("claim", claim_id):
                problems.append(f"claim {claim_id} has no audit row")
        sums: dict[int, Decimal] = {}
        for tx_id, account_id, kind, amount, tax, write_off in s.execute(
            select(
                LedgerTransaction.id,
                LedgerTransaction.account_id,
                LedgerTransaction.kind,
                LedgerTransaction.amount,
                LedgerTransaction.tax,
                LedgerTransaction.write_off,
            )
        ):
            counts["ledger rows"] += 1
            now.ledger_rows[account_id] += 1
            sums[account_id] = sums.get(account_id, Decimal(0)) + _row_effect(
                TransactionKind(kind), amount, tax, write_off
            )
            if unaudited("ledger_transaction", tx_id):
                problems.append(f"ledger transaction {tx_id} has no audit row")
        account_ids = s.scalars(select(Account.id)).all()
        check = verify_chain(s)
        if not check.intact:
            problems.append(f"audit chain: {check}")
        head = s.scalar(select(AuditChain.last_seq).where(AuditChain.id == 1))
        last = s.scalar(select(func.max(AuditEvent.seq)))
        if head != last:
            problems.append(f"audit chain head at {head}, last row {last}")
        counts["audit rows"] = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
    uow = UnitOfWork.for_engine(engine)
    # The header's and the aging's balance through the services, for every account at the first
    # check and then for each account whose ledger has new rows.
    for account_id in account_ids:
        if baseline is not None and now.ledger_rows[account_id] == baseline.ledger_rows[account_id]:
            continue
        expected = sums.get(account_id, Decimal(0))
        shown = account_facts(uow, actor, account_id).balance
        aged = account_aging(uow, actor, account_id).balance
        if not (expected == shown == aged):
            problems.append(f"account {account_id}: ledger sum {expected}, header {shown}, aging {aged}")
    return problems, counts, now


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.005)
    raise AssertionError(f"worker {pid} still alive {timeout} s after SIGKILL")


def test_data1_kill_9_during_real_actions_leaves_nothing_half_done(race_practice: RacePractice) -> None:
    """DATA-1, SEC-2, SEC-5, AGE-3: after each of many kill -9 in the middle of real actions the
    database is whole, every completed item has its charge, every change its audit row, every
    balance is the sum of its ledger, and the audit chain verifies."""
    engine = race_practice.engine
    kills = KILLS if engine.dialect.name == "sqlite" else max(KILLS // 2, 10)
    checker = login(UnitOfWork.for_engine(engine), "owner", "owner-pass-1", "kill-loop-checker")
    problems, _, baseline = invariants(engine, checker, None)
    assert problems == [], problems
    zygote = subprocess.Popen(
        [sys.executable, str(WORKER), "zygote", race_practice.url, str(race_practice.ids_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert zygote.stdin is not None and zygote.stdout is not None
    rng = random.Random(20260512)
    began = time.monotonic()
    grew = 0  # kills after which the database had more in it than before: work was really done
    try:
        ready = zygote.stdout.readline()
        assert ready.strip() == "ready", ready + (zygote.stderr.read() if zygote.stderr else "")
        # The zygote has done each action once (its warm-up): checked, and counted from here.
        problems, start, _ = invariants(engine, checker, baseline)
        assert problems == [], problems
        before = start
        for kill in range(kills):
            zygote.stdin.write(f"fork {rng.randrange(2**31)}\n")
            zygote.stdin.flush()
            pid = int(zygote.stdout.readline())
            time.sleep(rng.uniform(0.2, 1.2))
            os.kill(pid, signal.SIGKILL)
            _wait_gone(pid)
            problems, after, _ = invariants(engine, checker, baseline)
            assert problems == [], f"after kill {kill + 1}: {problems}"
            grew += after["audit rows"] > before["audit rows"]
            before = after
    finally:
        if zygote.poll() is None:
            zygote.stdin.write("quit\n")
            zygote.stdin.flush()
            try:
                zygote.wait(timeout=10)
            except subprocess.TimeoutExpired:
                zygote.kill()
    elapsed = time.monotonic() - began
    done = {name: before[name] - start[name] for name in start}
    figures(
        f"kill -9 loop ({engine.dialect.name})",
        kills=kills,
        broken_invariants=0,
        corrupt_databases=0,
        kills_after_work=grew,
        seconds=f"{elapsed:.0f}",
        **{name.replace(" ", "_") + "_added": n for name, n in done.items()},
    )
    # The loop must have done real work, or it proves nothing: most workers got actions in before
    # the kill, and plans were taken to a completed item.
    assert grew >= kills // 2, (grew, kills)
    assert done["completed items"] > 0, done


@pytest.mark.parametrize("kind", list(TransactionKind))
def test_age3_the_loops_balance_formula_agrees_with_the_ledgers_on_each_kind(kind: TransactionKind) -> None:
    """AGE-3: the kill loop's own formula (a charge and its tax less its write-off adds, every other
    kind takes away) agrees with the ledger's on each kind of row, so the loop compares like with like."""
    import datetime as dt

    from dentaldesk.domain.aging import LedgerEntry

    written_off = Decimal("1.00") if kind is TransactionKind.CHARGE else Decimal(0)
    # LedgerEntry's amount of a charge includes its tax: 8.50 + 1.50 tax.
    entry = LedgerEntry(1, kind, Decimal("10.00"), dt.date(2026, 5, 12), write_off=written_off)
    tax = Decimal("1.50") if kind is TransactionKind.CHARGE else Decimal(0)
    assert _row_effect(kind, Decimal("10.00") - tax, tax, written_off) == entry.balance_effect
