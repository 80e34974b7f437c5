"""Aging: one account's buckets, and the whole office's aging report as of any date (AGE-1..5).

Both follow :func:`dentaldesk.domain.aging.age_ledger`, the one definition of aging:

* a charge counts with its tax and less its write-off (INS-8); its patient part (charge + tax -
  write-off - held amount) sits in the bucket of the days from its aged date to the as-of date,
  its held part in the bucket of the days since its claim completed (``released_on``); no date,
  or a future one, is current (AGE-1, AGE-4, TX-AGE-3..5);
* the part of an insurance payment or write-off correction that pays held amounts (its
  ``held_amount``) is taken from the bucket its claim's held parts are in; every other credit
  is applied to the oldest open amounts first; what is left is the account's credit (AGE-2);
* rows dated (DOS) after the as-of date are left out: the report shows the ledger as it stood,
  and no later action changes it (AGE-5).

How the office report stays in SQL (one statement, no ledger row loaded into Python): applying
credits oldest-first per account only needs per-account bucket totals, because the oldest-first
order of age_ledger visits the buckets whole, Over 90, 61-90, 31-60, 0-30, Current. So:

1. an inner ``GROUP BY account`` makes cumulative sums with CASE expressions: the aging parts
   (the patient parts by aged date, the held parts, signed, by release date) aged at all / over
   30 / over 60 / over 90 days, the parts in all, and the credits applied oldest first (their
   differences are the buckets);
2. a middle select turns them into the five buckets and the credits, for accounts with a balance
   (a bucket a credit paid beyond what it held, never posted so, becomes credit as in age_ledger);
3. the outer select pays the buckets oldest-first with plain arithmetic:
   ``rest = (buckets up to this one, oldest first) - credits``, ``open = min(bucket, max(0,
   rest))``, ``credit = max(0, credits - total)``: one row per account with a balance.

The bucket bounds are dates computed in Python (as-of - 30/60/90 days) and bound as parameters,
so the query is the same on SQLite and PostgreSQL and needs no date arithmetic in SQL. The
index ``ix_ledger_aging`` covers every column the query reads, so the database scans the index
in account order instead of the table (migrations 0003, 0013).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Label,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session, aliased

from dentaldesk import clock
from dentaldesk.db.models import Account, LedgerTransaction, Patient
from dentaldesk.db.types import cents
from dentaldesk.domain.aging import BUCKETS, AgingBuckets, LedgerEntry, age_ledger
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.money import format_money, from_cents
from dentaldesk.domain.terms import TransactionKind
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class AccountAging:
    """One line of the office aging report: an account with a balance and its buckets.

    The amounts are integer cents (MONEY-1), the five buckets in :data:`BUCKETS` order and then
    the credit, as the query gives them: a report of 27,000 accounts holds 160,000 small ints
    instead of as many Decimals (about 20 MB less). :attr:`buckets` makes the money values
    (AGE-3's balance among them) when a line is shown or exported.
    """

    account_id: int
    account_number: str
    guarantor: str
    cents: tuple[int, ...]

    @property
    def buckets(self) -> AgingBuckets:
        return AgingBuckets(*(from_cents(value) for value in self.cents))

    @property
    def balance(self) -> Decimal:
        return self.buckets.balance


@dataclass(frozen=True)
class OfficeAging:
    """The office aging report on ``as_of``: accounts with a balance and the totals (AGE-3).

    ``total`` is the totals line: the sums of every account's cents, shown as the report's last
    line by the same code that shows an account's.
    """

    as_of: dt.date
    rows: tuple[AccountAging, ...]
    total: AccountAging

    @property
    def totals(self) -> AgingBuckets:
        return self.total.buckets


# --- One account (the Ledger view) ---------------------------------------------------------------


@guarded(Right.READ_LEDGER, account_id=Account)
def account_aging(uow: UnitOfWork, actor: Actor, account_id: int, as_of: dt.date | None = None) -> AgingBuckets:
    """An account's buckets on ``as_of`` (default today) by the pure rule (AGE-1..3)."""
    with uow.read():
        return account_aging_in(uow.session, account_id, as_of or clock.today())


def account_aging_in(session: Session, account_id: int, as_of: dt.date) -> AgingBuckets:
    """:func:`account_aging` in the caller's transaction."""
    lt = LedgerTransaction
    if session.get(Account, account_id) is None:
        raise NotFound("This account no longer exists.", "account")
    rows = session.execute(
        select(
            lt.id, lt.kind, lt.amount, lt.tax, lt.dos, lt.aged_date, lt.held_amount, lt.write_off, lt.released_on
        ).where(lt.account_id == account_id)
    ).all()
    return age_ledger([ledger_entry(row) for row in rows], as_of)


def ledger_entry(r: Any) -> LedgerEntry:
    """A ledger row as aging sees it (a charge with its tax); ``r`` has the columns read by account_aging."""
    charge = r.kind is TransactionKind.CHARGE
    return LedgerEntry(
        id=r.id,
        kind=r.kind,
        amount=r.amount + r.tax if charge else r.amount,
        dos=r.dos,
        aged_date=r.aged_date,
        held_amount=r.held_amount,
        write_off=r.write_off,
        released_on=r.released_on,
    )


# --- The office, in SQL --------------------------------------------------------------------------


def aging_parameters(office_id: int, as_of: dt.date) -> dict[str, object]:
    """The values bound into :func:`office_aging_query`: the office, the date, the bucket bounds."""
    return {
        "office_id": office_id,
        "as_of": as_of,
        **{f"day{n}": as_of - dt.timedelta(days=n) for n in (30, 60, 90)},
    }


@functools.cache
def office_aging_query() -> Select[*tuple[Any, ...]]:
    """The one SELECT behind the office aging report (see the module docstring); cents.

    Built once with bound parameters (:func:`aging_parameters`), so each run only executes it:
    building a statement this size costs more than running it on a small practice.
    """
    lt = LedgerTransaction
    is_charge = lt.kind == TransactionKind.CHARGE
    held = cents(lt.held_amount)
    patient_part = cents(lt.amount) + cents(lt.tax) - cents(lt.write_off) - held
    signed_held = case((is_charge, held), else_=-held)
    as_of = bindparam("as_of", type_=Date)
    zero = literal_column("0", BigInteger)

    def aged_since(bound: Any) -> ColumnElement[Any]:
        # What was aging on ``bound`` or before: the patient parts by aged date and the held parts
        # (a credit's, negative) by release date. The date tests come first: SQLite stops at the
        # first false term, and these sums run over every ledger row of the office.
        return func.sum(case((and_(lt.aged_date <= bound, is_charge), patient_part), else_=zero)) + func.sum(
            case((lt.released_on <= bound, signed_held), else_=zero)
        )

    def aged_before(bound: Any) -> ColumnElement[Any]:
        return func.sum(case((and_(lt.aged_date < bound, is_charge), patient_part), else_=zero)) + func.sum(
            case((lt.released_on < bound, signed_held), else_=zero)
        )

    # Per account, cumulative sums (fewer tests per row than one CASE per bucket): every part, the
    # credits applied oldest first, and the parts aged at all / over 30 / over 60 / over 90 days.
    totals = (
        select(
            lt.account_id.label("account_id"),
            func.sum(case((is_charge, patient_part + held), else_=-held)).label("parts"),
            func.sum(case((is_charge, zero), else_=cents(lt.amount) - held)).label("pool"),
            aged_since(as_of).label("aged"),
            aged_before(bindparam("day30", type_=Date)).label("over30"),
            aged_before(bindparam("day60", type_=Date)).label("over60"),
            aged_before(bindparam("day90", type_=Date)).label("over90"),
        )
        .where(lt.office_id == bindparam("office_id", type_=Integer), lt.dos <= as_of)
        .group_by(lt.account_id)
        .subquery("totals")
    )
    t = totals.c
    raw = {
        "current": t.parts - t.aged,
        "d0_30": t.aged - t.over30,
        "d31_60": t.over30 - t.over60,
        "d61_90": t.over60 - t.over90,
        "over_90": t.over90,
    }

    def kept(value: Any) -> ColumnElement[Any]:
        return case((value < zero, zero), else_=value)

    def overpaid(value: Any) -> ColumnElement[Any]:
        return case((value < zero, -value), else_=zero)

    per_account = (
        select(
            t.account_id,
            *(kept(value).label(name) for name, value in raw.items()),
            (t.pool + functools.reduce(operator.add, (overpaid(value) for value in raw.values()), zero)).label(
                "credits"
            ),
        )
        .where(t.parts != t.pool)
        .subquery("per_account")
    )
    # AGE-2: pay the buckets oldest first. ``rest`` is what stays unpaid of the buckets up to and
    # including this one (cumulative from the oldest) once every credit is applied; negative
    # means the credits reach past it.
    b = per_account.c
    oldest_first = [b.over_90, b.d61_90, b.d31_60, b.d0_30, b.current]
    rests: list[Label[Any]] = []
    running: ColumnElement[Any] | None = None
    for bucket in oldest_first:
        running = bucket if running is None else running + bucket
        rests.append((running - b.credits).label(f"rest_{bucket.name}"))
    paid_down = select(*b, *rests).subquery("paid_down")
    p = paid_down.c

    def still_open(name: str) -> Label[Any]:
        bucket, rest = p[name], p[f"rest_{name}"]
        return case((rest <= zero, zero), (rest < bucket, rest), else_=bucket).label(name)

    guarantor = aliased(Patient)
    return (
        select(
            Account.id.label("account_id"),
            Account.account_number,
            guarantor.first_name,
            guarantor.last_name,
            *(still_open(name) for name in BUCKETS),
            case((p.rest_current < zero, -p.rest_current), else_=zero).label("credit"),
        )
        .join(paid_down, p.account_id == Account.id)
        .outerjoin(guarantor, guarantor.id == Account.guarantor_id)
        .order_by(Account.account_number, Account.id)
    )


@guarded(Right.READ_LEDGER)
def office_aging(uow: UnitOfWork, actor: Actor, as_of: dt.date | None = None) -> OfficeAging:
    """The office aging report on ``as_of`` (default today), computed in one SQL query (AGE-1..3)."""
    as_of = as_of or clock.today()
    with uow.read():
        result = uow.session.connection().execute(office_aging_query(), aging_parameters(actor.office_id, as_of)).all()
    rows = []
    totals = [0] * 6  # cents: the five buckets in BUCKETS order, then the credit
    for account_id, account_number, first_name, last_name, *amounts in result:
        # PostgreSQL's SUM of bigint is numeric (a Decimal of whole cents here): ints, as SQLite's.
        figures = tuple(int(value) for value in amounts)
        for n, value in enumerate(figures):
            totals[n] += value
        rows.append(
            AccountAging(
                account_id=account_id,
                account_number=account_number,
                guarantor=f"{first_name} {last_name}" if first_name is not None else "",
                cents=figures,
            )
        )
    total = AccountAging(0, "Total", f"{len(rows)} accounts", tuple(totals))
    return OfficeAging(as_of, tuple(rows), total)


AGING_HEADERS = ("Account", "Guarantor", "Current", "0-30", "31-60", "61-90", "Over 90", "Credit", "Balance")


def aging_table(report: OfficeAging, *, plain: bool = False) -> list[tuple[str, ...]]:
    """The report as rows of text: a header, one row per account, a totals row (CLI and export).

    ``plain`` writes amounts as ``1234.50`` (for CSV); otherwise with thousands separators.
    """

    def amount(value: Decimal) -> str:
        return f"{value:.2f}" if plain else format_money(value)

    def figures(buckets: AgingBuckets) -> tuple[str, ...]:
        return (*(amount(buckets.amount_in(name)) for name in BUCKETS), amount(buckets.credit), amount(buckets.balance))

    lines: list[tuple[str, ...]] = [AGING_HEADERS]
    lines.extend((row.account_number, row.guarantor, *figures(row.buckets)) for row in (*report.rows, report.total))
    return lines
