"""The demo practice "Maple Street Dental", and a large generated practice for benchmarks.

    create_demo_practice(engine)                  # ~40 patients, one transaction
    create_demo_practice(engine, size="large")    # 100,000 patients, ~1,000,000 ledger rows

Both run on a migrated, empty database and refuse one that already holds a practice. Everything
is drawn from ``random.Random(seed)`` and dated relative to ``today``, so the same seed and day
give the same practice. The users and their passwords are :data:`DEMO_PASSWORDS`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dentaldesk import clock
from dentaldesk.demo.practice import finish_office, record_creation, refuse_if_practice, set_up_practice
from dentaldesk.demo.small import DemoCounts, build_demo

# User name -> password of the demo users, one per role (printed in the README).
DEMO_PASSWORDS = {"owner": "demo-owner", "admin": "demo-admin", "dentist": "demo-dentist", "frontdesk": "demo-front"}

DEFAULT_SEED = 20261123

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    office_id: int
    patients: int
    accounts: int
    plans: int
    ledger_rows: int
    seconds: float


def _ignore(stage: str, done: int, total: int) -> None:
    return None


def create_demo_practice(
    engine: Engine,
    *,
    size: Literal["demo", "large"] = "demo",
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    today: date | None = None,
    scale: float = 1.0,
) -> DemoSummary:
    """Fill an empty, migrated database with the demo practice or the large benchmark practice.

    ``progress(stage, done, total)`` is called as the work goes on. ``scale`` shrinks or grows
    the large practice (0.005 builds 500 patients in the same proportions); it is refused for
    the demo, whose size is fixed. The demo is written in one transaction, so a failure leaves
    the database empty; the large practice commits in chunks as it goes.
    """
    started = time.perf_counter()
    report = progress or _ignore
    day = today or clock.today()
    rng = random.Random(seed)
    if size == "demo":
        if scale != 1.0:
            raise ValueError("scale applies to the large practice only")
        counts = _create_demo(engine, rng, day, seed, report)
    elif size == "large":
        if not scale > 0:
            raise ValueError("scale must be above 0")
        from dentaldesk.demo.large import build_large  # the bulk generator is only loaded when asked for

        counts = build_large(engine, rng, day, report, scale=scale, seed=seed, passwords=DEMO_PASSWORDS)
    else:
        raise ValueError(f"size is 'demo' or 'large', not {size!r}")
    seconds = time.perf_counter() - started
    report("Done", 1, 1)
    return DemoSummary(counts.office_id, counts.patients, counts.accounts, counts.plans, counts.ledger_rows, seconds)


def _create_demo(engine: Engine, rng: random.Random, today: date, seed: int, report: Progress) -> DemoCounts:
    with Session(engine) as session:
        refuse_if_practice(session)
        report("Practice set-up", 0, 5)
        practice = set_up_practice(session, rng, DEMO_PASSWORDS)
        report("Practice set-up", 1, 5)
        counts = build_demo(session, rng, today, practice, report)
        finish_office(session, counts.office_id, counts.patients, counts.accounts)
        record_creation(
            session,
            counts.office_id,
            {
                "size": "demo",
                "seed": seed,
                "today": today,
                "patients": counts.patients,
                "plans": counts.plans,
                "ledger_rows": counts.ledger_rows,
            },
        )
        report("Saving", 5, 5)
        session.commit()
    return counts
