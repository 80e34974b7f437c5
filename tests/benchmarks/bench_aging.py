"""Office aging as of today on the large practice (goal: median <= 1.5 s, <= 2x one SQL query).

    python tests/benchmarks/bench_aging.py sqlite:////tmp/dd_large.sqlite3 [--runs 7]

Times the service (dentaldesk.services.ledger.aging.office_aging: one SQL statement plus turning
its rows into report objects) against single hand-written SQL queries that compute the same
buckets (charges with tax less write-off into 0-30/31-60/61-90/90+ by aged date, held parts by
their claim's completion date, credits that pay them there, the rest applied oldest-first per
account): the obvious one (a CASE per bucket) and the fastest one
(cumulative sums); the ratio is taken against the faster. It checks that all give the same figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Date, bindparam, func, select, text

from dentaldesk import clock
from dentaldesk.db.engine import make_engine
from dentaldesk.db.models import Account, LedgerTransaction, Office
from dentaldesk.demo import DEMO_PASSWORDS
from dentaldesk.domain.money import from_cents
from dentaldesk.services.access.login import login
from dentaldesk.services.ledger.aging import office_aging
from dentaldesk.services.uow import UnitOfWork

# Both queries age as domain.aging.age_ledger does: a charge's patient part (amount + tax -
# write-off - held) by its aged date, its held part by the date its claim completed (released_on),
# a credit's part that pays held amounts taken from there too, every other credit applied oldest
# first; a bucket paid beyond what it held (never posted so) counts as credit.
PATIENT_PART = "amount + tax - write_off - held_amount"
SIGNED_HELD = "CASE WHEN kind = 'charge' THEN held_amount ELSE -held_amount END"


def _paid_down(per_account: str) -> str:
    """The shared tail: clamp the buckets, then pay them oldest first with the credits."""
    return f"""
    WITH per_account AS ({per_account}),
    kept AS (
        SELECT account_id,
               CASE WHEN cur < 0 THEN 0 ELSE cur END AS cur,
               CASE WHEN b30 < 0 THEN 0 ELSE b30 END AS b30,
               CASE WHEN b60 < 0 THEN 0 ELSE b60 END AS b60,
               CASE WHEN b90 < 0 THEN 0 ELSE b90 END AS b90,
               CASE WHEN b91 < 0 THEN 0 ELSE b91 END AS b91,
               pool + (CASE WHEN cur < 0 THEN -cur ELSE 0 END) + (CASE WHEN b30 < 0 THEN -b30 ELSE 0 END)
                    + (CASE WHEN b60 < 0 THEN -b60 ELSE 0 END) + (CASE WHEN b90 < 0 THEN -b90 ELSE 0 END)
                    + (CASE WHEN b91 < 0 THEN -b91 ELSE 0 END) AS credits
        FROM per_account
    ), rests AS (
        SELECT k.*,
               b91 - credits AS r91,
               b91 + b90 - credits AS r90,
               b91 + b90 + b60 - credits AS r60,
               b91 + b90 + b60 + b30 - credits AS r30,
               b91 + b90 + b60 + b30 + cur - credits AS rcur
        FROM kept k
    )
    SELECT a.account_number, g.first_name, g.last_name,
           CASE WHEN rcur <= 0 THEN 0 WHEN rcur < cur THEN rcur ELSE cur END AS current_amount,
           CASE WHEN r30 <= 0 THEN 0 WHEN r30 < b30 THEN r30 ELSE b30 END AS d0_30,
           CASE WHEN r60 <= 0 THEN 0 WHEN r60 < b60 THEN r60 ELSE b60 END AS d31_60,
           CASE WHEN r90 <= 0 THEN 0 WHEN r90 < b90 THEN r90 ELSE b90 END AS d61_90,
           CASE WHEN r91 <= 0 THEN 0 WHEN r91 < b91 THEN r91 ELSE b91 END AS over_90,
           CASE WHEN rcur < 0 THEN -rcur ELSE 0 END AS credit
    FROM rests r
    JOIN account a ON a.id = r.account_id
    LEFT JOIN patient g ON g.id = a.guarantor_id
    ORDER BY a.account_number, a.id
    """


def _in_bucket(low: str | None, high: str | None) -> str:
    """The parts aged into the bucket [low, high] of dates (None: open-ended)."""

    def between(column: str) -> str:
        tests = [f"{column} IS NOT NULL"]
        if high:
            tests.append(f"{column} <= :{high}" if high == "as_of" else f"{column} < :{high}")
        if low:
            tests.append(f"{column} >= :{low}")
        return " AND ".join(tests)

    return (
        f"SUM(CASE WHEN kind = 'charge' AND {between('aged_date')} THEN {PATIENT_PART} ELSE 0 END)"
        f" + SUM(CASE WHEN {between('released_on')} THEN {SIGNED_HELD} ELSE 0 END)"
    )


# What a person would first write: one CASE per bucket.
PER_BUCKET = text(
    _paid_down(
        f"""
        SELECT account_id,
               SUM(CASE WHEN kind = 'charge' THEN amount + tax - write_off ELSE -held_amount END)
                 - ({_in_bucket(None, "as_of")}) AS cur,
               {_in_bucket("d30", "as_of")} AS b30,
               {_in_bucket("d60", "d30")} AS b60,
               {_in_bucket("d90", "d60")} AS b90,
               {_in_bucket(None, "d90")} AS b91,
               SUM(CASE WHEN kind = 'charge' THEN 0 ELSE amount - held_amount END) AS pool
        FROM ledger_transaction
        WHERE office_id = :office_id AND dos <= :as_of
        GROUP BY account_id
        HAVING SUM(CASE WHEN kind = 'charge' THEN amount + tax - write_off ELSE -amount END) <> 0
        """
    )
).bindparams(*(bindparam(name, type_=Date) for name in ("as_of", "d30", "d60", "d90")))


def _aged_before(bound: str) -> str:
    test = "<=" if bound == "as_of" else "<"
    return (
        f"SUM(CASE WHEN aged_date {test} :{bound} AND kind = 'charge' THEN {PATIENT_PART} ELSE 0 END)"
        f" + SUM(CASE WHEN released_on {test} :{bound} THEN {SIGNED_HELD} ELSE 0 END)"
    )


# The same figures from cumulative sums (fewer tests per row): the fastest query I could write.
CUMULATIVE = text(
    _paid_down(
        f"""
        SELECT account_id, parts - aged AS cur, aged - o30 AS b30, o30 - o60 AS b60, o60 - o90 AS b90,
               o90 AS b91, pool
        FROM (
            SELECT account_id,
                   SUM(CASE WHEN kind = 'charge' THEN amount + tax - write_off ELSE -held_amount END) AS parts,
                   SUM(CASE WHEN kind = 'charge' THEN 0 ELSE amount - held_amount END) AS pool,
                   {_aged_before("as_of")} AS aged,
                   {_aged_before("d30")} AS o30,
                   {_aged_before("d60")} AS o60,
                   {_aged_before("d90")} AS o90
            FROM ledger_transaction
            WHERE office_id = :office_id AND dos <= :as_of
            GROUP BY account_id
        ) totals
        WHERE parts <> pool
        """
    )
).bindparams(*(bindparam(name, type_=Date) for name in ("as_of", "d30", "d60", "d90")))


def median_seconds(work: Callable[[], Any], runs: int) -> tuple[float, Any]:
    work()  # warm the page cache the way a running office has it warm
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    engine = make_engine(args.url)
    uow = UnitOfWork.for_engine(engine)
    with uow:
        office_id = uow.session.scalar(select(Office.id).order_by(Office.id).limit(1))
        ledger_rows = uow.session.scalar(select(func.count(LedgerTransaction.id))) or 0
        accounts = uow.session.scalar(select(func.count(Account.id))) or 0
    today = clock.today()
    params = {
        "office_id": office_id,
        "as_of": today,
        **{f"d{n}": today - dt.timedelta(days=n) for n in (30, 60, 90)},
    }

    def hand_written(query: Any) -> Callable[[], list[Any]]:
        def run() -> list[Any]:
            with engine.connect() as conn:
                return conn.execute(query, params).all()

        return run

    service_s, report = median_seconds(
        lambda: office_aging(uow, login(uow, "owner", DEMO_PASSWORDS["owner"], "benchmark"), today), args.runs
    )
    per_bucket_s, per_bucket_rows = median_seconds(hand_written(PER_BUCKET), args.runs)
    cumulative_s, rows = median_seconds(hand_written(CUMULATIVE), args.runs)
    query_s = min(per_bucket_s, cumulative_s)

    def same(found: list[Any]) -> bool:
        return len(found) == len(report.rows) and all(
            (row.account_number, *(from_cents(int(v)) for v in row[3:]))
            == (
                mine.account_number,
                mine.buckets.current,
                mine.buckets.d0_30,
                mine.buckets.d31_60,
                mine.buckets.d61_90,
                mine.buckets.over_90,
                mine.buckets.credit,
            )
            for row, mine in zip(found, report.rows, strict=False)
        )

    print(f"database:             {engine.url.render_as_string(hide_password=True)}")
    print(f"ledger rows:          {ledger_rows:,} in {accounts:,} accounts")
    print(f"accounts with a balance as of {today}: {len(report.rows):,}; total {report.totals.balance:,.2f}")
    print(f"service office_aging: median {service_s * 1000:.0f} ms over {args.runs} runs (goal <= 1500 ms)")
    print(f"hand-written query, one CASE per bucket: median {per_bucket_s * 1000:.0f} ms")
    print(f"hand-written query, cumulative sums:     median {cumulative_s * 1000:.0f} ms")
    print(f"service / fastest query: {service_s / query_s:.2f}x (goal <= 2x)")
    agree = same(rows) and same(per_bucket_rows)
    print(f"same figures:         {'yes' if agree else 'NO - the queries and the service disagree'}")


if __name__ == "__main__":
    main()
