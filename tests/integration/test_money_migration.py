"""Migration 0013 on an old database: write-offs and held amounts of already-posted charges in the
new shape (INS-8, TX-AGE-3/4), without changing any account's balance (AGE-3).

The fixture is the demo as the release before the migration made it
(tests/fixtures/databases/README.md): its PPO write-offs were adjustments per visit, its ICM 1
charges held nothing, and completing a claim had re-dated the whole charge.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from acting import staff
from sqlalchemy import Engine, create_engine, func, select, text

from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade
from dentaldesk.db.models import Account, LedgerTransaction
from dentaldesk.domain.money import from_cents
from dentaldesk.services.ledger.aging import account_aging
from dentaldesk.services.ledger.queries import account_balance_in
from dentaldesk.services.uow import UnitOfWork

FIXTURE = Path(__file__).parents[1] / "fixtures" / "databases" / "demo_0005_before_write_offs.sqlite3.gz"
D = Decimal


@pytest.fixture
def old_demo(tmp_path: Path) -> Path:
    target = tmp_path / "old_demo.sqlite3"
    with gzip.open(FIXTURE, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def _old_balances(raw: Engine) -> dict[int, Decimal]:
    """Every account's balance by the earlier release's rule: charges and tax less credits."""
    with raw.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT account_id, SUM(CASE WHEN kind = 'charge' THEN amount + tax ELSE -amount END) "
                "FROM ledger_transaction GROUP BY account_id"
            )
        ).all()
    return {account_id: from_cents(int(cents)) for account_id, cents in rows}


def _write_off_adjustments(raw: Engine) -> int:
    with raw.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT COALESCE(SUM(amount), 0) FROM ledger_transaction "
                    "WHERE kind = 'adjustment' AND description LIKE 'PPO write-off - %'"
                )
            ).scalar()
        )


def test_ins8_migration_moves_write_offs_onto_charges_and_keeps_every_balance(old_demo: Path) -> None:
    """INS-8 / AGE-3: upgrading the earlier release's demo moves its visit write-off adjustments onto
    the charges (their sum kept to the cent) and leaves every account's balance as it was; each
    account's buckets still add up to its balance on every date asked."""
    raw = create_engine(f"sqlite:///{old_demo}")
    before = _old_balances(raw)
    moved = _write_off_adjustments(raw)
    raw.dispose()
    assert moved > 0, "the fixture should hold the earlier release's PPO write-off adjustments"

    engine = make_engine(f"sqlite:///{old_demo}")
    upgrade(engine)
    uow = UnitOfWork.for_engine(engine)
    actor = staff(uow)
    with uow:
        s = uow.session
        after = {account_id: account_balance_in(s, account_id) for account_id in s.scalars(select(Account.id))}
        lt = LedgerTransaction
        written_off = s.scalar(select(func.coalesce(func.sum(lt.write_off), 0)).where(lt.kind == "charge"))
        left = s.scalar(select(func.count()).where(lt.kind == "adjustment", lt.description.like("PPO write-off - %")))
    assert {k: v for k, v in after.items() if k in before} == before
    assert written_off == from_cents(moved) and left == 0
    for account_id, balance in before.items():
        for as_of in (dt.date(2026, 11, 23), dt.date(2026, 6, 1), dt.date(2025, 12, 31)):
            buckets = account_aging(uow, actor, account_id, as_of)
            assert buckets.amount_in("current") >= 0
        assert account_aging(uow, actor, account_id, dt.date(2026, 11, 23)).balance == balance
    engine.dispose()


def test_tx_age3_tx_age4_migration_holds_what_waits_for_insurance(old_demo: Path) -> None:
    """TX-AGE-3/4: after the upgrade an insurable ICM 1 charge whose claim is not complete holds its
    whole amount less its write-off; a charge on a completed claim has the completion date as the
    date its held part ages from, and an ICM 2 one ages its patient's part from its DOS again; an
    insurance payment pays at most what its claim held."""
    engine = make_engine(f"sqlite:///{old_demo}")
    upgrade(engine)
    with engine.connect() as conn:
        waiting = conn.execute(
            text(
                "SELECT t.amount + t.tax - t.write_off, t.held_amount FROM ledger_transaction t "
                "JOIN account a ON a.id = t.account_id LEFT JOIN claim c ON c.id = t.claim_id "
                "WHERE t.kind = 'charge' AND t.insurable = 1 AND a.icm = 1 AND t.aged_date IS NULL "
                "AND (c.id IS NULL OR c.status <> 'complete')"
            )
        ).all()
        released = conn.execute(
            text(
                "SELECT t.released_on, c.completed_on, a.icm, t.aged_date, t.dos, t.held_amount "
                "FROM ledger_transaction t JOIN claim c ON c.id = t.claim_id JOIN account a ON a.id = t.account_id "
                "WHERE t.kind = 'charge' AND c.status = 'complete'"
            )
        ).all()
        payments = conn.execute(
            text(
                "SELECT p.claim_id, SUM(p.held_amount), MAX(p.amount - p.held_amount) FROM ledger_transaction p "
                "WHERE p.kind = 'insurance_payment' GROUP BY p.claim_id"
            )
        ).all()
        held_by_claim = dict(
            conn.execute(
                text(
                    "SELECT claim_id, SUM(held_amount) FROM ledger_transaction "
                    "WHERE kind = 'charge' AND claim_id IS NOT NULL GROUP BY claim_id"
                )
            ).all()
        )
    assert waiting and all(net == held for net, held in waiting)
    assert released and all(str(r.released_on) == str(r.completed_on) for r in released)
    assert all(str(r.aged_date) == str(r.dos) for r in released if r.icm == 2 and r.held_amount > 0)
    assert payments and all(paid_held <= held_by_claim.get(claim, 0) for claim, paid_held, _rest in payments)
    engine.dispose()
