"""The service half of bench_frames.py: each read a front-desk view makes, timed against the
plain-SQL floor for the same rows, interleaved (service, floor, service, floor, ...).

The floor is the database's own cost of the rows, with nothing of ours around it: a DBAPI cursor
on an open connection executing SQL text and fetching every row. For search, the Ledger, the
Treatments list and the aging report the floor is hand-written SQL (the rows each view shows,
read the shortest way we know); for loading a plan and the Transactions dialog's reads it is the
service's own statements, captured as they ran and replayed raw (their reads are by primary or
foreign key; what the replay leaves out is the statement building, the ORM and our Python).
"""

from __future__ import annotations

import inspect
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

SEARCH_SQL = """
SELECT p.id, p.patient_number, p.last_name, p.first_name, p.birth_date, a.account_number, p.phone
FROM patient p JOIN account a ON a.id = p.account_id
WHERE p.office_id = ? AND p.{key} >= ? AND p.{key} < ?
ORDER BY {order} LIMIT 50
"""

LEDGER_SQL = (
    """SELECT a.id, a.account_number, a.icm, g.first_name, g.last_name
       FROM account a LEFT JOIN patient g ON g.id = a.guarantor_id WHERE a.id = ?""",
    # one read gives the rows, their running balance and the account's aging
    """SELECT t.id, t.dos, p.first_name, t.kind, c.code, t.tooth, t.description, t.amount, t.tax,
              t.aged_date, t.held_amount
       FROM ledger_transaction t JOIN patient p ON p.id = t.patient_id
       LEFT JOIN procedure_code c ON c.id = t.procedure_code_id
       WHERE t.account_id = ? ORDER BY t.dos, t.id""",
    """SELECT cl.id, cl.claim_number, cl.patient_id, p.first_name, p.last_name, dp.carrier, dp.name, cv.rank,
              cl.status, cl.created_on, cl.completed_on,
              sum(t.amount + t.tax), sum(l.estimated), sum(l.paid)
       FROM claim cl JOIN patient p ON p.id = cl.patient_id
       JOIN coverage cv ON cv.id = cl.coverage_id JOIN dental_plan dp ON dp.id = cv.dental_plan_id
       LEFT JOIN claim_line l ON l.claim_id = cl.id LEFT JOIN ledger_transaction t ON t.id = l.transaction_id
       WHERE cl.account_id = ? AND cl.status = 'open'
       GROUP BY cl.id, cl.claim_number, cl.patient_id, p.first_name, p.last_name, dp.carrier, dp.name, cv.rank,
                cl.status, cl.created_on, cl.completed_on
       ORDER BY cl.created_on, cl.id""",
)

PLANS_SQL = """
SELECT tp.id, tp.patient_id, p.last_name, p.first_name, p.patient_number, tp.title, tp.status,
       count(i.id), sum(CASE WHEN i.status = 'completed' THEN 1 ELSE 0 END), sum(coalesce(i.fee, 0)),
       sum(CASE WHEN i.status = 'completed' THEN coalesce(i.fee, 0) ELSE 0 END), tp.updated_at
FROM (SELECT id, patient_id, title, status, updated_at FROM treatment_plan
      WHERE office_id = ? {scope} ORDER BY updated_at DESC, id DESC LIMIT 500) tp
JOIN patient p ON p.id = tp.patient_id
LEFT JOIN plan_item i ON i.plan_id = tp.id
GROUP BY tp.id, tp.patient_id, p.last_name, p.first_name, p.patient_number, tp.title, tp.status, tp.updated_at
ORDER BY tp.updated_at DESC, tp.id DESC
"""


# One patient's plans: found through the patient index, the office checked on the patient.
PATIENT_PLANS_SQL = (
    PLANS_SQL.replace(
        "FROM treatment_plan\n      WHERE office_id = ? {scope}",
        "FROM treatment_plan t JOIN patient o ON o.id = t.patient_id\n      WHERE t.patient_id = ? AND o.office_id = ?",
    )
    .replace(
        "SELECT id, patient_id, title, status, updated_at", "SELECT t.id, t.patient_id, t.title, t.status, t.updated_at"
    )
    .replace("ORDER BY updated_at DESC, id DESC LIMIT 500", "ORDER BY t.updated_at DESC, t.id DESC LIMIT 500")
)


def call(service: Callable[..., Any], uow: Any, actor: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a read service whether it takes the acting user or the office as its second argument."""
    params = list(inspect.signature(service).parameters)
    if len(params) > 1 and params[1] == "actor":
        return service(uow, actor, *args, **kwargs)
    if len(params) > 1 and params[1] == "office_id":
        return service(uow, actor.office_id, *args, **kwargs)
    return service(uow, *args, **kwargs)


class Floor:
    """Plain SQL on one open DBAPI connection."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.raw = engine.raw_connection()
        self.qmark = engine.dialect.paramstyle == "qmark"

    def sql(self, text: str) -> str:
        return text if self.qmark else text.replace("%", "%%").replace("?", "%s")

    def run(self, statements: list[tuple[str, Any]]) -> int:
        cursor = self.raw.cursor()
        rows = 0
        try:
            for text, params in statements:
                cursor.execute(text, params)
                rows += len(cursor.fetchall())
        finally:
            cursor.close()
            self.raw.rollback()
        return rows

    def close(self) -> None:
        self.raw.close()


def capture(engine: Engine, action: Callable[[], object]) -> list[tuple[str, Any]]:
    """The statements ``action`` sends to the database, as the DBAPI received them."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def interleaved(
    service: Callable[[], object], floor: Callable[[], object], runs: int
) -> tuple[list[float], list[float]]:
    service()
    floor()  # warm both (statement caches, pages in memory)
    s, f = [], []
    for _ in range(runs):
        start = time.perf_counter()
        service()
        s.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        floor()
        f.append((time.perf_counter() - start) * 1000)
    return s, f


def run_services(url: str, plan_id: int, account_id: int, patient_id: int, runs: int) -> dict[str, Any]:
    from sqlalchemy import select

    from dentaldesk.db.engine import make_engine
    from dentaldesk.db.models import PlanItem
    from dentaldesk.domain.text import search_key
    from dentaldesk.services.access.login import login
    from dentaldesk.services.ledger.account_view import account_view
    from dentaldesk.services.ledger.aging import aging_parameters, office_aging, office_aging_query
    from dentaldesk.services.ledger.queries import account_ledger
    from dentaldesk.services.ledger.transactions import transaction_context
    from dentaldesk.services.patients.search import search_patients
    from dentaldesk.services.plans import load_plan
    from dentaldesk.services.plans.queries import plan_summaries
    from dentaldesk.services.uow import UnitOfWork

    engine = make_engine(url)
    uow = UnitOfWork.for_engine(engine)
    actor = login(uow, "owner", "demo-owner", "benchmark")
    with uow:
        item_id = uow.session.scalar(select(PlanItem.id).where(PlanItem.plan_id == plan_id).order_by(PlanItem.id))
    office_id = actor.office_id
    floor = Floor(engine)
    out: dict[str, dict[str, list[float]]] = {}

    def record(name: str, service: Callable[[], object], base: Callable[[], object], n: int = runs) -> None:
        s, f = interleaved(service, base, n)
        out[name] = {"service": s, "floor": f}

    # search, per keystroke of three names: the service's two index reads, by hand
    prefixes = [w[: n + 1] for w in ("smith", "garcia", "nguyen") for n in range(len(w))]
    by_last = floor.sql(
        SEARCH_SQL.format(key="last_name_key", order="p.last_name_key, p.first_name_key, p.id")
    )  # fmt: skip
    by_first = floor.sql(SEARCH_SQL.format(key="first_name_key", order="p.first_name_key, p.id"))
    state = {"n": 0}

    def next_prefix() -> str:
        state["n"] += 1
        return prefixes[state["n"] % len(prefixes)]

    def search_service() -> None:
        call(search_patients, uow, actor, next_prefix())

    def search_floor() -> None:
        key = search_key(prefixes[state["n"] % len(prefixes)])
        upper = key[:-1] + chr(ord(key[-1]) + 1)
        floor.run([(by_last, (office_id, key, upper)), (by_first, (office_id, key, upper))])

    record("search, per keystroke", search_service, search_floor, n=max(runs, 3 * len(prefixes)))

    # the Ledger view of the biggest account: header, aging, rows, open claims, in its one read
    def ledger_service() -> None:
        call(account_view, uow, actor, account_id)

    ledger = [(floor.sql(sql), (account_id,)) for sql in LEDGER_SQL]
    record("Ledger of the biggest account", ledger_service, lambda: floor.run(ledger))

    # Treatments: this patient, the whole office
    office_plans = [(floor.sql(PLANS_SQL.format(scope="")), (office_id,))]
    patient_plans = [(floor.sql(PATIENT_PLANS_SQL), (patient_id, office_id))]
    record(
        "Treatments, this patient",
        lambda: call(plan_summaries, uow, actor, patient_id=patient_id),
        lambda: floor.run(patient_plans),
    )
    record("Treatments, whole office", lambda: call(plan_summaries, uow, actor), lambda: floor.run(office_plans))

    # the biggest plan, and the Transactions dialog's reads on its first item: their own SQL, raw
    plan_sql = capture(engine, lambda: call(load_plan, uow, actor, plan_id))
    record(
        "open the biggest plan (load_plan)", lambda: call(load_plan, uow, actor, plan_id), lambda: floor.run(plan_sql)
    )
    plan = call(load_plan, uow, actor, plan_id)

    def dialog_reads() -> None:
        call(transaction_context, uow, actor, plan.patient_id, plan_item_id=item_id, with_claims=False)

    dialog_sql = capture(engine, dialog_reads)
    record("Transactions dialog reads", dialog_reads, lambda: floor.run(dialog_sql))

    # the office aging report: the service against its one SELECT, executed raw
    compiled = office_aging_query().compile(dialect=engine.dialect)
    aging_text = str(compiled)
    values = compiled.construct_params(aging_parameters(office_id, _today()))
    processors = compiled._bind_processors  # the types' conversions (a date as SQLite stores it)
    values = {k: processors[k](v) if k in processors else v for k, v in values.items()}
    aging_params: Any = tuple(values[n] for n in compiled.positiontup or ()) if floor.qmark else values
    record(
        "office aging report",
        lambda: call(office_aging, uow, actor, _today()),
        lambda: floor.run([(aging_text, aging_params)]),
        n=max(3, runs // 3),
    )
    out_rows = {
        "search": len(call(search_patients, uow, actor, "smi")),
        "ledger": len(call(account_ledger, uow, actor, account_id)),
        "office plans": len(call(plan_summaries, uow, actor)),
        "plan items": len(plan.items),
        "aging accounts": len(call(office_aging, uow, actor, _today()).rows),
    }
    floor.close()
    engine.dispose()
    return {"services": out, "rows": out_rows}


def _today():  # type: ignore[no-untyped-def]
    from dentaldesk import clock

    return clock.today()


def summary(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
