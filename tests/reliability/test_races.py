"""Two workstations (two processes) doing the same thing at the same moment, on SQLite and PostgreSQL.

DATA-1, DATA-2, DATA-4: no lost update, no untyped error, a counter never gives one number twice,
an item is COMPLETED (and charged) exactly once. Each test prints its figures (rounds, lost,
untyped) in the run's "reliability figures" section.
"""

from __future__ import annotations

from collections import Counter

from race_practice import RacePractice, figures, run_race
from sqlalchemy import func, select

from dentaldesk.db.models import Claim, Patient

ROUNDS = 15


def _untyped(results: list[list[dict]]) -> list[dict]:
    return [r for side in results for r in side if not r["ok"] and not r["typed"]]


def test_data4_two_workstations_adding_patients_at_once_both_succeed(race_practice: RacePractice) -> None:
    """DATA-4: patients added at the same moment on two workstations are all saved, each with its
    own patient ID (the write lock is taken at the start of the action, the counter row is locked)."""
    with race_practice.engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(Patient))
    results = run_race(race_practice, "add_patient", ROUNDS)
    ok = [r for side in results for r in side if r["ok"]]
    untyped = _untyped(results)
    numbers = Counter(r["patient_number"] for r in ok)
    figures(
        f"patient creation race ({race_practice.engine.dialect.name})",
        rounds=2 * ROUNDS,
        saved=len(ok),
        untyped=len(untyped),
        duplicate_numbers=sum(c - 1 for c in numbers.values()),
    )
    assert untyped == []
    assert len(ok) == 2 * ROUNDS, [r for side in results for r in side if not r["ok"]]
    assert max(numbers.values()) == 1
    with race_practice.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Patient)) == before + 2 * ROUNDS


def test_data4_two_workstations_filing_claims_at_once_both_succeed(race_practice: RacePractice) -> None:
    """DATA-4: claims filed at the same moment on two workstations are all filed, and no claim
    number is given twice (the office's counter)."""
    count = len(race_practice.ids.claim_patients[0])
    results = run_race(race_practice, "create_claim", count)
    ok = [r for side in results for r in side if r["ok"]]
    untyped = _untyped(results)
    figures(
        f"claim creation race ({race_practice.engine.dialect.name})",
        rounds=2 * count,
        filed=len(ok),
        untyped=len(untyped),
    )
    assert untyped == []
    assert len(ok) == 2 * count, [r for side in results for r in side if not r["ok"]]
    with race_practice.engine.connect() as conn:
        numbers = conn.execute(select(Claim.claim_number)).scalars().all()
    assert len(numbers) == len(set(numbers)) == 2 * count


def test_data1_sqlite_write_waits_for_the_write_lock_instead_of_failing(sqlite_race: RacePractice) -> None:
    """DATA-1: payments posted from two workstations at once all land (none refused as busy)."""
    results = run_race(sqlite_race, "post_payment", ROUNDS)
    assert all(r["ok"] for side in results for r in side), results
