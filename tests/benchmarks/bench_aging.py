"""Office aging as of today on the large practice (goal: median <= 1.5 s, <= 2x one SQL query).

    python tests/benchmarks/bench_aging.py sqlite:////tmp/dd_large.sqlite3 [--runs 7]

Times the service (dentaldesk.services.ledger.aging.office_aging: one SQL statement plus turning
its rows into report objects) against single hand-written SQL queries that compute the same
buckets (charges with tax into 0-30/31-60/61-90/90+ by aged date, held amounts current, credits
applied oldest-first per account): the obvious one (a CASE per bucket) and the fastest one
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

# What a person would first write: one CASE per bucket.
PER_BUCKET = text(
    """
    WITH per_account AS (
        SELECT account_id,
               SUM(CASE WHEN kind <> 'charge' THEN 0
                        WHEN aged_date IS NULL OR aged_date > :as_of THEN amount + tax
                        ELSE held_amount END) AS cur,
               SUM(CASE WHEN kind = 'charge' AND aged_date <= :as_of AND aged_date >= :d30
                        THEN amount + tax - held_amount ELSE 0 END) AS b30,
               SUM(CASE WHEN kind = 'charge' AND aged_date < :d30 AND aged_date >= :d60
                        THEN amount + tax - held_amount ELSE 0 END) AS b60,
               SUM(CASE WHEN kind = 'charge' AND aged_date < :d60 AND aged_date >= :d90
                        THEN amount + tax - held_amount ELSE 0 END) AS b90,
               SUM(CASE WHEN kind = 'charge' AND aged_date < :d90
                        THEN amount + tax - held_amount ELSE 0 END) AS b91,
               SUM(CASE WHEN kind = 'charge' THEN 0 ELSE amount END) AS credits
        FROM ledger_transaction
        WHERE office_id = :office_id AND dos <= :as_of
        GROUP BY account_id
        HAVING SUM(CASE WHEN kind = 'charge' THEN amount + tax ELSE -amount END) <> 0
    ), rests AS (
        SELECT p.*,
               b91 - credits AS r91,
               b91 + b90 - credits AS r90,
               b91 + b90 + b60 - credits AS r60,
               b91 + b90 + b60 + b30 - credits AS r30,
               b91 + b90 + b60 + b30 + cur - credits AS rcur
        FROM per_account p
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
).bindparams(*(bindparam(name, type_=Date) for name in ("as_of", "d30", "d60", "d90")))

# The same figures from cumulative sums (fewer tests per row): the fastest query I could write.
CUMULATIVE = text(
    """
    WITH totals AS (
        SELECT account_id,
               SUM(CASE WHEN kind = 'charge' THEN amount + tax ELSE 0 END) AS charges,
               SUM(CASE WHEN kind = 'charge' THEN amount + tax ELSE -amount END) AS balance,
               SUM(CASE WHEN aged_date <= :as_of AND kind = 'charge' THEN amount + tax - held_amount ELSE 0 END) AS aged,
               SUM(CASE WHEN aged_date < :d30 AND kind = 'charge' THEN amount + tax - held_amount ELSE 0 END) AS o30,
               SUM(CASE WHEN aged_date < :d60 AND kind = 'charge' THEN amount + tax - held_amount ELSE 0 END) AS o60,
               SUM(CASE WHEN aged_date < :d90 AND kind = 'charge' THEN amount + tax - held_amount ELSE 0 END) AS o90
        FROM ledger_transaction
        WHERE office_id = :office_id AND dos <= :as_of
        GROUP BY account_id
    ), rests AS (
        SELECT account_id, charges - aged AS cur, aged - o30 AS b30, o30 - o60 AS b60, o60 - o90 AS b90, o90 AS b91,
               o90 - (charges - balance) AS r91,
               o60 - (charges - balance) AS r90,
               o30 - (charges - balance) AS r60,
               aged - (charges - balance) AS r30,
               balance AS rcur
        FROM totals WHERE balance <> 0
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
